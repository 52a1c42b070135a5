//! What differs between SQL dialects, as data behind one small trait.
//!
//! The planner asks a [`Dialect`] for quoting, literals, time arithmetic, conditional
//! aggregates, text and regex tests, and hashing. Defaults follow ANSI SQL as DuckDB and
//! Postgres speak it; each dialect overrides only what it does differently.

use crate::ir::{Duration, SqlFn};
use crate::sql::{bin, number, raw, Sql};
use segql_syntax::ast::{Type, Unit};
use segql_syntax::time::{civil_from_days, MICROS_PER_DAY};
use sqlparser::ast::{BinaryOperator, Expr};

/// How far the project's tests take a dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// The test suite runs its SQL on a real engine and compares members: DuckDB in
    /// process, PostgreSQL, ClickHouse (chdb) and Spark SQL for Databricks in the
    /// conformance suite (tests/tests/conformance.rs).
    Executed,
    /// Only a SQL parser checks its SQL.
    SyntaxChecked,
}

impl Support {
    pub fn label(self) -> &'static str {
        match self {
            Support::Executed => "executed",
            Support::SyntaxChecked => "syntax-checked",
        }
    }
}

/// How a dialect writes string literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringStyle {
    /// `'it''s'`; a backslash is an ordinary character.
    Standard,
    /// `'it\'s'`; backslash escapes (`\\`, `\n`, ...).
    Backslash,
}

/// The shapes of statement a dialect takes: every choice the planner reads, and the
/// conditional-aggregate form emission writes. Each dialect states every one in
/// [`Dialect::capabilities`]; there are no defaults, so a new dialect must choose (and
/// the reasons, measured, sit with each dialect's choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    pub distinct: DistinctScan,
    pub windows: WindowTiers,
    pub active_periods: ActivePeriods,
    pub unmatched: Unmatched,
    pub cond_agg: CondAgg,
}

/// Where distinct counts (`count distinct(page) of ...`) are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistinctScan {
    /// Columns of the shared aggregate: one scan, what a warehouse bills least for.
    Shared,
    /// A scan of their own, restricted to their events: for engines whose distinct
    /// aggregates re-hash every row of the shared scan.
    OwnScan,
}

/// Whether an events relation's shared aggregate is split by how far back its columns
/// look (the last month's and the last quarter's columns get scans of their own,
/// restricted to that window, when there are at least two of them; `plan::tiers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowTiers {
    /// One scan.
    OneScan,
    /// A scan per window tier: for engines that evaluate every aggregate's filter on
    /// every row (measured on the benchmark's batch, docs/benchmarks.md: DuckDB -37%,
    /// ClickHouse -46%, Postgres -13%; Spark no gain).
    ByWindow,
}

/// How "active in N of the last M periods" counts periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivePeriods {
    /// A distinct count of period numbers (a distinct aggregate).
    DistinctCount,
    /// A bit per period OR-ed together and counted, up to this many periods; more are a
    /// distinct count.
    BitsUpTo(i64),
}

impl ActivePeriods {
    /// Whether active periods over `n` periods are a distinct aggregate (and so go to
    /// the distinct scan where there is one).
    pub fn distinct(self, n: i64) -> bool {
        match self {
            ActivePeriods::DistinctCount => true,
            ActivePeriods::BitsUpTo(max) => n > max,
        }
    }
}

/// What unmatched LEFT JOIN columns come back as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmatched {
    Null,
    /// Type defaults (0, ''): the planner then guards every value that may come from
    /// one with a "seen" count.
    TypeDefaults,
}

/// How an aggregate over the rows where a condition holds is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CondAgg {
    /// `agg(x) FILTER (WHERE c)`
    Filter,
    /// `agg(CASE WHEN c THEN x END)`
    Case,
}

/// Aggregate functions that take a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFn {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
}

/// Words quoted when used as names, in every dialect: the reserved words that most
/// engines share (quoting a non-reserved word would make it case-sensitive on
/// Snowflake, so the list stays short).
const RESERVED: &[&str] = &[
    "all",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "between",
    "both",
    "by",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "cross",
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "desc",
    "distinct",
    "else",
    "end",
    "except",
    "exists",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "in",
    "inner",
    "intersect",
    "interval",
    "into",
    "is",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "natural",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "primary",
    "qualify",
    "references",
    "right",
    "rows",
    "select",
    "session_user",
    "some",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "when",
    "where",
    "window",
    "with",
];

fn plain(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED.contains(&name)
}

