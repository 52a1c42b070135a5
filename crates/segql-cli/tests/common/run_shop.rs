#![allow(dead_code)] // each suite uses its own part of it
//! The shop the command suites (run.rs, run_data.rs, testing.rs) run on: a catalog,
//! segments and tests, the users and events as small CSV files, and the helpers they
//! share (arguments with `--as-of`, reading outputs back with DuckDB, fingerprints of
//! the files, a broken variant, a DuckDB warehouse file).

use super::common::{code, stderr, stdout, Project};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

pub const AS_OF: &str = "2024-06-01";

// ---------------------------------------------------------------------------------------
// The project most tests run on: a shop's users and events, as CSV files
// ---------------------------------------------------------------------------------------

pub const CATALOG: &str = "\
entity user {
  table app.users
  key user_id
  columns {
    plan    string
    country string
    age     int
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

pub const SEGMENTS: &str = "\
segment paying {
  description \"On a paid plan\"
  where plan in [\"pro\", \"business\"]
}

segment french {
  where country = \"FR\"
}

segment buyers {
  where did \"purchase\" in last 30 days
}

trait spend = sum(amount) of \"purchase\"

report overview {
  segments [paying, french]
  metric members = count
  metric avg_age = avg(age)
  metric avg_spend = avg(spend)
}

split pricing_test of paying {
  salt \"p1\"
  group control 50%
  group variant 50%
}

priority stage {
  segments [buyers, paying, french]
}
";

pub const TESTS: &str = "\
test paying_is_pro_or_business {
  as_of 2024-06-01T00:00:00Z
  given user {
    | user_id | plan       |
    | \"a\"     | \"pro\"      |
    | \"b\"     | \"free\"     |
    | \"c\"     | \"business\" |
  }
  expect paying = [\"a\", \"c\"]
  expect pricing_test.control = [\"c\"]
  expect stage.paying = [\"a\", \"c\"]
}

test buyers_bought_in_the_last_30_days {
  as_of 2024-06-01T00:00:00Z
  given user {
    | user_id |
    | \"a\"     |
    | \"b\"     |
  }
  given events from \"tests/events.csv\"
  expect buyers = [\"a\"]
}

assert paying {
  size between 1 and 10
  subset of paying
}
";

pub const USERS_CSV: &str = "\
user_id,plan,country,age
u1,pro,FR,34
u2,free,FR,27
u3,business,DE,45
u4,trial,DE,19
u5,pro,US,52
";

pub const EVENTS_CSV: &str = "\
user_id,event_name,occurred_at,amount
u1,login,2024-05-01 09:00:00,
u1,purchase,2024-05-20 10:00:00,49.90
u3,purchase,2024-04-11 15:30:00,19.90
u5,purchase,2024-05-25 12:00:00,99.00
u4,login,2024-05-03 12:00:00,
";

/// The rows `given events from "tests/events.csv"` reads.
pub const TEST_EVENTS_CSV: &str = "\
user_id,event_name,occurred_at,amount
a,purchase,2024-05-20 10:00:00,10.00
b,purchase,2024-01-20 10:00:00,10.00
b,login,2024-05-30 10:00:00,
";

pub const BINDINGS: &str = "\
\"app.users\" = \"data/users.csv\"
\"app.events\" = \"data/events.csv\"
";

/// The shop with its data bound as `bindings` (the body of `[bindings]`) says.
pub fn shop_bound(bindings: &str) -> Project {
    let p = Project::empty();
    p.write(
        "segql.toml",
        &format!("name = \"shop\"\npaths = [\"segments\"]\n\n[bindings]\n{bindings}"),
    )
    .write("segments/catalog.seg", CATALOG)
    .write("segments/shop.seg", SEGMENTS)
    .write("segments/tests.seg", TESTS)
    .write("tests/events.csv", TEST_EVENTS_CSV)
    .write("data/users.csv", USERS_CSV)
    .write("data/events.csv", EVENTS_CSV);
    p
}

pub fn shop() -> Project {
    shop_bound(BINDINGS)
}

/// `segql ARGS --as-of 2024-06-01 --color never`.
pub fn at(args: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    v.extend(["--as-of", AS_OF, "--color", "never"].map(String::from));
    v
}

pub fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// An in-memory DuckDB, to make data with and to read outputs back.
pub fn duckdb() -> duckdb::Connection {
    duckdb::Connection::open_in_memory().expect("DuckDB")
}

/// Every row of a query, each value as text (NULL as `null`).
pub fn query(conn: &duckdb::Connection, sql: &str) -> Vec<Vec<String>> {
    let text = format!("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM ({sql})");
    let mut stmt = conn.prepare(&text).unwrap();
    let mut rows = stmt.query([]).unwrap();
    let mut out = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        let n = row.as_ref().column_count();
        out.push(
            (0..n)
                .map(|i| {
                    row.get::<_, Option<String>>(i)
                        .unwrap()
                        .unwrap_or_else(|| "null".into())
                })
                .collect(),
        );
    }
    out
}

pub fn quoted(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "''"))
}

/// A fingerprint of every file below `dir` (by relative path): its length and a hash
/// of its bytes (`DefaultHasher::new()` hashes alike within a process).
pub fn fingerprints(dir: &Path) -> BTreeMap<String, (u64, u64)> {
    use std::hash::{Hash, Hasher};
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, (u64, u64)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                let mut h = std::hash::DefaultHasher::new();
                bytes.hash(&mut h);
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, (bytes.len() as u64, h.finish()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A project with a mistake in one file: every command past `fmt` refuses it.
pub fn broken_shop() -> Project {
    let p = shop();
    p.write(
        "segments/broken.seg",
        "segment big_spenders {\n  where sum(amount) of \"purchase\" >= \"lots\"\n}\n",
    );
    p
}

/// `segql run` on the shop with these bindings: exit 1, nothing on stdout, and a
/// diagnostic naming each of `expected` (the binding, the path, the column).
pub fn run_fails_naming(p: &Project, out: &Output, expected: &[&str]) {
    assert_eq!(code(out), 1);
    assert!(stdout(out).is_empty(), "nothing is run");
    let err = stderr(out);
    for e in expected {
        assert!(err.contains(e), "`{e}` is not named:\n{err}");
    }
    assert!(
        !p.normalize(&err).contains("[TEMP]"),
        "paths are shown relative:\n{err}"
    );
    assert!(
        !err.contains("LINE 1"),
        "no excerpt of segql's own SQL:\n{err}"
    );
}

/// `data/warehouse.duckdb` holding the events as `main.events`, closed again.
pub fn make_warehouse(p: &Project) {
    let db = p.path("data/warehouse.duckdb");
    let conn = duckdb::Connection::open(&db).unwrap();
    conn.execute_batch(&format!(
        "CREATE TABLE main.events AS SELECT * FROM read_csv({})",
        quoted(&p.path("data/events.csv"))
    ))
    .unwrap();
    conn.close().map_err(|(_, e)| e).unwrap();
}
