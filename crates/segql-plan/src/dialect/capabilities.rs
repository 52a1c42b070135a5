//! The shapes of statement each dialect chooses ([`Capabilities`]): the planner reads
//! them and nothing else of a dialect; each dialect states every one, with the
//! measurement behind its choice.

/// The shapes of statement a dialect takes: every choice the planner reads, and the
/// conditional-aggregate form emission writes. Each dialect states every one in
/// [`Dialect::capabilities`](super::Dialect::capabilities); there are no defaults, so a new dialect must choose (and
/// the reasons, measured, sit with each dialect's choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    pub distinct: DistinctScan,
    pub windows: WindowTiers,
    pub active_periods: ActivePeriods,
    pub unmatched: Unmatched,
    pub cond_agg: CondAgg,
    pub sequences: Sequences,
    pub long_batch: LongBatch,
    pub ntiles: Ntiles,
    pub ntiles_alone: NtilesAlone,
    pub lapses: Lapses,
    pub name_ranges: NameRanges,
    pub sequence_joins: SequenceJoins,
    pub sequence_lists: SequenceLists,
    pub lookups: Lookups,
    pub name_windows: NameWindows,
    pub rare_tiers: RareTiers,
}

/// Where a batch's window tier goes when every column of it reads rare names (by the
/// project's statistics, each name under [`FREQUENT`](crate::stats::FREQUENT) of the
/// rows): its own scan of the relation, or the aggregate that reads those rare rows
/// anyway, one scan and one join less. The columns keep their windows in their filters,
/// and a scan that bounds each name by its windows reads each rare name only as far back
/// as it is counted (`plan::lists::rare_tiers`). A tier with a column over a frequent
/// name keeps its scan. (ClickHouse's shared aggregate, which holds its lists, measured
/// no gain as the tier's destination: clickhouse.rs.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RareTiers {
    /// Its own scan.
    OwnScan,
    /// The aggregate of the batch's sequences' lists, where there is one
    /// ([`SequenceLists::InOwnAggregateWhenStatisticsBound`]): Postgres
    /// at 100k users, the suite's batch about 0.97x (0.962 and 1/1.024 in the two orders
    /// of `bench/engines.py --compare`); at 1M, with its distinct counts as groups
    /// ([`DistinctScan::OwnScanAsGroups`]), 0.875 of the batch before both.
    IntoLists,
}

/// Whether a scan's `WHERE` bounds each of its event names by the earliest window a
/// column reads it in, where that is later than the scan's own earliest start: `(name IN
/// (<names read over the scan's whole reach>) OR (name IN (<names read only within W>)
/// AND time >= <W's start>) ...)` instead of one `name IN (...)`. The rows are those some
/// column counts (each column keeps its own window), fewer where a frequent name is read
/// only within a year and the scan reaches further for another (the bench suite's page
/// views, read for a 365-day count in an aggregate that reads every login).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameWindows {
    /// One list of names, bounded by the scan's earliest start.
    Never,
    /// Each name bounded by its own earliest start.
    PerName,
}

/// Whether a batch tests a frequent event's existence over a long window, where it is
/// one alternative of an `or`, only for the keys the other alternatives leave: a scan of
/// that event's rows probed against those keys (`plan::lookups`), so that the relation's
/// shared aggregate no longer reads its rows. What a data engineer writes by hand for
/// `did "login" or did "page_viewed" in last 365 days`: the page views are looked for
/// only among the users without a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookups {
    Never,
    /// In a batch, for an event the statistics call frequent
    /// ([`FREQUENT`](crate::stats::FREQUENT)) over a window longer than the last
    /// quarter's tier. DuckDB at 1M users: the suite's batch 0.944x (docs/benchmarks.md,
    /// "A frequent event looked up for the rest of an `or`").
    InBatchWhenStatisticsSay,
}

/// Whether a sequence alone over its relation may be tested by joining each step's
/// events to the next's on the key with the time range (what a data engineer writes by
/// hand), instead of [`Sequences`]'s shape. The joins cost the pairs they make, linear
/// only where a step is rare per key, which only statistics tell
/// ([`joins_fit`](crate::stats::Statistics::joins_fit)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceJoins {
    Never,
    /// When the statistics bound every join's pairs by the relation's rows. DuckDB at
    /// 1M users: b29 0.665x of its time buckets (docs/benchmarks.md).
    WhenStatisticsBound,
}

