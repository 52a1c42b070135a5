//! Snowflake.

use super::*;

impl Dialect for Snowflake {
    fn pick_value(&self, sql: &Sql<'_>, p: pick::Pick) -> Expr {
        // MAX_BY breaks ties at random: the first element of the ordered array of the
        // group's values (ARRAY_AGG leaves NULLs out), a VARIANT cast back.
        let x = sql.case(vec![(p.cond.clone(), p.value.clone())], None);
        let mut f = sql.function("ARRAY_AGG", vec![x]);
        f.within_group = pick::order_by(&p);
        sql.cast(
            pick::element(Expr::Function(f), number("0")),
            self.cast_type(p.ty),
        )
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
        "snowflake"
    }
    fn reserved_words(&self) -> &'static [&'static str] {
        reserved::SNOWFLAKE
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
    fn timestamp_of_text(&self, text: &str) -> Expr {
        raw(format!("TO_TIMESTAMP_NTZ('{text}')"))
    }
    fn now_utc(&self) -> Expr {
        // The current time in UTC as a TIMESTAMP_NTZ, the literal's type.
        raw("SYSDATE()".into())
    }
    fn timestamp_param(&self, name: &str) -> Result<Expr, String> {
        // A session variable (`SET name = '2024-06-01 00:00:00'` before the statement, or
        // `$name` in the connection's properties): Snowflake's named value every client
        // and a task can set; its drivers bind only positional parameters.
        Ok(raw(format!("TO_TIMESTAMP_NTZ(${name})")))
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
    fn byte_order(&self, sql: &Sql<'_>, e: Expr) -> Expr {
        // Strings compare by their code points unless a collation is set on the column,
        // the schema or the account (DEFAULT_DDL_COLLATION); 'utf8' is that code point
        // order, explicitly.
        sql.func("COLLATE", vec![e, sql.string("utf8")])
    }
}
