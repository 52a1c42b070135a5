//! DuckDB: the reference engine (the runner embeds it).

use super::*;

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
    fn timestamp_of_text(&self, text: &str) -> Expr {
        raw(format!("TIMESTAMP '{text}'"))
    }
    fn now_utc(&self) -> Expr {
        // now() is a TIMESTAMP WITH TIME ZONE; its microseconds since the epoch made a
        // TIMESTAMP are UTC's wall time whatever the session's TimeZone, and need no ICU
        // (which `AT TIME ZONE` does; the runner's DuckDB is built without it). DuckDB
        // folds it into the scan's filters like a literal (docs/benchmarks.md).
        raw("make_timestamp(epoch_us(now()))".into())
    }
    fn timestamp_param(&self, name: &str) -> Result<Expr, String> {
        // A prepared statement's named parameter (`con.execute(sql, {"name": ...})`).
        Ok(raw(format!("CAST(${name} AS TIMESTAMP)")))
    }
    fn pick_value(&self, sql: &Sql<'_>, p: pick::Pick) -> Expr {
        pick::by_row(self, sql, ("arg_min", "arg_max"), "ROW", p)
    }
    fn capabilities(&self) -> Capabilities {
        // Time buckets: b27 alone at 1M users 1.12 s against 1.41 s for the window
        // passes, b29 (three steps) at 100k 0.38 s against 0.57 s, two sequences over
        // frequent events in one batch at 1M 11.9 s against 28.3 s (docs/benchmarks.md).
        Capabilities {
            distinct: DistinctScan::OwnScan,
            windows: WindowTiers::ByWindowAndNames,
            active_periods: ActivePeriods::BitsUpTo(62),
            unmatched: Unmatched::Null,
            cond_agg: CondAgg::Filter,
            sequences: Sequences::TimeBuckets,
            long_batch: LongBatch::UnionAll,
            ntiles: Ntiles::OwnCte,
            ntiles_alone: NtilesAlone::Qualify,
            lapses: Lapses::KeySets,
            // Strings compare in byte order, as the statistics' ranges are taken; the parquet
            // reader applies a range and not a list (docs/benchmarks.md, "Statistics").
            name_ranges: NameRanges::WhenStatisticsSay,
            sequence_joins: SequenceJoins::WhenStatisticsBound,
            // A batch's sequences on the lists its relation's aggregate collects: the
            // suite's batch 0.92x at 1M users (docs/benchmarks.md, "A batch's sequences
            // on lists").
            sequence_lists: SequenceLists::InBatchWhenStatisticsBound,
            // An `or`'s frequent event looked up for the keys the rest leaves: the
            // suite's batch 0.944x at 1M users, 0.990 of the hand-written pass
            // (docs/benchmarks.md, "A frequent event looked up for the rest of an `or`").
            lookups: Lookups::InBatchWhenStatisticsSay,
            // Not measured.
            name_windows: NameWindows::Never,
            // Not measured: DuckDB's tiers skip the row groups outside their window.
            rare_tiers: RareTiers::OwnScan,
        }
    }
    fn name(&self) -> &'static str {
        "duckdb"
    }
    fn reserved_words(&self) -> &'static [&'static str] {
        reserved::DUCKDB
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
    /// `prefix`, what DuckDB rewrites `LIKE 'x%'` to: alone, it and `starts_with` are
    /// pushed into the scan as the same range; under an `OR` (an anchored pattern's
    /// prefixes) they stay functions, and `prefix` took 0.79x the CPU of `starts_with`
    /// (b48 at 1M users, docs/benchmarks.md).
    fn starts_with(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        sql.func("prefix", vec![v, s])
    }
    /// `contains`: 0.91x the CPU of `strpos(v, s) > 0` (b10 at 1M users).
    fn contains(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        sql.func("contains", vec![v, s])
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
    /// DuckDB divides decimals as DOUBLE (`DECIMAL / INTEGER` is a DOUBLE), so ROUND of
    /// the quotient can land on the wrong side of a half (0.000249 / 2 gave 0.000124).
    /// The quotient is rounded in integers instead: with `n` the value in units of
    /// 10^-9 (a HUGEINT) and `d = den * 1000`, `(2|n| + d) // 2d` is `|n| / d` rounded
    /// half up, in units of 10^-6; the sign is put back and the integer scaled to 6
    /// decimals by an exact decimal product. Exact for values with up to 9 decimals
    /// (checked against Python's decimal on 4,000 quotients, half-way ones included).
    fn rounded_quotient(&self, sql: &Sql<'_>, num: Expr, den: Expr) -> Expr {
        let nano = sql.cast(
            bin(
                sql.cast(num, "DECIMAL(38, 9)"),
                BinaryOperator::Multiply,
                number("1000000000"),
            ),
            "HUGEINT",
        );
        let d = bin(
            sql.cast(den, "HUGEINT"),
            BinaryOperator::Multiply,
            number("1000"),
        );
        let twice_d = bin(number("2"), BinaryOperator::Multiply, d.clone());
        let micros = bin(
            bin(
                bin(
                    number("2"),
                    BinaryOperator::Multiply,
                    sql.func("ABS", vec![nano.clone()]),
                ),
                BinaryOperator::Plus,
                d,
            ),
            BinaryOperator::DuckIntegerDivide,
            twice_d,
        );
        let signed = bin(
            sql.func("SIGN", vec![nano]),
            BinaryOperator::Multiply,
            micros,
        );
        sql.cast(
            bin(
                sql.cast(signed, "DECIMAL(38, 0)"),
                BinaryOperator::Multiply,
                self.decimal(sql, "0.000001"),
            ),
            self.report_decimal_type(),
        )
    }
}
