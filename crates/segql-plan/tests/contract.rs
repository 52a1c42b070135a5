//! The dialect contract, in the spirit of Malloy's dialect tests: every dialect in
//! [`dialect::all()`] must compile one segment of every construct kind the language has,
//! and its SQL must parse back with the dialect's own sqlparser parser.
//!
//! Adding a dialect to `all()` puts it under this test with nothing else to do. Adding
//! a variant to the IR's conditions, values, aggregates or `sql` predicate nodes makes
//! [`kinds_of_cond`] and friends stop compiling (their matches name every variant, with
//! no wildcard), which is the reminder to name it, list it in `expected` and add a
//! segment for it: a listed kind without a segment fails the test, and so does a kind a
//! segment exercises that is not listed. (Nothing fails if a new variant is named in
//! the match but neither listed nor exercised: that much is left to review.)

mod common;

use common::{compile_segment, declared_segments, project, reparse};
use segql_plan::dialect::{self, Support};
use segql_plan::ir::{
    AggKind, Cond, DatePart, Program, Quant, Scalar, SqlExpr, SqlFn, SqlOp, TimePoint,
};
use segql_syntax::ast::Unit;
use std::collections::BTreeSet;

/// One segment per construct; each name says what it covers.
const PROJECT: &str = r#"
entity user {
  table analytics.users
  key user_id
  columns {
    country      string
    age          int
    plan         string
    signup_at    timestamp
    last_seen_at timestamp
    birthday     date
    nps          int
    is_verified  bool
    mrr          decimal
    email        string
    account_id   string references account
  }
}

entity account {
  table analytics.accounts
  key account_id
  columns {
    industry  string
    employees int
  }
}

events of user {
  table analytics.events
  key user_id
  name event_name
  time occurred_at
  properties {
    page   string
    amount decimal
  }
}

events orders of user {
  table shop.orders
  key customer_id
  event "order"
  time ordered_at
  properties {
    total decimal
  }
}

trait ltv = sum(amount) of "purchase"
trait last_login = last time of "login"
trait engagement = score {
  10 if did "email_opened" in last 14 days
  2.5 if account.employees >= 50
}

# attributes and every predicate
segment cmp_eq { where country = "FR" }
segment cmp_ne { where plan != "free" }
segment cmp_lt { where age < 18 }
segment cmp_le { where nps <= -1 }
segment cmp_gt { where mrr > 49.99 }
segment cmp_ge { where age >= 18 }
segment in_list { where country in ["FR", "DE"] }
segment not_in_list { where country not in ["GB"] }
segment between_numbers { where age between 18 and 30 }
segment between_dates { where birthday between 1990-01-01 and 1999-12-31 }
segment date_vs_timestamp { where birthday < 2000-01-01T12:00:00Z }
segment timestamp_literal { where signup_at >= 2024-03-01T09:30:00.125Z }
segment relative_time { where last_seen_at < 30 days ago }
segment column_in_last { where signup_at in last 14 days }
segment text_contains { where email contains "@" }
segment text_starts { where email starts with "qa-" }
segment text_ends { where email ends with ".edu" }
segment text_regex { where email matches "^test[0-9]+@" }
segment ignoring_case { where email ends with "@ACME.COM" ignoring case }
segment ignoring_case_in_filter { where did "page_viewed" with page in ["/Pricing", "/İ"] ignoring case }
segment is_set { where country is set }
segment is_not_set { where country is not set }
segment boolean { where is_verified = true }
segment everyone_true { where true }
segment nobody_false { where false }
segment referenced { where account.industry = "software" }
segment negation { where not (country = "FR" or age > 30) }
segment raw_sql { where sql "lower(country) = 'fr' AND age > 30" }
segment raw_sql_everything {
  where sql "upper(trim(country)) IN ('FR', 'DE') OR NOT (age BETWEEN 18 AND 25) OR -age < 3 OR age * 2 + 1 - 3 > 4 OR mod(age, 2) = 0 OR age % 3 = 1 OR abs(nps) > 1 OR floor(mrr) > ceil(mrr) OR coalesce(nullif(plan, ''), 'none') || 'x' = 'nonex' OR length(email) > 3 OR email LIKE '%@x.io' OR country IS NULL OR CASE WHEN age > 1 THEN TRUE ELSE FALSE END OR CAST(age AS text) = '1' OR EXTRACT(YEAR FROM birthday) = 1990 OR EXTRACT(MONTH FROM signup_at) = 1 OR EXTRACT(DAY FROM birthday) = 1 OR birthday < DATE '2000-01-01' OR signup_at < TIMESTAMP '2024-01-01 00:00:00' OR is_verified = TRUE OR account.industry = 'x' OR mrr > 1.5 OR coalesce(plan, NULL) = 'p'"
}

