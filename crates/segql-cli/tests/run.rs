//! The commands past `check` and `fmt`, end to end: `init`, `compile`, `dialects`,
//! `run`, `preview`, `test` and `graph`, on temporary projects whose data are small
//! CSV files (and a DuckDB database). Outputs are snapshotted in insta-cmd's format with
//! the temporary directory shown as `[TEMP]` and timings as `[TIME]`; every `run` and
//! `compile` is given `--as-of`, so that relative windows do not move with the clock.
//! Signals (Ctrl-C, SIGTERM, SIGKILL) are in signals.rs.
//!
//! Besides the outputs, the tests check what a user cannot see in them: exit codes,
//! files written (and read back), and data files left byte for byte as they were.

#[macro_use]
mod common;

use common::{code, stderr, stdout, without_timings, Project};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

const AS_OF: &str = "2024-06-01";

// ---------------------------------------------------------------------------------------
// The project most tests run on: a shop's users and events, as CSV files
// ---------------------------------------------------------------------------------------

const CATALOG: &str = "\
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

const SEGMENTS: &str = "\
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

const TESTS: &str = "\
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

const USERS_CSV: &str = "\
user_id,plan,country,age
u1,pro,FR,34
u2,free,FR,27
u3,business,DE,45
u4,trial,DE,19
u5,pro,US,52
";

const EVENTS_CSV: &str = "\
user_id,event_name,occurred_at,amount
u1,login,2024-05-01 09:00:00,
u1,purchase,2024-05-20 10:00:00,49.90
u3,purchase,2024-04-11 15:30:00,19.90
u5,purchase,2024-05-25 12:00:00,99.00
u4,login,2024-05-03 12:00:00,
";

/// The rows `given events from "tests/events.csv"` reads.
const TEST_EVENTS_CSV: &str = "\
user_id,event_name,occurred_at,amount
a,purchase,2024-05-20 10:00:00,10.00
b,purchase,2024-01-20 10:00:00,10.00
b,login,2024-05-30 10:00:00,
";

const BINDINGS: &str = "\
\"app.users\" = \"data/users.csv\"
\"app.events\" = \"data/events.csv\"
";

/// The shop with its data bound as `bindings` (the body of `[bindings]`) says.
fn shop_bound(bindings: &str) -> Project {
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

fn shop() -> Project {
    shop_bound(BINDINGS)
}

/// `segql ARGS --as-of 2024-06-01 --color never`.
fn at(args: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    v.extend(["--as-of", AS_OF, "--color", "never"].map(String::from));
    v
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// An in-memory DuckDB, to make data with and to read outputs back.
fn duckdb() -> duckdb::Connection {
    duckdb::Connection::open_in_memory().expect("DuckDB")
}

/// Every row of a query, each value as text (NULL as `null`).
fn query(conn: &duckdb::Connection, sql: &str) -> Vec<Vec<String>> {
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

fn quoted(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "''"))
}

/// A fingerprint of every file below `dir` (by relative path): its length and a hash
/// of its bytes (`DefaultHasher::new()` hashes alike within a process).
fn fingerprints(dir: &Path) -> BTreeMap<String, (u64, u64)> {
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

#[test]
fn timings_are_taken_out_of_snapshots() {
    assert_eq!(
        without_timings("as of 2024-06-01T00:00:00Z, in 0.31 s\n(2 segments, 12.5 s)"),
        "as of 2024-06-01T00:00:00Z, in [TIME] s\n(2 segments, [TIME] s)"
    );
    assert_eq!(
        without_timings("took     0.033 s\n<testcase time=\"0.403\">"),
        "took     [TIME] s\n<testcase time=\"[TIME]\">"
    );
    // Not durations: versions, figures in data, a figure before another word.
    assert_eq!(
        without_timings("v1.2 s1.5 s, 49.90 | 0.5 sec 43.666666666666664"),
        "v1.2 s1.5 s, 49.90 | 0.5 sec 43.666666666666664"
    );
}

// ---------------------------------------------------------------------------------------
// init
// ---------------------------------------------------------------------------------------

#[test]
fn init_creates_a_project_that_passes_every_command() {
    let p = Project::empty();
    let out = run_snapshot!(p, p.segql(&["init", "demo"]));
    assert_eq!(code(&out), 0);
    assert_eq!(
        p.listing(),
        [
            "demo/.gitignore",
            "demo/catalog.seg",
            "demo/data/events.csv",
            "demo/data/users.csv",
            "demo/segments/segments.seg",
            "demo/segql.toml",
        ]
    );
    // segql's state is ignored by git.
    assert!(p.read("demo/.gitignore").lines().any(|l| l == ".segql/"));
    assert!(p.read("demo/segql.toml").contains("name = \"demo\""));

    let out = run_snapshot!(p, p.segql(&["check", "--color", "never", "demo"]));
    assert_eq!(code(&out), 0);
    let out = run_snapshot!(p, p.segql(&["fmt", "--check", "demo"]));
    assert_eq!(code(&out), 0, "init writes canonical files");
    // The asserts run on the sample data at the current time; they hold at any time.
    let out = run_snapshot!(p, p.segql(&["test", "--color", "never", "demo"]));
    assert_eq!(code(&out), 0);
    assert!(stderr(&out).contains("3 checks: 3 passed, 0 failed"));
    // From inside the project, as its `next:` lines suggest.
    let out = run_snapshot!(p, p.segql_in("demo", &args(&at(&["run"]))));
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("segment french_payers (2 rows)"));
    let out = run_snapshot!(p, p.segql_in("demo", &["graph", "--format", "mermaid"]));
    assert_eq!(code(&out), 0);
    // A snapshot records into the state segql.toml names, which git ignores.
    let out = p
        .segql_in("demo", &["snapshot", "--as-of", AS_OF])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(p.path("demo/.segql/state.duckdb").is_file());
}

#[test]
fn init_names_the_project_after_its_directory() {
    let p = Project::empty();
    std::fs::create_dir(p.path("My Segments")).unwrap();
    let out = run_snapshot!(p, p.segql_in("My Segments", &["init"]));
    assert_eq!(code(&out), 0);
    assert!(p
        .read("My Segments/segql.toml")
        .contains("name = \"My_Segments\""));
    let out = p
        .segql_in("My Segments", &["check", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn init_never_overwrites_a_project() {
    let p = Project::empty();
    assert_eq!(code(&p.segql(&["init", "demo"]).output().unwrap()), 0);
    p.write("demo/catalog.seg", "# mine\n");
    let before = fingerprints(p.dir.path());
    let out = run_snapshot!(p, p.segql(&["init", "demo"]));
    assert_eq!(code(&out), 1);
    assert_eq!(fingerprints(p.dir.path()), before, "nothing was written");
}

#[test]
fn init_never_overwrites_a_file() {
    let p = Project::empty();
    p.write("demo/data/users.csv", "id\n1\n");
    let out = run_snapshot!(p, p.segql(&["init", "demo"]));
    assert_eq!(code(&out), 1);
    assert_eq!(p.listing(), ["demo/data/users.csv"], "nothing was written");
    assert_eq!(p.read("demo/data/users.csv"), "id\n1\n");
}

#[test]
fn init_into_a_file() {
    let p = Project::empty();
    p.write("notes", "mine\n");
    let out = run_snapshot!(p, p.segql(&["init", "notes"]));
    assert_eq!(code(&out), 1);
    assert_eq!(p.listing(), ["notes"]);
}

// ---------------------------------------------------------------------------------------
// compile and dialects
// ---------------------------------------------------------------------------------------

#[test]
fn compile_one_segment_for_duckdb() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&["compile", "-d", "duckdb", "-s", "paying"])))
    );
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).starts_with("-- segment paying, duckdb, as of 2024-06-01T00:00:00Z\n"));
}

