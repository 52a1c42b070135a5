//! Cross-engine conformance: every `test` block of a fixture project, on every engine.
//!
//! The unit is a fixture `test` block: its given rows (typed by the catalog) are loaded
//! into the engine, and each `expect` (a segment, a split group, a priority stage) is
//! compiled for the engine's dialect as of the test's `as_of` and run. The members
//! (the first column, as text; for splits and priority lists the rows of that group)
//! are compared with the hand-checked expectation and with DuckDB's, as multisets
//! (`keys::compare`: a key returned twice, or a NULL key, fails). `expect X entered|left`
//! runs X at the test's `since` and `as_of` and compares the difference. The block's
//! segments are also run together in one batch statement (`compile::batch_long`), and
//! each must find the same members there.

use crate::engines::{Column, Engine, Table};
use crate::keys::{self, Keys};
use segql_plan::compile::{self, Options};
use segql_plan::ir::{ExpectDef, GivenSourceDef, Program, Rows, Target, TestDef};
use segql_syntax::ast::Change;
use segql_syntax::SourceMap;
use std::collections::{HashMap, HashSet};

/// What one `expect` found on one engine.
#[derive(Debug, Clone)]
pub struct ExpectRun {
    /// `segment`, `split.group` or `priority.segment`.
    pub target: String,
    pub expected: Keys,
    /// The members (every key returned, NULLs and repeats included), or why the
    /// statement could not compile or run.
    pub members: Result<Keys, String>,
}

impl ExpectRun {
    pub fn passed(&self) -> bool {
        self.failure().is_none()
    }

    /// Why the members are wrong: the statement failed, the result repeats a key or has
    /// a NULL key, or the keys differ from the expectation (`keys::compare`).
    pub fn failure(&self) -> Option<String> {
        match &self.members {
            Err(e) => Some(e.clone()),
            Ok(m) => keys::compare(&self.expected, m).err(),
        }
    }
}

/// One test block on one engine.
#[derive(Debug, Clone)]
pub struct TestRun {
    pub test: String,
    pub expects: Vec<ExpectRun>,
    /// Set when the data could not be loaded.
    pub error: Option<String>,
}

impl TestRun {
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.expects.iter().all(ExpectRun::passed)
    }

    /// What went wrong, a line each: `test: could not run: why`, `test, target: why`.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(e) = &self.error {
            out.push(format!("{}: could not run: {e}", self.test));
        }
        for x in &self.expects {
            if let Some(why) = x.failure() {
                out.push(format!("{}, {}: {why}", self.test, x.target));
            }
        }
        out
    }
}

/// A test's name with its file (`windows.seg: last_7_days_boundaries`).
pub fn test_label(map: &SourceMap, t: &TestDef) -> (String, String) {
    let loc = map.location(t.span);
    let file = loc.split(':').next().unwrap_or(&loc);
    let file = file.rsplit('/').next().unwrap_or(file).to_string();
    (file, t.name.clone())
}

/// Every test's label, `file: name` ([`test_label`]), in the program's order.
pub fn labels(map: &SourceMap, p: &Program) -> Vec<String> {
    p.tests
        .iter()
        .map(|t| {
            let (f, n) = test_label(map, t);
            format!("{f}: {n}")
        })
        .collect()
}

/// The tables a test loads: every relation of the catalog (one table per distinct
/// relation name), holding the test's given rows.
pub fn tables(p: &Program, t: &TestDef) -> Result<Vec<Table>, String> {
    let cat = &p.catalog;
    let mut out: Vec<Table> = Vec::new();
    for rel in cat.relations() {
        let (name, cols) = segql_run::engine::relation_shape(cat, &rel);
        let key = cat.unique_key(&rel).map(str::to_string);
        let given = t
            .givens
            .iter()
            .filter(|g| g.relation == rel)
            .map(|g| match &g.source {
                GivenSourceDef::Rows { columns, rows } => Ok((columns.clone(), rows.clone())),
                GivenSourceDef::File(f) => Err(format!(
                    "`given ... from \"{f}\"` is not loaded by the conformance suite; give the rows inline"
                )),
            })
            .collect::<Result<Vec<_>, String>>()?;
        let table = match out.iter_mut().position(|t| t.name == name) {
            Some(i) => &mut out[i],
            None => {
                out.push(Table {
                    name,
                    columns: Vec::new(),
                    given: Vec::new(),
                });
                out.last_mut().expect("just pushed")
            }
        };
        for (c, ty) in cols {
            if !table.columns.iter().any(|x| x.name == c) {
                let is_key = key.as_deref() == Some(c.as_str());
                table.columns.push(Column {
                    name: c,
                    ty,
                    key: is_key,
                });
            }
        }
        table.given.extend(given);
    }
    Ok(out)
}

