//! Every diagnostic code of selection and artifacts (`--select`, `--exclude`,
//! `--state`, `manifest.json`, `segql-stats.json`).
//!
//! E10xx. Codes are stable: a code is never reused for a different mistake.
//! docs/project.md lists them for users (a test checks that it lists every one).

macro_rules! codes {
    ($($name:ident = $code:literal : $title:literal,)*) => {
        $(pub const $name: &str = $code;)*
        /// `(code, one-line title)` of every code, in order.
        pub const ALL: &[(&str, &str)] = &[$(($code, $title)),*];
    };
}

codes! {
    SELECT_UNKNOWN_NAME = "E1001": "a selector naming nothing the project declares (a name or a glob that matches none)",
    SELECT_UNKNOWN_METHOD = "E1002": "a selector method that does not exist (`tags:x` for `tag:x`)",
    SELECT_MALFORMED = "E1003": "a selector that cannot be read (empty, `+` alone, a bad depth or glob)",
    SELECT_UNKNOWN_TAG = "E1004": "`tag:X` where no segment has the tag X",
    SELECT_NO_PATH = "E1005": "`path:P` where P is no file or directory of the project and no glob",
    STATE_MISSING = "E1006": "`state:` selectors without `--state DIR`",
    STATE_UNREADABLE = "E1007": "a `--state` directory without a readable manifest.json segql wrote",
    ARTIFACT_WRITE = "E1008": "an artifact (manifest.json, run_results.json) that cannot be written",
    STATS_INVALID = "E1009": "a segql-stats.json that cannot be read (not JSON, another form, a newer version)",
}

#[cfg(test)]
mod tests {
    /// Users look codes up in docs/project.md: every code is listed there.
    #[test]
    fn docs_list_every_code() {
        let doc = include_str!("../../../docs/project.md");
        for (code, _) in super::ALL {
            assert!(
                doc.contains(&format!("| {code} |")),
                "docs/project.md does not list {code}"
            );
        }
    }
}
