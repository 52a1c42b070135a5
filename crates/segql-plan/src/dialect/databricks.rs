//! Databricks and Spark SQL.

use super::*;

impl Dialect for Databricks {
    fn pick_value(&self, sql: &Sql<'_>, p: pick::Pick) -> Expr {
        pick::by_row(self, sql, ("min_by", "max_by"), "struct", p)
    }
    // Active periods' bits (the trait's `active_periods`), plain aggregates where
    // distinct counts would make the distinct scan expand every row once per distinct
    // argument: the benchmark's batch at 100k users 9.38 -> 7.73 s in local mode
    // (docs/benchmarks.md).
    fn shift_left(&self, sql: &Sql<'_>, value: Expr, count: Expr) -> Expr {
        // shiftleft, not `<<`: the operator is recent (Spark 4).
        sql.func("shiftleft", vec![value, sql.cast(count, "INT")])
    }
    fn list_agg(&self) -> &'static str {
        "collect_list"
    }
    fn set_size(&self, sql: &Sql<'_>, arg: Expr, cond: Option<Expr>) -> Expr {
        let mut set = sql.function("collect_set", vec![arg]);
        set.filter = cond.map(Box::new);
        sql.func("size", vec![Expr::Function(set)])
    }
    fn list_any(&self, sql: &Sql<'_>, list: Expr, param: &str, body: Expr) -> Expr {
        sql.func("exists", vec![list, sql.arrow_lambda(param, body)])
    }
    fn list_filter(&self, sql: &Sql<'_>, list: Expr, param: &str, body: Expr) -> Expr {
        sql.func("filter", vec![list, sql.arrow_lambda(param, body)])
    }
    fn list_flat_map_distinct(&self, sql: &Sql<'_>, list: Expr, param: &str, body: Expr) -> Expr {
        let each = sql.func("transform", vec![list, sql.arrow_lambda(param, body)]);
        sql.func("array_distinct", vec![sql.func("flatten", vec![each])])
    }
    fn capabilities(&self) -> Capabilities {
        // Spark answers distinct aggregates beside plain ones by expanding every row once
        // per distinct argument: the benchmark's batch at 100k users took 20 s with them in
        // the shared aggregate, 11 s with a scan of their own (local mode, two cores). Time
        // buckets for a lone two-step sequence gained nothing (b27 at 100k users: 1.15 s
        // against 1.04 s for the window passes, medians of five).
        Capabilities {
            distinct: DistinctScan::OwnScanOrLists,
            windows: WindowTiers::OneScan,
            active_periods: ActivePeriods::BitsUpTo(62),
            unmatched: Unmatched::Null,
            cond_agg: CondAgg::Filter,
            sequences: Sequences::WindowPasses,
            long_batch: LongBatch::UnionAll,
            // Spark inlines a CTE at each reference, so the `ntiles` CTE computed the shared
            // aggregate a second time: the wide batch's ntiles in its own `SELECT`, 0.92x at
            // 100k users (docs/benchmarks.md, "The batch against a hand-written pass").
            ntiles: Ntiles::InWideSelect,
            ntiles_alone: NtilesAlone::OwnCte,
            lapses: Lapses::Aggregate,
            // Not measured; a collation other than byte order could put a listed name
            // outside the range.
            name_ranges: NameRanges::Never,
            // Not measured.
            sequence_joins: SequenceJoins::Never,
            // collect_list in the shared aggregate makes it an ObjectHashAggregate, which
            // sorts past 128 keys a task: the suite's batch 1.56x at 100k users (five
            // alternating runs). In an aggregate of the steps' names of their own, as the
            // hand-written pass keeps them, 0.90-0.91x of the window passes (the two
            // orders of `bench/engines.py --compare`); with the rare names' columns moved
            // there too, no gain (1.13 and 0.92 in the two orders).
            sequence_lists: SequenceLists::InOwnAggregateWhenStatisticsBound {
                rare_columns: false,
            },
            lookups: Lookups::Never,
            // Not measured.
            name_windows: NameWindows::Never,
            // No window tiers, or no statistics-bound aggregate of rare rows.
            rare_tiers: RareTiers::OwnScan,
        }
    }
    fn name(&self) -> &'static str {
        "databricks"
    }
    fn reserved_words(&self) -> &'static [&'static str] {
        reserved::DATABRICKS
    }
    fn support(&self) -> Support {
        Support::Executed
    }
    fn parser(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::DatabricksDialect {})
    }
    fn notes(&self) -> &'static str {
        "Spark SQL 4.0+ or Databricks Runtime 16.1+ (COLLATE UTF8_BINARY; run on Spark 4.3); the session time zone must be UTC: month arithmetic and dates follow it"
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
    fn timestamp_of_text(&self, text: &str) -> Expr {
        // TIMESTAMP is Spark's local-time-zone type: without a zone the literal would be
        // read in the session time zone.
        raw(format!("TIMESTAMP '{text}Z'"))
    }
    fn now_utc(&self) -> Expr {
        // An instant (TIMESTAMP, the literal's type): no zone to convert.
        raw("current_timestamp()".into())
    }
    fn timestamp_param(&self, name: &str) -> Result<Expr, String> {
        // A named parameter marker (Databricks Runtime 12.1+, Spark 3.4+ `spark.sql(sql,
        // args)`); a string bound to it is read in the session time zone (UTC).
        Ok(raw(format!("CAST(:{name} AS TIMESTAMP)")))
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
    fn byte_order(&self, _sql: &Sql<'_>, e: Expr) -> Expr {
        // UTF8_BINARY (byte order) is the default, but a column, table or schema may
        // have another collation since Spark 4.0 and Databricks Runtime 16.1 (UTF8_LCASE,
        // ICU locales); an explicit collation overrides it.
        collate(e, sqlparser::ast::Ident::new("UTF8_BINARY"))
    }
}