/// Runs one test block on an engine. `empty` holds the tables the engine already has
/// with no rows (they are not created again: Spark takes a while per table).
pub fn run_test(
    engine: &mut dyn Engine,
    p: &Program,
    t: &TestDef,
    label: String,
    empty: &mut HashSet<Vec<String>>,
) -> TestRun {
    let mut run = TestRun {
        test: label,
        expects: Vec::new(),
        error: None,
    };
    let loaded = tables(p, t).and_then(|tables| {
        tables
            .iter()
            .try_for_each(|tb| {
                let no_rows = tb.given.iter().all(|(_, rows)| rows.is_empty());
                if no_rows && empty.contains(&tb.name) {
                    return Ok(());
                }
                empty.remove(&tb.name);
                engine.load(tb)?;
                if no_rows {
                    empty.insert(tb.name.clone());
                }
                Ok(())
            })
            .map_err(|e: String| format!("loading the given rows: {e}"))
    });
    if let Err(e) = loaded {
        run.error = Some(e);
        return run;
    }
    let d = engine.dialect();
    let opts = Options::literal(t.as_of);
    // A split or priority list runs once per test, whichever of its groups are expected.
    let mut cache: HashMap<String, Result<crate::engines::Rows, String>> = HashMap::new();
    for e in &t.expects {
        let target = e.label(p);
        let expected = Keys::of(e.members.iter().map(segql_run::testing::key_text));
        let mut at = |as_of: i64| members_at(engine, &mut cache, p, e, as_of);
        // `entered`: the members at as_of that were not at since; `left`: the other way
        // round (each side first free of repeated and NULL keys, which a difference
        // would hide).
        let members = match (e.change, t.since) {
            (Some(change), Some(since)) => at(t.as_of).and_then(|now| {
                let before = at(since)?;
                for (when, k) in [("as_of", &now), ("since", &before)] {
                    if let Some(d) = k.defects() {
                        return Err(format!("at {when}: {d}"));
                    }
                }
                Ok(match change {
                    Change::Entered => now.minus(&before),
                    Change::Left => before.minus(&now),
                })
            }),
            _ => at(t.as_of),
        };
        run.expects.push(ExpectRun {
            target,
            expected,
            members,
        });
    }
    // The same segments in one batch statement (long form, per entity): each must have
    // exactly its single-statement members.
    // (entity, [(segment, its single-statement members)])
    type Expected = Vec<(usize, Keys)>;
    let mut by_entity: Vec<(usize, Expected)> = Vec::new();
    for e in t.expects.iter().filter(|e| e.change.is_none()) {
        if let Target::Segment(id) = e.target {
            let entity = p.segments[id].entity;
            let expected = Keys::of(e.members.iter().map(segql_run::testing::key_text));
            match by_entity.iter_mut().find(|(en, _)| *en == entity) {
                Some((_, v)) => {
                    if !v.iter().any(|(i, _)| *i == id) {
                        v.push((id, expected))
                    }
                }
                None => by_entity.push((entity, vec![(id, expected)])),
            }
        }
    }
    for (_, segs) in by_entity {
        let ids: Vec<usize> = segs.iter().map(|(i, _)| *i).collect();
        let rows = compile::compile(p, &compile::Request::batch_long(&ids), d, opts)
            .map_err(|u| format!("does not compile: {u}"))
            .and_then(|q| {
                let sql = compile::to_sql(&q);
                engine
                    .rows(&sql)
                    .map_err(|e| format!("{e}\n-- the statement:\n{sql}"))
            });
        for (id, expected) in segs {
            let name = p.segments[id].name.clone();
            let members = rows.clone().map(|rows| {
                Keys::new(
                    rows.into_iter()
                        .filter(|r| r.first().and_then(|v| v.as_deref()) == Some(name.as_str()))
                        .map(|r| r.into_iter().nth(1).flatten()),
                )
            });
            run.expects.push(ExpectRun {
                target: format!("batch: {name}"),
                expected,
                members,
            });
        }
    }
    run
}

/// The keys of an expectation's rows (a segment's members, a split group, a priority
/// stage) on the engine at `as_of`; a split or priority list's statement runs once per
/// instant (`cache`, by its SQL).
fn members_at(
    engine: &mut dyn Engine,
    cache: &mut HashMap<String, Result<crate::engines::Rows, String>>,
    p: &Program,
    e: &ExpectDef,
    as_of: i64,
) -> Result<Keys, String> {
    let d = engine.dialect();
    let q = compile::compile(
        p,
        &compile::Request::from(e.target),
        d,
        Options::literal(as_of),
    )
    .map_err(|u| format!("does not compile: {u}"))?;
    let group = match &e.rows {
        Rows::All => None,
        Rows::Group(g) => Some(g.clone()),
        Rows::Stage(seg) => Some(p.segments[*seg].name.clone()),
    };
    let sql = compile::to_sql(&q);
    let rows = cache
        .entry(sql.clone())
        .or_insert_with(|| engine.rows(&sql))
        .clone();
    rows.map_err(|e| format!("{e}\n-- the statement:\n{sql}"))
        .map(|rows| {
            Keys::new(
                rows.into_iter()
                    .filter(|r| match &group {
                        None => true,
                        Some(g) => r.get(1).and_then(|v| v.as_deref()) == Some(g.as_str()),
                    })
                    .map(|r| r.into_iter().next().flatten()),
            )
        })
}

/// Runs every test block of a program on an engine (`labels` name them, in order).
pub fn run_all(engine: &mut dyn Engine, p: &Program, labels: &[String]) -> Vec<TestRun> {
    let mut empty = HashSet::new();
    p.tests
        .iter()
        .zip(labels)
        .map(|(t, label)| run_test(engine, p, t, label.clone(), &mut empty))
        .collect()
}