/// Whether a batch's sequence may be tested on per-key lists of its steps' times,
/// collected by the relation's aggregate the batch reads anyway (`LIST(t) FILTER (WHERE
/// step)`), each step's valid times found from the earlier step's with list functions,
/// instead of [`Sequences`]'s shape over a scan of its own. The list functions pair
/// every valid time of a step with the next step's times of the same key, linear only
/// where the statistics bound those pairs
/// ([`joins_fit`](crate::stats::Statistics::joins_fit)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceLists {
    Never,
    /// In a batch, when the statistics bound the pairs. DuckDB at 1M users: the suite's
    /// batch 0.92x of its time buckets; one segment alone 1.31x of its joins, so a
    /// segment's own statement never takes them (docs/benchmarks.md, "A batch's
    /// sequences on lists"). ClickHouse at 100k users: the batch 0.86x of its window
    /// passes. The list functions are the dialect's (`Dialect::list_any` and the rest).
    InBatchWhenStatisticsBound,
    /// The same, but the lists collected by an aggregate of their own over the steps'
    /// events (a scan of the relation's rows of those names only), never the shared
    /// aggregate: for engines whose list aggregate changes how the whole aggregate runs
    /// (Spark's `collect_list` makes it an `ObjectHashAggregate`, Postgres 15's
    /// `array_agg` has no parallel combine). With `rare_columns`, that aggregate also
    /// takes the shared aggregate's columns over rare names only (`plan::lists`), so the
    /// shared one keeps the frequent rows and few columns.
    InOwnAggregateWhenStatisticsBound {
        rare_columns: bool,
    },
}

impl SequenceLists {
    /// Whether a batch's sequences may take lists at all.
    pub fn taken(self) -> bool {
        self != SequenceLists::Never
    }

    /// Whether the lists have an aggregate of their own.
    pub fn own_aggregate(self) -> bool {
        matches!(
            self,
            SequenceLists::InOwnAggregateWhenStatisticsBound { .. }
        )
    }

    /// Whether the lists' own aggregate takes the columns over rare names.
    pub fn rare_columns(self) -> bool {
        self == SequenceLists::InOwnAggregateWhenStatisticsBound { rare_columns: true }
    }
}

/// Whether a scan's list of several event names (`name IN (...)`) also gets the range
/// of its smallest and largest name (`name >= lo AND name <= hi`, the list kept, so the
/// rows are the same). A reader may apply a range where it applies a list only after
/// reading (DuckDB's parquet reader: the list only prunes row groups), but the range
/// costs a comparison per row and saves nothing when the names it spans are most of the
/// rows, which only statistics tell (`crate::stats`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRanges {
    /// The list alone.
    Never,
    /// The range too, when the project's statistics say it keeps at most
    /// [`RANGE_AT_MOST`](crate::stats::RANGE_AT_MOST) of the relation's rows. DuckDB at
    /// 1M users: 0.86-0.92x for ranges over 5-10% of the rows, 1.08x over 60-80%.
    WhenStatisticsSay,
}

impl Capabilities {
    /// Whether any choice of the dialect for a batch (`batch`) or for one segment's or
    /// report's statement depends on the project's statistics (`crate::stats`): name
    /// ranges and a lone sequence's joins in either; lapses as key sets (kept for
    /// frequent events only) in one segment's statement; sequences on lists and
    /// lookups in a batch.
    pub fn reads_statistics(&self, batch: bool) -> bool {
        let either = self.name_ranges == NameRanges::WhenStatisticsSay
            || self.sequence_joins == SequenceJoins::WhenStatisticsBound;
        let single = self.lapses == Lapses::KeySets;
        let in_batch =
            self.sequence_lists.taken() || self.lookups == Lookups::InBatchWhenStatisticsSay;
        either || if batch { in_batch } else { single }
    }
}

/// How one segment's statement tests `last time of E < T` (and `stopped`) among the
/// top-level conditions of its `WHERE` (`plan::lapses`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lapses {
    /// The last time per key, an aggregate of every `E`, joined to the entities: what
    /// every other statement (a batch shares the column) does.
    Aggregate,
    /// The keys with an `E` before `T` (`IN`) and without one since (`NOT IN`, keys
    /// never unset): probed, not aggregated. DuckDB at 1M users: b49 0.72x, b30 0.87x
    /// (b31, over rarer events, 1.11x). Measured and not taken at 100k users: Postgres
    /// 1.8-1.9x (hashed subplans), ClickHouse 0.94-1.16x (docs/benchmarks.md).
    KeySets,
}

