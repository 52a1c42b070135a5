//! The bundled example project, examples/saas.
//!
//! - Every `test` block runs on DuckDB and finds exactly its hand-checked members, and
//!   every segment, every group of the split and the priority list are expected in at
//!   least one of them.
//! - On the committed data (examples/saas/data, written by segql-datagen), bound as
//!   segql.toml says, every relation fits the catalog, every segment, the report, the
//!   split and the priority list run, and every `assert` block holds at the data's end.

use segql_plan::compile::Request;
use segql_plan::compile::{self, Options};
use segql_plan::dialect::DuckDb;
use segql_plan::ir::{Program, Rows, Target};
use segql_run::assertions::run_assert;
use segql_run::bind::{Binding, Format, Source};
use segql_run::Engine;
use segql_syntax::diag::{render, RenderOptions};
use segql_syntax::SourceMap;
use segql_tests::keys::Keys;
use segql_tests::{members, root, run_test_blocks};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The end of the committed data's history (segql-datagen's default `--as-of`),
/// 2026-01-01T00:00:00Z, in microseconds.
const DATA_AS_OF: i64 = 1_767_225_600_000_000;

fn project_dir() -> PathBuf {
    root().join("examples/saas")
}

fn seg_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            seg_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "seg") {
            out.push(p);
        }
    }
}

/// Parses and checks every .seg file of the project; panics on any diagnostic, warnings
/// included (`segql check examples/saas` must be clean).
fn load() -> (SourceMap, Program) {
    let dir = project_dir();
    let mut paths = Vec::new();
    seg_files(&dir, &mut paths);
    let mut map = SourceMap::new();
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).expect("UTF-8");
        let name = path
            .strip_prefix(root())
            .unwrap_or(path)
            .display()
            .to_string();
        let id = map.add(name, text.clone());
        let parsed = segql_syntax::parse(&text, id);
        assert_eq!(
            segql_syntax::format_file(&parsed.file),
            text,
            "{} is not canonically formatted",
            path.display()
        );
        diags.extend(parsed.diags);
        files.push(parsed.file);
    }
    let refs: Vec<&segql_syntax::ast::File> = files.iter().collect();
    let (program, check_diags) = segql_plan::check(&refs);
    diags.extend(check_diags);
    assert!(
        diags.is_empty(),
        "examples/saas is not clean:\n{}",
        render(&map, &diags, RenderOptions::PLAIN)
    );
    (map, program)
}

#[test]
fn every_test_block_finds_its_hand_checked_members() {
    let dir = project_dir();
    let (map, program) = load();
    let (expectations, failures) = run_test_blocks(&map, &program, &dir);
    assert!(
        failures.is_empty(),
        "{} of {expectations} expectations failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        (program.tests.len(), expectations),
        (19, 84),
        "examples/saas has 19 test blocks of 84 expectations; a block or an `expect` line \
         was lost, or some were added on purpose: then update this pin"
    );
}

#[test]
fn every_segment_split_group_and_priority_list_is_expected_somewhere() {
    let (_, program) = load();
    assert_eq!(
        program.segments.len(),
        69,
        "examples/saas has 69 segments; one was lost, or some were added or removed on \
         purpose: then update this pin"
    );
    let mut segments = BTreeSet::new();
    let mut groups = BTreeSet::new();
    let mut priorities = BTreeSet::new();
    for t in &program.tests {
        for e in &t.expects {
            match (&e.target, &e.rows) {
                (Target::Segment(id), _) => {
                    segments.insert(*id);
                }
                (Target::Split(si), Rows::Group(g)) => {
                    groups.insert((*si, g.clone()));
                }
                (Target::Priority(pi), _) => {
                    priorities.insert(*pi);
                }
                _ => {}
            }
        }
    }
    let untested: Vec<&str> = program
        .segments
        .iter()
        .enumerate()
        .filter(|(i, _)| !segments.contains(i))
        .map(|(_, s)| s.name.as_str())
        .collect();
    assert!(
        untested.is_empty(),
        "segments no test expects: {untested:?}"
    );
    for (si, s) in program.splits.iter().enumerate() {
        for (g, _) in &s.groups {
            assert!(
                groups.contains(&(si, g.clone())),
                "no test expects {}.{g}",
                s.name
            );
        }
    }
    for (pi, p) in program.priorities.iter().enumerate() {
        assert!(priorities.contains(&pi), "no test expects {}", p.name);
    }
    assert!(!program.splits.is_empty() && !program.priorities.is_empty());
    assert!(!program.reports.is_empty() && !program.asserts.is_empty());
}