fn two_digits(v: i64) -> String {
    format!("{v:02}")
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]`
pub fn timestamp_text(micros: i64) -> String {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let rem = micros.rem_euclid(MICROS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let secs = rem / 1_000_000;
    let frac = rem % 1_000_000;
    let mut s = format!(
        "{y:04}-{m:02}-{d:02} {}:{}:{}",
        two_digits(secs / 3600),
        two_digits(secs / 60 % 60),
        two_digits(secs % 60)
    );
    if frac != 0 {
        s.push_str(&format!(".{frac:06}"));
    }
    s
}

pub fn date_text(days: i32) -> String {
    let (y, m, d) = civil_from_days(i64::from(days));
    format!("{y:04}-{m:02}-{d:02}")
}

/// A duration in the unit engines agree on: weeks as days, years as months.
pub fn normalized(d: Duration) -> (i64, &'static str) {
    match d.unit {
        Unit::Hour => (d.n, "HOUR"),
        Unit::Day => (d.n, "DAY"),
        Unit::Week => (d.n * 7, "DAY"),
        Unit::Month => (d.n, "MONTH"),
        Unit::Year => (d.n * 12, "MONTH"),
    }
}

/// The length of a fixed unit in microseconds (`None` for calendar units).
pub fn fixed_micros(unit: Unit) -> Option<i64> {
    match unit {
        Unit::Hour => Some(3_600_000_000),
        Unit::Day => Some(MICROS_PER_DAY),
        Unit::Week => Some(7 * MICROS_PER_DAY),
        Unit::Month | Unit::Year => None,
    }
}

pub trait Dialect: Sync {
    fn name(&self) -> &'static str;

    /// The statement shapes this dialect takes (no defaults: every dialect chooses).
    fn capabilities(&self) -> Capabilities;

    fn support(&self) -> Support {
        Support::SyntaxChecked
    }

    /// sqlparser's dialect, for re-parsing what we emit.
    fn parser(&self) -> Box<dyn sqlparser::dialect::Dialect>;

    /// Notes shown by `segql dialects` and in docs/dialects.md.
    fn notes(&self) -> &'static str {
        ""
    }

    // -- names and literals ------------------------------------------------------------

    fn ident_quote(&self) -> char {
        '"'
    }

    /// A name as SQL text: bare when it is a plain lowercase name, quoted otherwise
    /// (quoted names are case-sensitive everywhere).
    fn render_ident(&self, name: &str) -> String {
        if plain(name) {
            return name.to_string();
        }
        let q = self.ident_quote();
        let mut s = String::with_capacity(name.len() + 2);
        s.push(q);
        for c in name.chars() {
            if c == q {
                s.push(q);
            }
            s.push(c);
        }
        s.push(q);
        s
    }

    fn string_style(&self) -> StringStyle {
        StringStyle::Standard
    }

    fn render_string(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('\'');
        match self.string_style() {
            StringStyle::Standard => {
                for c in s.chars() {
                    if c == '\'' {
                        out.push('\'');
                    }
                    out.push(c);
                }
            }
            StringStyle::Backslash => {
                for c in s.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\'' => out.push_str("\\'"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        '\0' => out.push_str(self.nul_escape()),
                        c => out.push(c),
                    }
                }
            }
        }
        out.push('\'');
        out
    }

    /// How a NUL is written in a backslash-escaped string literal. `\0` is wrong where
    /// the engine reads `\ooo` as an octal escape (a NUL followed by `12` would become a
    /// line feed), so those dialects override it.
    fn nul_escape(&self) -> &'static str {
        "\\0"
    }

    /// Why a string or name cannot be written in this dialect, if it cannot.
    fn unrepresentable(&self, s: &str) -> Option<&'static str> {
        if s.contains('\0') && self.string_style() == StringStyle::Standard {
            return Some("a NUL character cannot be written in this dialect's SQL text");
        }
        None
    }

    fn render_bool(&self, b: bool) -> &'static str {
        if b {
            "TRUE"
        } else {
            "FALSE"
        }
    }

    /// A decimal literal from its exact text (`-12.50`), read as an exact decimal.
    fn decimal(&self, sql: &Sql<'_>, text: &str) -> Expr {
        sql.decimal(text)
    }

    fn timestamp(&self, micros: i64) -> Expr {
        raw(format!("TIMESTAMP '{}'", timestamp_text(micros)))
    }

    fn date(&self, days: i32) -> Expr {
        raw(format!("DATE '{}'", date_text(days)))
    }

    fn string_type(&self) -> &'static str {
        "VARCHAR"
    }

    fn timestamp_type(&self) -> &'static str {
        "TIMESTAMP"
    }

    /// A date read as a timestamp: its midnight (UTC). NULL stays NULL.
    fn date_as_timestamp(&self, sql: &Sql<'_>, date: Expr) -> Expr {
        sql.cast(date, self.timestamp_type())
    }

    // -- time ----------------------------------------------------------------------------

    /// `ts - duration` (months and years by the calendar, clamped to the month's end).
    fn minus(&self, sql: &Sql<'_>, ts: Expr, d: Duration) -> Expr {
        let (n, unit) = normalized(d);
        let _ = sql;
        bin(
            ts,
            BinaryOperator::Minus,
            raw(format!("INTERVAL '{n}' {unit}")),
        )
    }

    /// `ts + duration`
    fn plus(&self, sql: &Sql<'_>, ts: Expr, d: Duration) -> Expr {
        let (n, unit) = normalized(d);
        let _ = sql;
        bin(
            ts,
            BinaryOperator::Plus,
            raw(format!("INTERVAL '{n}' {unit}")),
        )
    }

    /// Microseconds since the epoch of a timestamp, as an integer.
    fn epoch_micros(&self, sql: &Sql<'_>, ts: Expr) -> Expr {
        sql.func("epoch_us", vec![ts])
    }

    /// Integer division of non-negative integers.
    fn int_div(&self, sql: &Sql<'_>, a: Expr, b: Expr) -> Expr {
        let _ = sql;
        bin(a, BinaryOperator::Divide, b)
    }

    // -- aggregates ------------------------------------------------------------------------

    /// An aggregate over the rows where `cond` holds.
    fn cond_agg(&self, sql: &Sql<'_>, f: AggFn, arg: Option<Expr>, cond: Option<Expr>) -> Expr {
        let name = match f {
            AggFn::Count | AggFn::CountDistinct => "COUNT",
            AggFn::Sum => "SUM",
            AggFn::Avg => "AVG",
            AggFn::Min => "MIN",
            AggFn::Max => "MAX",
        };
        let Some(cond) = cond else {
            return match (f, arg) {
                (AggFn::Count, _) => Expr::Function(sql.count_star()),
                (AggFn::CountDistinct, Some(a)) => Expr::Function(sql.count_distinct(a)),
                (_, Some(a)) => sql.func(name, vec![a]),
                (_, None) => Expr::Function(sql.count_star()),
            };
        };
        if self.capabilities().cond_agg == CondAgg::Filter {
            let mut func = match (f, arg) {
                (AggFn::Count, _) | (_, None) => sql.count_star(),
                (AggFn::CountDistinct, Some(a)) => sql.count_distinct(a),
                (_, Some(a)) => sql.function(name, vec![a]),
            };
            func.filter = Some(Box::new(cond));
            return Expr::Function(func);
        }
        // CASE WHEN cond THEN arg END: NULL rows are ignored by every aggregate.
        let value = match (f, arg) {
            (AggFn::Count, _) | (_, None) => number("1"),
            (_, Some(a)) => a,
        };
        let guarded = sql.case(vec![(cond, value)], None);
        match f {
            AggFn::CountDistinct => Expr::Function(sql.count_distinct(guarded)),
            _ => sql.func(name, vec![guarded]),
        }
    }

    /// The average of a decimal column over the rows where `cond` holds, in decimal
    /// arithmetic (an exact sum divided once), so `(0.1 + 0.2 + 0.3) / 3 = 0.2`.
    fn avg_decimal(&self, sql: &Sql<'_>, arg: Expr, cond: Option<Expr>) -> Expr {
        self.cond_agg(sql, AggFn::Avg, Some(arg), cond)
    }

    // -- text ----------------------------------------------------------------------------

    fn contains(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        bin(
            sql.func("strpos", vec![v, s]),
            BinaryOperator::Gt,
            number("0"),
        )
    }

    fn starts_with(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        sql.func("starts_with", vec![v, s])
    }

    fn ends_with(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        sql.func("ends_with", vec![v, s])
    }

    /// Whether `v` contains a match of the regular expression.
    fn regex(&self, sql: &Sql<'_>, v: Expr, pattern: Expr) -> Expr {
        sql.func("regexp_matches", vec![v, pattern])
    }

    // -- hashing (splits) ----------------------------------------------------------------

    /// Lowercase hex MD5 of a string.
    fn md5_hex(&self, sql: &Sql<'_>, s: Expr) -> Expr {
        sql.func("md5", vec![s])
    }

    /// The integer value of 8 hex digits.
    fn hex8_to_int(&self, sql: &Sql<'_>, hex: Expr) -> Expr {
        sql.cast(
            bin(sql.string("0x"), BinaryOperator::StringConcat, hex),
            "BIGINT",
        )
    }

    fn substr(&self, sql: &Sql<'_>, s: Expr, from: i64, len: i64) -> Expr {
        sql.func("substr", vec![s, sql.int(from), sql.int(len)])
    }

    fn modulo(&self, sql: &Sql<'_>, a: Expr, b: Expr) -> Expr {
        let _ = sql;
        bin(a, BinaryOperator::Modulo, b)
    }

    /// How many distinct periods (`bucket` in `0..n`) hold a row where `cond` holds.
    /// The default counts distinct buckets; engines with bit aggregates OR a bit per
    /// bucket and count the bits, which avoids a distinct aggregate's extra hash table.
    fn active_periods(&self, sql: &Sql<'_>, bucket: Expr, n: i64, cond: Option<Expr>) -> Expr {
        let _ = n;
        self.cond_agg(sql, AggFn::CountDistinct, Some(bucket), cond)
    }

    // -- ordering --------------------------------------------------------------------------

    /// A string key made to sort by bytes (the order every engine agrees on).
    fn byte_order(&self, sql: &Sql<'_>, e: Expr) -> Expr {
        let _ = sql;
        e
    }

    // -- sql predicates --------------------------------------------------------------------

    /// A function a `sql "..."` predicate may call, with the same meaning on every
    /// engine (docs/language.md).
    fn sql_fn(&self, sql: &Sql<'_>, f: SqlFn, mut args: Vec<Expr>) -> Expr {
        match f {
            SqlFn::Mod if args.len() == 2 => {
                let b = args.pop().expect("two arguments");
                let a = args.pop().expect("two arguments");
                self.modulo(sql, a, b)
            }
            f => sql.func(f.name(), args),
        }
    }

    /// The type a `sql` predicate's `CAST(x AS t)` writes for a catalog type.
    fn cast_type(&self, t: Type) -> &'static str {
        match t {
            Type::String => self.string_type(),
            Type::Int => "BIGINT",
            Type::Decimal => "DECIMAL(38, 9)",
            Type::Float => "DOUBLE",
            Type::Bool => "BOOLEAN",
            Type::Date => "DATE",
            Type::Timestamp => self.timestamp_type(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The dialects
// ---------------------------------------------------------------------------------------

pub struct DuckDb;
pub struct Postgres;
pub struct Redshift;
pub struct Snowflake;
pub struct BigQuery;
pub struct Databricks;
pub struct ClickHouse;
pub struct Trino;

/// Every dialect, in the order `segql dialects` lists them.
pub fn all() -> [&'static dyn Dialect; 8] {
    [
        &DuckDb,
        &Postgres,
        &Redshift,
        &Snowflake,
        &BigQuery,
        &Databricks,
        &ClickHouse,
        &Trino,
    ]
}

pub fn by_name(name: &str) -> Option<&'static dyn Dialect> {
    let name = name.to_ascii_lowercase();
    let name = match name.as_str() {
        "spark" | "sparksql" | "spark-sql" => "databricks",
        "pg" | "postgresql" => "postgres",
        other => other,
    }
    .to_string();
    all().into_iter().find(|d| d.name() == name)
}

/// `ts op duration` for DuckDB: fixed units with `op`, months with the other operator
/// and the interval negated (see `DuckDb::minus`).
fn duckdb_shift(ts: Expr, d: Duration, op: BinaryOperator) -> Expr {
    match normalized(d) {
        (n, "MONTH") => {
            let other = if op == BinaryOperator::Plus {
                BinaryOperator::Minus
            } else {
                BinaryOperator::Plus
            };
            bin(ts, other, raw(format!("INTERVAL '{}' MONTH", -n)))
        }
        (n, unit) => bin(ts, op, raw(format!("INTERVAL '{n}' {unit}"))),
    }
}

impl Dialect for DuckDb {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            distinct: DistinctScan::OwnScan,
            windows: WindowTiers::ByWindow,
            active_periods: ActivePeriods::BitsUpTo(62),
            unmatched: Unmatched::Null,
            cond_agg: CondAgg::Filter,
        }
    }
    fn name(&self) -> &'static str {
        "duckdb"
    }
    fn support(&self) -> Support {
        Support::Executed
    }
    fn parser(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::DuckDbDialect {})
    }
    fn unrepresentable(&self, s: &str) -> Option<&'static str> {
        s.contains('\0')
            .then_some("DuckDB's SQL text cannot hold a NUL character")
    }
    fn int_div(&self, _sql: &Sql<'_>, a: Expr, b: Expr) -> Expr {
        // `/` divides integers as floating point in DuckDB; `//` is integer division.
        bin(a, BinaryOperator::DuckIntegerDivide, b)
    }
    // Months with the other operator and a negated interval (`ts + INTERVAL '-1' MONTH`
    // for a month back, `ts - INTERVAL '-1' MONTH` for a month on): DuckDB (2.0) takes
    // two expressions for one when their intervals compare equal, and it compares a month
    // as 30 days, so `t >= x - INTERVAL '1' MONTH` beside `t >= x - INTERVAL '30' DAY` in
    // one aggregate came out as two copies of one of them (found by
    // tests/tests/tiers_random.rs; fixtures/results/windows.seg has the case). With months
    // on the other operator, calendar and fixed-length arithmetic never look alike, and
    // the result is the same (DuckDB subtracts by adding the negated interval).
    fn minus(&self, _sql: &Sql<'_>, ts: Expr, d: Duration) -> Expr {
        duckdb_shift(ts, d, BinaryOperator::Minus)
    }
    fn plus(&self, _sql: &Sql<'_>, ts: Expr, d: Duration) -> Expr {
        duckdb_shift(ts, d, BinaryOperator::Plus)
    }

    fn active_periods(&self, sql: &Sql<'_>, bucket: Expr, n: i64, cond: Option<Expr>) -> Expr {
        if self.capabilities().active_periods.distinct(n) {
            return self.cond_agg(sql, AggFn::CountDistinct, Some(bucket), cond);
        }
        // bit_count(BIT_OR(1 << bucket)): one plain aggregate instead of a distinct one
        // (measured 3x cheaper on the benchmark's events).
        // The FILTER does not stop the argument being computed for rows outside the
        // window, whose bucket is past 63: clamp it (those rows are filtered out).
        let bit = bin(
            sql.cast(crate::sql::number("1"), "BIGINT"),
            BinaryOperator::PGBitwiseShiftLeft,
            sql.func("LEAST", vec![bucket, crate::sql::number("62")]),
        );
        let mut f = sql.function("BIT_OR", vec![bit]);
        f.filter = cond.map(Box::new);
        sql.func("bit_count", vec![Expr::Function(f)])
    }
}

