//! The hand-written batches of the other engines (bench/hand_batch_postgres.sql,
//! bench/hand_batch_clickhouse.sql, bench/hand_batch_spark.sql), which bench/engines.py
//! times as `hand_batch` beside
//! segql's batch, find exactly the members of segql's batch compiled for the engine's
//! dialect, segment by segment, as `the_hand_written_batch_finds_segqls_members`
//! (bench_project.rs) checks the DuckDB one: the same 3,000 generated users, the same three
//! instants, the same messages.
//!
//! Each engine is started once ([`engines::start_selected`]) and loaded the way
//! bench/engines.py loads it, so that the test runs the statements on the tables they are
//! timed on: Postgres gets tables typed from the parquet files' columns, filled from CSV
//! (DuckDB writes it, psql's `\copy` reads it), then `VACUUM ANALYZE`; ClickHouse gets
//! `MergeTree` tables created from the parquet files by its `file()` function; Spark gets
//! parquet tables saved from the files (the events without their `month` partition
//! column). Both statements are materialized (a table; a `Memory` table on ClickHouse; a
//! parquet table on Spark, where the benchmark writes to the `noop` sink) and read back. An
//! engine that is not installed is skipped with the reason printed, and fails the test in
//! CI.

use segql_plan::compile::{self, Options, Request};
use segql_tests::bench_files::{assert_same_batches, statement};
use segql_tests::engines::{self, Engine, Rows};
use segql_tests::{load_project, root};
use std::path::Path;

/// The instants of the DuckDB test, and whether every segment must have members there:
/// inside the history (later events must not count), at its end (the benchmark's
/// instant), and four days after it, where b01's idle trial users first exist.
const INSTANTS: [(&str, bool); 3] = [
    ("2025-12-20", false),
    ("2026-01-01", false),
    ("2026-01-05", true),
];

/// The three relations, as bench/engines.py names their files.
const TABLES: [(&str, &str); 3] = [
    ("users", "users.parquet"),
    ("accounts", "accounts.parquet"),
    ("events", "events/*/*.parquet"),
];

/// Loads the data into the engine as bench/engines.py does.
fn load(engine: &mut dyn Engine, data: &Path) -> Result<(), String> {
    match engine.name() {
        "postgres" => load_postgres(engine, data),
        "clickhouse" => {
            engine.execute("CREATE DATABASE IF NOT EXISTS analytics")?;
            for (table, path) in TABLES {
                engine.execute(&format!(
                    "CREATE TABLE analytics.{table} ENGINE = MergeTree ORDER BY tuple() \
                     AS SELECT * FROM file('{}/{path}', Parquet)",
                    data.display()
                ))?;
            }
            Ok(())
        }
        "spark" => {
            engine.execute("CREATE DATABASE IF NOT EXISTS analytics")?;
            for (table, path) in TABLES {
                // The events' directory, read with its partitions as bench/engines.py's
                // `spark.read.parquet` reads it, and saved without them, as it saves them.
                let (path, columns) = match path.strip_suffix("/*/*.parquet") {
                    Some(dir) => (dir, "* EXCEPT (month)"),
                    None => (path, "*"),
                };
                engine.execute(&format!(
                    "CREATE TABLE analytics.{table} USING parquet AS \
                     SELECT {columns} FROM parquet.`{}/{path}`",
                    data.display()
                ))?;
            }
            Ok(())
        }
        other => Err(format!("no hand-written batch for {other}")),
    }
}

/// Postgres: each table typed from its parquet columns (DuckDB's `DESCRIBE`, the type
/// mapping of bench/engines.py), written as CSV by DuckDB and read by psql's `\copy`.
fn load_postgres(engine: &mut dyn Engine, data: &Path) -> Result<(), String> {
    let duck = segql_run::engine::Engine::in_memory().map_err(|e| e.to_string())?;
    let mut script = String::from("CREATE SCHEMA analytics;\n");
    for (table, path) in TABLES {
        let src = format!(
            "read_parquet('{}/{path}', hive_partitioning = false)",
            data.display()
        );
        let (_, described) = duck
            .rows(&format!("DESCRIBE SELECT * FROM {src}"))
            .map_err(|e| e.to_string())?;
        let columns: Vec<String> = described
            .iter()
            .map(|r| {
                let name = r[0].clone().unwrap_or_default();
                let ty = r[1].clone().unwrap_or_default();
                let pg = match ty.as_str() {
                    "BIGINT" => "bigint".to_string(),
                    "INTEGER" => "integer".to_string(),
                    "DOUBLE" => "double precision".to_string(),
                    "BOOLEAN" => "boolean".to_string(),
                    "DATE" => "date".to_string(),
                    "TIMESTAMP" => "timestamp".to_string(),
                    "FLOAT" => "real".to_string(),
                    t if t.starts_with("DECIMAL") => format!("numeric{}", &t[7..]),
                    _ => "text".to_string(),
                };
                format!("{name} {pg}")
            })
            .collect();
        let csv = data.join(format!("{table}.csv"));
        duck.execute(&format!(
            "COPY (SELECT * FROM {src}) TO '{}' (HEADER, FORMAT csv)",
            csv.display()
        ))
        .map_err(|e| e.to_string())?;
        script.push_str(&format!(
            "CREATE TABLE analytics.{table} ({});\n\\copy analytics.{table} FROM '{}' CSV HEADER\n",
            columns.join(", "),
            csv.display()
        ));
    }
    script.push_str("VACUUM ANALYZE;\n");
    engine.execute(&script)
}