/// The `[bindings]` of segql.toml. The example writes two shapes: `"rel" = "path"` and
/// `"rel" = { path = "...", format = "csv", hive_partitioning = true }`.
fn bindings(dir: &Path) -> Vec<Binding> {
    let text = std::fs::read_to_string(dir.join("segql.toml")).expect("segql.toml");
    let unquote = |s: &str| -> String {
        let s = s.trim();
        assert!(
            s.len() >= 2 && s.starts_with('"') && s.ends_with('"'),
            "expected a quoted string in segql.toml, found {s}"
        );
        s[1..s.len() - 1].to_string()
    };
    let mut out = Vec::new();
    let mut in_bindings = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_bindings = line == "[bindings]";
            continue;
        }
        if !in_bindings || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once(" = ").expect("relation = binding");
        let relation = unquote(key);
        let value = value.trim();
        let source = if let Some(inner) = value.strip_prefix('{') {
            let inner = inner.strip_suffix('}').expect("an inline table");
            let mut fields = BTreeMap::new();
            for field in inner.split(',') {
                let (k, v) = field.split_once('=').expect("key = value");
                fields.insert(k.trim().to_string(), v.trim().to_string());
            }
            Source::Files {
                path: unquote(&fields["path"]),
                format: fields.get("format").map(|f| match unquote(f).as_str() {
                    "csv" => Format::Csv,
                    "parquet" => Format::Parquet,
                    "json" => Format::Json,
                    other => panic!("unknown format {other}"),
                }),
                hive_partitioning: fields.get("hive_partitioning").is_some_and(|v| v == "true"),
            }
        } else {
            Source::Files {
                path: unquote(value),
                format: None,
                hive_partitioning: false,
            }
        };
        out.push(Binding { relation, source });
    }
    out
}

#[test]
fn the_committed_data_binds_runs_and_satisfies_every_assert() {
    let dir = project_dir();
    let (_, p) = load();
    let engine = Engine::in_memory().unwrap();
    let problems = engine.bind(&p.catalog, &bindings(&dir), &dir);
    assert!(
        problems.is_empty(),
        "the committed data does not fit the catalog:\n{}",
        problems
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let opts = Options::literal(DATA_AS_OF);
    let mut sizes = BTreeMap::new();
    let mut all = Vec::new();
    for (id, s) in p.segments.iter().enumerate() {
        let q = compile::compile(&p, &Request::Segment(id), &DuckDb, opts).unwrap();
        let m = members(&engine, &compile::to_sql(&q));
        assert_eq!(m.defects(), None, "the members of {}", s.name);
        sizes.insert(s.name.clone(), m.len());
        all.push(m);
    }
    eprintln!("segment sizes on the committed data: {sizes:#?}");
    // Every segment but the ones that look at a handful of days finds someone: the
    // data exercises each of them. `stale_crm_plan` is a data-quality check, asserted
    // empty.
    let may_be_empty = [
        "new_signups",
        "trial_ending",
        "new_but_quiet",
        "reactivated",
        "stale_crm_plan",
    ];
    for (name, n) in &sizes {
        assert!(
            *n > 0 || may_be_empty.contains(&name.as_str()),
            "{name} is empty on the committed data"
        );
    }

    // Every assert, checked by `segql test`'s own code (segql_run::assertions).
    let mut failures = Vec::new();
    let mut checks = 0;
    for a in &p.asserts {
        let outcome = run_assert(&engine, &p, a, opts);
        if let Some(e) = &outcome.error {
            failures.push(format!("{}: could not run: {e}", outcome.segment));
        }
        assert_eq!(outcome.checks.len(), a.checks.len(), "every check runs");
        for c in &outcome.checks {
            checks += 1;
            eprintln!("assert {}: {} ({})", outcome.segment, c.check, c.detail);
            if !c.passed {
                failures.push(format!("{}: {} ({})", outcome.segment, c.check, c.detail));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "asserts fail on the committed data:\n{}",
        failures.join("\n")
    );
    assert_eq!(
        (p.asserts.len(), checks),
        (9, 15),
        "examples/saas/segments/asserts.seg has 9 assert blocks of 15 checks; update this \
         pin when asserts are added or removed on purpose"
    );

    // The report: one row per listed segment, `members` equal to the segment's size.
    for (ri, r) in p.reports.iter().enumerate() {
        let q = compile::compile(&p, &Request::Report(ri), &DuckDb, opts).unwrap();
        let sql = compile::to_sql(&q);
        let (columns, rows) = engine.rows(&sql).unwrap_or_else(|e| panic!("{e}\n{sql}"));
        eprintln!("report {}: {columns:?}", r.name);
        for row in &rows {
            eprintln!("  {row:?}");
        }
        assert_eq!(rows.len(), r.segments.len(), "report {}", r.name);
        let members_col = columns
            .iter()
            .position(|c| c == "members")
            .expect("a members metric");
        for (row, seg) in rows.iter().zip(&r.segments) {
            let name = &p.segments[*seg].name;
            assert!(row.iter().any(|c| c.as_deref() == Some(name.as_str())));
            assert_eq!(
                row[members_col].as_deref(),
                Some(sizes[name].to_string().as_str()),
                "report {}: members of {name}",
                r.name
            );
        }
    }
    // The split deals out its segment's members; the priority list puts each user in
    // at most one stage.
    for (si, s) in p.splits.iter().enumerate() {
        let q = compile::compile(&p, &Request::Split(si), &DuckDb, opts).unwrap();
        let sql = compile::to_sql(&q);
        let dealt = members(&engine, &sql);
        assert_eq!(dealt, all[s.segment], "split {}", s.name);
    }
    for (pi, pr) in p.priorities.iter().enumerate() {
        let q = compile::compile(&p, &Request::Priority(pi), &DuckDb, opts).unwrap();
        let sql = compile::to_sql(&q);
        let (_, rows) = engine.rows(&sql).unwrap();
        let keys = Keys::new(rows.iter().map(|r| r[0].clone()));
        assert_eq!(keys.defects(), None, "priority {}", pr.name);
        assert!(!rows.is_empty(), "priority {}", pr.name);
    }
}