impl Dialect for Postgres {
    fn capabilities(&self) -> Capabilities {
        // A distinct aggregate in the shared aggregate makes Postgres sort every scanned row
        // (no hash aggregation with DISTINCT): the benchmark's batch at 100k users took
        // 18 s, 16 of them sorting and aggregating 6.2M events on disk.
        Capabilities {
            distinct: DistinctScan::OwnScan,
            windows: WindowTiers::ByWindow,
            active_periods: ActivePeriods::DistinctCount,
            unmatched: Unmatched::Null,
            cond_agg: CondAgg::Filter,
        }
    }
    fn cast_type(&self, t: Type) -> &'static str {
        match t {
            Type::Float => "DOUBLE PRECISION",
            Type::String => "TEXT",
            Type::Timestamp => "TIMESTAMP",
            Type::Int => "BIGINT",
            Type::Decimal => "NUMERIC(38, 9)",
            Type::Bool => "BOOLEAN",
            Type::Date => "DATE",
        }
    }
    fn name(&self) -> &'static str {
        "postgres"
    }
    fn support(&self) -> Support {
        Support::Executed
    }
    fn notes(&self) -> &'static str {
        "strings order by their bytes (COLLATE \"C\"), whatever the database's collation"
    }
    fn parser(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::PostgreSqlDialect {})
    }
    fn epoch_micros(&self, sql: &Sql<'_>, ts: Expr) -> Expr {
        sql.cast(
            bin(
                sql.func(
                    "EXTRACT",
                    vec![raw("EPOCH FROM ".to_string() + &ts.to_string())],
                ),
                BinaryOperator::Multiply,
                number("1000000"),
            ),
            "BIGINT",
        )
    }
    fn regex(&self, _sql: &Sql<'_>, v: Expr, pattern: Expr) -> Expr {
        bin(v, BinaryOperator::PGRegexMatch, pattern)
    }
    fn ends_with(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        // Postgres has starts_with but no ends_with.
        bin(
            sql.func("right", vec![v, sql.func("length", vec![s.clone()])]),
            BinaryOperator::Eq,
            s,
        )
    }
    fn hex8_to_int(&self, sql: &Sql<'_>, hex: Expr) -> Expr {
        sql.cast(
            sql.cast(
                bin(sql.string("x"), BinaryOperator::StringConcat, hex),
                "BIT(32)",
            ),
            "BIGINT",
        )
    }
    fn byte_order(&self, _sql: &Sql<'_>, e: Expr) -> Expr {
        // The database's collation is usually a language's (en_US: a < A < b < B);
        // "C" orders by bytes, as the other engines do.
        let e = match e {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Value(_) => e,
            other => Expr::Nested(Box::new(other)),
        };
        Expr::Collate {
            expr: Box::new(e),
            collation: sqlparser::ast::ObjectName::from(vec![sqlparser::ast::Ident::with_quote(
                '"', "C",
            )]),
        }
    }
}

