//! What CI uses, end to end (docs/ci.md): `--select` and `--exclude` on every command
//! that takes them (names, globs, `tag:`, `path:`, the graph operators, coded usage
//! errors, `run` binding only the relations the selected statements read), the
//! artifacts under `target/` validated against the committed schemas, and
//! `state:modified` against a base manifest. The selectors' own rules are unit-tested in
//! segql-project (src/select/tests.rs), the artifacts' contents in its tests/artifacts.rs.

#[macro_use]
mod common;
#[path = "common/shop.rs"]
mod shop;

use common::{code, stderr, stdout, Project};
use shop::{project, BEHAVIOUR, CRM};

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
