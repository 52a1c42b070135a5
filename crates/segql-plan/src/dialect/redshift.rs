//! Amazon Redshift: PostgreSQL-like SQL with its own literals and date functions.

use super::*;

impl Dialect for Redshift {
    fn timestamp_of_text(&self, text: &str) -> Expr {
        raw(format!("TIMESTAMP '{text}'"))
    }
    fn now_utc(&self) -> Expr {
        // The statement's start as a TIMESTAMP in the session time zone, which is UTC
        // unless the session changes it (now() and CURRENT_TIMESTAMP are leader-node
        // functions).
        raw("GETDATE()".into())
    }
    fn timestamp_param(&self, name: &str) -> Result<Expr, String> {
        Err(format!(
            "Redshift has no named parameters (only positional ones), so the as-of cannot be \
             the parameter `{name}`: compile with the as-of read at run time as `now` \
             (the engine's clock), or with the instant written in (`--as-of`)"
        ))
    }
    fn pick_value(&self, sql: &Sql<'_>, p: pick::Pick) -> Expr {
        // Neither max_by nor an ordered ARRAY_AGG: the greatest (least) text of the
        // time's 20 digits followed by the value's text, the value cut out and cast
        // back. Equal instants go to the greatest (least) value's text.
        let digits = sql.func("TO_CHAR", vec![p.time, sql.string("YYYYMMDDHH24MISSUS")]);
        let text = if p.ty == Type::Bool {
            sql.case(
                vec![(p.value, sql.string("true"))],
                Some(sql.string("false")),
            )
        } else {
            sql.cast(p.value, self.cast_type(Type::String))
        };
        let key = bin(digits, BinaryOperator::StringConcat, text);
        let f = if p.last { "MAX" } else { "MIN" };
        let best = sql.func(f, vec![sql.case(vec![(p.cond, key)], None)]);
        let value = sql.func("SUBSTRING", vec![best, number("21"), number("65535")]);
        if p.ty == Type::String {
            value
        } else {
            sql.cast(value, self.cast_type(p.ty))
        }
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
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            distinct: DistinctScan::Shared,
            windows: WindowTiers::OneScan,
            active_periods: ActivePeriods::DistinctCount,
            unmatched: Unmatched::Null,
            cond_agg: CondAgg::Case,
            sequences: Sequences::WindowPasses,
            long_batch: LongBatch::UnionAll,
            ntiles: Ntiles::OwnCte,
            ntiles_alone: NtilesAlone::OwnCte,
            lapses: Lapses::Aggregate,
            // Not measured; a collation other than byte order could put a listed name
            // outside the range.
            name_ranges: NameRanges::Never,
            // Not measured.
            sequence_joins: SequenceJoins::Never,
            sequence_lists: SequenceLists::Never,
            lookups: Lookups::Never,
            // Not measured.
            name_windows: NameWindows::Never,
            // No window tiers, or no statistics-bound aggregate of rare rows.
            rare_tiers: RareTiers::OwnScan,
        }
    }
    fn name(&self) -> &'static str {
        "redshift"
    }
    fn reserved_words(&self) -> &'static [&'static str] {
        reserved::REDSHIFT
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
    fn byte_order(&self, sql: &Sql<'_>, e: Expr) -> Expr {
        // A database or column created CASE_INSENSITIVE compares ignoring case; the
        // COLLATE function pins the case-sensitive comparison, which compares bytes.
        sql.func("COLLATE", vec![e, sql.string("case_sensitive")])
    }
}