impl Dialect for Redshift {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            distinct: DistinctScan::Shared,
            windows: WindowTiers::OneScan,
            active_periods: ActivePeriods::DistinctCount,
            unmatched: Unmatched::Null,
            cond_agg: CondAgg::Case,
        }
    }
    fn name(&self) -> &'static str {
        "redshift"
    }
    fn cast_type(&self, t: Type) -> &'static str {
        match t {
            Type::Float => "DOUBLE PRECISION",
            Type::String => "VARCHAR",
            Type::Timestamp => "TIMESTAMP",
            Type::Int => "BIGINT",
            Type::Decimal => "DECIMAL(38, 9)",
            Type::Bool => "BOOLEAN",
            Type::Date => "DATE",
        }
    }
    fn parser(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::RedshiftSqlDialect {})
    }
    fn notes(&self) -> &'static str {
        "trailing spaces are insignificant when Redshift compares VARCHARs ('a ' = 'a')"
    }
    fn string_style(&self) -> StringStyle {
        StringStyle::Backslash
    }
    fn render_string(&self, s: &str) -> String {
        // Backslash is an escape character in Redshift literals (QUOTE_LITERAL doubles
        // both quotes and backslashes); everything else, line breaks included, is literal.
        let mut out = String::with_capacity(s.len() + 2);
        out.push('\'');
        for c in s.chars() {
            match c {
                '\'' => out.push_str("''"),
                '\\' => out.push_str("\\\\"),
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    }
    fn unrepresentable(&self, s: &str) -> Option<&'static str> {
        s.contains('\0')
            .then_some("Redshift strings cannot hold a NUL character")
    }
    fn minus(&self, sql: &Sql<'_>, ts: Expr, d: Duration) -> Expr {
        let (n, unit) = normalized(d);
        sql.func("DATEADD", vec![raw(unit.to_string()), sql.int(-n), ts])
    }
    fn plus(&self, sql: &Sql<'_>, ts: Expr, d: Duration) -> Expr {
        let (n, unit) = normalized(d);
        sql.func("DATEADD", vec![raw(unit.to_string()), sql.int(n), ts])
    }
    fn epoch_micros(&self, sql: &Sql<'_>, ts: Expr) -> Expr {
        sql.func(
            "DATEDIFF",
            vec![
                raw("microsecond".into()),
                raw("TIMESTAMP '1970-01-01 00:00:00'".into()),
                ts,
            ],
        )
    }
    fn contains(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        bin(
            sql.func("STRPOS", vec![v, s]),
            BinaryOperator::Gt,
            number("0"),
        )
    }
    // Redshift has no STARTS_WITH/ENDS_WITH, and `LEFT(v, LEN(s)) = s` is wrong there:
    // `=` ignores trailing spaces, so 'ab' would start with 'ab '. Positions are exact.
    fn starts_with(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        bin(
            sql.func("STRPOS", vec![v, s]),
            BinaryOperator::Eq,
            number("1"),
        )
    }
    fn ends_with(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        bin(
            sql.func(
                "STRPOS",
                vec![sql.func("REVERSE", vec![v]), sql.func("REVERSE", vec![s])],
            ),
            BinaryOperator::Eq,
            number("1"),
        )
    }
    fn regex(&self, _sql: &Sql<'_>, v: Expr, pattern: Expr) -> Expr {
        bin(v, BinaryOperator::PGRegexMatch, pattern)
    }
    fn hex8_to_int(&self, sql: &Sql<'_>, hex: Expr) -> Expr {
        sql.func("STRTOL", vec![hex, number("16")])
    }
    fn byte_order(&self, _sql: &Sql<'_>, e: Expr) -> Expr {
        e
    }
}

