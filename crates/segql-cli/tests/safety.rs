//! The promises of issue 11, end to end: files segql writes never replace or feed a
//! source, names DuckDB reserves work in the runner's own SQL, entity keys are checked,
//! decimals stay exact, bad values in the data are coded and named, and every setting
//! of segql.toml is checked.

#[macro_use]
mod common;

use common::{code, stderr, stdout, Project};

const AS_OF: &str = "2024-06-01";

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

const SEGMENTS: &str = "\
trait spend = sum(amount) of \"purchase\"

segment low {
  where ntile(2) of spend = 1
}

segment exact {
  where spend = 0.3
}

segment paying {
  where plan = \"pro\"
}
";

/// The minimal case: a spends 0.1 + 0.2, b spends 0.3.
const USERS_CSV: &str = "user_id,plan\na,pro\nb,free\n";
const EVENTS_CSV: &str = "\
user_id,event_name,occurred_at,amount
a,purchase,2024-05-01 10:00:00,0.1
a,purchase,2024-05-02 10:00:00,0.2
b,purchase,2024-05-03 10:00:00,0.3
";

const TESTS: &str = "\
test exact_decimals_from_a_file {
  as_of 2024-06-01T00:00:00Z
  given user {
    | user_id |
    | \"a\"     |
    | \"b\"     |
  }
  given events from \"tests/events.csv\"
  expect low = [\"a\"]
  expect exact = [\"a\", \"b\"]
}

test exact_decimals_inline {
  as_of 2024-06-01T00:00:00Z
  given user {
    | user_id |
    | \"a\"     |
    | \"b\"     |
  }
  given events {
    | user_id | event_name | occurred_at          | amount |
    | \"a\"     | \"purchase\" | 2024-05-01T10:00:00Z | 0.1    |
    | \"a\"     | \"purchase\" | 2024-05-02T10:00:00Z | 0.2    |
    | \"b\"     | \"purchase\" | 2024-05-03T10:00:00Z | 0.3    |
  }
  expect low = [\"a\"]
  expect exact = [\"a\", \"b\"]
}

assert exact {
  size between 2 and 2
}
";

fn shop(bindings: &str) -> Project {
    let p = Project::empty();
    p.write(
        "segql.toml",
        &format!("name = \"shop\"\npaths = [\"segments\"]\n\n[bindings]\n{bindings}"),
    )
    .write("segments/catalog.seg", CATALOG)
    .write("segments/shop.seg", SEGMENTS)
    .write("segments/tests.seg", TESTS)
    .write("tests/events.csv", EVENTS_CSV)
    .write("data/users.csv", USERS_CSV)
    .write("data/events.csv", EVENTS_CSV);
    p
}

const BINDINGS: &str = "\"app.users\" = \"data/users.csv\"\n\"app.events\" = \"data/events.csv\"\n";

fn at(args: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    v.extend(["--as-of", AS_OF, "--color", "never"].map(String::from));
    v
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn run(p: &Project, a: &[&str]) -> std::process::Output {
    p.segql(&args(&at(a))).output().unwrap()
}

// ---------------------------------------------------------------------------------------
// Decimals
// ---------------------------------------------------------------------------------------

#[test]
fn decimals_are_exact_in_run_test_and_asserts() {
    let p = shop(BINDINGS);
    let out = run(&p, &["run", "-s", "low,exact", "--format", "csv"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "result,user_id\nsegment low,a\nsegment exact,a\nsegment exact,b\n",
        "a's 0.1 + 0.2 is exactly b's 0.3: a tie, broken by key"
    );
    let out = run(&p, &["test"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("ok    test exact_decimals_from_a_file"));
    assert!(stdout(&out).contains("ok    assert exact"));
    // Sums print as decimals, not as the nearest binary fraction.
    let out = run(
        &p,
        &["run", "-s", "exact", "--with", "traits", "--format", "csv"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "user_id,spend\na,0.300000000\nb,0.300000000\n"
    );
}

#[test]
fn decimals_in_parquet_and_json_are_read_as_decimals() {
    let p = shop("\"app.users\" = \"data/users.json\"\n\"app.events\" = \"data/events.parquet\"\n");
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let lit = |rel: &str| format!("'{}'", p.path(rel).display());
    conn.execute_batch(&format!(
        "COPY (SELECT * FROM read_csv({}, types = {{'amount': 'DOUBLE'}})) TO {} (FORMAT parquet);
         COPY (SELECT * FROM read_csv({})) TO {} (FORMAT json, ARRAY true);",
        lit("data/events.csv"),
        lit("data/events.parquet"),
        lit("data/users.csv"),
        lit("data/users.json"),
    ))
    .unwrap();
    let out = run(&p, &["run", "-s", "low,exact", "--format", "csv"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "result,user_id\nsegment low,a\nsegment exact,a\nsegment exact,b\n"
    );
}

// ---------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------

#[test]
fn duplicate_and_null_keys_are_refused_before_running() {
    let p = shop(BINDINGS);
    p.write(
        "data/users.csv",
        "user_id,plan\na,pro\na,free\nb,free\n,pro\n",
    );
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    for expected in [
        "[E0702]",
        "`app.users` (data/users.csv), column `user_id`: 1 value of the key `user_id` appears more than once (first: 'a', in 2 rows)",
        "1 row has no `user_id` (null)",
        "segql.toml:5",
    ] {
        assert!(err.contains(expected), "{expected}:\n{err}");
    }
}

#[test]
fn a_test_whose_given_rows_repeat_a_key_fails_with_a_code() {
    let p = shop(BINDINGS);
    p.write(
        "segments/tests.seg",
        "test twice {\n  as_of 2024-06-01T00:00:00Z\n  given user {\n    | user_id |\n    | \"a\"     |\n    | \"a\"     |\n  }\n  expect paying = []\n}\n",
    );
    let out = run(&p, &["test"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(
        text.contains("FAIL  test twice (segments/tests.seg:1:6)"),
        "{text}"
    );
    assert!(
        text.contains("[E0702] the given rows of `app.users`"),
        "{text}"
    );
    assert!(
        text.contains(
            "1 value of the key `user_id` appears more than once (first: 'a', in 2 rows)"
        ),
        "{text}"
    );
}

#[test]
fn an_extra_table_may_have_rows_without_a_key_but_not_a_key_twice() {
    let p = shop(&format!(
        "{BINDINGS}\"crm.contacts\" = \"data/contacts.csv\"\n"
    ));
    let catalog = CATALOG.replacen(
        "    plan string\n  }\n",
        "    plan string\n  }\n  extra crm {\n    table crm.contacts\n    key contact_id\n    columns {\n      owner string\n    }\n  }\n",
        1,
    );
    // A lead without a user id and a contact of no user: neither is a problem.
    p.write("segments/catalog.seg", &catalog)
        .write(
            "segments/owned.seg",
            "segment owned {\n  where owner is set\n}\n",
        )
        .write("data/contacts.csv", "contact_id,owner\na,ann\n,bo\nzz,cy\n");
    let out = run(&p, &["run", "-s", "owned", "--format", "csv"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "user_id\na\n");
    // A key twice would make two rows of one user: refused before running.
    p.write("data/contacts.csv", "contact_id,owner\na,ann\na,bo\n,cy\n");
    let out = run(&p, &["run", "-s", "owned"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    for expected in [
        "[E0702]",
        "`crm.contacts` (data/contacts.csv), column `contact_id`: 1 value of the key `contact_id` appears more than once (first: 'a', in 2 rows)",
        "an extra table holds one row per key",
    ] {
        assert!(err.contains(expected), "{expected}:\n{err}");
    }
    assert!(
        !err.contains("(null)"),
        "rows without a key are allowed:\n{err}"
    );
}

// ---------------------------------------------------------------------------------------
// Files segql writes
// ---------------------------------------------------------------------------------------

fn unchanged(p: &Project, f: impl FnOnce()) {
    let before = p.listing();
    let bytes: Vec<Vec<u8>> = before
        .iter()
        .map(|r| std::fs::read(p.path(r)).unwrap())
        .collect();
    f();
    assert_eq!(p.listing(), before, "no file added or removed");
    for (r, b) in before.iter().zip(bytes) {
        assert_eq!(std::fs::read(p.path(r)).unwrap(), b, "{r} changed");
    }
}

#[test]
fn junit_never_replaces_a_bound_or_given_file() {
    let p = shop(BINDINGS);
    unchanged(&p, || {
        let out = run_snapshot!(
            p,
            p.segql(&args(&at(&["test", "--junit", "data/users.csv"])))
        );
        assert_eq!(code(&out), 1);
        assert!(stderr(&out).contains("[E0704]"), "{}", stderr(&out));
        assert!(stdout(&out).is_empty(), "refused before any test runs");
        let out = run(&p, &["test", "--junit", "tests/events.csv"]);
        assert_eq!(code(&out), 1);
        let err = stderr(&out);
        assert!(
            err.contains("test `exact_decimals_from_a_file` takes given rows from it"),
            "{err}"
        );
        assert!(err.contains("segments/tests.seg:8:"), "{err}");
    });
}

#[test]
fn run_output_never_lands_where_a_source_reads() {
    let p = shop("\"app.users\" = \"data/users.csv\"\n\"app.events\" = \"data/events/*.csv\"\n");
    std::fs::create_dir(p.path("data/events")).unwrap();
    std::fs::rename(p.path("data/events.csv"), p.path("data/events/may.csv")).unwrap();
    unchanged(&p, || {
        // A file the glob would read next time.
        let out = run_snapshot!(
            p,
            p.segql(&args(&at(&["run", "-o", "data/events/new.csv"])))
        );
        assert_eq!(code(&out), 1);
        assert!(stderr(&out).contains("[E0704]"));
        assert!(stderr(&out).contains("`data/events/*.csv`, which matches it"));
        // The bound file itself, also through a path that is not written as bound.
        for target in ["data/users.csv", "data/../data/users.csv"] {
            let out = run(&p, &["run", "-o", target]);
            assert_eq!(code(&out), 1);
            assert!(
                stderr(&out).contains("the binding of `app.users` reads it"),
                "{}",
                stderr(&out)
            );
        }
    });
    // Beside the sources is fine.
    let out = run(&p, &["run", "-s", "exact", "-o", "data/exact.csv"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(p.read("data/exact.csv"), "user_id\na\nb\n");
}

#[test]
fn fmt_init_and_compile_never_write_over_a_source() {
    // Contrived, but each command goes through the same guard.
    let p = shop(
        "\"app.users\" = \"data/users.csv\"\n\"app.events\" = { path = \"segments/shop.seg\", format = \"csv\" }\n\"app.other\" = \"sub/**/*.csv\"\n",
    );
    p.write(
        "segments/shop.seg",
        &SEGMENTS.replace("segment low {", "segment low   {"),
    );
    unchanged(&p, || {
        let out = p.segql(&["fmt", "--color", "never"]).output().unwrap();
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        assert!(stderr(&out).contains("[E0704]"), "{}", stderr(&out));
        let out = p.segql(&["init", "sub"]).output().unwrap();
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        assert!(
            stderr(&out).contains("`sub/**/*.csv`, which matches it"),
            "{}",
            stderr(&out)
        );
    });
}

// ---------------------------------------------------------------------------------------
// Temporary files
// ---------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn stale_temporary_files_of_dead_processes_are_removed() {
    let p = shop(BINDINGS);
    // A process id that cannot be running (above Linux's pid_max) and ours (running).
    let dead = ".out.parquet.segql-99999999.tmp";
    let alive = format!(".out.parquet.segql-{}.tmp", std::process::id());
    p.write(dead, "partial")
        .write(&alive, "partial")
        .write(".other.parquet.segql-99999999.tmp", "x");
    let out = run(&p, &["run", "-s", "exact", "-o", "out.parquet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let listing = p.listing();
    assert!(!listing.contains(&dead.to_string()), "{listing:?}");
    assert!(
        listing.contains(&alive),
        "a running process's file stays: {listing:?}"
    );
    assert!(
        listing.contains(&".other.parquet.segql-99999999.tmp".to_string()),
        "another output's file stays"
    );
    assert!(listing.contains(&"out.parquet".to_string()));
}

// ---------------------------------------------------------------------------------------
// Bad values and files
// ---------------------------------------------------------------------------------------

#[test]
fn a_bad_value_deep_in_a_csv_file_is_coded_and_named() {
    let p = shop(BINDINGS);
    let mut events = String::from(EVENTS_CSV);
    for i in 0..30_000 {
        events.push_str(&format!("b,login,2024-05-03 10:00:{:02},{}.5\n", i % 60, i));
    }
    events.push_str("b,purchase,2024-05-04 10:00:00,lots\n");
    p.write("data/events.csv", &events);
    let out = run(&p, &["run", "-s", "exact"]);
    assert_eq!(code(&out), 1);
    let err = p.normalize(&stderr(&out));
    assert!(err.starts_with("error[E0703]: computing exact:"), "{err}");
    assert!(err.contains("data/events.csv"), "names the file: {err}");
    assert!(err.contains("30005"), "names the line: {err}");
    assert!(!err.contains("[TEMP]"), "relative paths: {err}");
}

#[test]
fn a_glob_s_later_file_missing_a_column_is_found_before_running() {
    let p = shop("\"app.users\" = \"data/users.csv\"\n\"app.events\" = \"data/events/*.csv\"\n");
    p.write("data/events/a.csv", EVENTS_CSV).write(
        "data/events/b.csv",
        "user_id,event_name,occurred_at\nb,login,2024-05-03 10:00:00\n",
    );
    let out = run_snapshot!(p, p.segql(&args(&at(&["run"]))));
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    assert!(err.contains("[E0701]"), "{err}");
    assert!(
        err.contains("(data/events/b.csv), column `amount`: this file has no such column"),
        "{err}"
    );
}

#[test]
fn a_query_that_fails_on_the_data_is_coded() {
    let p = shop(BINDINGS);
    p.write(
        "segments/numeric.seg",
        "segment numeric_plan {\n  where sql \"CAST(plan AS INTEGER) > 1\"\n}\n",
    );
    let out = run(&p, &["run", "-s", "numeric_plan"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).starts_with("error[E0705]: computing numeric_plan: Conversion Error"),
        "{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------------------------------
// Names DuckDB reserves
// ---------------------------------------------------------------------------------------

/// Needs both halves: the runner quotes its own SQL (this branch) and the DuckDB dialect
/// quotes DuckDB's reserved words in the compiled SQL (the dialect work of issue 11). If
/// it fails with a DuckDB parser error inside the compiled SQL only, the second half is
/// missing.
#[test]
fn names_duckdb_reserves_work_in_run_preview_and_test() {
    let p = Project::empty();
    p.write(
        "segql.toml",
        "name = \"reserved\"\npaths = [\"segments\"]\n\n[bindings]\n\"app.values\" = \"data/values.csv\"\n",
    )
    .write(
        "segments/all.seg",
        "entity user {\n  table app.`values`\n  key user_id\n  columns {\n    `values` string\n    pivot int\n    `at` string\n    asof string\n  }\n}\n\nsegment `pivot` {\n  where `values` = \"x\" and pivot > 1\n}\n\ntest reserved {\n  as_of 2024-06-01T00:00:00Z\n  given user {\n    | user_id | `values` | pivot |\n    | \"a\"     | \"x\"      | 2     |\n    | \"b\"     | \"y\"      | 2     |\n  }\n  expect `pivot` = [\"a\"]\n}\n",
    )
    .write("data/values.csv", "user_id,values,pivot,at,asof\na,x,2,p,q\nb,y,2,p,q\n");
    let out = run(&p, &["run", "--format", "csv"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "user_id\na\n");
    let out = run(&p, &["preview", "-s", "pivot"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run(&p, &["test"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let out = run(&p, &["run", "-o", "pivot.parquet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

// ---------------------------------------------------------------------------------------
// segql.toml
// ---------------------------------------------------------------------------------------

#[test]
fn check_reports_every_setting_of_every_binding() {
    let p = shop(
        "\"app.users\" = { paht = \"data/users.csv\" }\n\"app.nope\" = 42\n\"app.events\" = { path = \"data/events.csv\", format = 5, table = \"x\" }\n\"app.x\" = { duckdb = \"w.duckdb\", table = \"t\", format = \"csv\" }\n\"app.y\" = { path = \"a.txt\", format = \"cvs\", hive_partitioning = \"yes\" }\n",
    );
    let out = run_snapshot!(p, p.segql(&["check", "--color", "never"]));
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    for expected in [
        "unknown setting `paht`",
        "did you mean `path`?",
        "segql.toml:5:17",
        "`app.nope`",
        "expected a path or a table, not an integer",
        "`format` is a string",
        "`table` names a table of a duckdb database",
        "`format` applies to files",
        "unknown format `cvs`",
        "the formats are parquet, csv and json",
        "`hive_partitioning` is true or false",
        "a binding for `app.x`, a table no entity, extra table or events relation reads",
    ] {
        assert!(err.contains(expected), "{expected}:\n{err}");
    }
    assert!(err.matches("[E0150]").count() >= 10, "{err}");
}

#[test]
fn the_runner_s_codes_are_documented() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/project.md"
    ))
    .unwrap();
    for (code, _) in segql_run::codes::ALL {
        assert!(
            doc.contains(&format!("| {code} |")),
            "docs/project.md lists {code}"
        );
    }
}

#[test]
fn only_the_engine_runs_sql_and_never_a_script() {
    // One path: `Engine::prepare`. Neither crate calls the batch API or a second one.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut offenders = Vec::new();
    for dir in ["segql-run/src", "segql-cli/src"] {
        for e in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let path = e.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for needle in [
                "execute_batch(",
                "execute_script(",
                "conn.prepare(",
                "query_row(",
            ] {
                let allowed = path.ends_with("engine.rs")
                    && (needle == "conn.prepare("
                        || needle == "execute_batch("
                        || needle == "execute_script(");
                if text.contains(needle) && !allowed {
                    offenders.push(format!("{}: {needle}", path.display()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:?}");
}