#[test]
fn compile_one_segment_for_postgres() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "compile",
            "--dialect",
            "postgres",
            "--select",
            "buyers"
        ])))
    );
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("TIMESTAMP '2024-06-01 00:00:00'"));
}

#[test]
fn compile_for_every_dialect() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&["compile", "-d", "all", "-s", "french"])))
    );
    assert_eq!(code(&out), 0);
    let headers: Vec<String> = stdout(&out)
        .lines()
        .filter(|l| l.starts_with("-- "))
        .map(String::from)
        .collect();
    let dialects = [
        "duckdb",
        "postgres",
        "redshift",
        "snowflake",
        "bigquery",
        "databricks",
        "clickhouse",
        "trino",
    ];
    assert_eq!(
        headers,
        dialects.map(|d| format!("-- segment french, {d}, as of 2024-06-01T00:00:00Z"))
    );
}

#[test]
fn compile_several_dialects_named_once_each() {
    let p = shop();
    let out = p
        .segql(&args(&at(&[
            "compile",
            "-d",
            "duckdb,postgres",
            "-d",
            "duckdb",
            "-s",
            "french",
        ])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out).matches("-- segment french").count(), 2);
}

#[test]
fn compile_a_batch() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "compile",
            "-d",
            "duckdb",
            "--batch",
            "-s",
            "paying,buyers"
        ])))
    );
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("AS paying") && stdout(&out).contains("AS buyers"));
}

#[test]
fn compile_a_batch_of_what_is_not_one() {
    let p = shop();
    // A report is not a segment.
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "compile", "-d", "duckdb", "--batch", "-s", "paying", "-s", "overview"
        ])))
    );
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty());
    // Segments of two entities are two statements.
    p.write(
        "segments/accounts.seg",
        "entity account {\n  table app.accounts\n  key account_id\n  columns {\n    industry string\n  }\n}\n\n\
         segment software of account {\n  where industry = \"software\"\n}\n",
    );
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&["compile", "-d", "duckdb", "--batch"])))
    );
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("1 of account and 3 of user"),
        "{}",
        stderr(&out)
    );
    // One entity's segments are one.
    let out = p
        .segql(&args(&at(&[
            "compile", "-d", "duckdb", "--batch", "-s", "software",
        ])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn compile_a_report_a_split_and_a_priority_list() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "compile",
            "-d",
            "duckdb",
            "-s",
            "overview,pricing_test,stage"
        ])))
    );
    assert_eq!(code(&out), 0);
    for header in [
        "-- report overview",
        "-- split pricing_test",
        "-- priority stage",
    ] {
        assert!(stdout(&out).contains(header), "{header}");
    }
}

