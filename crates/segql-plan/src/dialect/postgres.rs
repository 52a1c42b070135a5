//! PostgreSQL.

use super::*;

impl Dialect for Postgres {
    fn timestamp_of_text(&self, text: &str) -> Expr {
        raw(format!("TIMESTAMP '{text}'"))
    }
    fn now_utc(&self) -> Expr {
        // The transaction's start, as UTC's wall time (a timestamp without time zone).
        raw("(now() AT TIME ZONE 'UTC')".into())
    }
    fn timestamp_param(&self, name: &str) -> Result<Expr, String> {
        Err(format!(
            "PostgreSQL has no named parameters (only positional ones), so the as-of cannot be \
             the parameter `{name}`: compile with the as-of read at run time as `now` \
             (the engine's clock), or with the instant written in (`--as-of`)"
        ))
    }
    fn pick_value(&self, sql: &Sql<'_>, p: pick::Pick) -> Expr {
        // No max_by: the first element of the ordered array of the group's values.
        let mut f = pick::ordered_array_agg(sql, p.value.clone(), &p);
        f.filter = Some(Box::new(p.cond));
        pick::element(Expr::Function(f), pick::one())
    }
    // Active periods' bits (the trait's `active_periods`): a distinct aggregate would
    // make the scan holding it sort its rows (no hash aggregation with DISTINCT).
    fn shift_left(&self, sql: &Sql<'_>, value: Expr, count: Expr) -> Expr {
        // BIGINT << INTEGER is the only shift of a BIGINT.
        bin(
            value,
            BinaryOperator::PGBitwiseShiftLeft,
            sql.cast(count, "INTEGER"),
        )
    }
    fn count_bits(&self, sql: &Sql<'_>, bits: Expr) -> Expr {
        // bit_count counts a BIT string (PostgreSQL 14 and later).
        sql.func("bit_count", vec![sql.cast(bits, "BIT(64)")])
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
    fn capabilities(&self) -> Capabilities {
        // A distinct aggregate in the shared aggregate makes Postgres sort every scanned row
        // (no hash aggregation with DISTINCT): the benchmark's batch at 100k users took
        // 18 s, 16 of them sorting and aggregating 6.2M events on disk. Time buckets for a
        // lone two-step sequence lose here (b27 at 100k users: 1.01 s against 0.66 s for
        // the window passes; again on 4 December 0.93-0.96 s against 0.73 s whether the
        // bucket is computed with EXTRACT, date_part or one interval: the hash aggregate
        // of four conditional MIN/MAX columns is what costs, not the epoch). The distinct
        // counts in a batch's lists aggregate (`OwnScanOrLists`, as Spark): 0.994 and
        // 1.02 in the two orders of `bench/engines.py --compare`, no gain. In their own
        // scan as counts of (key, value) groups: that CTE alone 0.79x at 100k users
        // (parallel hash aggregates, no sort in the leader); the batch 0.96-1.0x.
        Capabilities {
            distinct: DistinctScan::OwnScanAsGroups,
            windows: WindowTiers::ByWindow,
            active_periods: ActivePeriods::BitsUpTo(62),
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
            // array_agg has no parallel combine before Postgres 16, so the lists have an
            // aggregate of their own, with the columns over rare names: the shared
            // aggregate keeps the frequent rows and their few FILTERs (every FILTER is
            // evaluated on every row it aggregates), as the hand-written pass splits
            // them. The suite's batch at 100k users 0.84-0.86x of the window passes (the
            // two orders of `bench/engines.py --compare`); the lists alone, with the
            // rare columns left in the shared aggregate, 1.01x.
            sequence_lists: SequenceLists::InOwnAggregateWhenStatisticsBound { rare_columns: true },
            lookups: Lookups::Never,
            // Every FILTER is evaluated on every row the aggregate reads: the suite's
            // batch at 100k users 0.96-0.98x with page views read for a year only (the
            // two orders of `bench/engines.py --compare`, docs/benchmarks.md).
            name_windows: NameWindows::PerName,
            // A last quarter of rare names read with the lists: 0.96x and 1/1.024 in the
            // two orders of `bench/engines.py --compare` at 100k users.
            rare_tiers: RareTiers::IntoLists,
        }
    }
    fn name(&self) -> &'static str {
        "postgres"
    }
    fn reserved_words(&self) -> &'static [&'static str] {
        reserved::POSTGRES
    }
    fn support(&self) -> Support {
        Support::Executed
    }
    fn notes(&self) -> &'static str {
        "PostgreSQL 14+ (bit_count counts active periods); strings order by their bytes (COLLATE \"C\"), whatever the database's collation"
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
    fn fold_case(&self, sql: &Sql<'_>, v: Expr) -> Expr {
        // LOWER follows the collation's ctype: ASCII only under "C", full ICU mapping
        // under an ICU collation, the C library's under another. ICU's root locale is
        // the same on every server built with ICU; `İ` and `Σ` are replaced first.
        let v = self.replace_full_case(sql, v);
        sql.func(
            "LOWER",
            vec![collate(
                v,
                sqlparser::ast::Ident::with_quote('"', "und-x-icu"),
            )],
        )
    }
    // No lambdas: one EXISTS over the steps' lists unnested and joined by the pairs,
    // the form a data engineer writes (bench/hand_batch_postgres.sql), a nested loop
    // whose pairs the statistics bound.
    fn list_agg(&self) -> &'static str {
        "array_agg"
    }
    fn chain_on_lists(&self, sql: &Sql<'_>, lists: Vec<Expr>, pairs: Vec<Expr>) -> Expr {
        let mut steps = lists.into_iter().enumerate().map(|(j, list)| {
            let time = format!("s{}", j + 1);
            sql.unnest(list, &format!("{time}_list"), &time)
        });
        let from = From {
            base: steps.next().expect("a sequence has steps"),
            joins: steps.map(|s| sql.cross_join(s)).collect(),
        };
        let q = sql.select(
            vec![proj_bare(sql.int(1))],
            Some(from),
            Some(and(pairs)),
            vec![],
        );
        sql.exists(q, false)
    }
    fn byte_order(&self, _sql: &Sql<'_>, e: Expr) -> Expr {
        // The database's collation is usually a language's (en_US: a < A < b < B);
        // "C" orders by bytes, as the other engines do.
        collate(e, sqlparser::ast::Ident::with_quote('"', "C"))
    }
}
