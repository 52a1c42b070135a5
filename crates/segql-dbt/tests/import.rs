//! `segql_dbt::import` over the fixture manifest: the draft, what it reports, that it
//! checks, and the mistakes a manifest or a selector can hold.

mod common;

use segql_dbt::{import, known_relations, ErrorKind, Known};

fn sel(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_fixture_manifest_drafts_a_catalog() {
    let imported = import(&common::manifest(), &[]).unwrap();
    insta::assert_snapshot!("fixture_catalog", imported.catalog_text);
    insta::assert_yaml_snapshot!("fixture_report", imported.report);
}

#[test]
fn the_draft_checks_clean_with_segments() {
    let imported = import(&common::manifest(), &[]).unwrap();
    let (_dir, ws) = common::workspace(&imported.catalog_text, common::SEGMENTS);
    assert!(ws.diags.is_empty(), "{}", common::rendered(&ws));
    let p = ws.program.expect("checked");
    assert_eq!(p.catalog.entities.len(), 2);
    assert_eq!(p.catalog.events.len(), 1);
    assert_eq!(p.segments.len(), 5);
}

#[test]
fn the_draft_is_as_segql_fmt_writes_it() {
    let text = import(&common::manifest(), &[]).unwrap().catalog_text;
    let parsed = segql_syntax::parse(&text, segql_syntax::FileId(0));
    assert!(parsed.diags.is_empty(), "{:?}", parsed.diags);
    let formatted = segql_syntax::format_file(&parsed.file);
    // The formatter puts a comment that ends a block at the block's indentation; that
    // is the only difference allowed.
    let norm = |s: &str| {
        s.lines()
            .map(|l| l.trim_start().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(norm(&formatted), norm(text.trim_end()));
}

#[test]
fn selectors_pick_sources_and_models() {
    let m = common::manifest();
    let only = |s: &[&str]| import(&m, &sel(s)).unwrap().catalog_text;
    let users = only(&["source:raw.users"]);
    assert!(users.contains("entity user {"), "{users}");
    assert!(!users.contains("events events"), "{users}");
    // Without the users, `account_id` references nothing and events are of no one.
    assert!(!users.contains("references"), "{users}");
    let raw = only(&["source:raw"]);
    assert!(raw.contains("entity user {") && raw.contains("events events of user {"));
    assert!(!raw.contains("accounts"), "{raw}");
    let accounts = only(&["model:accounts"]);
    assert!(accounts.contains("entity account {"), "{accounts}");
    assert!(!accounts.contains("raw."), "{accounts}");
    // A seed is imported only when selected; raw.users is the source's and the seed's.
    let both = only(&["seed:users", "source:raw.users"]);
    assert_eq!(both.matches("table raw.users").count(), 1, "{both}");
}

#[test]
fn a_catalog_of_sources_alone_checks() {
    let imported = import(&common::manifest(), &sel(&["source:raw"])).unwrap();
    let (_dir, ws) = common::workspace(&imported.catalog_text, "");
    // Unused relations are warnings (W0501), nothing else.
    assert!(!ws.has_errors(), "{}", common::rendered(&ws));
}

#[test]
fn the_projects_sources_and_models_are_known() {
    let known = known_relations(&common::manifest()).unwrap();
    let accounts = Known::Ref("accounts".into());
    assert_eq!(known.get("analytics.accounts"), Some(&accounts));
    assert_eq!(known.get("shop.analytics.accounts"), Some(&accounts));
    // raw.users is a seed and a source: the source.
    let users = Known::Source {
        source: "raw".into(),
        table: "users".into(),
    };
    assert_eq!(known.get("raw.users"), Some(&users));
    assert_eq!(known.len(), 6, "tests are not relations: {known:?}");
}

/// Names that need quoting, a key found by no name, a time among several timestamps, a
/// relation without columns, descriptions with quotes and line breaks.
#[test]
fn awkward_names_and_guesses() {
    let manifest = r#"{
      "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v11.json", "dbt_version": "1.7.0"},
      "nodes": {
        "model.p.order": {"resource_type": "model", "name": "order", "database": "d", "schema": "Sales",
          "alias": "order", "description": "Orders,\n\"quoted\" \\ and a tab\t.",
          "columns": {
            "code": {"name": "code", "data_type": "VARCHAR(12)", "description": ""},
            "from": {"name": "from", "data_type": "TEXT"},
            "references": {"name": "references", "data_type": "int"},
            "placed": {"name": "placed", "data_type": "TIMESTAMP_NTZ(9)"}
          }},
        "model.p.order_lines": {"resource_type": "model", "name": "order_lines", "database": "d", "schema": "Sales",
          "alias": "order_lines", "columns": {
            "line_id": {"name": "line_id", "data_type": "int64"},
            "customer_id": {"name": "customer_id", "data_type": "string"},
            "created_at": {"name": "created_at", "data_type": "datetime"},
            "shipped_at": {"name": "shipped_at", "data_type": "timestamp"},
            "event_type": {"name": "event_type", "data_type": "string"}
          }},
        "model.p.customers": {"resource_type": "model", "name": "customers", "database": "d", "schema": "Sales",
          "columns": {"id": {"name": "id", "data_type": "string"}, "in": {"name": "in", "data_type": "bool"}}},
        "model.p.eph": {"resource_type": "model", "name": "eph", "schema": "x", "config": {"materialized": "ephemeral"}, "columns": {}}
      },
      "sources": {
        "source.p.ext.blobs": {"source_name": "ext", "name": "blobs", "schema": "ext", "identifier": "BLOBS_V2", "columns": {}}
      }
    }"#;
    let imported = import(manifest, &[]).unwrap();
    insta::assert_snapshot!("awkward_catalog", imported.catalog_text);
    insta::assert_yaml_snapshot!("awkward_report", imported.report);
    let (_dir, ws) = common::workspace(&imported.catalog_text, "");
    assert!(!ws.has_errors(), "{}", common::rendered(&ws));
}

#[test]
fn mistakes() {
    let m = common::manifest();
    let err = |json: &str, s: &[&str]| import(json, &sel(s)).unwrap_err();
    let cases = [
        ("not json", err("{ nodes: ", &[])),
        (
            "run_results",
            err(
                r#"{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json"}, "results": []}"#,
                &[],
            ),
        ),
        ("no metadata", err(r#"{"nodes": {}}"#, &[])),
        (
            "nodes of the wrong shape",
            err(
                r#"{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}, "nodes": []}"#,
                &[],
            ),
        ),
        (
            "empty manifest",
            err(
                r#"{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}}"#,
                &[],
            ),
        ),
        ("misspelt model", err(&m, &["model:acounts"])),
        ("misspelt source table", err(&m, &["source:raw.user"])),
        ("no snapshots", err(&m, &["snapshot:s"])),
        ("unknown kind", err(&m, &["exposure:x"])),
        ("no kind", err(&m, &["accounts"])),
    ];
    let shown: Vec<String> = cases
        .iter()
        .map(|(what, e)| format!("{what} ({:?}): {e}", e.kind))
        .collect();
    insta::assert_yaml_snapshot!("mistakes", shown);
    assert_eq!(cases[0].1.kind, ErrorKind::NotJson);
    assert_eq!(cases[1].1.kind, ErrorKind::NotManifest);
    assert_eq!(cases[5].1.kind, ErrorKind::NothingSelected);
    assert_eq!(cases[8].1.kind, ErrorKind::BadSelector);
}
