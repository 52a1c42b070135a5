//! The runner's own defences, on a real DuckDB: one statement per query, and no file
//! access once the bindings are made but for the bound files and the output.

use segql_plan::ir::Program;
use segql_run::bind::{Binding, Source};
use segql_run::engine::Engine;
use std::path::Path;

const CATALOG: &str = "\
entity user {
  table app.users
  key user_id
  columns {
    plan string
  }
}

events of user {
  table app.events
  key user_id
  name event_name
  time occurred_at
  properties {
    amount decimal
  }
}
";

fn program(text: &str) -> Program {
    let mut map = segql_syntax::SourceMap::new();
    let id = map.add("catalog.seg", text.to_string());
    let parsed = segql_syntax::parse(text, id);
    assert!(parsed.diags.is_empty(), "{:?}", parsed.diags);
    let (p, diags) = segql_plan::check(&[&parsed.file]);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    p
}

/// A project directory: users in a CSV file, events in two CSV files of a glob.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("data/users.csv", "user_id,plan\nu1,pro\nu2,free\n");
    write(
        "data/events/a.csv",
        "user_id,event_name,occurred_at,amount\nu1,purchase,2024-05-01 10:00:00,0.1\n",
    );
    write(
        "data/events/b.csv",
        "user_id,event_name,occurred_at,amount\nu1,purchase,2024-05-02 10:00:00,0.2\n",
    );
    dir
}

fn bindings() -> Vec<Binding> {
    let files = |path: &str| Source::Files {
        path: path.to_string(),
        format: None,
        hive_partitioning: false,
    };
    vec![
        Binding {
            relation: "app.users".into(),
            source: files("data/users.csv"),
        },
        Binding {
            relation: "app.events".into(),
            source: files("data/events/*.csv"),
        },
    ]
}

/// A bound, locked-down engine that may write `out` only.
fn locked(dir: &Path, out: &Path) -> Engine {
    let p = program(CATALOG);
    let engine = Engine::in_memory().unwrap();
    let bound = engine.bind_sources(&p.catalog, &bindings(), dir);
    assert!(bound.problems.is_empty(), "{:?}", bound.problems);
    engine
        .lock_down(&bound.access, &[out.to_string_lossy().into_owned()])
        .unwrap();
    engine
}

fn literal(p: &Path) -> String {
    format!("'{}'", p.to_string_lossy().replace('\'', "''"))
}

#[test]
fn after_binding_duckdb_reads_the_bound_files_and_writes_the_output_only() {
    let dir = project();
    let out = dir.path().join("out.csv");
    let engine = locked(dir.path(), &out);
    // The views still read their data, a glob's files included (re-globbed per query).
    assert_eq!(engine.count("SELECT count(*) FROM app.users").unwrap(), 2);
    assert_eq!(engine.count("SELECT count(*) FROM app.events").unwrap(), 2);
    // Decimals are exact: read as DECIMAL(38, 9), not DOUBLE.
    assert_eq!(
        engine
            .first_column("SELECT sum(amount) = 0.3 FROM app.events")
            .unwrap(),
        [Some("true".to_string())]
    );
    // The output may be written.
    engine
        .execute(&format!(
            "COPY (SELECT * FROM app.users) TO {} (FORMAT csv)",
            literal(&out)
        ))
        .unwrap();
    assert!(out.is_file());

    let data = dir.path().join("data");
    let refused = [
        "SELECT * FROM read_csv('/etc/passwd')".to_string(),
        format!(
            "SELECT * FROM read_csv({})",
            literal(&dir.path().join("other.csv"))
        ),
        format!(
            "COPY (SELECT 1) TO {} (FORMAT csv)",
            literal(&data.join("x.csv"))
        ),
        format!(
            "COPY (SELECT 1 AS user_id) TO {} (FORMAT csv)",
            literal(&data.join("users.csv"))
        ),
        format!(
            "COPY (SELECT 1) TO {} (FORMAT csv)",
            literal(&data.join("events/c.csv"))
        ),
        format!(
            "ATTACH {} AS other",
            literal(&dir.path().join("other.duckdb"))
        ),
        format!(
            "COPY (SELECT 1) TO {} (FORMAT csv)",
            literal(&std::env::temp_dir().join("segql-x.csv"))
        ),
        "COPY (SELECT 1) TO '.tmp/x.csv' (FORMAT csv)".to_string(),
        "INSTALL httpfs".to_string(),
        "LOAD httpfs".to_string(),
        "SET enable_external_access = true".to_string(),
        "SET lock_configuration = false".to_string(),
        "SET allowed_directories = ['/']".to_string(),
        "RESET allowed_paths".to_string(),
    ];
    let before = std::fs::read(data.join("users.csv")).unwrap();
    std::fs::write(dir.path().join("other.csv"), "a\n1\n").unwrap();
    for sql in &refused {
        let result = engine
            .execute(sql)
            .or_else(|_| engine.rows(sql).map(|_| ()));
        assert!(result.is_err(), "not refused: {sql}");
    }
    assert_eq!(std::fs::read(data.join("users.csv")).unwrap(), before);
    assert!(!data.join("x.csv").exists());
    assert!(!data.join("events/c.csv").exists());
    assert!(!dir.path().join("other.duckdb").exists());
    // DuckDB may spill to disk in a directory of the engine's own, nowhere else.
    let spill = engine.spill_directory().unwrap().to_path_buf();
    assert_eq!(
        engine
            .first_column("SELECT current_setting('allowed_directories')")
            .unwrap(),
        [Some(format!("[{}/]", spill.display()))]
    );
    // Still usable afterwards.
    assert_eq!(engine.count("SELECT count(*) FROM app.users").unwrap(), 2);
    drop(engine);
    assert!(!spill.exists(), "the spill directory goes with the engine");
}

