//! The as-of read when a statement runs ([`RunAsOf`]), in every dialect.
//!
//! `fixtures/deploy/run_as_of.seg` (with the language fixtures' catalog) is compiled with
//! the engine's clock as the as-of into one snapshot per dialect
//! (`snapshots/run_as_of__now@DIALECT.snap`); every statement must parse back. The as-of
//! of each kind (now, parameter, template) per dialect is one more snapshot. Against the
//! literal: every statement of every language fixture, compiled both ways, must differ
//! only where the instant is written, except for a scan bounded by starts whose order
//! depends on the as-of (then `least(...)`), and never contain the planning instant.
//!
//! After an intended change to the SQL:
//!
//! ```sh
//! INSTA_UPDATE=always cargo test -p segql-plan --test run_as_of
//! git diff crates/segql-plan/tests/snapshots   # read every changed snapshot
//! ```

mod common;

use common::{project, reparse, AS_OF};
use segql_plan::compile::{self, to_sql, Options, Request, RunAsOf, Unsupported};
use segql_plan::dialect::{self, Dialect};
use segql_plan::ir::Program;
use std::path::PathBuf;

fn read(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn at_run(r: RunAsOf) -> Options {
    Options {
        as_of: AS_OF,
        at_run: Some(r),
    }
}

fn deploy_project() -> Program {
    let catalog = read("fixtures/lang/catalog.seg");
    let deploy = read("fixtures/deploy/run_as_of.seg");
    project(&[("catalog", &catalog), ("run_as_of", &deploy)]).1
}

/// Every segment of the program, compiled as of `o`: `-- segment NAME` and its SQL.
fn segments_sql(p: &Program, d: &dyn Dialect, o: Options) -> Result<String, Unsupported> {
    let mut out = String::new();
    for (id, seg) in p.segments.iter().enumerate() {
        let st = compile::statement(p, segql_plan::ir::Target::Segment(id), d, o)?;
        let sql = to_sql(&st.query);
        if let Err(e) = reparse(d, &sql) {
            panic!("{}: {} does not parse back: {e}\n{sql}", d.name(), seg.name);
        }
        out.push_str(&format!("{}\n{sql};\n\n", st.header));
    }
    Ok(out)
}

#[test]
fn now_in_every_dialect() {
    let p = deploy_project();
    for d in dialect::all() {
        let text = segments_sql(&p, d, at_run(RunAsOf::Now)).expect("compiles");
        insta::assert_snapshot!(format!("now@{}", d.name()), text);
    }
}

/// The as-of expression of each kind, per dialect: what a scheduler must provide.
#[test]
fn each_kind_of_as_of_per_dialect() {
    let p = deploy_project();
    let id = p.segment_by_name("recent_logins").expect("the segment");
    let kinds = [
        RunAsOf::Now,
        RunAsOf::param("segql_as_of").expect("a name"),
        RunAsOf::template("{{ var(\"segql_as_of\") }}"),
    ];
    let mut out = String::new();
    for d in dialect::all() {
        out.push_str(&format!("=== {}\n", d.name()));
        out.push_str(&format!(
            "literal:  {}\n",
            d.timestamp(AS_OF).to_string().trim()
        ));
        for k in kinds {
            let label = k.describe();
            match compile::compile(&p, &Request::Segment(id), d, at_run(k)) {
                Ok(q) => {
                    let sql = to_sql(&q);
                    // The scan's upper bound: the first comparison with the event time.
                    let bound = sql
                        .lines()
                        .find_map(|l| l.split_once("ev.occurred_at < ").map(|(_, r)| r))
                        .unwrap_or_else(|| panic!("no as-of bound in\n{sql}"));
                    let bound = bound.split(" AND ").next().unwrap_or(bound);
                    out.push_str(&format!("{label}: {bound}\n"));
                    if let RunAsOf::Param(_) = k {
                        // sqlparser reads DuckDB's, BigQuery's and Databricks' markers,
                        // not ClickHouse's typed `{name:Type}` or Snowflake's `$name`.
                        if ["duckdb", "bigquery", "databricks"].contains(&d.name()) {
                            reparse(d, &sql).expect("parses back");
                        }
                    } else {
                        reparse(d, &sql).expect("parses back");
                    }
                }
                Err(e) => out.push_str(&format!("{label}: unsupported: {e}\n")),
            }
        }
        out.push('\n');
    }
    insta::assert_snapshot!("kinds", out);
}

#[test]
fn engines_without_named_parameters_refuse_one() {
    let p = deploy_project();
    let id = p.segment_by_name("recent_logins").expect("the segment");
    let param = RunAsOf::param("segql_as_of").expect("a name");
    for d in [
        &dialect::Postgres as &dyn Dialect,
        &dialect::Redshift,
        &dialect::Trino,
    ] {
        let e = compile::compile(&p, &Request::Segment(id), d, at_run(param))
            .expect_err("no named parameters");
        assert!(
            e.0.contains("no named parameters") && e.0.contains("`now`"),
            "{}: {}",
            d.name(),
            e.0
        );
    }
    // A name that is not an identifier is refused where it is made, and where it is
    // written (a `Param` built by hand).
    assert!(RunAsOf::param("as_of; DROP TABLE x").is_err());
    let e = compile::compile(
        &p,
        &Request::Segment(id),
        &dialect::DuckDb,
        at_run(RunAsOf::Param("a b")),
    )
    .expect_err("not an identifier");
    assert!(e.0.contains("parameter name"), "{}", e.0);
}

/// Every statement of the language fixtures, with the literal and with `now`: the same
/// text once the literal is replaced by the clock, unless a scan is bounded by the least
/// of starts (a fixed instant and a relative one, or months and days) or a window from
/// a fixed instant left a tier; and the planning instant never written.
#[test]
fn now_differs_from_the_literal_only_where_the_instant_is() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/lang");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read fixtures/lang")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .collect();
    paths.sort();
    let texts: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            let name = p
                .file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read_to_string(p).expect("read a fixture"))
        })
        .collect();
    let sources: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let (_, p) = project(&sources);
    let mut same = 0;
    let mut bounded_by_least = Vec::new();
    for d in dialect::all() {
        let literal_text = d.timestamp(AS_OF).to_string();
        let now_text = d.now_utc().to_string();
        for (id, seg) in p.segments.iter().enumerate() {
            let r = Request::Segment(id);
            let lit =
                to_sql(&compile::compile(&p, &r, d, Options::literal(AS_OF)).expect("literal"));
            let now = to_sql(&compile::compile(&p, &r, d, at_run(RunAsOf::Now)).expect("now"));
            assert!(
                !now.contains(&literal_text),
                "{}: {} written in\n{now}",
                d.name(),
                seg.name
            );
            if lit.replace(&literal_text, &now_text) == now {
                same += 1;
            } else {
                let planned = |o| compile::plan(&p, &r, d, o).expect("plans").scans;
                let tiers_moved = planned(Options::literal(AS_OF)) != planned(at_run(RunAsOf::Now));
                assert!(
                    now.contains("least(") || tiers_moved,
                    "{}: {} differs from the literal beyond the instant:\n{lit}\n---\n{now}",
                    d.name(),
                    seg.name
                );
                bounded_by_least.push(format!("{} {}", d.name(), seg.name));
            }
        }
    }
    assert!(same > 100, "only {same} statements compared equal");
    // anchored_windows.seg has a fixed start beside a relative one on a relation.
    assert!(
        !bounded_by_least.is_empty(),
        "no statement needed least(): the test no longer covers it"
    );
}
