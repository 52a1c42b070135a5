//! E0601: something a dialect cannot write. A NUL character fits in a DuckDB or
//! ClickHouse string written with escapes, but Postgres's SQL text cannot hold one, so
//! `segql compile --dialect postgres` must say so with the code, the segment and the
//! dialect, and exit 1, while the dialects that can write it still compile.

mod common;

use common::Project;

#[test]
fn a_string_a_dialect_cannot_write_is_e0601() {
    let p = Project::demo();
    p.write(
        "segments/s.seg",
        "entity user {\n  table analytics.users\n  key user_id\n  columns { country string }\n}\n\nsegment nul of user { where country = \"a\\0b\" }\n",
    );
    let pg = p
        .segql(&["compile", "--dialect", "postgres", "--color", "never"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&pg.stderr);
    assert_eq!(pg.status.code(), Some(1), "{err}");
    assert!(err.contains("E0601"), "{err}");
    assert!(err.contains("`nul`") && err.contains("postgres"), "{err}");
    assert!(err.contains("NUL"), "{err}");
    let ch = p
        .segql(&["compile", "--dialect", "clickhouse", "--color", "never"])
        .output()
        .unwrap();
    assert!(
        ch.status.success(),
        "{}",
        String::from_utf8_lossy(&ch.stderr)
    );
    assert!(String::from_utf8_lossy(&ch.stdout).contains("a\\0b"));
}
