//! The SQL files of bench/ as the tests run them beside segql's statements
//! (bench_project.rs, hand_batch_engines.rs).

/// A file of bench/ as one statement: its `{as_of}` replaced by the instant, without
/// comment lines or a trailing `;` (the engines take nothing else).
pub fn statement(text: &str, as_of: &str) -> String {
    let text = text.replace("{as_of}", &format!("{as_of} 00:00:00"));
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect();
    lines
        .join("\n")
        .trim_end()
        .trim_end_matches(';')
        .to_string()
}

/// The first ten of `a` that are not in `b`.
pub fn only_in(a: &[Option<String>], b: &[Option<String>]) -> Vec<Option<String>> {
    a.iter()
        .filter(|x| !b.contains(x))
        .take(10)
        .cloned()
        .collect()
}