impl Dialect for Snowflake {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            distinct: DistinctScan::Shared,
            windows: WindowTiers::OneScan,
            active_periods: ActivePeriods::DistinctCount,
            unmatched: Unmatched::Null,
            cond_agg: CondAgg::Case,
        }
    }
    fn name(&self) -> &'static str {
        "snowflake"
    }
    fn cast_type(&self, t: Type) -> &'static str {
        match t {
            Type::Float => "DOUBLE",
            Type::String => "VARCHAR",
            Type::Timestamp => "TIMESTAMP_NTZ",
            Type::Int => "BIGINT",
            Type::Decimal => "NUMBER(38, 9)",
            Type::Bool => "BOOLEAN",
            Type::Date => "DATE",
        }
    }
    fn parser(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::SnowflakeDialect {})
    }
    fn notes(&self) -> &'static str {
        "unquoted names resolve to upper case; quoted (non-plain) names are case-sensitive"
    }
    fn string_style(&self) -> StringStyle {
        StringStyle::Backslash
    }
    fn nul_escape(&self) -> &'static str {
        // Snowflake reads `\ooo` as octal, so `\0` before digits would change meaning.
        "\\x00"
    }
    fn timestamp(&self, micros: i64) -> Expr {
        raw(format!("TO_TIMESTAMP_NTZ('{}')", timestamp_text(micros)))
    }
    fn timestamp_type(&self) -> &'static str {
        "TIMESTAMP_NTZ"
    }
    fn cond_agg(&self, sql: &Sql<'_>, f: AggFn, arg: Option<Expr>, cond: Option<Expr>) -> Expr {
        match (f, cond) {
            (AggFn::Count, Some(c)) => sql.func("COUNT_IF", vec![c]),
            (f, cond) => default_cond_agg(self, sql, f, arg, cond),
        }
    }
    fn minus(&self, sql: &Sql<'_>, ts: Expr, d: Duration) -> Expr {
        let (n, unit) = normalized(d);
        sql.func("DATEADD", vec![raw(unit.to_string()), sql.int(-n), ts])
    }
    fn plus(&self, sql: &Sql<'_>, ts: Expr, d: Duration) -> Expr {
        let (n, unit) = normalized(d);
        sql.func("DATEADD", vec![raw(unit.to_string()), sql.int(n), ts])
    }
    fn epoch_micros(&self, sql: &Sql<'_>, ts: Expr) -> Expr {
        sql.func("DATE_PART", vec![raw("EPOCH_MICROSECOND".into()), ts])
    }
    fn int_div(&self, sql: &Sql<'_>, a: Expr, b: Expr) -> Expr {
        // `a / b` keeps only 6 decimals, rounded, so FLOOR(a / b) is one too high just
        // below a multiple of b. Subtracting the remainder first makes the quotient exact.
        bin(
            bin(
                a.clone(),
                BinaryOperator::Minus,
                sql.func("MOD", vec![a, b.clone()]),
            ),
            BinaryOperator::Divide,
            b,
        )
    }
    fn contains(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        sql.func("CONTAINS", vec![v, s])
    }
    fn starts_with(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        sql.func("STARTSWITH", vec![v, s])
    }
    fn ends_with(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        sql.func("ENDSWITH", vec![v, s])
    }
    fn regex(&self, sql: &Sql<'_>, v: Expr, pattern: Expr) -> Expr {
        // REGEXP_LIKE anchors the pattern; REGEXP_INSTR searches like the others.
        bin(
            sql.func("REGEXP_INSTR", vec![v, pattern]),
            BinaryOperator::Gt,
            number("0"),
        )
    }
    fn hex8_to_int(&self, sql: &Sql<'_>, hex: Expr) -> Expr {
        // The `X` format element reads upper-case hex digits; MD5 writes lower case.
        sql.func(
            "TO_NUMBER",
            vec![sql.func("UPPER", vec![hex]), sql.string("XXXXXXXX")],
        )
    }
}