#[test]
fn compile_into_a_directory() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "compile",
            "-d",
            "duckdb,postgres",
            "-s",
            "paying,overview",
            "--out",
            "sql"
        ])))
    );
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).is_empty(), "the SQL goes to the files");
    let written: Vec<String> = p
        .listing()
        .into_iter()
        .filter(|f| f.starts_with("sql/"))
        .collect();
    assert_eq!(
        written,
        [
            "sql/duckdb/overview.sql",
            "sql/duckdb/paying.sql",
            "sql/postgres/overview.sql",
            "sql/postgres/paying.sql",
        ]
    );
    // Each file holds what `compile` prints for that segment and dialect alone.
    for (dialect, name) in [("duckdb", "paying"), ("postgres", "overview")] {
        let printed = p
            .segql(&args(&at(&["compile", "-d", dialect, "-s", name])))
            .output()
            .unwrap();
        assert_eq!(
            p.read(&format!("sql/{dialect}/{name}.sql")),
            stdout(&printed)
        );
    }
}

#[test]
fn compile_an_unknown_segment() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&["compile", "-d", "duckdb", "-s", "payng"])))
    );
    assert_eq!(code(&out), 2, "a bad command line");
    assert!(stderr(&out).contains("did you mean `paying`?"));
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&["compile", "-d", "duckdb", "-s", "churned"])))
    );
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).is_empty());
}

#[test]
fn compile_for_an_unknown_dialect() {
    let p = shop();
    let out = run_snapshot!(p, p.segql(&args(&at(&["compile", "-d", "postgress"]))));
    assert_eq!(code(&out), 2, "a bad command line");
    assert!(stderr(&out).contains("did you mean `postgres`?"));
    let out = run_snapshot!(p, p.segql(&args(&at(&["compile", "-d", "oracle"]))));
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).is_empty());
}

#[test]
fn compile_needs_a_dialect_and_a_valid_instant() {
    let p = shop();
    let out = run_snapshot!(p, p.segql(&["compile"]));
    assert_eq!(code(&out), 2, "a bad command line");
    let out = run_snapshot!(
        p,
        p.segql(&["compile", "-d", "duckdb", "--as-of", "yesterday"])
    );
    assert_eq!(code(&out), 2, "a bad --as-of is a bad command line");
}

/// A project with a mistake in one file: every command past `fmt` refuses it.
fn broken_shop() -> Project {
    let p = shop();
    p.write(
        "segments/broken.seg",
        "segment big_spenders {\n  where sum(amount) of \"purchase\" >= \"lots\"\n}\n",
    );
    p
}

#[test]
fn compile_a_project_with_errors() {
    let p = broken_shop();
    let out = run_snapshot!(p, p.segql(&args(&at(&["compile", "-d", "duckdb"]))));
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty(), "no SQL for a project with errors");
}

#[test]
fn dialects() {
    let p = Project::empty();
    let out = run_snapshot!(p, p.segql(&["dialects"]));
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("duckdb      executed"));
}

// ---------------------------------------------------------------------------------------
// run
// ---------------------------------------------------------------------------------------

#[test]
fn run_everything_as_tables() {
    let p = shop();
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    for title in [
        "segment paying (3 rows)",
        "segment french (2 rows)",
        "segment buyers (2 rows)",
        "report overview (2 rows)",
        "split pricing_test (3 rows)",
        "priority stage (4 rows)",
    ] {
        assert!(text.contains(title), "{title}");
    }
}

#[test]
fn run_selected_segments_as_csv() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "run",
            "-s",
            "paying,buyers",
            "--format",
            "csv"
        ])))
    );
    assert_eq!(code(&out), 0);
    assert_eq!(
        stdout(&out),
        "result,user_id\nsegment paying,u1\nsegment paying,u3\nsegment paying,u5\nsegment buyers,u1\nsegment buyers,u5\n"
    );
    // One result: no `result` column.
    let out = p
        .segql(&args(&at(&["run", "-s", "french", "--format", "csv"])))
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "user_id\nu1\nu2\n");
}

#[test]
fn run_as_json() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "run",
            "--select",
            "paying,overview",
            "--format",
            "json"
        ])))
    );
    assert_eq!(code(&out), 0);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(doc[0]["result"], "segment paying");
    assert_eq!(doc[0]["rows"].as_array().unwrap().len(), 3);
    assert_eq!(doc[1]["result"], "report overview");
    assert_eq!(
        doc[1]["columns"],
        serde_json::json!(["segment", "members", "avg_age", "avg_spend"])
    );
    assert_eq!(doc[1]["rows"][1]["segment"], "french");
    // Keys in the order of the columns, for people reading it; numbers as JSON numbers.
    assert!(
        stdout(&out)
            .contains("\"segment\": \"paying\",\n        \"members\": 3,\n        \"avg_age\""),
        "{}",
        stdout(&out)
    );
    let paying = &doc[1]["rows"][0];
    assert!(paying["members"].is_u64(), "{paying}");
    assert!(paying["avg_age"].is_number(), "{paying}");
    // A decimal keeps the engine's digits, trailing zeros too (a float would be 24.95).
    assert!(
        stdout(&out).contains("\"avg_spend\": 24.950000\n"),
        "{}",
        stdout(&out)
    );
    // Keys stay strings even when they look like numbers.
    assert!(doc[0]["rows"][0]["user_id"].is_string());
    // JSON Lines: one object per row of every result, named.
    let out = p
        .segql(&args(&at(&[
            "run",
            "--select",
            "paying,overview",
            "--format",
            "jsonl",
        ])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 3 + 2, "3 members and 2 report rows");
    assert_eq!(
        lines[0],
        serde_json::json!({"result": "segment paying", "user_id": "u1"})
    );
    assert_eq!(lines[3]["result"], "report overview");
    assert_eq!(lines[3]["members"], 3);
}

