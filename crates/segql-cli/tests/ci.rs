//! What CI uses, end to end (docs/ci.md): `--select` and `--exclude` on every command
//! that takes them (names, globs, `tag:`, `path:`, the graph operators, coded usage
//! errors, `run` binding only the relations the selected statements read), the
//! artifacts under `target/` validated against the committed schemas, and
//! `state:modified` against a base manifest. The selectors' own rules are unit-tested in
//! segql-project (src/select/tests.rs), the artifacts' contents in its tests/artifacts.rs.

#[macro_use]
mod common;

use common::{code, stderr, stdout, Project};

const CATALOG: &str = "\
entity user {
  table app.users
  key user_id
  columns {
    plan    string
    country string
  }
}

entity account {
  table app.accounts
  key account_id
  columns {
    employees int
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

const CRM: &str = "\
segment paying {
  tags [\"crm\"]
  where plan in [\"pro\", \"business\"]
}

segment french_payers {
  tags [\"crm\", \"geo\"]
  where in paying and country = \"FR\"
}

segment big_accounts of account {
  where employees >= 100
}
";

const BEHAVIOUR: &str = "\
trait spend = sum(amount) of \"purchase\"

segment buyers {
  where spend > 0
}

report overview {
  segments [paying, buyers]
  metric members = count
}

test french_payers_are_french {
  as_of 2024-06-01T00:00:00Z
  given user {
    | user_id | plan  | country |
    | \"a\"     | \"pro\" | \"FR\"    |
    | \"b\"     | \"pro\" | \"DE\"    |
  }
  expect french_payers = [\"a\"]
}

test buyers_bought {
  as_of 2024-06-01T00:00:00Z
  given user {
    | user_id |
    | \"a\"     |
  }
  expect buyers = []
}
";

const USERS_CSV: &str = "\
user_id,plan,country
u1,pro,FR
u2,free,FR
u3,business,DE
";

const EVENTS_CSV: &str = "\
user_id,event_name,occurred_at,amount
u1,purchase,2024-05-20 10:00:00,49.90
";

/// The project, with `app.accounts` bound to a file that is not there: only what reads
/// accounts can fail on it.
fn project() -> Project {
    let p = Project::empty();
    p.write(
        "segql.toml",
        "name = \"sel\"\npaths = [\"segments\"]\n\n[bindings]\n\
         \"app.users\" = \"data/users.csv\"\n\
         \"app.events\" = \"data/events.csv\"\n\
         \"app.accounts\" = \"data/accounts.csv\"\n",
    )
    .write("segments/catalog.seg", CATALOG)
    .write("segments/crm/crm.seg", CRM)
    .write("segments/behaviour.seg", BEHAVIOUR)
    .write("data/users.csv", USERS_CSV)
    .write("data/events.csv", EVENTS_CSV);
    p
}

fn segql(p: &Project, args: &[&str]) -> std::process::Output {
    let mut v: Vec<&str> = args.to_vec();
    v.extend(["--color", "never"]);
    p.segql(&v).output().expect("segql runs")
}

/// The `segment x` / `report x` titles of `run --format summary`'s first column.
fn run_titles(p: &Project, args: &[&str]) -> Vec<String> {
    let mut v = vec!["run", "--as-of", "2024-06-01", "--format", "json"];
    v.extend(args);
    let out = segql(p, &v);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    doc.as_array()
        .unwrap()
        .iter()
        .map(|r| r["result"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn run_selects_by_glob_tag_path_and_graph() {
    let p = project();
    assert_eq!(
        run_titles(&p, &["-s", "french_*"]),
        ["segment french_payers"]
    );
    assert_eq!(
        run_titles(&p, &["-s", "tag:crm", "--exclude", "tag:geo"]),
        ["segment paying"]
    );
    assert_eq!(
        run_titles(&p, &["-s", "+overview"]),
        ["segment buyers", "segment paying", "report overview"]
    );
    assert_eq!(
        run_titles(&p, &["-s", "paying+", "--exclude", "overview"]),
        ["segment paying", "segment french_payers"]
    );
    // A trait's descendants: what uses it.
    assert_eq!(
        run_titles(&p, &["-s", "spend+"]),
        ["segment buyers", "report overview"]
    );
    assert_eq!(
        run_titles(&p, &["-s", "path:segments/behaviour.seg"]),
        ["segment buyers", "report overview"]
    );
}

/// Only the relations the selected statements read are bound: the missing accounts
/// file stops a run that reads accounts, and no other.
#[test]
fn run_binds_only_what_the_selection_reads() {
    let p = project();
    let out = segql(
        &p,
        &[
            "run",
            "-s",
            "paying+",
            "--exclude",
            "kind:report",
            "--as-of",
            "2024-06-01",
            "--format",
            "csv",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("segment french_payers,u1"),
        "{}",
        stdout(&out)
    );
    let out = segql(&p, &["run", "--as-of", "2024-06-01"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("[E0701]"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("data/accounts.csv"),
        "{}",
        stderr(&out)
    );
    let out = segql(&p, &["run", "-s", "big_accounts", "--as-of", "2024-06-01"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // Preview binds its segment's relations too.
    let out = segql(&p, &["preview", "-s", "paying", "--as-of", "2024-06-01"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn a_bad_selector_is_a_coded_usage_error() {
    let p = project();
    let out = run_snapshot!(p, p.segql(&["run", "-s", "+payng", "--color", "never"]));
    assert_eq!(code(&out), 2);
    let out = run_snapshot!(
        p,
        p.segql(&["compile", "-d", "duckdb", "-s", "tags:crm", "--color", "never"])
    );
    assert_eq!(code(&out), 2);
    let out = run_snapshot!(
        p,
        p.segql(&["test", "--exclude", "tag:gel", "--color", "never"])
    );
    assert_eq!(code(&out), 2);
    let out = segql(&p, &["graph", "-s", "path:nowhere"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).starts_with("error[E1005]: --select: `path:nowhere`"),
        "{}",
        stderr(&out)
    );
    let out = segql(&p, &["run", "-s", "state:modified"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("error[E1006]"), "{}", stderr(&out));
}

#[test]
fn compile_selects_with_the_same_syntax() {
    let p = project();
    let out = segql(
        &p,
        &[
            "compile",
            "-d",
            "duckdb",
            "-s",
            "tag:crm",
            "--as-of",
            "2024-06-01",
            "--out",
            "sql",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut files: Vec<String> = p
        .listing()
        .into_iter()
        .filter(|f| f.starts_with("sql/"))
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["sql/duckdb/french_payers.sql", "sql/duckdb/paying.sql"]
    );
    // Selecting only a trait compiles nothing, and says why.
    let out = segql(&p, &["compile", "-d", "duckdb", "-s", "spend"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).is_empty());
    assert_eq!(
        stderr(&out),
        "nothing to compile: the selection holds only trait `spend` (`spend+` selects what uses it)\n"
    );
}

#[test]
fn test_runs_the_tests_of_selected_segments() {
    let p = project();
    let out = segql(&p, &["test", "-s", "paying+"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "ok    test french_payers_are_french (1 expectation)\n"
    );
    let out = segql(
        &p,
        &["test", "-s", "kind:test", "--exclude", "buyers_bought"],
    );
    assert_eq!(
        stdout(&out),
        "ok    test french_payers_are_french (1 expectation)\n"
    );
    let out = segql(&p, &["test", "-s", "buyers"]);
    assert_eq!(stdout(&out), "ok    test buyers_bought (1 expectation)\n");
}

#[test]
fn graph_draws_the_selection() {
    let p = project();
    let out = run_snapshot!(
        p,
        p.segql(&["graph", "--format", "mermaid", "-s", "+french_payers"])
    );
    assert_eq!(code(&out), 0);
    assert!(!stdout(&out).contains("buyers"));
}

#[test]
fn preview_needs_one_segment() {
    let p = project();
    let out = segql(&p, &["preview", "-s", "tag:crm", "--as-of", "2024-06-01"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out)
            .contains("preview shows one segment; `tag:crm` selects 2: paying, french_payers"),
        "{}",
        stderr(&out)
    );
    let out = segql(&p, &["preview", "-s", "overview", "--as-of", "2024-06-01"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("`overview` is a report"),
        "{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------------------------------
// Artifacts and state
// ---------------------------------------------------------------------------------------

/// The committed schema `schemas/NAME`.
fn schema(name: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../schemas")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The JSON file `rel` of the project, checked against the committed schema `schema`.
fn artifact(p: &Project, rel: &str, schema_name: &str) -> serde_json::Value {
    let doc: serde_json::Value = serde_json::from_str(&p.read(rel)).expect("JSON");
    let schema = schema(schema_name);
    let v = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{rel}: {errors:?}");
    doc
}

#[test]
fn run_writes_the_manifest_and_run_results() {
    let p = project();
    let out = segql(&p, &["run", "-s", "+overview", "--as-of", "2024-06-01"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let m = artifact(&p, "target/manifest.json", "manifest.schema.json");
    assert_eq!(m["metadata"]["command"], "run");
    assert_eq!(m["metadata"]["project"], "sel");
    assert_eq!(m["metadata"]["as_of"], "2024-06-01T00:00:00Z");
    assert_eq!(m["dialects"], serde_json::json!(["duckdb"]));
    // Every node, whatever was selected.
    let nodes = m["nodes"].as_object().unwrap();
    assert_eq!(nodes.len(), 8, "{:?}", nodes.keys().collect::<Vec<_>>());
    let fp = &m["nodes"]["segment.french_payers"];
    assert_eq!(fp["file"], "segments/crm/crm.seg");
    assert_eq!(fp["line"], 6);
    assert_eq!(fp["tags"], serde_json::json!(["crm", "geo"]));
    assert_eq!(fp["depends_on"], serde_json::json!(["segment.paying"]));
    assert_eq!(
        fp["reads"],
        serde_json::json!({"app.users": ["country", "plan", "user_id"]})
    );
    assert!(fp["compiled_sql"]["duckdb"]
        .as_str()
        .unwrap()
        .contains("'FR'"));
    let r = artifact(&p, "target/run_results.json", "run_results.schema.json");
    let results = r["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .map(|x| x["unique_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["segment.buyers", "segment.paying", "report.overview"]);
    let paying = &results[1];
    assert_eq!(paying["status"], "success");
    assert_eq!(paying["size"], 2);
    assert_eq!(paying["population"], 3);
    assert!(paying["elapsed_seconds"].as_f64().unwrap() >= 0.0);
    assert_eq!(results[2]["size"], 2, "the report's rows");
}

#[test]
fn compile_and_test_write_to_the_target_path() {
    let p = project();
    let out = segql(
        &p,
        &[
            "compile",
            "-d",
            "duckdb,bigquery",
            "--as-of",
            "2024-06-01",
            "--target-path",
            "ci/out",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!p.path("target").exists(), "--target-path replaces target/");
    let m = artifact(&p, "ci/out/manifest.json", "manifest.schema.json");
    assert_eq!(m["dialects"], serde_json::json!(["duckdb", "bigquery"]));
    let sql = m["nodes"]["segment.paying"]["compiled_sql"]
        .as_object()
        .unwrap();
    assert_eq!(sql.keys().collect::<Vec<_>>(), ["bigquery", "duckdb"]);
    let out = segql(&p, &["test", "--target-path", "ci/out"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = artifact(&p, "ci/out/run_results.json", "run_results.schema.json");
    assert_eq!(r["metadata"]["command"], "test");
    let statuses: Vec<(String, String)> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["unique_id"].as_str().unwrap().to_string(),
                x["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            (
                "test.french_payers_are_french".to_string(),
                "pass".to_string()
            ),
            ("test.buyers_bought".to_string(), "pass".to_string()),
        ]
    );
}

#[test]
fn a_failing_test_is_a_failure_in_run_results() {
    let p = project();
    p.write(
        "segments/behaviour.seg",
        &BEHAVIOUR.replace(
            "expect french_payers = [\"a\"]",
            "expect french_payers = [\"b\"]",
        ),
    );
    let out = segql(&p, &["test"]);
    assert_eq!(code(&out), 1);
    let r = artifact(&p, "target/run_results.json", "run_results.schema.json");
    let failed = &r["results"][0];
    assert_eq!(failed["unique_id"], "test.french_payers_are_french");
    assert_eq!(failed["status"], "fail");
    assert!(
        failed["message"].as_str().unwrap().contains("missing    b"),
        "{failed}"
    );
}

#[test]
fn state_modified_selects_what_changed_and_what_uses_it() {
    let p = project();
    let out = segql(&p, &["compile", "-d", "duckdb", "--target-path", "base"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Nothing changed: nothing selected, and that is no error.
    let out = segql(
        &p,
        &[
            "run",
            "-s",
            "state:modified+",
            "--state",
            "base",
            "--as-of",
            "2024-06-01",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stderr(&out), "nothing to run: the selection is empty\n");
    // A reformatted file is no change; an edited condition and a new segment are.
    p.write(
        "segments/crm/crm.seg",
        &CRM.replace("tags [\"crm\"]\n", "tags   [\"crm\"]  # why\n"),
    );
    let out = segql(
        &p,
        &[
            "compile",
            "-d",
            "duckdb",
            "-s",
            "state:modified",
            "--state",
            "base",
        ],
    );
    assert_eq!(stderr(&out), "nothing to compile: the selection is empty\n");
    p.write(
        "segments/crm/crm.seg",
        &(CRM.replace("[\"pro\", \"business\"]", "[\"pro\"]")
            + "\nsegment germans {\n  where country = \"DE\"\n}\n"),
    );
    assert_eq!(
        run_titles(&p, &["-s", "state:modified+", "--state", "base"]),
        [
            "segment paying",
            "segment french_payers",
            "segment germans",
            "report overview"
        ]
    );
    assert_eq!(
        run_titles(&p, &["-s", "state:new", "--state", "base"]),
        ["segment germans"]
    );
    let out = segql(&p, &["test", "-s", "state:modified+", "--state", "base"]);
    assert_eq!(
        stdout(&out),
        "ok    test french_payers_are_french (1 expectation)\n"
    );
    let out = run_snapshot!(
        p,
        p.segql(&[
            "run",
            "-s",
            "state:modified",
            "--state",
            "nowhere",
            "--color",
            "never"
        ])
    );
    assert_eq!(code(&out), 2);
}

/// A binding that reads target/ keeps segql from writing its artifacts there.
#[test]
fn artifacts_never_land_where_a_binding_reads() {
    let p = project();
    p.write(
        "segql.toml",
        "name = \"sel\"\npaths = [\"segments\"]\n\n[bindings]\n\
         \"app.users\" = \"target/*.json\"\n",
    );
    let out = segql(&p, &["compile", "-d", "duckdb", "-s", "paying"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("error[E0704]"), "{}", stderr(&out));
    assert!(!p.path("target/manifest.json").exists());
}

// ---------------------------------------------------------------------------------------
// diff --base REV, through a real git repository
// ---------------------------------------------------------------------------------------

fn git(p: &Project, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(p.dir.path())
        .args([
            "-c",
            "user.name=segql",
            "-c",
            "user.email=segql@example.invalid",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", p.dir.path())
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

/// The shop in a subdirectory of a git repository with two commits: the base, then an
/// edit (paying loses the business plan, french_payers, which uses it, is unchanged in
/// text, a segment is added, one removed, a comment-only edit) plus `added` files.
fn shop_repo_with_an_edit(added: &[(&str, &str)]) -> Project {
    let p = project();
    // The project lies in a subdirectory of the repository.
    let q = Project::empty();
    for f in p.listing() {
        q.write(&format!("shop/{f}"), &p.read(&f));
    }
    q.write(
        "shop/data/accounts.csv",
        "account_id,employees\na1,150\na2,20\n",
    );
    git(&q, &["init", "-q"]);
    git(&q, &["add", "."]);
    git(&q, &["commit", "-q", "-m", "base"]);
    // paying loses the business plan, french_payers (which uses it) is unchanged in
    // text, a segment is added, one removed; a comment-only edit is no change.
    q.write(
        "shop/segments/crm/crm.seg",
        &(CRM
            .replace("[\"pro\", \"business\"]", "[\"pro\", \"free\"]")
            .replace(
                "segment big_accounts of account {\n  where employees >= 100\n}\n",
                "",
            )
            + "\nsegment germans {\n  where country = \"DE\"\n}\n"),
    );
    q.write(
        "shop/segments/behaviour.seg",
        &format!("# spenders\n{BEHAVIOUR}"),
    );
    for (f, text) in added {
        q.write(f, text);
    }
    git(&q, &["add", "."]);
    git(&q, &["commit", "-q", "-m", "edit"]);
    q
}

#[test]
fn diff_lists_the_members_each_changed_segment_gains_and_loses() {
    let q = shop_repo_with_an_edit(&[]);
    let out = q
        .segql_in(
            "shop",
            &[
                "diff",
                "--base",
                "HEAD~1",
                "--as-of",
                "2024-06-01",
                "--color",
                "never",
            ],
        )
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "segment germans (new): 0 -> 1 members (+1 gained, -0 lost)\n\
         \x20 gained u3\n\
         segment paying (changed): 2 -> 2 members (+1 gained, -1 lost)\n\
         \x20 gained u2\n\
         \x20 lost   u3\n\
         segment french_payers (changed upstream: segment paying): 1 -> 2 members (+1 gained, -0 lost)\n\
         \x20 gained u2\n\
         segment big_accounts (removed): 1 -> 0 members (+0 gained, -1 lost)\n\
         \x20 lost   a1\n"
    );
    // After the warning that `account` is now unused.
    assert!(
        stderr(&out).ends_with("4 segments changed since HEAD~1, as of 2024-06-01T00:00:00Z\n"),
        "{}",
        stderr(&out)
    );
    // The same as one JSON document, for a bot commenting on the pull request.
    let out = q
        .segql_in(
            "shop",
            &[
                "diff",
                "--base",
                "HEAD~1",
                "--as-of",
                "2024-06-01",
                "--format",
                "json",
            ],
        )
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["base"], "HEAD~1");
    assert_eq!(doc["as_of"], "2024-06-01T00:00:00Z");
    assert_eq!(
        doc["segments"][1],
        serde_json::json!({
            "segment": "paying", "change": "changed", "upstream": [], "before": 2, "after": 2,
            "gained": 1, "lost": 1, "gained_examples": ["u2"], "lost_examples": ["u3"],
            "asserts": []
        })
    );
    assert_eq!(doc["segments"][2]["change"], "changed upstream");
    assert_eq!(
        doc["segments"][2]["upstream"],
        serde_json::json!(["segment paying"])
    );
    assert_eq!(doc["segments"].as_array().unwrap().len(), 4);
    let out = q
        .segql_in("shop", &["diff", "--base", "HEAD", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["segments"], serde_json::json!([]));
    // Against itself: nothing changed.
    let out = q
        .segql_in("shop", &["diff", "--base", "HEAD", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "no segment changed since HEAD\n");
    // A revision that is not one.
    let out = q
        .segql_in("shop", &["diff", "--base", "nope", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("`nope` is not a revision"),
        "{}",
        stderr(&out)
    );
}

/// A manifest.json a run of the base wrote is a base too: its checksums say what
/// changed, its DuckDB SQL gives the members before, as of the manifest's instant.
#[test]
fn diff_against_a_base_manifest() {
    let q = shop_repo_with_an_edit(&[]);
    // The base's manifest, as its CI run would have left it.
    git(&q, &["checkout", "-q", "HEAD~1", "--", "."]);
    let out = q
        .segql_in(
            "shop",
            &["run", "--as-of", "2024-06-01", "--format", "summary"],
        )
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    std::fs::copy(q.path("shop/target/manifest.json"), q.path("base.json")).unwrap();
    // And one of a compile for PostgreSQL only.
    let out = q
        .segql_in(
            "shop",
            &[
                "compile",
                "-d",
                "postgres",
                "--as-of",
                "2024-06-01",
                "--target-path",
                "../pg",
            ],
        )
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    git(&q, &["checkout", "-q", "HEAD", "--", "."]);
    let base = q.path("base.json");
    let base = base.to_str().unwrap();
    let diff = |extra: &[&str]| {
        let mut v = vec!["diff", "--base", base, "--color", "never"];
        v.extend(extra);
        q.segql_in("shop", &v).output().unwrap()
    };
    let out = diff(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The same as against the revision, at the manifest's instant.
    let by_rev = q
        .segql_in(
            "shop",
            &[
                "diff",
                "--base",
                "HEAD~1",
                "--as-of",
                "2024-06-01",
                "--color",
                "never",
            ],
        )
        .output()
        .unwrap();
    assert_eq!(stdout(&out), stdout(&by_rev));
    assert!(stdout(&out).contains("segment paying (changed): 2 -> 2 members"));
    assert!(
        stderr(&out).contains("as of 2024-06-01T00:00:00Z"),
        "{}",
        stderr(&out)
    );
    // Another instant than the manifest's is refused: its SQL holds its own.
    let out = diff(&["--as-of", "2024-07-01"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2024-06-01T00:00:00Z"),
        "{}",
        stderr(&out)
    );
    // A manifest without DuckDB SQL (a compile for another dialect) says what to do.
    let pg = q.path("pg/manifest.json");
    let out = q
        .segql_in(
            "shop",
            &["diff", "--base", pg.to_str().unwrap(), "--color", "never"],
        )
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("no DuckDB SQL"), "{}", stderr(&out));
    // Not a manifest.
    q.write("bad.json", "{}");
    let bad = q.path("bad.json");
    let out = q
        .segql_in("shop", &["diff", "--base", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not a manifest.json"),
        "{}",
        stderr(&out)
    );
}

/// `size change within` bounds how far a change may move a segment's size: checked by
/// `diff` on every segment it lists (also one changed only upstream), exit 1 beyond;
/// `test` leaves it to `diff`.
#[test]
fn diff_checks_size_change_asserts() {
    let asserts = "assert paying {\n  size change within 10%\n}\n\n\
                   assert french_payers {\n  size change within 50%\n  size change within 1\n}\n";
    let q = shop_repo_with_an_edit(&[("shop/segments/asserts.seg", asserts)]);
    let out = q
        .segql_in(
            "shop",
            &[
                "diff",
                "--base",
                "HEAD~1",
                "--as-of",
                "2024-06-01",
                "--color",
                "never",
            ],
        )
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "an assert failed: {}", stderr(&out));
    let text = stdout(&out);
    // paying: 2 -> 2 (one in, one out) is within 10%.
    assert!(
        text.contains("  ok   assert size change within 10%: 2 -> 2 members (+0.0%)\n"),
        "{text}"
    );
    // french_payers doubles: beyond 50%, within 1 member.
    assert!(
        text.contains("  FAIL assert size change within 50%: 1 -> 2 members (+100.0%)\n"),
        "{text}"
    );
    assert!(
        text.contains("  ok   assert size change within 1: 1 -> 2 members (+100.0%)\n"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("1 size change assert failed"),
        "{}",
        stderr(&out)
    );
    let out = q
        .segql_in(
            "shop",
            &[
                "diff",
                "--base",
                "HEAD~1",
                "--as-of",
                "2024-06-01",
                "--format",
                "json",
            ],
        )
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let french = doc["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["segment"] == "french_payers")
        .unwrap();
    assert_eq!(
        french["asserts"],
        serde_json::json!([
            {"check": "size change within 50%", "passed": false},
            {"check": "size change within 1", "passed": true}
        ])
    );
    // `test` runs no size-change-only assert (it has no size before).
    let out = q
        .segql_in("shop", &["test", "--color", "never"])
        .output()
        .unwrap();
    assert!(!stdout(&out).contains("assert paying"), "{}", stdout(&out));
    assert!(
        !stdout(&out).contains("assert french_payers"),
        "{}",
        stdout(&out)
    );
}