/// A statement materialized (a table; a `Memory` table on ClickHouse; a parquet table on
/// Spark), then read back: each column's name and type, and the rows by user_id.
fn materialize(engine: &mut dyn Engine, sql: &str) -> (Vec<(String, String)>, Rows) {
    let (drop, create, columns, read) = match engine.name() {
        "postgres" => (
            "DROP TABLE IF EXISTS hb_result",
            format!("CREATE TABLE hb_result AS {sql}"),
            "SELECT column_name, data_type FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = 'hb_result' ORDER BY ordinal_position",
            "SELECT * FROM hb_result",
        ),
        "clickhouse" => (
            "DROP TABLE IF EXISTS default.hb_result",
            format!("CREATE TABLE default.hb_result ENGINE = Memory AS {sql}"),
            "SELECT name, type FROM system.columns \
             WHERE database = 'default' AND table = 'hb_result' ORDER BY position",
            "SELECT * FROM default.hb_result",
        ),
        _ => (
            "DROP TABLE IF EXISTS hb_result",
            format!("CREATE TABLE hb_result USING parquet AS {sql}"),
            "DESCRIBE hb_result",
            "SELECT * FROM hb_result",
        ),
    };
    engine.execute(drop).expect("dropping the last result");
    engine
        .execute(&create)
        .unwrap_or_else(|e| panic!("{}: {e}\n{sql}", engine.name()));
    let columns = engine
        .rows(columns)
        .expect("the result's columns")
        .into_iter()
        .map(|r| {
            (
                r[0].clone().unwrap_or_default(),
                r[1].clone().unwrap_or_default(),
            )
        })
        .collect();
    let mut rows = engine.rows(read).expect("the result's rows");
    rows.sort_by(|a, b| a[0].cmp(&b[0]));
    (columns, rows)
}

/// The hand-written batch of `name` has the shape of segql's batch compiled for its dialect
/// (the same column names and types, one row per user, no NULL) and exactly its members
/// for every segment at the three instants; every segment has members at the last one.
fn hand_batch_finds_segqls_members(name: &str, file: &str) {
    let Some(mut engine) = engines::start_or_skip("hand_batch_engines", name) else {
        return;
    };
    let data = segql_tests::bench_files::generated_users();
    load(engine.as_mut(), data.path()).unwrap_or_else(|e| panic!("{name}: loading: {e}"));
    let (_, program) = load_project(&root().join("bench"));
    let ids: Vec<usize> = (0..program.segments.len()).collect();
    let text = std::fs::read_to_string(root().join(file)).expect(file);
    for (as_of, all_have_members) in INSTANTS {
        let opts = Options::literal(segql_syntax::time::parse_instant(as_of).expect("a date"));
        let ours = compile::to_sql(
            &compile::compile(&program, &Request::batch(&ids), engine.dialect(), opts)
                .expect("the batch compiles"),
        );
        let (s_cols, s_rows) = materialize(engine.as_mut(), &statement(&ours, as_of));
        let (h_cols, h_rows) = materialize(engine.as_mut(), &statement(&text, as_of));
        assert_eq!(
            h_cols, s_cols,
            "{name}, {as_of}: the hand-written batch's columns"
        );
        assert_eq!(
            s_cols.len(),
            ids.len() + 1,
            "{name}, {as_of}: the batch's columns"
        );
        let segments: Vec<String> = s_cols.iter().skip(1).map(|(n, _)| n.clone()).collect();
        assert_same_batches(
            &format!("{name}, {as_of}"),
            &segments,
            &h_rows,
            &s_rows,
            all_have_members,
        );
    }
}

#[test]
fn the_hand_written_postgres_batch_finds_segqls_members() {
    hand_batch_finds_segqls_members("postgres", "bench/hand_batch_postgres.sql");
}

#[test]
fn the_hand_written_clickhouse_batch_finds_segqls_members() {
    hand_batch_finds_segqls_members("clickhouse", "bench/hand_batch_clickhouse.sql");
}

#[test]
fn the_hand_written_spark_batch_finds_segqls_members() {
    hand_batch_finds_segqls_members("spark", "bench/hand_batch_spark.sql");
}
