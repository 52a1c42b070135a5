//! manifest.json and run_results.json: the committed JSON Schemas are the ones the types
//! generate, a manifest built from a project validates against its schema, and its
//! checksums follow meaning, not layout.

use segql_plan::compile::Options;
use segql_plan::deps::{Graph, Node};
use segql_plan::dialect;
use segql_project::artifacts::{self, Manifest, RunResult, RunResults, Status};
use segql_project::manifest;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The schemas under schemas/ are generated: `UPDATE_SCHEMAS=1 cargo test -p
/// segql-project --test artifacts` writes them again after a change to the types.
#[test]
fn committed_schemas_are_the_generated_ones() {
    for (file, text) in [
        ("manifest.schema.json", artifacts::manifest_schema()),
        ("run_results.schema.json", artifacts::run_results_schema()),
    ] {
        let path = repo().join("schemas").join(file);
        if std::env::var_os("UPDATE_SCHEMAS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "schemas/{file} is not the generated schema: run `UPDATE_SCHEMAS=1 cargo test -p segql-project --test artifacts` and commit it"
        );
    }
}

const CATALOG: &str = r#"
entity user {
  table app.users
  key user_id
  columns {
    plan    string
    country string
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
"#;

const SEGMENTS: &str = r#"
# Paying customers.
segment paying {
  description "On a paid plan"
  owner "growth@example.com"
  tags ["crm"]
  where plan in ["pro", "business"]
}

trait spend = sum(amount) of "purchase"

segment big_spenders {
  where spend > 100 and in paying
}

report overview {
  segments [paying, big_spenders]
  metric members = count
}
"#;

fn project(segments: &str) -> (tempfile::TempDir, segql_project::Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("segql.toml"), "name = \"shop\"\n").unwrap();
    std::fs::write(root.join("catalog.seg"), CATALOG).unwrap();
    std::fs::create_dir_all(root.join("segments")).unwrap();
    std::fs::write(root.join("segments/shop.seg"), segments).unwrap();
    let ws = segql_project::workspace(&[root.to_path_buf()]).unwrap();
    assert!(
        !ws.has_errors(),
        "{:?}",
        ws.diags.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    (dir, ws)
}

fn build(ws: &segql_project::Workspace) -> Manifest {
    let p = ws.program.as_ref().unwrap();
    let g = Graph::new(p);
    manifest::build(
        ws,
        p,
        &g,
        &dialect::all(),
        Options::literal(1_717_200_000_000_000),
        "compile",
    )
}

fn validate(schema: &str, doc: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value = serde_json::from_str(schema).unwrap();
    let v = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    v.iter_errors(doc).map(|e| e.to_string()).collect()
}

#[test]
fn a_manifest_holds_every_node_and_validates() {
    let (_dir, ws) = project(SEGMENTS);
    let m = build(&ws);
    let doc = serde_json::to_value(&m).unwrap();
    assert_eq!(
        validate(&artifacts::manifest_schema(), &doc),
        Vec::<String>::new()
    );
    assert_eq!(
        m.nodes.keys().collect::<Vec<_>>(),
        [
            "report.overview",
            "segment.big_spenders",
            "segment.paying",
            "trait.spend"
        ]
    );
    let paying = &m.nodes["segment.paying"];
    assert_eq!(paying.file, "segments/shop.seg");
    assert_eq!((paying.line, paying.column), (3, 9));
    assert_eq!(paying.description.as_deref(), Some("On a paid plan"));
    assert_eq!(paying.owner.as_deref(), Some("growth@example.com"));
    assert_eq!(paying.tags, ["crm"]);
    assert_eq!(paying.entity.as_deref(), Some("user"));
    assert_eq!(paying.compiled_sql.len(), 8, "every dialect");
    assert!(paying.compiled_sql["duckdb"].contains("'pro'"));
    let big = &m.nodes["segment.big_spenders"];
    assert_eq!(big.depends_on, ["segment.paying", "trait.spend"]);
    assert_eq!(
        big.reads["app.events"],
        ["amount", "event_name", "occurred_at", "user_id"]
    );
    assert_eq!(big.reads["app.users"], ["plan", "user_id"]);
    let spend = &m.nodes["trait.spend"];
    assert!(spend.compiled_sql.is_empty(), "a trait is no statement");
    // A document missing a required field, or with a wrong type, is refused.
    let mut bad = doc.clone();
    bad["nodes"]["segment.paying"]
        .as_object_mut()
        .unwrap()
        .remove("checksum");
    bad["nodes"]["trait.spend"]["line"] = serde_json::json!("three");
    assert_eq!(validate(&artifacts::manifest_schema(), &bad).len(), 2);
}

#[test]
fn run_results_validate() {
    let (_dir, ws) = project(SEGMENTS);
    let doc = RunResults {
        metadata: manifest::metadata(&ws, "run", 0),
        elapsed_seconds: 0.25,
        results: vec![RunResult {
            unique_id: "segment.paying".into(),
            status: Status::Success,
            elapsed_seconds: 0.1,
            size: Some(3),
            population: Some(10),
            message: None,
        }],
    };
    let doc = serde_json::to_value(&doc).unwrap();
    assert_eq!(
        validate(&artifacts::run_results_schema(), &doc),
        Vec::<String>::new()
    );
    let mut bad = doc.clone();
    bad["results"][0]["status"] = serde_json::json!("maybe");
    assert_eq!(validate(&artifacts::run_results_schema(), &bad).len(), 1);
}

fn names(p: &segql_plan::ir::Program, s: &BTreeSet<Node>) -> Vec<String> {
    s.iter().map(|n| n.name(p).to_string()).collect()
}

#[test]
fn checksums_follow_meaning_not_layout() {
    let (_a, before) = project(SEGMENTS);
    let base = build(&before);
    // Another layout and comment: no node changes.
    let relaid = SEGMENTS
        .replace("# Paying customers.", "# Paying customers, reformatted.")
        .replace(
            "  where plan in [\"pro\", \"business\"]",
            "  where plan in [\"pro\",   \"business\"]   # why",
        );
    let (_b, same) = project(&relaid);
    let p = same.program.as_ref().unwrap();
    let state = manifest::compare(&same, p, &Graph::new(p), &base);
    assert!(
        state.modified.is_empty() && state.new.is_empty(),
        "{state:?}"
    );
    // A changed condition and a new segment.
    let edited = SEGMENTS.replace("spend > 100", "spend > 200")
        + "\nsegment french {\n  where country = \"FR\"\n}\n";
    let (_c, after) = project(&edited);
    let p = after.program.as_ref().unwrap();
    let state = manifest::compare(&after, p, &Graph::new(p), &base);
    assert_eq!(names(p, &state.modified), ["big_spenders"]);
    assert_eq!(names(p, &state.new), ["french"]);
}

#[test]
fn a_state_directory_without_a_manifest_is_coded() {
    let dir = tempfile::tempdir().unwrap();
    let e = manifest::read_state(dir.path()).unwrap_err();
    assert_eq!(e.code, segql_project::codes::STATE_UNREADABLE);
    std::fs::write(dir.path().join("manifest.json"), "{\"nodes\": 3}").unwrap();
    let e = manifest::read_state(dir.path()).unwrap_err();
    assert_eq!(e.code, segql_project::codes::STATE_UNREADABLE);
    assert!(e.hint.unwrap().contains("not a manifest.json"));
}

/// Artifacts are written whole and readable like any file the user writes.
#[cfg(unix)]
#[test]
fn written_files_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("target");
    let path =
        artifacts::write_json(&out, "run_results.json", &serde_json::json!({"a": 1})).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{\n  \"a\": 1\n}\n"
    );
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        1,
        "no temporary left"
    );
    // The mode of a file written plainly in the same place (0644 under umask 022).
    let plain = out.join("plain");
    std::fs::write(&plain, "x").unwrap();
    assert_eq!(mode(&path), mode(&plain));
}