impl Dialect for BigQuery {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            distinct: DistinctScan::Shared,
            windows: WindowTiers::OneScan,
            active_periods: ActivePeriods::DistinctCount,
            unmatched: Unmatched::Null,
            cond_agg: CondAgg::Case,
        }
    }
    fn name(&self) -> &'static str {
        "bigquery"
    }
    fn cast_type(&self, t: Type) -> &'static str {
        match t {
            Type::Float => "FLOAT64",
            Type::String => "STRING",
            Type::Timestamp => "TIMESTAMP",
            Type::Int => "INT64",
            // NUMERIC is BigQuery's DECIMAL(38, 9).
            Type::Decimal => "NUMERIC",
            Type::Bool => "BOOL",
            Type::Date => "DATE",
        }
    }
    fn sql_fn(&self, sql: &Sql<'_>, f: SqlFn, args: Vec<Expr>) -> Expr {
        match f {
            // TRIM(x) removes every kind of whitespace on BigQuery; the others remove
            // spaces.
            SqlFn::Trim => sql.func("TRIM", args.into_iter().chain([sql.string(" ")]).collect()),
            SqlFn::Mod => sql.func("MOD", args),
            f => sql.func(f.name(), args),
        }
    }
    fn parser(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::BigQueryDialect {})
    }
    fn ident_quote(&self) -> char {
        '`'
    }
    fn render_ident(&self, name: &str) -> String {
        if plain(name) {
            return name.to_string();
        }
        // Quoted names take the string escapes; a backtick is written `\x60`, which
        // also keeps SQL tools that only know doubled quotes from splitting the name.
        let mut s = String::from("`");
        for c in name.chars() {
            match c {
                '`' => s.push_str("\\x60"),
                '\\' => s.push_str("\\\\"),
                '\n' => s.push_str("\\n"),
                '\r' => s.push_str("\\r"),
                '\t' => s.push_str("\\t"),
                c => s.push(c),
            }
        }
        s.push('`');
        s
    }
    fn string_style(&self) -> StringStyle {
        StringStyle::Backslash
    }
    fn unrepresentable(&self, s: &str) -> Option<&'static str> {
        s.contains('\0')
            .then_some("BigQuery strings cannot hold a NUL character")
    }
    fn timestamp(&self, micros: i64) -> Expr {
        raw(format!("TIMESTAMP '{}+00'", timestamp_text(micros)))
    }
    fn string_type(&self) -> &'static str {
        "STRING"
    }
    fn cond_agg(&self, sql: &Sql<'_>, f: AggFn, arg: Option<Expr>, cond: Option<Expr>) -> Expr {
        match (f, cond) {
            (AggFn::Count, Some(c)) => sql.func("COUNTIF", vec![c]),
            (f, cond) => default_cond_agg(self, sql, f, arg, cond),
        }
    }
    fn minus(&self, sql: &Sql<'_>, ts: Expr, d: Duration) -> Expr {
        let (n, unit) = normalized(d);
        if unit == "MONTH" {
            // TIMESTAMP_SUB has no months; DATETIME_SUB does (in UTC).
            sql.func(
                "TIMESTAMP",
                vec![sql.func(
                    "DATETIME_SUB",
                    vec![
                        sql.func("DATETIME", vec![ts]),
                        raw(format!("INTERVAL {n} MONTH")),
                    ],
                )],
            )
        } else {
            sql.func(
                "TIMESTAMP_SUB",
                vec![ts, raw(format!("INTERVAL {n} {unit}"))],
            )
        }
    }
    fn plus(&self, sql: &Sql<'_>, ts: Expr, d: Duration) -> Expr {
        let (n, unit) = normalized(d);
        if unit == "MONTH" {
            sql.func(
                "TIMESTAMP",
                vec![sql.func(
                    "DATETIME_ADD",
                    vec![
                        sql.func("DATETIME", vec![ts]),
                        raw(format!("INTERVAL {n} MONTH")),
                    ],
                )],
            )
        } else {
            sql.func(
                "TIMESTAMP_ADD",
                vec![ts, raw(format!("INTERVAL {n} {unit}"))],
            )
        }
    }
    fn epoch_micros(&self, sql: &Sql<'_>, ts: Expr) -> Expr {
        sql.func("UNIX_MICROS", vec![ts])
    }
    fn int_div(&self, sql: &Sql<'_>, a: Expr, b: Expr) -> Expr {
        sql.func("DIV", vec![a, b])
    }
    fn contains(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        bin(
            sql.func("STRPOS", vec![v, s]),
            BinaryOperator::Gt,
            number("0"),
        )
    }
    fn regex(&self, sql: &Sql<'_>, v: Expr, pattern: Expr) -> Expr {
        sql.func("REGEXP_CONTAINS", vec![v, pattern])
    }
    fn md5_hex(&self, sql: &Sql<'_>, s: Expr) -> Expr {
        sql.func("TO_HEX", vec![sql.func("MD5", vec![s])])
    }
    fn hex8_to_int(&self, sql: &Sql<'_>, hex: Expr) -> Expr {
        sql.cast(sql.func("CONCAT", vec![sql.string("0x"), hex]), "INT64")
    }
    fn substr(&self, sql: &Sql<'_>, s: Expr, from: i64, len: i64) -> Expr {
        sql.func("SUBSTR", vec![s, sql.int(from), sql.int(len)])
    }
    fn modulo(&self, sql: &Sql<'_>, a: Expr, b: Expr) -> Expr {
        sql.func("MOD", vec![a, b])
    }
}

impl Dialect for Databricks {
    fn capabilities(&self) -> Capabilities {
        // Spark answers distinct aggregates beside plain ones by expanding every row once
        // per distinct argument: the benchmark's batch at 100k users took 20 s with them in
        // the shared aggregate, 11 s with a scan of their own (local mode, two cores).
        Capabilities {
            distinct: DistinctScan::OwnScan,
            windows: WindowTiers::OneScan,
            active_periods: ActivePeriods::DistinctCount,
            unmatched: Unmatched::Null,
            cond_agg: CondAgg::Filter,
        }
    }
    fn name(&self) -> &'static str {
        "databricks"
    }
    fn support(&self) -> Support {
        Support::Executed
    }
    fn parser(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::DatabricksDialect {})
    }
    fn notes(&self) -> &'static str {
        "Spark SQL 3.3+ (run on Spark 4.3); the session time zone must be UTC: month arithmetic and dates follow it"
    }
    fn ident_quote(&self) -> char {
        '`'
    }
    fn string_style(&self) -> StringStyle {
        StringStyle::Backslash
    }
    fn nul_escape(&self) -> &'static str {
        // Spark reads `\ooo` as octal, so `\0` before digits would change meaning.
        "\\u0000"
    }
    fn timestamp(&self, micros: i64) -> Expr {
        // TIMESTAMP is Spark's local-time-zone type: without a zone the literal would be
        // read in the session time zone.
        raw(format!("TIMESTAMP '{}Z'", timestamp_text(micros)))
    }
    fn string_type(&self) -> &'static str {
        "STRING"
    }
    fn epoch_micros(&self, sql: &Sql<'_>, ts: Expr) -> Expr {
        sql.func("unix_micros", vec![ts])
    }
    fn int_div(&self, sql: &Sql<'_>, a: Expr, b: Expr) -> Expr {
        // The function form of Spark's `a div b` (sqlparser's Databricks dialect does not
        // parse the operator).
        sql.func("div", vec![a, b])
    }
    fn contains(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        bin(
            sql.func("instr", vec![v, s]),
            BinaryOperator::Gt,
            number("0"),
        )
    }
    fn starts_with(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        sql.func("startswith", vec![v, s])
    }
    fn ends_with(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        sql.func("endswith", vec![v, s])
    }
    fn regex(&self, _sql: &Sql<'_>, v: Expr, pattern: Expr) -> Expr {
        // RLIKE searches (Java's Matcher.find), like the other dialects' regex tests.
        Expr::RLike {
            negated: false,
            expr: Box::new(v),
            pattern: Box::new(pattern),
            regexp: false,
        }
    }
    fn hex8_to_int(&self, sql: &Sql<'_>, hex: Expr) -> Expr {
        sql.cast(
            sql.func("conv", vec![hex, number("16"), number("10")]),
            "BIGINT",
        )
    }
}