#[test]
fn run_with_traits() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&["run", "-s", "buyers", "--with", "traits"])))
    );
    assert_eq!(code(&out), 0);
    // The trait's sum is a decimal, printed exactly.
    assert!(stdout(&out).contains("| u1      | 49.900000000 |"));
}

#[test]
fn run_a_report() {
    let p = shop();
    let out = run_snapshot!(p, p.segql(&args(&at(&["run", "-s", "overview"]))));
    assert_eq!(code(&out), 0);
}

#[test]
fn run_a_split_and_a_priority_list() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "run",
            "-s",
            "pricing_test,stage",
            "--format",
            "json"
        ])))
    );
    assert_eq!(code(&out), 0);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc[0]["columns"],
        serde_json::json!(["user_id", "split_group"])
    );
    assert_eq!(doc[1]["columns"], serde_json::json!(["user_id", "segment"]));
}

#[test]
fn run_as_csv_needs_results_of_one_shape() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "run", "-s", "paying", "-s", "overview", "--format", "csv"
        ])))
    );
    assert_eq!(code(&out), 2, "refused as a command line, before running");
    assert!(stdout(&out).is_empty());
}

#[test]
fn run_an_unknown_segment() {
    let p = shop();
    let out = run_snapshot!(p, p.segql(&args(&at(&["run", "-s", "frech"]))));
    assert_eq!(code(&out), 2, "a bad command line");
    assert!(stderr(&out).contains("did you mean `french`?"));
}

/// `--select` takes one value (repeat it or use commas): the project path after it is
/// the project, not another name (issue 16).
#[test]
fn run_select_then_the_project_path() {
    let p = shop();
    let out = p
        .segql_in(
            "data",
            &args(&at(&["run", "--select", "paying", "..", "--format", "csv"])),
        )
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("paying: "), "{}", stderr(&out));
    let out = p
        .segql_in(
            "data",
            &args(&at(&[
                "run", "-s", "paying", "-s", "french", "..", "--format", "summary",
            ])),
        )
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("french: "), "{}", stderr(&out));
}

#[test]
fn run_a_project_with_errors() {
    let p = broken_shop();
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty());
}

#[test]
fn run_into_a_parquet_file() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "run",
            "-s",
            "paying,buyers",
            "-o",
            "out.parquet"
        ])))
    );
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).is_empty(), "the members go to the file");
    let rows = query(
        &duckdb(),
        &format!(
            "SELECT * FROM read_parquet({})",
            quoted(&p.path("out.parquet"))
        ),
    );
    let expected = [
        ["segment paying", "u1"],
        ["segment paying", "u3"],
        ["segment paying", "u5"],
        ["segment buyers", "u1"],
        ["segment buyers", "u5"],
    ];
    assert_eq!(rows, expected.map(|r| r.map(String::from).to_vec()));
    // A report keeps its column types in parquet.
    let out = p
        .segql(&args(&at(&[
            "run",
            "-s",
            "overview",
            "-o",
            "report.parquet",
        ])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let types = query(
        &duckdb(),
        &format!(
            "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet({}))",
            quoted(&p.path("report.parquet"))
        ),
    );
    assert_eq!(types[0], ["segment", "VARCHAR"]);
    assert_eq!(types[1], ["members", "BIGINT"]);
    assert!(!p.listing().iter().any(|f| f.contains(".tmp")));
}

#[test]
fn run_into_csv_and_json_files() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "run",
            "-s",
            "pricing_test",
            "--output",
            "split.csv"
        ])))
    );
    assert_eq!(code(&out), 0);
    assert_eq!(
        p.read("split.csv"),
        "user_id,split_group\nu1,variant\nu3,variant\nu5,control\n"
    );
    let out = p
        .segql(&args(&at(&[
            "run",
            "-s",
            "overview",
            "-o",
            "overview.json",
        ])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: serde_json::Value =
        serde_json::from_str(&p.read("overview.json")).expect("a .json file is one document");
    assert_eq!(doc.as_array().unwrap().len(), 2);
    assert_eq!(doc[0]["segment"], "paying");
    assert_eq!(doc[0]["members"], 3);
    let out = p
        .segql(&args(&at(&[
            "run",
            "-s",
            "overview",
            "-o",
            "overview.jsonl",
        ])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = p
        .read("overview.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "one row a line");
}

#[test]
fn run_into_a_file_that_cannot_be_written() {
    let p = shop();
    let before = p.listing();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&["run", "-s", "paying", "-o", "members.xlsx"])))
    );
    assert_eq!(code(&out), 1);
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "run",
            "-s",
            "paying",
            "-o",
            "out/members.csv"
        ])))
    );
    assert_eq!(code(&out), 1);
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "run", "-s", "paying", "-s", "overview", "-o", "both.csv"
        ])))
    );
    assert_eq!(code(&out), 2, "refused as a command line, before running");
    assert_eq!(p.listing(), before, "nothing written, nothing left behind");
}

