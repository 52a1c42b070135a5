//! The SQL files of bench/ as the tests run them beside segql's statements
//! (bench_project.rs, hand_batch_engines.rs), and the data they run on.

/// 3,000 generated users (the generator's defaults: 24 months of history up to
/// 2026-01-01) as parquet files in a fresh temporary directory, which lives as long as
/// the returned guard.
pub fn generated_users() -> tempfile::TempDir {
    let data = tempfile::tempdir().expect("a temporary directory");
    let cfg = segql_datagen::Config {
        users: 3_000,
        out: data.path().to_path_buf(),
        format: segql_datagen::Format::Parquet,
        ..Default::default()
    };
    segql_datagen::generate(&cfg).expect("the data");
    data
}

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

/// A boolean cell as each engine writes it (DuckDB and Spark `true`/`false`, Postgres
/// `t`/`f`, ClickHouse's UInt8 `1`/`0`).
pub fn truth(cell: Option<&str>) -> Option<bool> {
    match cell {
        Some("t" | "true" | "1") => Some(true),
        Some("f" | "false" | "0") => Some(false),
        _ => None,
    }
}

/// Asserts that a hand-written batch and segql's (rows of the key, then a boolean per
/// segment, sorted by key) have the same keys and each segment (`segments`, the columns
/// after the key) the same members, never NULL; with `all_have_members`, that no segment
/// is empty in both. `what` begins every message.
pub fn assert_same_batches(
    what: &str,
    segments: &[String],
    hand: &[Vec<Option<String>>],
    ours: &[Vec<Option<String>>],
    all_have_members: bool,
) {
    let keys = |rows: &[Vec<Option<String>>]| -> Vec<Option<String>> {
        rows.iter().map(|r| r[0].clone()).collect()
    };
    let (h_keys, s_keys) = (keys(hand), keys(ours));
    assert!(
        h_keys == s_keys,
        "{what}: the hand-written batch has {} rows, segql's {}; keys only by hand (first 10): {:?}; only segql's: {:?}",
        h_keys.len(),
        s_keys.len(),
        only_in(&h_keys, &s_keys),
        only_in(&s_keys, &h_keys)
    );
    for (i, segment) in segments.iter().enumerate() {
        let c = i + 1;
        let of = |rows: &[Vec<Option<String>>], who: &str| -> Vec<Option<String>> {
            rows.iter()
                .filter(|r| {
                    truth(r[c].as_deref()).unwrap_or_else(|| {
                        panic!("{what}: {segment} is {:?} for {:?} in {who}", r[c], r[0])
                    })
                })
                .map(|r| r[0].clone())
                .collect()
        };
        let (h, s) = (
            of(hand, "the hand-written batch"),
            of(ours, "segql's batch"),
        );
        assert!(
            h == s,
            "{what}: {segment}: the hand-written batch finds {} members, segql {}; only by hand (first 10): {:?}; only segql's: {:?}",
            h.len(),
            s.len(),
            only_in(&h, &s),
            only_in(&s, &h)
        );
        assert!(
            !all_have_members || !s.is_empty(),
            "{what}: {segment} has no members in either batch, nothing compared"
        );
    }
}