impl Dialect for ClickHouse {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            distinct: DistinctScan::Shared,
            windows: WindowTiers::ByWindow,
            active_periods: ActivePeriods::DistinctCount,
            unmatched: Unmatched::TypeDefaults,
            cond_agg: CondAgg::Case,
        }
    }
    fn cast_type(&self, t: Type) -> &'static str {
        // Nullable: CAST(NULL AS Int64) throws.
        match t {
            Type::Float => "Nullable(Float64)",
            Type::String => "Nullable(String)",
            Type::Timestamp => "Nullable(DateTime64(6, 'UTC'))",
            Type::Int => "Nullable(Int64)",
            Type::Decimal => "Nullable(Decimal(38, 9))",
            Type::Bool => "Nullable(Bool)",
            Type::Date => "Nullable(Date32)",
        }
    }
    fn sql_fn(&self, sql: &Sql<'_>, f: SqlFn, args: Vec<Expr>) -> Expr {
        // lower, upper and length work on bytes in ClickHouse; the UTF8 forms on
        // characters, as the other engines do.
        let name = match f {
            SqlFn::Lower => "lowerUTF8",
            SqlFn::Upper => "upperUTF8",
            SqlFn::Length => "lengthUTF8",
            SqlFn::Trim => "trimBoth",
            SqlFn::Nullif => "nullIf",
            SqlFn::Mod => "modulo",
            f => f.name(),
        };
        sql.func(name, args)
    }
    fn name(&self) -> &'static str {
        "clickhouse"
    }
    fn support(&self) -> Support {
        Support::Executed
    }
    fn parser(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::ClickHouseDialect {})
    }
    fn notes(&self) -> &'static str {
        "correct under the default join_use_nulls = 0: values from outer joins are guarded"
    }
    fn ident_quote(&self) -> char {
        '`'
    }
    fn render_ident(&self, name: &str) -> String {
        if plain(name) {
            return name.to_string();
        }
        // ClickHouse reads backslash escapes in quoted names and also a doubled quote;
        // the doubled form is the one other SQL tools read the same way.
        let mut s = String::from("`");
        for c in name.chars() {
            match c {
                '`' => s.push_str("``"),
                '\\' => s.push_str("\\\\"),
                '\n' => s.push_str("\\n"),
                '\r' => s.push_str("\\r"),
                '\t' => s.push_str("\\t"),
                '\0' => s.push_str("\\0"),
                c => s.push(c),
            }
        }
        s.push('`');
        s
    }
    fn string_style(&self) -> StringStyle {
        StringStyle::Backslash
    }
    fn render_bool(&self, b: bool) -> &'static str {
        if b {
            "true"
        } else {
            "false"
        }
    }
    fn timestamp(&self, micros: i64) -> Expr {
        raw(format!(
            "toDateTime64('{}', 6, 'UTC')",
            timestamp_text(micros)
        ))
    }
    fn date(&self, days: i32) -> Expr {
        // `Date` only reaches back to 1970 (birthdays!); `Date32` covers 1900-2299.
        raw(format!("toDate32('{}')", date_text(days)))
    }
    fn string_type(&self) -> &'static str {
        "String"
    }
    fn timestamp_type(&self) -> &'static str {
        "DateTime64(6, 'UTC')"
    }
    fn minus(&self, _sql: &Sql<'_>, ts: Expr, d: Duration) -> Expr {
        let (n, unit) = normalized(d);
        bin(
            ts,
            BinaryOperator::Minus,
            raw(format!("INTERVAL {n} {unit}")),
        )
    }
    fn plus(&self, _sql: &Sql<'_>, ts: Expr, d: Duration) -> Expr {
        let (n, unit) = normalized(d);
        bin(
            ts,
            BinaryOperator::Plus,
            raw(format!("INTERVAL {n} {unit}")),
        )
    }
    fn decimal(&self, _sql: &Sql<'_>, text: &str) -> Expr {
        // ClickHouse reads `1234567890.123456788` as a Float64, so a Decimal sum of
        // 1234567890.123456789 would not be greater than it; a Decimal128 literal is
        // exact (38 digits, as segql's decimals).
        let scale = text.split_once('.').map_or(0, |(_, f)| f.len());
        raw(format!("toDecimal128('{text}', {scale})"))
    }
    fn date_as_timestamp(&self, _sql: &Sql<'_>, date: Expr) -> Expr {
        // CAST(NULL AS DateTime64(..)) throws (the type is not Nullable);
        // toDateTime64 keeps NULL, and its zone makes the midnight UTC's.
        raw(format!("toDateTime64({date}, 6, 'UTC')"))
    }
    fn avg_decimal(&self, sql: &Sql<'_>, arg: Expr, cond: Option<Expr>) -> Expr {
        // avg() of a Decimal is a Float64 ((0.1 + 0.2 + 0.3) / 3 = 0.19999999999999998),
        // and Decimal / integer keeps only the column's scale: divide the exact sum with
        // 18 decimals. With no value the divisor is 1, not 0 (which would throw); the
        // result is then discarded by the "seen" guard.
        let present = is_not_null_expr(arg.clone());
        let cond = Some(match cond {
            Some(c) => crate::sql::and(vec![c, present]),
            None => present,
        });
        let sum = self.cond_agg(sql, AggFn::Sum, Some(arg), cond.clone());
        let n = self.cond_agg(sql, AggFn::Count, None, cond);
        sql.func(
            "divideDecimal",
            vec![
                sum,
                sql.func(
                    "toDecimal128",
                    vec![sql.func("greatest", vec![n, number("1")]), number("0")],
                ),
                number("18"),
            ],
        )
    }
    fn epoch_micros(&self, sql: &Sql<'_>, ts: Expr) -> Expr {
        // toUnixTimestamp64Micro takes only DateTime64; event times may be DateTime.
        sql.func(
            "toUnixTimestamp64Micro",
            vec![sql.func("toDateTime64", vec![ts, number("6")])],
        )
    }
    fn int_div(&self, sql: &Sql<'_>, a: Expr, b: Expr) -> Expr {
        sql.func("intDiv", vec![a, b])
    }
    fn cond_agg(&self, sql: &Sql<'_>, f: AggFn, arg: Option<Expr>, cond: Option<Expr>) -> Expr {
        let Some(c) = cond else {
            return default_cond_agg(self, sql, f, arg, None);
        };
        match (f, arg) {
            (AggFn::Count, _) | (_, None) => sql.func("countIf", vec![c]),
            (AggFn::CountDistinct, Some(a)) => sql.func("uniqExactIf", vec![a, c]),
            (AggFn::Sum, Some(a)) => sql.func("sumIf", vec![a, c]),
            (AggFn::Avg, Some(a)) => sql.func("avgIf", vec![a, c]),
            (AggFn::Min, Some(a)) => sql.func("minIf", vec![a, c]),
            (AggFn::Max, Some(a)) => sql.func("maxIf", vec![a, c]),
        }
    }
    fn contains(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        bin(
            sql.func("position", vec![v, s]),
            BinaryOperator::Gt,
            number("0"),
        )
    }
    fn starts_with(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        sql.func("startsWith", vec![v, s])
    }
    fn ends_with(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        sql.func("endsWith", vec![v, s])
    }
    fn regex(&self, sql: &Sql<'_>, v: Expr, pattern: Expr) -> Expr {
        sql.func("match", vec![v, pattern])
    }
    fn md5_hex(&self, sql: &Sql<'_>, s: Expr) -> Expr {
        sql.func(
            "lower",
            vec![sql.func("hex", vec![sql.func("MD5", vec![s])])],
        )
    }
    fn hex8_to_int(&self, sql: &Sql<'_>, hex: Expr) -> Expr {
        sql.func(
            "toInt64",
            vec![sql.func(
                "reinterpretAsUInt32",
                vec![sql.func("reverse", vec![sql.func("unhex", vec![hex])])],
            )],
        )
    }
    fn substr(&self, sql: &Sql<'_>, s: Expr, from: i64, len: i64) -> Expr {
        sql.func("substring", vec![s, sql.int(from), sql.int(len)])
    }
}

