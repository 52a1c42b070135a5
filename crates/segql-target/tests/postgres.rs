//! The client layer against a real PostgreSQL server (scripts/target-servers starts a
//! private one; scripts/test exports SEGQL_TEST_PG_URI and SEGQL_TEST_PG_PASSWORD).
//! Without a server or driver these tests print why and pass locally; in CI (CI set and
//! not false/0) they fail.

use segql_target::client::{connect, Client};
use segql_target::config::{parse, select, Target};
use segql_target::{codes, text};
use std::path::Path;
use std::sync::Once;

fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The server's URI, or `None` (with the reason printed) when the test cannot run.
fn server() -> Option<String> {
    static SET: Once = Once::new();
    SET.call_once(|| {
        // A variable holding a password the server refuses (the wrong-password test).
        std::env::set_var("SEGQL_TEST_WRONG_PASSWORD", "not-the-password-4711");
    });
    let why = match (
        std::env::var("SEGQL_TEST_PG_URI"),
        std::env::var("SEGQL_TEST_PG_PASSWORD"),
    ) {
        (Ok(u), Ok(_)) if !u.is_empty() => return Some(u),
        _ => "SEGQL_TEST_PG_URI / SEGQL_TEST_PG_PASSWORD not set (scripts/test starts a server with scripts/target-servers)",
    };
    if required() {
        panic!("CI: no PostgreSQL server: {why}");
    }
    eprintln!("skipped: {why}");
    None
}

fn target(toml: &str) -> Target {
    let (configs, problems) = parse(toml, "segql.toml", Path::new("."), false);
    assert!(problems.is_empty(), "{problems:?}");
    select(&configs, "pg").unwrap()
}

fn pg(uri: &str, password_var: &str) -> Target {
    target(&format!(
        "[targets.pg]\ntype = \"postgres\"\nuri = \"{uri}\"\npassword = {{ env = \"{password_var}\" }}\n"
    ))
}

#[test]
fn queries_come_back_as_arrow_and_read_as_duckdb_text() {
    let Some(uri) = server() else { return };
    let mut c = connect(&pg(&uri, "SEGQL_TEST_PG_PASSWORD")).unwrap();
    assert!(c.capabilities().bulk_ingest && c.capabilities().transactions);
    let r = c
        .query("SELECT CAST(1 AS BIGINT) AS a, CAST('x' AS TEXT) AS b, CAST(1.5 AS NUMERIC(38, 9)) AS c, TIMESTAMP '2024-01-01 10:00:00' AS d, CAST(NULL AS TEXT) AS e, TRUE AS f, CAST(2 AS DOUBLE PRECISION) AS g, DATE '2024-02-29' AS h")
        .unwrap();
    let (names, rows) = text::rows(&r).unwrap();
    assert_eq!(names, ["a", "b", "c", "d", "e", "f", "g", "h"]);
    let cells: Vec<Option<&str>> = rows[0].iter().map(|c| c.as_deref()).collect();
    assert_eq!(
        cells,
        [
            Some("1"),
            Some("x"),
            Some("1.500000000"),
            Some("2024-01-01 10:00:00"),
            None,
            Some("true"),
            Some("2.0"),
            Some("2024-02-29")
        ]
    );
    let info = c.info();
    assert!(info.iter().any(|(k, _)| k == "driver"), "{info:?}");
}

#[test]
fn bulk_ingest_creates_and_appends() {
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use std::sync::Arc;
    let Some(uri) = server() else { return };
    let mut c = connect(&pg(&uri, "SEGQL_TEST_PG_PASSWORD")).unwrap();
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", DataType::Utf8, false),
        Field::new("n", DataType::Int64, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec!["b", "a"])) as ArrayRef,
            Arc::new(Int64Array::from(vec![Some(2), None])) as ArrayRef,
        ],
    )
    .unwrap();
    c.execute("CREATE SCHEMA IF NOT EXISTS ingest_test")
        .unwrap();
    c.execute("DROP TABLE IF EXISTS ingest_test.t").unwrap();
    let name = vec!["ingest_test".to_string(), "t".to_string()];
    c.ingest(&name, schema.clone(), vec![batch.clone()], false, false)
        .unwrap();
    c.ingest(&name, schema, vec![batch], true, false).unwrap();
    let r = c
        .query("SELECT k, n FROM ingest_test.t ORDER BY k, n")
        .unwrap();
    let (_, rows) = text::rows(&r).unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0], [Some("a".to_string()), None]);
    let described = c.table_schema(&name).unwrap().expect("the table exists");
    assert_eq!(described.fields().len(), 2);
    assert!(c
        .table_schema(&["ingest_test".into(), "nosuch".into()])
        .unwrap()
        .is_none());
    c.execute("DROP SCHEMA ingest_test CASCADE").unwrap();
}

#[test]
fn a_wrong_password_is_e0804_and_never_shown() {
    let Some(uri) = server() else { return };
    let Err(e) = connect(&pg(&uri, "SEGQL_TEST_WRONG_PASSWORD")) else {
        panic!("connected with a wrong password");
    };
    assert_eq!(e.code, codes::AUTH, "{e}");
    let shown = e.to_string();
    assert!(shown.contains("target `pg`"), "{shown}");
    assert!(!shown.contains("not-the-password-4711"), "{shown}");
    let real = std::env::var("SEGQL_TEST_PG_PASSWORD").unwrap();
    assert!(!shown.contains(&real), "{shown}");
}

#[test]
fn a_refused_connection_is_e0803() {
    let Some(_) = server() else { return };
    // Port 1 on the loopback: nothing listens there.
    let Err(e) = connect(&pg(
        "postgresql://segql@127.0.0.1:1/analytics",
        "SEGQL_TEST_PG_PASSWORD",
    )) else {
        panic!("connected to port 1");
    };
    assert_eq!(e.code, codes::CONNECT, "{e}");
    assert!(e.to_string().contains("target `pg`"), "{e}");
    assert!(e.hint.as_deref().unwrap_or("").contains("running"), "{e}");
    let real = std::env::var("SEGQL_TEST_PG_PASSWORD").unwrap();
    assert!(!e.to_string().contains(&real), "{e}");
}

#[test]
fn a_failing_statement_is_e0805_naming_the_target() {
    let Some(uri) = server() else { return };
    let mut c = connect(&pg(&uri, "SEGQL_TEST_PG_PASSWORD")).unwrap();
    let e = c.query("SELECT * FROM no_such_relation").unwrap_err();
    assert_eq!(e.code, codes::STATEMENT, "{e}");
    assert!(e.message.contains("no_such_relation"), "{e}");
    assert!(!e.message.contains("Query was"), "{e}");
    // The connection is still usable.
    c.query("SELECT 1").unwrap();
}

#[test]
fn a_missing_driver_is_e0802_with_how_to_install() {
    // No server needed: the driver is looked for before connecting.
    let t = target(
        "[targets.pg]\ntype = \"postgres\"\nuri = \"postgresql://u@127.0.0.1:1/db\"\ndriver = \"/nonexistent/libadbc_driver_postgresql.so\"\n",
    );
    let Err(e) = connect(&t) else {
        panic!("loaded a driver that does not exist")
    };
    assert_eq!(e.code, codes::DRIVER, "{e}");
    assert!(e.message.contains("/nonexistent/"), "{e}");
    assert!(
        e.hint
            .as_deref()
            .unwrap_or("")
            .contains("adbc-driver-postgresql"),
        "{e}"
    );
}