#[test]
fn run_never_writes_over_its_own_data() {
    let p = shop();
    let before = fingerprints(p.dir.path());
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&["run", "-s", "paying", "-o", "data/users.csv"])))
    );
    assert_eq!(code(&out), 1);
    assert_eq!(fingerprints(p.dir.path()), before);
}

#[test]
fn run_a_segment_that_fails_on_the_data() {
    let p = shop();
    p.write(
        "segments/numeric.seg",
        "segment numeric_country {\n  where sql \"CAST(country AS INTEGER) > 1\"\n}\n",
    );
    let out = run_snapshot!(p, p.segql(&args(&at(&["run", "-s", "numeric_country"]))));
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("error[E0705]: computing numeric_country: Conversion Error"),
        "{err}"
    );
    assert!(
        !err.contains("CREATE TEMP TABLE"),
        "segql's own SQL is not shown: {err}"
    );
}

#[test]
fn run_into_a_pipe_closed_early() {
    // `segql run --format csv | head -1`: many more rows than a pipe holds.
    let p = shop();
    let mut users = String::from("user_id,plan,country,age\n");
    for i in 0..50_000 {
        users.push_str(&format!("user{i:06},pro,FR,30\n"));
    }
    p.write("data/users.csv", &users);
    let mut child = p
        .segql(&args(&at(&["run", "-s", "paying", "--format", "csv"])))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    assert_eq!(&first, b"user_id\nuser0000");
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(!err.contains("internal error"), "not a bug: {err}");
    assert_eq!(
        out.status.code(),
        Some(141),
        "as if killed by SIGPIPE: {err}"
    );
}

/// `segql run` on the shop with these bindings: exit 1, nothing on stdout, and a
/// diagnostic naming each of `expected` (the binding, the path, the column).
fn run_fails_naming(p: &Project, out: &Output, expected: &[&str]) {
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

#[test]
fn run_with_a_binding_to_a_missing_file() {
    let p =
        shop_bound("\"app.users\" = \"data/userz.csv\"\n\"app.events\" = \"data/events.csv\"\n");
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(
        &p,
        &out,
        &["[E0701]", "`app.users`", "data/userz.csv", "segql.toml:5"],
    );
}

#[test]
fn run_with_a_glob_that_matches_nothing() {
    let p = shop_bound(
        "\"app.users\" = \"data/users.csv\"\n\"app.events\" = \"data/events/*.parquet\"\n",
    );
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(
        &p,
        &out,
        &["`app.events`", "data/events/*.parquet", "matches no file"],
    );
}

#[test]
fn run_with_a_corrupt_parquet_file() {
    let p = shop_bound("\"app.users\" = \"data/users.csv\"\n\"app.events\" = \"data/x.parquet\"\n");
    p.write_bytes(
        "data/x.parquet",
        b"these are not the bytes of a parquet file\n",
    );
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(
        &p,
        &out,
        &["`app.events`", "data/x.parquet", "cannot read it"],
    );
}

/// A glob whose second file is no parquet: the problem names that file, and no column
/// (it has none to name).
#[test]
fn run_with_a_corrupt_file_in_a_glob() {
    let p =
        shop_bound("\"app.users\" = \"data/users.csv\"\n\"app.events\" = \"data/ev/*.parquet\"\n");
    std::fs::create_dir_all(p.path("data/ev")).unwrap();
    duckdb()
        .execute_batch(&format!(
            "COPY (SELECT * FROM read_csv('{}')) TO '{}' (FORMAT parquet)",
            p.path("data/events.csv").display(),
            p.path("data/ev/a.parquet").display()
        ))
        .unwrap();
    p.write_bytes("data/ev/b.parquet", b"not the bytes of a parquet file\n");
    let out = p.segql(&args(&at(&["run"]))).output().unwrap();
    run_fails_naming(
        &p,
        &out,
        &["`app.events`", "data/ev/b.parquet", "cannot read it"],
    );
    assert!(!stderr(&out).contains("column ``"), "{}", stderr(&out));
}

#[test]
fn run_with_a_csv_file_missing_a_column() {
    let p = shop();
    p.write("data/users.csv", "user_id,plan,age\nu1,pro,34\n");
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(
        &p,
        &out,
        &[
            "`app.users`",
            "data/users.csv",
            "column `country`",
            "no such column",
        ],
    );
}

/// An unterminated quote leaves DuckDB's sniffer without a delimiter: the file is read
/// as one column named after its whole header. One problem says so, not one "no such
/// column" per catalog column listing the very columns it says are missing.
#[test]
fn run_with_a_csv_file_it_cannot_split() {
    let p = shop();
    p.write(
        "data/users.csv",
        "user_id,plan,country,age\nu1,pro,FR,34\nu2,\"free\nu3,pro,DE,29\n",
    );
    let out = p.segql(&args(&at(&["run"]))).output().unwrap();
    run_fails_naming(
        &p,
        &out,
        &[
            "`app.users`",
            "data/users.csv",
            "read as one column `user_id,plan,country,age`",
            "unterminated quote",
        ],
    );
    assert!(!stderr(&out).contains("no such column"), "{}", stderr(&out));
}

#[test]
fn run_with_a_column_of_the_wrong_type() {
    let p = shop();
    p.write(
        "data/users.csv",
        "user_id,plan,country,age\nu1,pro,FR,thirty\n",
    );
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(
        &p,
        &out,
        &[
            "`app.users`",
            "data/users.csv",
            "column `age`",
            "int",
            "VARCHAR",
        ],
    );
}

#[test]
fn run_with_a_binding_for_an_unknown_table() {
    let p = shop_bound(&format!("{BINDINGS}\"app.user\" = \"data/users.csv\"\n"));
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(&p, &out, &["`app.user`", "did you mean `app.users`?"]);
}

#[test]
fn run_with_a_table_without_binding() {
    let p = shop_bound("\"app.users\" = \"data/users.csv\"\n");
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(
        &p,
        &out,
        &[
            "`app.events`",
            "no data is bound",
            "segments/catalog.seg:11",
        ],
    );
    // The declaration is shown by its first line, not its whole block.
    assert!(!stderr(&out).contains("properties {"), "{}", stderr(&out));
}

#[test]
fn run_with_malformed_bindings() {
    let p = shop_bound(
        "\"app.users\" = { path = \"data/users.csv\", format = \"xlsx\" }\n\"app.events\" = { pth = \"data/events.csv\" }\n",
    );
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    run_fails_naming(&p, &out, &["[E0150]", "`xlsx`", "`pth`"]);
    // Each mistake once: not again as "no data is bound".
    assert_eq!(
        stderr(&out).matches("error[E0150]: ").count(),
        2,
        "{}",
        stderr(&out)
    );
}

#[test]
fn run_on_files_without_a_project() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "run",
            "segments/catalog.seg",
            "segments/shop.seg"
        ])))
    );
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("running needs a project"));
}

