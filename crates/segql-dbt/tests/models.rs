//! `segql_dbt::models` over a project drafted from the fixture manifest: the files
//! written per segment and in batches, on DuckDB and PostgreSQL; the as-of placeholder
//! never left in the SQL, on every dialect; what cannot be a model.

mod common;

use segql_dbt::{
    import, known_relations, models, write_models, ErrorKind, Known, Layout, ModelsOptions,
};
use segql_plan::dialect::{self, Dialect};
use segql_plan::ir::Program;
use std::collections::BTreeMap;

fn program(segments: &str) -> (tempfile::TempDir, Program) {
    let imported = import(&common::manifest(), &[]).unwrap();
    let (dir, ws) = common::workspace(&imported.catalog_text, segments);
    assert!(!ws.has_errors(), "{}", common::rendered(&ws));
    (dir, ws.program.unwrap())
}

fn shown(p: &Program, d: &dyn Dialect, layout: Layout, known: &BTreeMap<String, Known>) -> String {
    let files = models(
        p,
        &[],
        &ModelsOptions {
            dialect: d,
            layout,
            known,
        },
    )
    .unwrap();
    files
        .iter()
        .map(|f| format!("==> {}\n{}", f.path.display(), f.text))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn per_segment_and_batch_models() {
    let (_dir, p) = program(common::SEGMENTS);
    let none = BTreeMap::new();
    for name in ["duckdb", "postgres"] {
        let d = dialect::by_name(name).unwrap();
        insta::assert_snapshot!(
            format!("per_segment_{name}"),
            shown(&p, d, Layout::PerSegment, &none)
        );
        insta::assert_snapshot!(format!("batch_{name}"), shown(&p, d, Layout::Batch, &none));
    }
}

#[test]
fn the_projects_own_sources_and_models_are_read_as_such() {
    let (_dir, p) = program(common::SEGMENTS);
    let known = known_relations(&common::manifest()).unwrap();
    let d = dialect::by_name("duckdb").unwrap();
    insta::assert_snapshot!("batch_duckdb_known", shown(&p, d, Layout::Batch, &known));
}

/// No placeholder survives, and the as-of is the dbt var inside the dialect's own
/// timestamp literal, on every dialect.
#[test]
fn no_placeholder_is_left_on_any_dialect() {
    let (_dir, p) = program(common::SEGMENTS);
    let none = BTreeMap::new();
    for d in dialect::all() {
        for layout in [Layout::PerSegment, Layout::Batch] {
            let files = models(
                &p,
                &[],
                &ModelsOptions {
                    dialect: d,
                    layout,
                    known: &none,
                },
            )
            .unwrap_or_else(|e| panic!("{}: {e}", d.name()));
            let sql: Vec<_> = files
                .iter()
                .filter(|f| f.path.extension().is_some_and(|e| e == "sql"))
                .collect();
            for f in &sql {
                for left in ["segql_dbt_as_of_", "segql_dbt_relation_"] {
                    assert!(
                        !f.text.contains(left),
                        "{} {}: {left} in\n{}",
                        d.name(),
                        f.path.display(),
                        f.text
                    );
                }
                assert!(f.text.contains("{{ source('"), "{}", f.text);
            }
            // The segments with windows read the as-of var, in the dialect's literal.
            let as_of = d.timestamp_of_text("{{ segql_as_of }}").to_string();
            let reading = sql.iter().filter(|f| f.text.contains(&as_of)).count();
            let expected = if layout == Layout::Batch { 1 } else { 2 };
            assert_eq!(reading, expected, "{}: {as_of}", d.name());
        }
    }
}

#[test]
fn segment_text_is_never_jinja() {
    let (_dir, p) = program(common::SEGMENTS);
    let none = BTreeMap::new();
    let d = dialect::by_name("postgres").unwrap();
    let curly = p.segment_by_name("curly").unwrap();
    let files = models(
        &p,
        &[curly],
        &ModelsOptions {
            dialect: d,
            layout: Layout::PerSegment,
            known: &none,
        },
    )
    .unwrap();
    let sql = &files[0].text;
    // Every `{` segql wrote is `{{ '{' }}`: the Jinja segql meant is all that is left.
    let stripped = sql
        .replace("{{ '{' }}", "")
        .replace("{{ source('raw', 'users') }}", "")
        .replace("{% set segql_as_of = var('segql_as_of', run_started_at.strftime('%Y-%m-%d %H:%M:%S')) %}", "")
        .replace("{{ segql_as_of }}", "");
    assert!(!stripped.contains('{'), "{sql}");
    // dbt renders `{{ '{' }}` as `{`, which gives back the literal segql wrote.
    let rendered = sql.replace("{{ '{' }}", "{");
    assert!(
        rendered.contains("strpos(u.email, '{{ ''{'' }}') > 0"),
        "{rendered}"
    );
    assert!(
        rendered.contains("strpos(u.email, '{% raw %}') > 0"),
        "{rendered}"
    );
    let schema = &files[1].text;
    assert!(
        schema.contains("{% raw %}Emails holding {{ jinja }}"),
        "{schema}"
    );
}

/// A fixed start beside a relative window, months beside days: which start is the
/// earliest depends on the var's value, so the scan is bounded by the least of them
/// (the model is right for every as-of the var gives).
#[test]
fn windows_whose_order_depends_on_the_instant_take_the_least_start() {
    let cases = [
        (
            "fixed_and_relative",
            r#"segment s of user { where did "purchase" since 2025-06-01 and did "page_viewed" in last 365 days }"#,
        ),
        (
            "months_and_days",
            r#"segment s of user { where did "login" in last 1 month and did "purchase" in last 30 days }"#,
        ),
    ];
    let none = BTreeMap::new();
    for (what, text) in cases {
        let (_dir, p) = program(text);
        let d = dialect::by_name("duckdb").unwrap();
        let files = models(
            &p,
            &[],
            &ModelsOptions {
                dialect: d,
                layout: Layout::PerSegment,
                known: &none,
            },
        )
        .unwrap_or_else(|e| panic!("{what}: {e}"));
        let sql = &files[0].text;
        assert!(
            sql.contains("ev.occurred_at >= least("),
            "{what}: the least start bounds the scan:\n{sql}"
        );
        assert!(
            sql.contains("TIMESTAMP '{{ segql_as_of }}'"),
            "{what}: {sql}"
        );
    }
}

#[test]
fn write_models_writes_the_directory() {
    let (_dir, p) = program(common::SEGMENTS);
    let none = BTreeMap::new();
    let out = tempfile::tempdir().unwrap();
    let d = dialect::by_name("duckdb").unwrap();
    let written = write_models(
        out.path(),
        &p,
        &[],
        &ModelsOptions {
            dialect: d,
            layout: Layout::Batch,
            known: &none,
        },
    )
    .unwrap();
    assert!(written.removed.is_empty());
    let names: Vec<String> = written
        .written
        .iter()
        .map(|w| w.strip_prefix(out.path()).unwrap().display().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "models/segql/segql_user.sql",
            "models/segql/segql_account.sql",
            "models/segql/schema.yml",
            "models/segql/sources.yml"
        ]
    );
    for w in &written.written {
        assert!(w.is_file());
    }
    // Per segment now: the batch models go, a file of the user's own stays.
    let mine = out.path().join("models/segql/my_model.sql");
    std::fs::write(&mine, "select 1\n").unwrap();
    let again = write_models(
        out.path(),
        &p,
        &[],
        &ModelsOptions {
            dialect: d,
            layout: Layout::PerSegment,
            known: &none,
        },
    )
    .unwrap();
    let removed: Vec<String> = again
        .removed
        .iter()
        .map(|w| w.strip_prefix(out.path()).unwrap().display().to_string())
        .collect();
    assert_eq!(
        removed,
        [
            "models/segql/segql_account.sql",
            "models/segql/segql_user.sql"
        ]
    );
    assert!(mine.is_file());
    assert!(!out.path().join("models/segql/segql_user.sql").exists());
    // A file where the directory should be.
    let blocked = tempfile::tempdir().unwrap();
    std::fs::write(blocked.path().join("models"), "").unwrap();
    let e = write_models(
        blocked.path(),
        &p,
        &[],
        &ModelsOptions {
            dialect: d,
            layout: Layout::Batch,
            known: &none,
        },
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Io);
}

#[test]
fn no_segments_is_a_mistake() {
    let (_dir, p) = program("");
    let none = BTreeMap::new();
    let d = dialect::by_name("duckdb").unwrap();
    let e = models(
        &p,
        &[],
        &ModelsOptions {
            dialect: d,
            layout: Layout::PerSegment,
            known: &none,
        },
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NothingSelected);
}