# behaviour: did, counts, windows, periods, filters
segment did_window { where did "login" in last 7 days }
segment did_any_event { where did any event in last 30 days }
segment did_several { where did ["purchase", "renewal"] in last 90 days }
segment did_filter { where did "page_viewed" with page = "/pricing" }
segment did_relation { where did "order" from orders with total > 100 in last 30 days }
segment did_at_least { where did "login" at least 5 times in last 30 days }
segment did_at_most { where did "login" at most 2 times in last 30 days }
segment did_exactly { where did "login" exactly 3 times ever }
segment did_between_ago { where did "login" between 60 days ago and 30 days ago }
segment did_between_dates { where did "login" between 2024-01-01 and 2024-04-01 }
segment did_hours { where did "login" in last 12 hours }
segment did_weeks { where did "login" in last 2 weeks }
segment did_months { where did "login" in last 3 months }
segment did_years { where did "login" in last 1 year }
segment not_did { where not did "purchase" in last 90 days }
segment periods_hours { where did "ping" in exactly 3 of last 12 hours }
segment periods_days { where did "login" in at least 10 of last 30 days }
segment periods_weeks { where did "login" in at least 3 of last 4 weeks }
segment periods_months { where did "purchase" in at most 1 of last 6 months }
segment periods_years { where did "purchase" in at least 2 of last 3 years }
segment periods_counted { where did "login" at least 2 times in at least 3 of last 4 periods of 3 days }
segment periods_of_two_months { where did "purchase" in at least 2 of last 2 periods of 2 months }

# aggregates and first/last time
segment agg_sum { where sum(amount) of "purchase" in last 365 days >= 500 }
segment agg_avg { where avg(amount) of "purchase" in last 1 year > 49.99 }
segment agg_min { where min(amount) of "purchase" < 1 }
segment agg_max { where max(amount) of "purchase" >= 1000 }
segment agg_first_value { where first(amount) of "purchase" in last 90 days < 20 }
segment agg_last_value { where last(page) of "page_viewed" with page is set = "/pricing" }
segment agg_count_distinct { where count distinct(page) of "page_viewed" in last 7 days >= 3 }
segment agg_count { where count of "login" in last 2 weeks >= 10 }
segment agg_relation { where sum(total) of "order" from orders > 100 }
segment first_time { where first time of "signup" in last 7 days }
segment last_time { where last time of "login" < 90 days ago }
segment first_time_filtered { where first time of "purchase" with amount >= 100 between 2024-01-01 and 2024-07-01 }

# sequences and stopping
segment sequence { where did "signup" then "project_created" within 7 days }
segment long_sequence { where did "signup" then "project_created" within 1 day then "upgrade" in last 90 days }
segment sequence_filtered { where did "page_viewed" with page = "/pricing" then "purchase" within 2 hours }
segment stopped_days { where stopped "login" for 30 days }
segment stopped_months { where stopped "purchase" with amount > 0 for 3 months }

# scores, traits, buckets, composition
segment score_block {
  score {
    10 if did "email_opened" in last 14 days
    30 if account.employees >= 50
    -15 if did "unsubscribed" ever
  }
  where score >= 40
}
segment trait_value { where ltv >= 100 }
segment trait_score { where engagement > 5 }
segment ntile_value { where ntile(5) of ltv = 5 }
segment ntile_time { where ntile(4) of last_login in [3, 4] }
segment in_segment { where in cmp_eq and not in did_window }

# quantifiers over related entities
segment any_where of account { where any user where plan = "enterprise" }
segment all_did of account { where all user did "login" in last 7 days }
segment no_did of account { where no user did any event in last 30 days }
segment at_least_did of account { where at least 3 user did "invite_sent" in last 30 days }
segment at_most_where of account { where at most 3 user where is_verified = true }
segment exactly_where of account { where exactly 2 user where (age > 30 and country = "FR") }
segment account_attribute of account { where employees >= 50 and industry = "software" }
"#;

fn contract_project() -> (Vec<String>, Program) {
    let (files, program) = project(&[("contract.seg", PROJECT)]);
    (declared_segments(&files[0]), program)
}