#[test]
fn a_text_of_several_statements_is_refused_before_duckdb_runs_any() {
    let dir = project();
    let engine = Engine::in_memory().unwrap();
    let written = dir.path().join("written.csv");
    let copy = format!("COPY (SELECT 1 AS x) TO {} (FORMAT csv)", literal(&written));
    // The duckdb crate's prepare runs every statement but the last: what the runner
    // guards against.
    let raw = duckdb::Connection::open_in_memory().unwrap();
    let before = written.exists();
    let _ = raw.prepare(&format!("{copy}; SELECT 1"));
    assert!(
        !before && written.exists(),
        "the duckdb crate ran the first statement"
    );
    std::fs::remove_file(&written).unwrap();

    for sql in [
        format!("{copy}; SELECT 1"),
        format!("SELECT 1; {copy}"),
        format!("SELECT 1 -- x\n; {copy}"),
        format!("SELECT $$x$$; {copy}"),
        format!("SELECT E'\\''; {copy}; --'"),
    ] {
        let e = engine.execute(&sql).unwrap_err();
        assert!(e.message.contains("[E0706]"), "{e}");
        let e = engine.rows(&sql).unwrap_err();
        assert!(e.message.contains("[E0706]"), "{e}");
        assert!(!written.exists(), "ran a statement of {sql}");
    }
    // A compiled query that closes segql's wrapper and starts another statement.
    let e = engine
        .rows(&format!("SELECT 1) AS x; {copy}; SELECT * FROM (SELECT 1"))
        .unwrap_err();
    assert!(e.message.contains("[E0706]"), "{e}");
    assert!(!written.exists());
    // One statement, even ending in `;`, runs.
    assert_eq!(engine.count("SELECT 42;").unwrap(), 42);
    engine.execute(&format!("{copy};")).unwrap();
    assert!(written.exists());
}

#[test]
fn keys_of_an_entity_are_checked_distinct_and_non_null() {
    let dir = project();
    std::fs::write(
        dir.path().join("data/users.csv"),
        "user_id,plan\nu1,pro\nu1,free\nu2,free\n,pro\nu2,x\nu2,y\n",
    )
    .unwrap();
    let p = program(CATALOG);
    let engine = Engine::in_memory().unwrap();
    let problems = engine.bind(&p.catalog, &bindings(), dir.path());
    let texts: Vec<String> = problems
        .iter()
        .map(|p| format!("[{}] {p}", p.code))
        .collect();
    assert_eq!(
        texts,
        [
            "[E0702] app.users (data/users.csv), column `user_id`: 2 values of the key `user_id` appear more than once (first: 'u1', in 2 rows)\n  hint: an entity's table holds one row per key: remove the duplicates, or bind a table that has one row per key",
            "[E0702] app.users (data/users.csv), column `user_id`: 1 row has no `user_id` (null)\n  hint: every row of an entity's table needs its key: fill it in or leave the row out",
        ]
    );
}

#[test]
fn every_file_of_a_glob_is_checked() {
    let dir = project();
    std::fs::write(
        dir.path().join("data/events/b.csv"),
        "user_id,event_name,occurred_at\nu1,purchase,2024-05-02 10:00:00\n",
    )
    .unwrap();
    let p = program(CATALOG);
    let engine = Engine::in_memory().unwrap();
    let problems = engine.bind(&p.catalog, &bindings(), dir.path());
    let texts: Vec<String> = problems
        .iter()
        .map(|p| format!("[{}] {p}", p.code))
        .collect();
    assert_eq!(
        texts,
        ["[E0701] app.events (data/events/b.csv), column `amount`: this file has no such column\n  hint: every file `data/events/*.csv` matches must hold the catalog's columns; fix or move this file"]
    );
}
