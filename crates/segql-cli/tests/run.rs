//! The commands past `check` and `fmt`, end to end: `init`, `compile`, `dialects`,
//! `run`, `preview`, `test` and `graph`, on temporary projects whose data are small
//! CSV files (and a DuckDB database). Outputs are snapshotted in insta-cmd's format with
//! the temporary directory shown as `[TEMP]` and timings as `[TIME]`; every `run` and
//! `compile` is given `--as-of`, so that relative windows do not move with the clock.
//! `compile` and `dialects` are in run/compile.rs, `test` in testing.rs, data that does
//! not fit the catalog in run_data.rs, signals (Ctrl-C, SIGTERM, SIGKILL) in signals.rs;
//! the shop they share in common/run_shop.rs.
//!
//! Besides the outputs, the tests check what a user cannot see in them: exit codes,
//! files written (and read back), and data files left byte for byte as they were.

#[macro_use]
mod common;
#[path = "run/compile.rs"]
mod compile;
#[path = "common/run_shop.rs"]
mod run_shop;

use common::{code, stderr, stdout, without_timings, Project};
use run_shop::*;

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
    let tmp = tempfile::tempdir().unwrap();
    let mut child = p
        .segql(&args(&at(&["run", "-s", "paying", "--format", "csv"])))
        .env("TMPDIR", tmp.path())
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
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(
        left.is_empty(),
        "DuckDB's spill directory goes too: {left:?}"
    );
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