#[test]
fn run_reads_a_duckdb_database() {
    let p = shop_bound(
        "\"app.users\" = \"data/users.csv\"\n\"app.events\" = { duckdb = \"data/warehouse.duckdb\", table = \"main.events\" }\n",
    );
    make_warehouse(&p);
    let out = run_snapshot!(p, p.segql(&args(&at(&["run", "-s", "buyers"]))));
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("segment buyers (2 rows)"));
    // A table the database does not hold.
    p.write(
        "segql.toml",
        "name = \"shop\"\npaths = [\"segments\"]\n\n[bindings]\n\"app.users\" = \"data/users.csv\"\n\"app.events\" = { duckdb = \"data/warehouse.duckdb\", table = \"main.evnts\" }\n",
    );
    let out = run_snapshot!(p, p.segql(&args(&at(&["run", "-s", "buyers"]))));
    run_fails_naming(
        &p,
        &out,
        &[
            "`app.events`",
            "data/warehouse.duckdb",
            "`main.evnts`",
            "did you mean `main.events`?",
        ],
    );
}

/// `data/warehouse.duckdb` holding the events as `main.events`, closed again.
fn make_warehouse(p: &Project) {
    let db = p.path("data/warehouse.duckdb");
    let conn = duckdb::Connection::open(&db).unwrap();
    conn.execute_batch(&format!(
        "CREATE TABLE main.events AS SELECT * FROM read_csv({})",
        quoted(&p.path("data/events.csv"))
    ))
    .unwrap();
    conn.close().map_err(|(_, e)| e).unwrap();
}

// ---------------------------------------------------------------------------------------
// preview
// ---------------------------------------------------------------------------------------

#[test]
fn preview_a_segment() {
    let p = shop();
    let out = run_snapshot!(p, p.segql(&args(&at(&["preview", "--select", "paying"]))));
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(text.contains("size     3 of 5 users (60.0%)"));
    assert!(text.contains("| user_id | plan     | country | age |"));
}

#[test]
fn preview_a_report_is_a_mistake() {
    let p = shop();
    let out = run_snapshot!(p, p.segql(&args(&at(&["preview", "-s", "overview"]))));
    assert_eq!(code(&out), 2, "a bad command line");
    assert!(stdout(&out).is_empty());
    let out = run_snapshot!(p, p.segql(&args(&at(&["preview", "-s", "payin"]))));
    assert_eq!(code(&out), 2);
}

#[test]
fn preview_with_bad_data() {
    let p = shop();
    p.write("data/users.csv", "user_id,plan,age\nu1,pro,34\n");
    let out = run_snapshot!(p, p.segql(&args(&at(&["preview", "-s", "paying"]))));
    run_fails_naming(&p, &out, &["`app.users`", "column `country`"]);
}

// ---------------------------------------------------------------------------------------
// test
// ---------------------------------------------------------------------------------------

#[test]
fn testing_a_passing_project() {
    let p = shop();
    let out = run_snapshot!(p, p.segql(&args(&at(&["test"]))));
    assert_eq!(code(&out), 0);
    assert!(stderr(&out).contains("3 checks: 3 passed, 0 failed"));
}

const FAILING: &str = "\
test french_are_french {
  as_of 2024-06-01T00:00:00Z
  given user {
    | user_id | country |
    | \"a\"     | \"FR\"    |
    | \"b\"     | \"DE\"    |
    | \"c\"     | \"FR\"    |
  }
  expect french = [\"a\", \"b\"]
}

assert french {
  size between 5 and 10
  disjoint with paying
}
";

#[test]
fn testing_a_failing_test_and_a_failing_assert() {
    let p = shop();
    p.write("segments/failing.seg", FAILING);
    let out = run_snapshot!(p, p.segql(&args(&at(&["test"]))));
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(text.contains("FAIL  test french_are_french (segments/failing.seg:1:6)"));
    assert!(text.contains("missing    b"));
    assert!(text.contains("unexpected c"));
    assert!(text.contains("FAIL size between 5 and 10: 2 members"));
    assert!(text.contains("FAIL disjoint with paying: 1 member in both"));
    assert!(stderr(&out).contains("5 checks: 3 passed, 2 failed"));
}

