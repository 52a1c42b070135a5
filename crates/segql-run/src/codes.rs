//! Every diagnostic code the runner (and the commands that run on DuckDB) emit.
//!
//! E07xx: the data and the files segql reads and writes. Codes are stable: a code is
//! never reused for a different mistake. docs/project.md lists them for users (a test
//! checks that it lists every one).

macro_rules! codes {
    ($($name:ident = $code:literal : $title:literal,)*) => {
        $(pub const $name: &str = $code;)*
        /// `(code, one-line title)` of every code, in order.
        pub const ALL: &[(&str, &str)] = &[$(($code, $title)),*];
    };
}

codes! {
    DATA_MISMATCH = "E0701": "bound data that does not fit the catalog (a missing binding, file or column, a column of the wrong type)",
    BAD_KEYS = "E0702": "entity keys that are duplicated or null (in the bound data or a test's given rows)",
    BAD_VALUE = "E0703": "a value in a bound or given file that cannot be read as its catalog type",
    WRITE_REFUSED = "E0704": "a file segql would write that a binding or a test reads",
    QUERY_FAILED = "E0705": "a query that failed on the data while running",
    NOT_ONE_STATEMENT = "E0706": "SQL text that is not exactly one statement segql can run safely",
    STATE_NEWER = "E0710": "a state written by a newer segql (a newer schema version)",
    STATE_CORRUPT = "E0711": "a state file that is not segql's, damaged, or not a DuckDB database",
    STATE_LOCKED = "E0712": "a state file in use by another segql process",
    STATE_FAILED = "E0713": "a statement on the state that failed (nothing of the snapshot was recorded)",
    STATE_CHANGED = "E0714": "another snapshot recorded while this one ran (this one recorded nothing)",
    OLDER_AS_OF = "E0715": "a snapshot older than a segment's last recorded one, without --backfill",
    UNKNOWN_RUN = "E0716": "a run id that names no recorded run (or the start of several)",
    BAD_SERIES = "E0717": "a backtest's instants that make no series: --from after --to, a step of zero or less, too many steps",
    NO_STATE = "E0718": "a command that reads recorded snapshots, with none recorded",
    DATA_ENDS_BEFORE = "W0720": "an instant after the last event of the events a run reads (windows before it see no data)",
    NAME_NOT_IN_DATA = "W0721": "an event name that no row of the events a run reads carries (a misspelling, or an event not tracked yet)",
    STATS_STALE = "W0722": "an events relation whose rows are less than half or more than twice what segql-stats.json counted (plans chosen by it may be slow)",
    STATE_UNSUPPORTED = "E0719": "a target whose engine cannot hold segql's state (snapshots live in the state file or on PostgreSQL)",
}
