//! ClickHouse.

use super::*;

impl Dialect for ClickHouse {
    fn pick_value(&self, sql: &Sql<'_>, p: pick::Pick) -> Expr {
        // With no row the result is the type's default; the "seen" guard (Unmatched::
        // TypeDefaults) makes it unset.
        let f = if p.last { "argMaxIf" } else { "argMinIf" };
        let order = sql.func("tuple", vec![p.time, p.tie]);
        sql.func(f, vec![p.value, order, p.cond])
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
    fn capabilities(&self) -> Capabilities {
        // Time buckets for a lone two-step sequence lose here too (b27 at 100k users:
        // 0.34 s against 0.24 s for the window passes); the long batch reads the wide
        // batch once, as ClickHouse substitutes a CTE at every reference. A single
        // segment's ntile in its own SELECT with the condition in QUALIFY: b37 at 1M
        // users 1.25 -> 1.00 s, b36 1.61 -> 1.48 s (chdb 4.4, the members equal); the
        // lapse sets measured no better (b30 0.94x, b31 1.16x at 100k).
        Capabilities {
            distinct: DistinctScan::Shared,
            windows: WindowTiers::ByWindow,
            // The bench suite's batch with its active periods as bits (groupBitOrIf,
            // bitCount) 1.03x at 1M users and 1.05-1.08x at 100k: uniqExactIf it is.
            active_periods: ActivePeriods::DistinctCount,
            // The first and last times as maxIfOrNull/minIfOrNull without their "seen"
            // counts: 0.98x at 1M users, 1.13-1.14x at 100k (docs/benchmarks.md).
            unmatched: Unmatched::TypeDefaults,
            cond_agg: CondAgg::Case,
            sequences: Sequences::WindowPasses,
            long_batch: LongBatch::ArrayJoin,
            ntiles: Ntiles::InWideSelect,
            ntiles_alone: NtilesAlone::Qualify,
            lapses: Lapses::Aggregate,
            // Not measured; a collation other than byte order could put a listed name
            // outside the range.
            name_ranges: NameRanges::Never,
            // Not measured.
            sequence_joins: SequenceJoins::Never,
            // groupArrayIf in the aggregate the batch makes anyway, tested with
            // arrayExists/arrayFilter: the bench suite's batch at 100k users 0.84-0.89x
            // (no scan, sort and window passes of the sequences' own), each order of
            // `bench/engines.py --compare` (docs/benchmarks.md). In an aggregate of their
            // own with the rare names' columns, as Postgres takes them: 1.013 and 1.109
            // in the two orders, slower.
            sequence_lists: SequenceLists::InBatchWhenStatisticsBound,
            // Not measured.
            lookups: Lookups::Never,
            // The shared aggregate reads page views for a year, not all history: the
            // suite's batch 0.95x at 100k users (15 runs each order, on the lists).
            name_windows: NameWindows::PerName,
            // The last quarter of rare names read by the shared aggregate (as the
            // hand-written pass reads it in its history) measured no gain: 1.003 and
            // 1/0.975 in the two orders of `bench/engines.py --compare` at 100k users,
            // 1.043 at 1M.
            rare_tiers: RareTiers::OwnScan,
        }
    }
    fn name(&self) -> &'static str {
        "clickhouse"
    }
    fn reserved_words(&self) -> &'static [&'static str] {
        reserved::CLICKHOUSE
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
        if plain(name, self.reserved_words()) {
            return name.to_string();
        }
        // ClickHouse reads backslash escapes in quoted names and also a doubled quote;
        // the doubled form is the one other SQL tools read the same way.
        backslash_quoted(name, '`', "``", "\\0")
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
    fn timestamp_of_text(&self, text: &str) -> Expr {
        raw(format!("toDateTime64('{text}', 6, 'UTC')"))
    }
    fn now_utc(&self) -> Expr {
        raw("now64(6, 'UTC')".into())
    }
    fn timestamp_param(&self, name: &str) -> Result<Expr, String> {
        // A query parameter (`--param_name=...`, HTTP `param_name=`), typed by the query.
        Ok(raw(format!("{{{name}:DateTime64(6, 'UTC')}}")))
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
            (AggFn::List, Some(a)) => sql.func("groupArrayIf", vec![a, c]),
        }
    }
    fn lower_name(&self) -> &'static str {
        // `lower` lowers ASCII bytes only.
        "lowerUTF8"
    }
    fn replace_full_case(&self, sql: &Sql<'_>, v: Expr) -> Expr {
        let one = sql.func(
            "replaceAll",
            vec![v, sql.string("\u{130}"), sql.string("i")],
        );
        sql.func(
            "replaceAll",
            vec![one, sql.string("\u{3a3}"), sql.string("\u{3c3}")],
        )
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
    fn list_any(&self, sql: &Sql<'_>, list: Expr, param: &str, body: Expr) -> Expr {
        sql.func("arrayExists", vec![sql.arrow_lambda(param, body), list])
    }
    fn list_filter(&self, sql: &Sql<'_>, list: Expr, param: &str, body: Expr) -> Expr {
        sql.func("arrayFilter", vec![sql.arrow_lambda(param, body), list])
    }
    fn list_flat_map_distinct(&self, sql: &Sql<'_>, list: Expr, param: &str, body: Expr) -> Expr {
        let each = sql.func("arrayMap", vec![sql.arrow_lambda(param, body), list]);
        sql.func("arrayDistinct", vec![sql.func("arrayFlatten", vec![each])])
    }
    fn substr(&self, sql: &Sql<'_>, s: Expr, from: i64, len: i64) -> Expr {
        sql.func("substring", vec![s, sql.int(from), sql.int(len)])
    }
}
