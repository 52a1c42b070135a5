//! Every diagnostic code of targets (E08xx). Codes are stable: a code is never reused
//! for a different mistake. docs/targets.md lists them for users (a test checks that it
//! lists every one). A target's catalog problems (`segql doctor`) keep the binder's own
//! codes, E0701 and E0702.

macro_rules! codes {
    ($($name:ident = $code:literal : $title:literal,)*) => {
        $(pub const $name: &str = $code;)*
        /// `(code, one-line title)` of every code, in order.
        pub const ALL: &[(&str, &str)] = &[$(($code, $title)),*];
    };
}

codes! {
    CONFIG = "E0801": "a target's configuration is invalid (an unknown target or setting, a secret written in a file, a missing environment variable)",
    DRIVER = "E0802": "no ADBC driver for the target's type was found, or it could not be loaded",
    CONNECT = "E0803": "the target cannot be reached (refused, unreachable, timed out)",
    AUTH = "E0804": "the target refused the credentials",
    STATEMENT = "E0805": "a statement failed on the target",
    INTERRUPTED = "E0806": "the run was interrupted (Ctrl-C, SIGTERM): the target's statement was cancelled",
    UNSUPPORTED = "E0807": "the target cannot do what was asked (a capability it lacks, a table seed would replace)",
}
