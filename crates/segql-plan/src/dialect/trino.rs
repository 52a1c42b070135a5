//! Trino.

use super::*;

impl Dialect for Trino {
    fn timestamp_of_text(&self, text: &str) -> Expr {
        raw(format!("TIMESTAMP '{text}'"))
    }
    fn now_utc(&self) -> Expr {
        // current_timestamp is a timestamp with the session's zone: moved to UTC, then the
        // zone dropped, as the literal (a timestamp without zone) is.
        raw("CAST(current_timestamp AT TIME ZONE 'UTC' AS timestamp(6))".into())
    }
    fn timestamp_param(&self, name: &str) -> Result<Expr, String> {
        Err(format!(
            "Trino has no named parameters (only positional ones), so the as-of cannot be \
             the parameter `{name}`: compile with the as-of read at run time as `now` \
             (the engine's clock), or with the instant written in (`--as-of`)"
        ))
    }
    fn pick_value(&self, sql: &Sql<'_>, p: pick::Pick) -> Expr {
        pick::by_row(self, sql, ("min_by", "max_by"), "ROW", p)
    }
    fn sql_fn(&self, sql: &Sql<'_>, f: SqlFn, args: Vec<Expr>) -> Expr {
        match f {
            // Trino's one-argument trim removes every kind of whitespace.
            SqlFn::Trim => sql.func("trim", args.into_iter().chain([sql.string(" ")]).collect()),
            SqlFn::Mod => sql.func("mod", args),
            f => sql.func(f.name(), args),
        }
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            distinct: DistinctScan::Shared,
            windows: WindowTiers::OneScan,
            active_periods: ActivePeriods::DistinctCount,
            unmatched: Unmatched::Null,
            cond_agg: CondAgg::Filter,
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
        "trino"
    }
    fn reserved_words(&self) -> &'static [&'static str] {
        reserved::TRINO
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