#[test]
fn testing_with_github_annotations_and_fail_fast() {
    let p = shop();
    p.write("segments/failing.seg", FAILING);
    let out = p
        .segql(&args(&at(&["test", "--format", "github"])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    // The lines for people, and an annotation on each failure's declaration.
    assert!(text.contains("FAIL  test french_are_french (segments/failing.seg:1:6)"));
    assert!(
        text.contains("::error file=segments/failing.seg,line=1,col=6,endLine=1,endColumn=23,title=segql test french_are_french failed::french:%0A  missing    b%0A  unexpected c%0A"),
        "{text}"
    );
    assert!(
        text.contains("::error file=segments/failing.seg,line=12,col=1,endLine=15,endColumn=2,title=segql assert french failed::FAIL size between 5 and 10: 2 members%0AFAIL disjoint with paying: 1 member in both\n"),
        "{text}"
    );
    assert_eq!(text.matches("::error ").count(), 2, "{text}");
    // --fail-fast: the first failure stops the run; what was not run is counted.
    let out = p
        .segql(&args(&at(&["test", "--fail-fast"])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let e = stderr(&out);
    assert_eq!(stdout(&out).matches("FAIL").count(), 1, "{}", stdout(&out));
    assert!(
        e.contains("stopped at the first failure (--fail-fast): 4 checks not run"),
        "{e}"
    );
    // Passing, --fail-fast changes nothing.
    std::fs::remove_file(p.path("segments/failing.seg")).unwrap();
    let out = p
        .segql(&args(&at(&["test", "--fail-fast"])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("3 checks: 3 passed, 0 failed"));
}

/// `test --format sarif`: stdout is one SARIF 2.1.0 log, a result per failed test or
/// assert at its declaration; the lines for people go to stderr.
#[test]
fn testing_with_a_sarif_log() {
    let p = shop();
    p.write("segments/failing.seg", FAILING);
    let out = p
        .segql(&args(&at(&["test", "--format", "sarif"])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let log: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("SARIF alone on stdout");
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{log}");
    assert_eq!(results[0]["ruleId"], "segql-test");
    assert_eq!(results[1]["ruleId"], "segql-assert");
    let region = &results[1]["locations"][0]["physicalLocation"];
    assert_eq!(region["artifactLocation"]["uri"], "segments/failing.seg");
    assert_eq!(region["region"]["startLine"], 12);
    assert!(
        results[1]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("FAIL size between 5 and 10: 2 members"),
        "{log}"
    );
    assert!(
        stderr(&out).contains("FAIL  test french_are_french"),
        "{}",
        stderr(&out)
    );
    // Passing: an empty log.
    std::fs::remove_file(p.path("segments/failing.seg")).unwrap();
    let out = p
        .segql(&args(&at(&["test", "--format", "sarif"])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn one_table_out_is_checked_before_running() {
    let p = shop();
    // Segments and a report: not one table, refused before anything runs.
    for extra in [&["--output", "out.csv"][..], &["--format", "csv"][..]] {
        let mut a = vec!["run"];
        a.extend_from_slice(extra);
        let out = p.segql(&args(&at(&a))).output().unwrap();
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        let e = stderr(&out);
        assert!(
            e.contains("among them report `overview`, whose columns are its own"),
            "{e}"
        );
        assert!(!e.contains("computing"), "nothing ran: {e}");
    }
    assert!(!p.path("out.csv").exists());
    // Segments of one entity are one table.
    let out = p
        .segql(&args(&at(&[
            "run",
            "-s",
            "kind:segment",
            "--format",
            "csv",
        ])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("result,user_id\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_instant_after_the_data_is_warned_about() {
    let p = shop();
    // The shop's events end in 2024; now is long after.
    let out = p
        .segql(&["run", "-s", "buyers", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let e = stderr(&out);
    assert!(e.contains("warning[W0720]: as of "), "{e}");
    assert!(
        e.contains("after the last event in app.events (2024-"),
        "{e}"
    );
    assert!(e.contains("hint: pass --as-of 2024-"), "{e}");
    // At the data's end: no warning; a segment that reads no events: none either.
    let out = p
        .segql(&args(&at(&["run", "-s", "buyers"])))
        .output()
        .unwrap();
    assert!(!stderr(&out).contains("W0720"), "{}", stderr(&out));
    let out = p.segql(&["run", "-s", "paying"]).output().unwrap();
    assert!(!stderr(&out).contains("W0720"), "{}", stderr(&out));
}

#[test]
fn the_engine_takes_the_memory_limit() {
    let p = shop();
    // A limit no query fits in: DuckDB itself refuses, so the limit reached it.
    let out = p
        .segql(&args(&at(&[
            "--memory-limit",
            "1KB",
            "run",
            "-s",
            "paying",
        ])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("Out of Memory"), "{}", stderr(&out));
    let out = p
        .segql(&args(&at(&[
            "--memory-limit",
            "256MB",
            "--threads",
            "1",
            "run",
            "-s",
            "paying",
        ])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn testing_with_a_junit_report() {
    let p = shop();
    p.write("segments/failing.seg", FAILING);
    let out = run_snapshot!(p, p.segql(&args(&at(&["test", "--junit", "junit.xml"]))));
    assert_eq!(code(&out), 1);
    let xml = p.read("junit.xml");
    insta::assert_snapshot!(without_timings(&xml));
    // Read loosely: the counts on <testsuites>, and one <testcase> per test and assert.
    let attr = |name: &str| -> u32 {
        let tag = &xml[xml.find("<testsuites").unwrap()..];
        let tag = &tag[..tag.find('>').unwrap()];
        let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
    };
    assert_eq!(attr("tests"), 5);
    assert_eq!(attr("failures"), 2);
    assert_eq!(xml.matches("<testcase ").count(), 5);
    assert_eq!(xml.matches("<failure").count(), 2);
}

#[test]
fn testing_with_a_junit_report_nowhere() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&["test", "--junit", "reports/junit.xml"])))
    );
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty(), "nothing was run");
}

#[test]
fn testing_selected_tests_and_asserts() {
    let p = shop();
    p.write("segments/failing.seg", FAILING);
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "test",
            "--select",
            "paying_is_pro_or_business,paying"
        ])))
    );
    assert_eq!(code(&out), 0, "the failing ones are not run");
    assert!(stderr(&out).contains("2 checks: 2 passed, 0 failed"));
    // A name that is no test and no segment with asserts is a bad command line, not
    // an empty pass.
    let out = p
        .segql(&args(&at(&["test", "-s", "paying_is_pro_or_busines"])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did you mean `paying_is_pro_or_business`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn testing_a_given_file_that_is_not_there() {
    let p = shop();
    std::fs::remove_file(p.path("tests/events.csv")).unwrap();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "test",
            "-s",
            "buyers_bought_in_the_last_30_days"
        ])))
    );
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("could not run: [E0701] reading \"tests/events.csv\": no such file")
    );
    assert!(!stdout(&out).contains("LINE 1"));
}

#[test]
fn testing_a_given_file_with_a_bad_value() {
    let p = shop();
    p.write(
        "tests/events.csv",
        "user_id,event_name,occurred_at,amount\na,purchase,2024-05-20 10:00:00,lots\n",
    );
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "test",
            "-s",
            "buyers_bought_in_the_last_30_days"
        ])))
    );
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(text.contains("reading \"tests/events.csv\""), "{text}");
    assert!(text.contains("\"lots\""), "the value is named: {text}");
    assert!(
        !text.contains("Possible solutions"),
        "DuckDB's first paragraph only: {text}"
    );
}

