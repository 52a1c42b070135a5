//! SQL to schedule (issue 16): `segql compile --as-of-at-run now|param:NAME` writes an
//! as-of the engine reads when the statement runs. The statements are run here on the
//! DuckDB the runner bundles, over events placed relative to the clock, and give what
//! the literal as-of gives.

#[macro_use]
mod common;

use common::{code, stderr, stdout, Project};
use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

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

/// A relative window, a window in months (beside days: the scan's lower bound must hold
/// at any run time) and a fixed start.
const SEGMENTS: &str = "\
segment buyers {
  where did \"purchase\" in last 30 days
}

segment monthly_spenders {
  where sum(amount) of \"purchase\" in last 2 months >= 10
}

segment buyers_since_2020 {
  where did \"purchase\" since 2020-01-01
}
";

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `YYYY-MM-DD HH:MM:SS` of a Unix time, through DuckDB (UTC).
fn text_of(conn: &duckdb::Connection, secs: i64) -> String {
    conn.query_row(
        &format!("SELECT strftime(make_timestamp({secs}::BIGINT * 1000000), '%Y-%m-%d %H:%M:%S')"),
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// The project, and a DuckDB with its tables: u1 bought 5 days ago, u2 40 days ago
/// (and 50), u3 in 2019 only, u4 bought 2 days from now (not yet at any as-of here).
fn shop(conn: &duckdb::Connection) -> Project {
    let p = Project::empty();
    p.write("segql.toml", "name = \"deploy\"\n")
        .write("catalog.seg", CATALOG)
        .write("segments.seg", SEGMENTS);
    let day = 86_400;
    let now = now_secs();
    let events = [
        ("u1", now - 5 * day, "12.50"),
        ("u2", now - 40 * day, "4.00"),
        ("u2", now - 50 * day, "7.00"),
        ("u3", 1_546_300_800, "1.00"),
        ("u4", now + 2 * day, "99.00"),
    ];
    let mut sql = String::from(
        "CREATE SCHEMA app;
         CREATE TABLE app.users (user_id VARCHAR, plan VARCHAR);
         INSERT INTO app.users VALUES ('u1', 'pro'), ('u2', 'pro'), ('u3', 'free'), ('u4', 'free');
         CREATE TABLE app.events (user_id VARCHAR, event_name VARCHAR, occurred_at TIMESTAMP, amount DECIMAL(18, 2));
",
    );
    for (user, at, amount) in events {
        sql.push_str(&format!(
            "INSERT INTO app.events VALUES ('{user}', 'purchase', TIMESTAMP '{}', {amount});\n",
            text_of(conn, at)
        ));
    }
    conn.execute_batch(&sql).unwrap();
    p
}

fn compile(p: &Project, args: &[&str]) -> String {
    let mut v = vec!["compile", "--color", "never"];
    v.extend(args);
    let out = p.segql(&v).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    stdout(&out)
}

/// The user ids of each boolean column of a batch statement's result.
fn members(
    conn: &duckdb::Connection,
    sql: &str,
    params: &HashMap<&str, String>,
) -> Vec<(String, Vec<String>)> {
    let mut stmt = conn.prepare(sql.trim().trim_end_matches(';')).unwrap();
    let mut rows = stmt.query(params).unwrap();
    let mut by_column: Vec<(String, Vec<String>)> = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        let n = row.as_ref().column_count();
        if by_column.is_empty() {
            by_column = (1..n)
                .map(|i| (row.as_ref().column_name(i).unwrap().to_string(), Vec::new()))
                .collect();
        }
        let key: String = row.get(0).unwrap();
        for (i, (_, keys)) in by_column.iter_mut().enumerate() {
            let yes: Option<bool> = row.get(i + 1).unwrap();
            if yes == Some(true) {
                keys.push(key.clone());
            }
        }
    }
    for (_, keys) in &mut by_column {
        keys.sort();
    }
    by_column
}

#[test]
fn compiled_with_now_the_statement_reads_the_engine_clock() {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let p = shop(&conn);
    let at_run = compile(&p, &["-d", "duckdb", "--batch", "--as-of-at-run", "now"]);
    assert!(
        at_run.contains("make_timestamp(epoch_us(now()))"),
        "{at_run}"
    );
    let now = members(&conn, &at_run, &HashMap::new());
    assert_eq!(
        now,
        vec![
            ("buyers".to_string(), vec!["u1".to_string()]),
            // u2: 4.00 + 7.00 within two months.
            (
                "monthly_spenders".to_string(),
                vec!["u1".to_string(), "u2".to_string()]
            ),
            (
                "buyers_since_2020".to_string(),
                vec!["u1".to_string(), "u2".to_string()]
            ),
        ]
    );
    // The literal written for this second gives the same members.
    let literal = compile(
        &p,
        &["-d", "duckdb", "--batch", "--as-of", &now_secs_text(&conn)],
    );
    assert_eq!(members(&conn, &literal, &HashMap::new()), now);
}

fn now_secs_text(conn: &duckdb::Connection) -> String {
    text_of(conn, now_secs()).replace(' ', "T") + "Z"
}

#[test]
fn compiled_with_a_parameter_the_scheduler_binds_the_instant() {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let p = shop(&conn);
    let sql = compile(
        &p,
        &["-d", "duckdb", "--batch", "--as-of-at-run", "param:as_of"],
    );
    assert!(sql.contains("$as_of"), "{sql}");
    // 35 days ago: u2's purchase 40 days back is within 30 days of it, u1's is after it.
    let then = text_of(&conn, now_secs() - 35 * 86_400);
    let params = HashMap::from([("as_of", then.clone())]);
    let got = members(&conn, &sql, &params);
    assert_eq!(got[0], ("buyers".to_string(), vec!["u2".to_string()]));
    // The same as the literal of that instant.
    let literal = compile(
        &p,
        &[
            "-d",
            "duckdb",
            "--batch",
            "--as-of",
            &(then.replace(' ', "T") + "Z"),
        ],
    );
    assert_eq!(members(&conn, &literal, &HashMap::new()), got);
}

#[test]
fn a_parameter_where_the_engine_has_none_and_a_bad_flag_are_refused() {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let p = shop(&conn);
    let out = p
        .segql(&[
            "compile",
            "-d",
            "postgres",
            "-s",
            "buyers",
            "--as-of-at-run",
            "param:as_of",
            "--color",
            "never",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("E0601"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("now"),
        "the hint names `now`: {}",
        stderr(&out)
    );
    for bad in ["tomorrow", "param:1x", "param:"] {
        let out = p
            .segql(&["compile", "-d", "duckdb", "--as-of-at-run", bad])
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "a bad command line: {}", stderr(&out));
        assert!(stderr(&out).contains("--as-of-at-run"), "{}", stderr(&out));
    }
    // Postgres takes `now`.
    let out = p
        .segql(&[
            "compile",
            "-d",
            "postgres",
            "-s",
            "buyers",
            "--as-of-at-run",
            "now",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("now() AT TIME ZONE 'UTC'"),
        "{}",
        stdout(&out)
    );
}