// ---------------------------------------------------------------------------------------
// What the project covers, by exhaustive matches over the IR
// ---------------------------------------------------------------------------------------

fn kinds_of_cond(p: &Program, c: &Cond, out: &mut BTreeSet<String>) {
    let kind = match c {
        Cond::Const(_) => "const",
        Cond::And(v) | Cond::Or(v) => {
            v.iter().for_each(|c| kinds_of_cond(p, c, out));
            if matches!(c, Cond::And(_)) {
                "and"
            } else {
                "or"
            }
        }
        Cond::Not(c) => {
            kinds_of_cond(p, c, out);
            "not"
        }
        Cond::Cmp(a, op, b) => {
            kinds_of_scalar(p, a, out);
            kinds_of_scalar(p, b, out);
            out.insert(format!("cmp {op:?}"));
            "cmp"
        }
        Cond::In { value, .. } => {
            kinds_of_scalar(p, value, out);
            "in"
        }
        Cond::Text { value, op, .. } => {
            kinds_of_scalar(p, value, out);
            out.insert(format!("text {op:?}"));
            "text"
        }
        Cond::Regex { value, .. } => {
            kinds_of_scalar(p, value, out);
            "regex"
        }
        Cond::IsSet(v) => {
            kinds_of_scalar(p, v, out);
            "is set"
        }
        Cond::Segment(_) => "in segment",
        Cond::Quantified { quant, cond, .. } => {
            kinds_of_cond(p, cond, out);
            out.insert(
                match quant {
                    Quant::Any => "quantifier any",
                    Quant::All => "quantifier all",
                    Quant::No => "quantifier no",
                    Quant::AtLeast(_) => "quantifier at least",
                    Quant::AtMost(_) => "quantifier at most",
                    Quant::Exactly(_) => "quantifier exactly",
                }
                .to_string(),
            );
            "quantified"
        }
        Cond::Sequence(s) => {
            if s.steps.iter().any(|s| s.pred.is_some()) {
                out.insert("sequence with filter".into());
            }
            if s.steps.len() > 2 {
                out.insert("sequence of 3+ steps".into());
            }
            "sequence"
        }
        Cond::Sql(pred) => {
            kinds_of_sql(&pred.expr, out);
            "sql"
        }
    };
    out.insert(kind.to_string());
}

fn kinds_of_sql(e: &SqlExpr, out: &mut BTreeSet<String>) {
    for x in e.children() {
        kinds_of_sql(x, out);
    }
    let kind = match e {
        SqlExpr::Column(_) => "sql column".to_string(),
        SqlExpr::Lit(l) => format!("sql literal {:?}", l.ty()),
        SqlExpr::Null => "sql null".to_string(),
        SqlExpr::Not(_) => "sql not".to_string(),
        SqlExpr::Neg(_) => "sql neg".to_string(),
        SqlExpr::Binary(_, op, _) => {
            format!(
                "sql {}",
                match op {
                    SqlOp::Cmp(_) => "cmp",
                    SqlOp::And => "and",
                    SqlOp::Or => "or",
                    SqlOp::Plus => "plus",
                    SqlOp::Minus => "minus",
                    SqlOp::Times => "times",
                    SqlOp::Mod => "mod",
                    SqlOp::Concat => "concat",
                }
            )
        }
        SqlExpr::IsNull { .. } => "sql is null".to_string(),
        SqlExpr::Between { .. } => "sql between".to_string(),
        SqlExpr::InList { .. } => "sql in".to_string(),
        SqlExpr::Like { .. } => "sql like".to_string(),
        SqlExpr::Case { .. } => "sql case".to_string(),
        SqlExpr::Cast { .. } => "sql cast".to_string(),
        SqlExpr::Extract { part, .. } => {
            format!(
                "sql extract {}",
                match part {
                    DatePart::Year => "year",
                    DatePart::Month => "month",
                    DatePart::Day => "day",
                }
            )
        }
        SqlExpr::Func { f, .. } => {
            format!(
                "sql fn {}",
                match f {
                    SqlFn::Lower => "lower",
                    SqlFn::Upper => "upper",
                    SqlFn::Length => "length",
                    SqlFn::Trim => "trim",
                    SqlFn::Abs => "abs",
                    SqlFn::Floor => "floor",
                    SqlFn::Ceil => "ceil",
                    SqlFn::Coalesce => "coalesce",
                    SqlFn::Nullif => "nullif",
                    SqlFn::Mod => "mod",
                }
            )
        }
    };
    out.insert(kind);
}

