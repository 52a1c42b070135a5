//! Every diagnostic code segql-docs emits, in one place.
//!
//! E09xx: the docs site (its inputs and where it is written or served). segql-syntax owns
//! E00xx and E01xx, segql-plan E02xx to E06xx, the runner E07xx.

macro_rules! codes {
    ($($name:ident = $code:literal : $title:literal,)*) => {
        $(pub const $name: &str = $code;)*
        /// `(code, one-line title)` of every code, in order.
        pub const ALL: &[(&str, &str)] = &[$(($code, $title)),*];
    };
}

codes! {
    BAD_SIZES = "E0901": "a sizes file that cannot be read or does not have the expected shape",
    SIZES_UNKNOWN = "W0902": "a sizes file naming a segment the project does not declare",
    BAD_OUT_DIR = "E0903": "an output directory segql docs will not write into",
    SERVE_FAILED = "E0904": "an address segql docs serve cannot listen on",
}
