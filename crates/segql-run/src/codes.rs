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
}