fn kinds_of_time(t: &TimePoint, out: &mut BTreeSet<String>) {
    out.insert(match t {
        TimePoint::AsOf => "time as_of".to_string(),
        TimePoint::At(_) => "time literal".to_string(),
        TimePoint::Ago(d) => format!("time ago {}", unit(d.unit)),
    });
}

fn unit(u: Unit) -> &'static str {
    match u {
        Unit::Hour => "hour",
        Unit::Day => "day",
        Unit::Week => "week",
        Unit::Month => "month",
        Unit::Year => "year",
    }
}

fn kinds_of_scalar(p: &Program, s: &Scalar, out: &mut BTreeSet<String>) {
    let kind = match s {
        Scalar::Column(_) => "column",
        Scalar::Lit(_) => "literal",
        Scalar::Time(t) => {
            kinds_of_time(t, out);
            "time"
        }
        Scalar::Agg(a) => {
            if let Some(pred) = &a.filter.pred {
                out.insert("event filter".into());
                kinds_of_cond(p, pred, out);
            }
            if let Some(start) = &a.filter.window.start {
                kinds_of_time(start, out);
            }
            kinds_of_time(&a.filter.window.end, out);
            out.insert(match &a.kind {
                AggKind::Count => "agg count".to_string(),
                AggKind::CountDistinct(_) => "agg count distinct".to_string(),
                AggKind::Sum(_) => "agg sum".to_string(),
                AggKind::Avg(_) => "agg avg".to_string(),
                AggKind::Min(_) => "agg min".to_string(),
                AggKind::Max(_) => "agg max".to_string(),
                AggKind::FirstValue(_) => "agg first value".to_string(),
                AggKind::LastValue(_) => "agg last value".to_string(),
                AggKind::First => "agg first".to_string(),
                AggKind::Last => "agg last".to_string(),
                AggKind::ActivePeriods {
                    min_events: 2.., ..
                } => "periods counted".to_string(),
                AggKind::ActivePeriods { unit: u, .. } => format!("periods {}", unit(*u)),
            });
            "aggregate"
        }
        Scalar::Ntile { value, .. } => {
            kinds_of_scalar(p, value, out);
            "ntile"
        }
        Scalar::Score(rules) => {
            rules.iter().for_each(|(_, c)| kinds_of_cond(p, c, out));
            "score"
        }
        Scalar::Folded(v) => {
            kinds_of_scalar(p, v, out);
            "folded"
        }
    };
    out.insert(kind.to_string());
}

#[test]
fn the_contract_project_covers_every_construct() {
    let (names, p) = contract_project();
    let mut seen = BTreeSet::new();
    for name in &names {
        let id = p.segment_by_name(name).expect("declared");
        kinds_of_cond(&p, &p.segments[id].cond, &mut seen);
    }
    let expected = [
        "const",
        "and",
        "or",
        "not",
        "cmp",
        "cmp Eq",
        "cmp Ne",
        "cmp Lt",
        "cmp Le",
        "cmp Gt",
        "cmp Ge",
        "in",
        "text",
        "text Contains",
        "text StartsWith",
        "text EndsWith",
        "regex",
        "folded",
        "is set",
        "in segment",
        "quantified",
        "quantifier any",
        "quantifier all",
        "quantifier no",
        "quantifier at least",
        "quantifier at most",
        "quantifier exactly",
        "sequence",
        "sequence with filter",
        "sequence of 3+ steps",
        "sql",
        "column",
        "literal",
        "time",
        "time as_of",
        "time literal",
        "time ago hour",
        "time ago day",
        "time ago week",
        "time ago month",
        "time ago year",
        "aggregate",
        "event filter",
        "agg count",
        "agg count distinct",
        "agg sum",
        "agg avg",
        "agg min",
        "agg max",
        "agg first",
        "agg last",
        "agg first value",
        "agg last value",
        "periods hour",
        "periods day",
        "periods week",
        "periods month",
        "periods year",
        "periods counted",
        "ntile",
        "score",
        "sql column",
        "sql literal String",
        "sql literal Int",
        "sql literal Decimal",
        "sql literal Bool",
        "sql literal Date",
        "sql literal Timestamp",
        "sql null",
        "sql not",
        "sql neg",
        "sql cmp",
        "sql and",
        "sql or",
        "sql plus",
        "sql minus",
        "sql times",
        "sql mod",
        "sql concat",
        "sql is null",
        "sql between",
        "sql in",
        "sql like",
        "sql case",
        "sql cast",
        "sql extract year",
        "sql extract month",
        "sql extract day",
        "sql fn lower",
        "sql fn upper",
        "sql fn length",
        "sql fn trim",
        "sql fn abs",
        "sql fn floor",
        "sql fn ceil",
        "sql fn coalesce",
        "sql fn nullif",
        "sql fn mod",
    ];
    let missing: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|k| !seen.contains(*k))
        .collect();
    assert!(
        missing.is_empty(),
        "the contract project has no segment for: {missing:?} (it has {seen:?})"
    );
    // And nothing the project exercises goes unlisted: a kind the matches name (a new
    // variant) with a segment for it must be in `expected` too.
    let unlisted: Vec<&String> = seen
        .iter()
        .filter(|k| !expected.contains(&k.as_str()))
        .collect();
    assert!(
        unlisted.is_empty(),
        "kinds missing from `expected`: {unlisted:?}"
    );
}