impl Dialect for Trino {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            distinct: DistinctScan::Shared,
            windows: WindowTiers::OneScan,
            active_periods: ActivePeriods::DistinctCount,
            unmatched: Unmatched::Null,
            cond_agg: CondAgg::Filter,
        }
    }
    fn name(&self) -> &'static str {
        "trino"
    }
    fn sql_fn(&self, sql: &Sql<'_>, f: SqlFn, args: Vec<Expr>) -> Expr {
        match f {
            // Trino's one-argument trim removes every kind of whitespace.
            SqlFn::Trim => sql.func("trim", args.into_iter().chain([sql.string(" ")]).collect()),
            SqlFn::Mod => sql.func("mod", args),
            f => sql.func(f.name(), args),
        }
    }
    fn parser(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::GenericDialect {})
    }
    fn notes(&self) -> &'static str {
        "parsed with sqlparser's generic dialect (it has no Trino dialect)"
    }
    fn epoch_micros(&self, sql: &Sql<'_>, ts: Expr) -> Expr {
        // A TIMESTAMP (without zone) would be converted in the session time zone, and a
        // daylight-saving change would move the difference by an hour: read it as UTC.
        let utc = sql.func("with_timezone", vec![ts, sql.string("UTC")]);
        sql.func("to_unixtime", vec![utc]).pipe(|e| {
            sql.cast(
                sql.func(
                    "round",
                    vec![bin(e, BinaryOperator::Multiply, number("1000000"))],
                ),
                "BIGINT",
            )
        })
    }
    fn regex(&self, sql: &Sql<'_>, v: Expr, pattern: Expr) -> Expr {
        // regexp_like is true when the pattern matches anywhere in the string.
        sql.func("regexp_like", vec![v, pattern])
    }
    fn md5_hex(&self, sql: &Sql<'_>, s: Expr) -> Expr {
        sql.func(
            "lower",
            vec![sql.func(
                "to_hex",
                vec![sql.func("md5", vec![sql.func("to_utf8", vec![s])])],
            )],
        )
    }
    fn hex8_to_int(&self, sql: &Sql<'_>, hex: Expr) -> Expr {
        sql.func("from_base", vec![hex, number("16")])
    }
}

fn is_not_null_expr(e: Expr) -> Expr {
    crate::sql::is_not_null(e)
}

trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}

impl Pipe for Expr {}

/// The CASE form of a conditional aggregate, for dialects that override only part of
/// [`Dialect::cond_agg`].
fn default_cond_agg(
    d: &dyn Dialect,
    sql: &Sql<'_>,
    f: AggFn,
    arg: Option<Expr>,
    cond: Option<Expr>,
) -> Expr {
    struct NoFilter<'a>(&'a dyn Dialect);
    impl Dialect for NoFilter<'_> {
        fn name(&self) -> &'static str {
            self.0.name()
        }
        fn parser(&self) -> Box<dyn sqlparser::dialect::Dialect> {
            self.0.parser()
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities {
                cond_agg: CondAgg::Case,
                ..self.0.capabilities()
            }
        }
    }
    let _ = d.name();
    Dialect::cond_agg(&NoFilter(d), sql, f, arg, cond)
}