#[test]
fn testing_asserts_on_data_that_does_not_fit() {
    let p = shop();
    p.write(
        "data/users.csv",
        "user_id,plan,country,age\nu1,pro,FR,thirty\n",
    );
    let out = run_snapshot!(p, p.segql(&args(&at(&["test"]))));
    assert_eq!(code(&out), 1);
    // The tests run on their own rows; the assert cannot.
    assert!(stdout(&out).contains("ok    test paying_is_pro_or_business"));
    assert!(stdout(&out).contains("FAIL  assert paying: the data could not be bound"));
}

#[test]
fn testing_a_project_with_errors() {
    let p = broken_shop();
    let out = run_snapshot!(p, p.segql(&args(&at(&["test"]))));
    assert_eq!(code(&out), 1);
}

// ---------------------------------------------------------------------------------------
// graph
// ---------------------------------------------------------------------------------------

#[test]
fn graph_as_dot() {
    let p = shop();
    let out = run_snapshot!(p, p.segql(&["graph"]));
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).starts_with("digraph segql {"));
}

#[test]
fn graph_as_mermaid() {
    let p = shop();
    let out = run_snapshot!(p, p.segql(&["graph", "--format", "mermaid"]));
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).starts_with("flowchart LR\n"));
}

#[test]
fn graph_of_a_project_with_errors() {
    let p = broken_shop();
    let out = run_snapshot!(p, p.segql(&["graph", "--color", "never"]));
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty());
}

// ---------------------------------------------------------------------------------------
// Sources are read, never written
// ---------------------------------------------------------------------------------------

#[test]
fn sources_are_byte_identical_after_run_preview_and_test() {
    let p = shop_bound(
        "\"app.users\" = \"data/users.csv\"\n\"app.events\" = { duckdb = \"data/warehouse.duckdb\", table = \"main.events\" }\n",
    );
    make_warehouse(&p);
    let before = fingerprints(p.dir.path());
    assert!(before.contains_key("data/warehouse.duckdb"));
    let commands: [&[&str]; 5] = [
        &["run"],
        &["run", "-s", "paying", "-o", "members.parquet"],
        &["preview", "-s", "buyers"],
        &["test"],
        &["test", "--junit", "junit.xml"],
    ];
    for c in commands {
        let out = p.segql(&args(&at(c))).output().unwrap();
        assert_eq!(code(&out), 0, "{c:?}: {}", stderr(&out));
    }
    let mut after = fingerprints(p.dir.path());
    assert!(after.remove("members.parquet").is_some());
    assert!(after.remove("junit.xml").is_some());
    // The artifacts (docs/ci.md).
    assert!(after.remove("target/manifest.json").is_some());
    assert!(after.remove("target/run_results.json").is_some());
    assert_eq!(
        after, before,
        "every source file is as it was, and nothing else was written"
    );
}