// ---------------------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------------------

#[test]
fn every_dialect_compiles_every_construct() {
    let (names, p) = contract_project();
    assert!(names.len() > 60, "the contract project lost segments");
    let mut failures = Vec::new();
    let mut compiled = 0;
    for d in dialect::all() {
        for name in &names {
            match compile_segment(&p, name, d) {
                Ok(sql) => match reparse(d, &sql) {
                    Ok(_) => compiled += 1,
                    Err(e) => failures.push(format!(
                        "{}: segment {name} does not parse back: {e}\n{sql}",
                        d.name()
                    )),
                },
                Err(e) => failures.push(format!(
                    "{}: segment {name} does not compile: {e}",
                    d.name()
                )),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert_eq!(compiled, names.len() * dialect::all().len());
}

#[test]
fn every_dialect_is_registered_once_and_found_by_name() {
    let all = dialect::all();
    let mut names = BTreeSet::new();
    for d in all {
        let name = d.name();
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase()),
            "dialect names are lower-case words: {name:?}"
        );
        assert!(names.insert(name), "{name} is registered twice");
        let found = dialect::by_name(name).unwrap_or_else(|| panic!("by_name({name:?})"));
        assert_eq!(found.name(), name);
        let upper = dialect::by_name(&name.to_ascii_uppercase()).expect("case-insensitive");
        assert_eq!(upper.name(), name);
        // The parser the suites use must at least read the SQL every dialect shares.
        reparse(d, "SELECT a.x AS y FROM s.t AS a WHERE a.x IS NOT NULL")
            .unwrap_or_else(|e| panic!("{name}: its parser rejects a plain SELECT: {e}"));
    }
    assert_eq!(
        dialect::all()[0].name(),
        "duckdb",
        "DuckDB is the reference dialect"
    );
    assert_eq!(dialect::all()[0].support(), Support::Executed);
}

/// Literals every dialect must write so that its own parser reads them back.
#[test]
fn every_dialect_writes_literals_its_parser_reads() {
    for d in dialect::all() {
        for s in ["plain", "it's", "back\\slash", "line\nbreak", "😀"] {
            let lit = d.render_string(s);
            reparse(d, &format!("SELECT {lit} AS v"))
                .unwrap_or_else(|e| panic!("{}: {lit} does not parse: {e}", d.name()));
        }
        for n in [
            "plain",
            "Mixed Case",
            "select",
            "with \"quote\"",
            "with `tick`",
        ] {
            let ident = d.render_ident(n);
            reparse(d, &format!("SELECT 1 AS {ident}"))
                .unwrap_or_else(|e| panic!("{}: {ident} does not parse: {e}", d.name()));
        }
        assert_eq!(
            d.render_ident("plain"),
            "plain",
            "{}: plain names stay bare",
            d.name()
        );
    }
}

/// A month back from the end of a longer month lands on the shorter month's last day in
/// the planner's own arithmetic (which every dialect's SQL must agree with; the executed
/// suites check the engines).
#[test]
fn month_windows_are_computed_from_the_calendar() {
    let (_, p) = contract_project();
    for d in dialect::all() {
        let sql = compile_segment(&p, "did_months", d).expect("compiles");
        assert!(
            sql.to_ascii_uppercase().contains("MONTH"),
            "{}: a month window must use calendar months, not 30 days:\n{sql}",
            d.name()
        );
    }
}
