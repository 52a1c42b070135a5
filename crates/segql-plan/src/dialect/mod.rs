//! What differs between SQL dialects, as data behind one small trait.
//!
//! The planner asks a [`Dialect`] for quoting, literals, time arithmetic, conditional
//! aggregates, text and regex tests, and hashing. Defaults follow ANSI SQL as DuckDB and
//! Postgres speak it; each dialect overrides only what it does differently.

use crate::ir::{Duration, SqlFn};
use crate::sql::{and, bin, number, proj_bare, raw, From, Sql};
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

mod capabilities;
pub use capabilities::*;
mod shapes;
pub use shapes::shapes_table;

/// Aggregate functions that take a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFn {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
    /// The values as a list (a batch's sequence steps: [`SequenceLists`]).
    List,
}

pub mod pick;
pub mod reserved;

/// The decimals of a report's shares and averages (docs/semantics.md, "Reports").
pub const REPORT_SCALE: u32 = 6;

/// Whether a name can be written bare: lower-case ASCII letters, digits and `_`, not
/// starting with a digit, and not one of the dialect's reserved words.
pub fn plain(name: &str, reserved: &[&str]) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && reserved.binary_search(&name).is_err()
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

/// `s` between `quote`s with backslash escapes (`\\`, `\n`, `\r`, `\t`), the quote
/// written as `quoted` and a NUL as `nul`: string literals of backslash dialects, and
/// quoted names where the engine reads escapes in them (BigQuery, ClickHouse).
pub(crate) fn backslash_quoted(s: &str, quote: char, quoted: &str, nul: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str(nul),
            c if c == quote => out.push_str(quoted),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
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

    /// The words this dialect quotes when a name is one of them (sorted; see
    /// [`reserved`]).
    fn reserved_words(&self) -> &'static [&'static str];

    fn ident_quote(&self) -> char {
        '"'
    }

    /// A name as SQL text: bare when it is a plain lowercase name, quoted otherwise
    /// (quoted names are case-sensitive everywhere).
    fn render_ident(&self, name: &str) -> String {
        if plain(name, self.reserved_words()) {
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
        if self.string_style() == StringStyle::Backslash {
            return backslash_quoted(s, '\'', "\\'", self.nul_escape());
        }
        let mut out = String::with_capacity(s.len() + 2);
        out.push('\'');
        for c in s.chars() {
            if c == '\'' {
                out.push('\'');
            }
            out.push(c);
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

    /// A timestamp literal: the instant `micros` (UTC) as [`Dialect::timestamp_of_text`]
    /// of its text.
    fn timestamp(&self, micros: i64) -> Expr {
        self.timestamp_of_text(&timestamp_text(micros))
    }

    /// The dialect's timestamp literal with `text` written verbatim where the instant's
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]` goes (nothing escaped): [`Dialect::timestamp`]
    /// writes its text, and a run-time as-of template
    /// ([`crate::as_of::RunAsOf::Template`]) the template's, so the two are one form.
    fn timestamp_of_text(&self, text: &str) -> Expr;

    /// The engine's current time in UTC, of the type [`Dialect::timestamp`]'s literal
    /// has: the as-of of [`crate::as_of::RunAsOf::Now`]. It must be a value the engine
    /// takes as a constant for the statement (it is compared with event times to skip
    /// row groups and partitions).
    fn now_utc(&self) -> Expr;

    /// A named parameter the caller binds to the as-of instant, in the engine's own
    /// syntax and typed like [`Dialect::timestamp`]'s literal; `Err(why)` where the
    /// engine has no named parameters. `name` is an identifier
    /// ([`crate::as_of::param_name_ok`]).
    fn timestamp_param(&self, name: &str) -> Result<Expr, String>;

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
            AggFn::List => self.list_agg(),
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

    // -- lists (a batch's sequences on lists: [`SequenceLists`]) -----------------------------

    /// The aggregate collecting a group's values as a list.
    fn list_agg(&self) -> &'static str {
        "LIST"
    }

    /// The number of distinct set values of `arg` over the rows where `cond` holds, in
    /// a batch's own lists aggregate ([`DistinctScan::OwnScanOrLists`]): by default a
    /// distinct count.
    fn set_size(&self, sql: &Sql<'_>, arg: Expr, cond: Option<Expr>) -> Expr {
        self.cond_agg(sql, AggFn::CountDistinct, Some(arg), cond)
    }

    /// Whether the lists of a sequence's steps' times hold a chain: a time `s1` of the
    /// first list, `s2` of the second with `pairs[0]` between them, and so on (the
    /// pairs name the times `s1`, `s2`, ...). False or unset when there is none (the
    /// caller coalesces); a key without events of a step has no list (NULL).
    ///
    /// By default with list functions: the first list's times are its valid ones; each
    /// later step's valid times are its times paired with a valid time of the step
    /// before (`flatten` of one `list_filter` per earlier time, each list computed once
    /// and its pairs what the statistics bound); the chain holds where the last step
    /// has one.
    fn chain_on_lists(&self, sql: &Sql<'_>, lists: Vec<Expr>, pairs: Vec<Expr>) -> Expr {
        let n = lists.len();
        let mut lists = lists.into_iter();
        let mut valid = lists.next().expect("a sequence has steps");
        for (j, (times, pair)) in lists.zip(pairs).enumerate() {
            let (earlier, later) = (format!("s{}", j + 1), format!("s{}", j + 2));
            valid = if j + 2 < n {
                // The valid times of a middle step, each once.
                let per_earlier = self.list_filter(sql, times, &later, pair);
                self.list_flat_map_distinct(sql, valid, &earlier, per_earlier)
            } else {
                let any_later = self.list_any(sql, times, &later, pair);
                self.list_any(sql, valid, &earlier, any_later)
            };
        }
        valid
    }

    /// Whether `body` holds for some element `param` of `list` (false or unset for an
    /// empty list: the caller coalesces).
    fn list_any(&self, sql: &Sql<'_>, list: Expr, param: &str, body: Expr) -> Expr {
        let each = sql.func("list_transform", vec![list, sql.lambda(param, body)]);
        sql.func("list_bool_or", vec![each])
    }

    /// The elements `param` of `list` for which `body` holds.
    fn list_filter(&self, sql: &Sql<'_>, list: Expr, param: &str, body: Expr) -> Expr {
        sql.func("list_filter", vec![list, sql.lambda(param, body)])
    }

    /// The distinct elements of the lists `body` gives for the elements `param` of `list`.
    fn list_flat_map_distinct(&self, sql: &Sql<'_>, list: Expr, param: &str, body: Expr) -> Expr {
        let each = sql.func("list_transform", vec![list, sql.lambda(param, body)]);
        sql.func("list_distinct", vec![sql.func("flatten", vec![each])])
    }

    /// The average of a decimal column over the rows where `cond` holds, in decimal
    /// arithmetic (an exact sum divided once), so `(0.1 + 0.2 + 0.3) / 3 = 0.2`.
    fn avg_decimal(&self, sql: &Sql<'_>, arg: Expr, cond: Option<Expr>) -> Expr {
        self.cond_agg(sql, AggFn::Avg, Some(arg), cond)
    }

    /// `first(prop)` / `last(prop)` of events: the value in the first (or last) row
    /// where `p.cond` holds, rows ordered by time and then by the value; unset without
    /// such a row. Every dialect says how ([`pick`] has the three ways).
    fn pick_value(&self, sql: &Sql<'_>, p: pick::Pick) -> Expr;

    // -- reports -------------------------------------------------------------------------

    /// The type of a report's shares and averages: an exact decimal with
    /// [`REPORT_SCALE`] decimals.
    fn report_decimal_type(&self) -> &'static str {
        "DECIMAL(38, 6)"
    }

    /// `num / den` rounded half away from zero to [`REPORT_SCALE`] decimals, typed
    /// [`Dialect::report_decimal_type`]. `num` is an integer or a decimal (a float is
    /// read as a decimal first), `den` a positive integer. The quotient is taken with 18
    /// decimals, which makes the rounding exact: a quotient of a value with up to 9
    /// decimals by fewer than 10^9 rows is never within 10^-18 of a rounding boundary
    /// without being on it.
    fn rounded_quotient(&self, sql: &Sql<'_>, num: Expr, den: Expr) -> Expr {
        let q = bin(
            sql.cast(num, "DECIMAL(38, 18)"),
            BinaryOperator::Divide,
            den,
        );
        sql.cast(
            sql.func("ROUND", vec![q, number(&REPORT_SCALE.to_string())]),
            self.report_decimal_type(),
        )
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

    /// The string with every letter in its simple lowercase (`ir::fold_case`). `LOWER`
    /// is the simple mapping on some engines and the full one on others (ICU, Java),
    /// which differ in two letters: `İ` (full: `i` and a combining dot) and a final `Σ`
    /// (full: `ς`). Those two are replaced first, so every engine writes the simple
    /// mapping.
    fn fold_case(&self, sql: &Sql<'_>, v: Expr) -> Expr {
        sql.func(self.lower_name(), vec![self.replace_full_case(sql, v)])
    }

    /// The engine's Unicode `LOWER`.
    fn lower_name(&self) -> &'static str {
        "LOWER"
    }

    /// `v` with `İ` written `i` and `Σ` written `σ` (see `fold_case`).
    fn replace_full_case(&self, sql: &Sql<'_>, v: Expr) -> Expr {
        let one = sql.func("REPLACE", vec![v, sql.string("\u{130}"), sql.string("i")]);
        sql.func(
            "REPLACE",
            vec![one, sql.string("\u{3a3}"), sql.string("\u{3c3}")],
        )
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

    /// How many distinct periods (`bucket` in `0..n`) hold a row where `cond` holds: a
    /// distinct count of buckets, or where [`ActivePeriods::BitsUpTo`] allows, a bit
    /// per bucket OR-ed into a BIGINT and counted, which avoids a distinct aggregate's
    /// extra hash table (DuckDB, 3x cheaper there), sort (Postgres) or row expansion (Spark). The FILTER
    /// does not stop the argument being computed for rows outside the window, whose
    /// bucket may be past 63: it is clamped (those rows are filtered out).
    fn active_periods(&self, sql: &Sql<'_>, bucket: Expr, n: i64, cond: Option<Expr>) -> Expr {
        if self.capabilities().active_periods.distinct(n) {
            return self.cond_agg(sql, AggFn::CountDistinct, Some(bucket), cond);
        }
        let count = sql.func("LEAST", vec![bucket, crate::sql::number("62")]);
        let bit = self.shift_left(sql, sql.cast(crate::sql::number("1"), "BIGINT"), count);
        let mut f = sql.function("BIT_OR", vec![bit]);
        f.filter = cond.map(Box::new);
        self.count_bits(sql, Expr::Function(f))
    }

    /// `value << count` for a BIGINT value (active periods' bits).
    fn shift_left(&self, sql: &Sql<'_>, value: Expr, count: Expr) -> Expr {
        let _ = sql;
        bin(value, BinaryOperator::PGBitwiseShiftLeft, count)
    }

    /// The number of bits set in a BIGINT (active periods' bits).
    fn count_bits(&self, sql: &Sql<'_>, bits: Expr) -> Expr {
        sql.func("bit_count", vec![bits])
    }

    // -- ordering --------------------------------------------------------------------------

    /// A string made to compare and sort by its UTF-8 bytes (which is also Unicode code
    /// point order), whatever collation its column or the session has: used for `<` and
    /// `between` on strings, `min`/`max` of strings and the keys and values `ntile`
    /// sorts. The default leaves it as is, for engines that only compare bytes.
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

mod bigquery;
mod clickhouse;
mod databricks;
mod duckdb;
mod postgres;
mod redshift;
mod snowflake;
mod trino;

/// `e COLLATE <collation>`, the operand parenthesized unless it is a name or a literal.
fn collate(e: Expr, collation: sqlparser::ast::Ident) -> Expr {
    let e = match e {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Value(_) => e,
        other => Expr::Nested(Box::new(other)),
    };
    Expr::Collate {
        expr: Box::new(e),
        collation: sqlparser::ast::ObjectName::from(vec![collation]),
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
                sequences: Sequences::WindowPasses,
                long_batch: LongBatch::UnionAll,
                ..self.0.capabilities()
            }
        }
        fn reserved_words(&self) -> &'static [&'static str] {
            self.0.reserved_words()
        }
        fn pick_value(&self, sql: &Sql<'_>, p: pick::Pick) -> Expr {
            self.0.pick_value(sql, p)
        }
        fn timestamp_of_text(&self, text: &str) -> Expr {
            self.0.timestamp_of_text(text)
        }
        fn now_utc(&self) -> Expr {
            self.0.now_utc()
        }
        fn timestamp_param(&self, name: &str) -> Result<Expr, String> {
            self.0.timestamp_param(name)
        }
    }
    let _ = d.name();
    Dialect::cond_agg(&NoFilter(d), sql, f, arg, cond)
}