/// Where one segment's statement (its members in a `WHERE`) computes the `ntile`s its
/// condition compares, when they are over every entity and of an aggregate or a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NtilesAlone {
    /// The ntile CTE (a window over the entities joined to the values), joined back to
    /// the entities on the key.
    OwnCte,
    /// The windows in the statement's own `SELECT` and the condition in `QUALIFY`: the
    /// entities are joined to the values once, with no second join of the buckets. At 1M
    /// users, b37 (a quintile of a 90-day sum): DuckDB 0.89x, ClickHouse 0.80x
    /// (docs/benchmarks.md).
    Qualify,
}

/// Where the wide batch (a column per segment, no `WHERE`) computes its `ntile`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ntiles {
    /// A derived CTE per entity (one pass over its table, a window column per tile),
    /// joined on the key: what every statement does.
    OwnCte,
    /// Window functions in the wide batch's own `SELECT`, whose rows are already every
    /// entity with the tiles' values joined: no second join of the aggregates, no join
    /// back. Measured on ClickHouse's batch 0.80x (100k users) and 0.82x (1M); on DuckDB
    /// 1.07x, where the windows then sort the wide rows (docs/benchmarks.md). The
    /// windows are computed over a subquery of narrow rows (`emit::wide`): ClickHouse
    /// 0.92x more at 1M. Statements with a `WHERE` (a single segment) keep the CTE.
    InWideSelect,
}

/// How the long form of a batch (`--long`: a row per segment and member) reads the
/// wide batch it unpivots, computed once in the `memberships` CTE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LongBatch {
    /// A `SELECT` of the CTE per segment under `UNION ALL`: for engines that compute a
    /// CTE read several times once.
    UnionAll,
    /// One read: `ARRAY JOIN arrayFilter((s, m) -> m, [names], [columns])`. ClickHouse
    /// substitutes a CTE at every reference, so the union computed the whole batch once
    /// per segment and, from about twenty segments of a few conditions each, exceeded
    /// its default limit of 50,000 elements per statement (TOO_BIG_AST).
    ArrayJoin,
}

/// How a lone sequence (`did A then B [within D] ...`, each D in hours, days or weeks
/// or absent) is evaluated; calendar `within`s and sequences sharing a batch's chain
/// always take the window passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sequences {
    /// A row per (key, instant) and a window pass per step: a sort of the steps' events
    /// by time per key.
    WindowPasses,
    /// Hash aggregates only: per key and bucket of D before as_of, the earliest and
    /// latest time of each step; A then B within D holds when a bucket's earliest A is
    /// before its latest B, or a bucket's earliest B is at most D after the previous
    /// bucket's latest A (docs/architecture.md). Without D, one bucket per key. Three
    /// steps or more: a step at a time, the valid events of each middle step found by
    /// hash joins to the previous step's buckets. Several sequences over one relation
    /// share one scan of their steps. Needs [`Unmatched::Null`].
    TimeBuckets,
}

/// Where distinct counts (`count distinct(page) of ...`) are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistinctScan {
    /// Columns of the shared aggregate: one scan, what a warehouse bills least for.
    Shared,
    /// A scan of their own, restricted to their events: for engines whose distinct
    /// aggregates re-hash every row of the shared scan.
    OwnScan,
    /// As `OwnScan`, except where a batch collects its sequences' lists in an aggregate
    /// of their own over the same relation ([`SequenceLists`]): there, each as the size
    /// of a set (`Dialect::set_size`), one scan less. Spark at 100k users: the suite's
    /// batch about 0.94x (0.985 and 1/1.118 in the two orders of `bench/engines.py
    /// --compare`; 0.84x and 0.87x by hand in one session), the aggregate being an
    /// `ObjectHashAggregate` for the lists anyway.
    OwnScanOrLists,
    /// As `OwnScan`, each count written as a count of groups: the scan's rows grouped by
    /// key and value first, then the values counted per key
    /// ([`Emitter::distinct_as_groups`](crate::emit)). For engines that sort for
    /// `COUNT(DISTINCT)` but hash (in parallel) for `GROUP BY`: Postgres.
    OwnScanAsGroups,
}

impl DistinctScan {
    /// Whether distinct aggregates leave the shared aggregate.
    pub fn apart(self) -> bool {
        self != DistinctScan::Shared
    }
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
    /// As `ByWindow`, and a tier of one column gets its scan too when its event names
    /// are none of the wider tiers' (`plan::tiers::apart`): for engines that skip the
    /// row groups a scan's names and window exclude (DuckDB: b13 0.50x at 1M users;
    /// Postgres measured 1.34x, it reads the table once per scan).
    ByWindowAndNames,
}

impl WindowTiers {
    /// Whether the shared aggregate is split by window tier at all.
    pub fn splits(self) -> bool {
        self != WindowTiers::OneScan
    }
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
