//! Whether this process runs under CI: one rule for the CLI (no progress bars, no
//! prompts) and the test suites (every engine must run).

/// Whether this run is CI: the `CI` variable set to anything but empty, `false` or `0`
/// (CI services set `true`, `1`, `yes` or their own name).
pub fn in_ci() -> bool {
    is_ci_value(std::env::var("CI").ok().as_deref())
}

/// [`in_ci`] for a value of `CI` (`None`: not set).
pub fn is_ci_value(v: Option<&str>) -> bool {
    match v.map(str::trim) {
        None | Some("") | Some("0") => false,
        Some(v) => !v.eq_ignore_ascii_case("false"),
    }
}

#[cfg(test)]
mod tests {
    use super::is_ci_value;

    #[test]
    fn ci_values() {
        for v in ["true", "1", "yes", "TRUE", "True", "github", "on"] {
            assert!(is_ci_value(Some(v)), "{v}");
        }
        for v in [
            None,
            Some(""),
            Some("  "),
            Some("0"),
            Some("false"),
            Some("FALSE"),
        ] {
            assert!(!is_ci_value(v), "{v:?}");
        }
    }
}
