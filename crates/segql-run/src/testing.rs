//! `test` blocks: given rows, an `as_of`, expected members, checked on DuckDB.

use crate::engine::{relation_shape, Engine, Error};
use segql_plan::compile::{self, Options};
use segql_plan::dialect::{Dialect, DuckDb};
use segql_plan::ir::{GivenSourceDef, Lit, Program, Relation, Target, TestDef};
use std::collections::BTreeSet;
use std::path::Path;

/// What one `expect` line found.
#[derive(Debug, Clone)]
pub struct ExpectOutcome {
    /// `segment`, `split.group` or `priority.segment`.
    pub target: String,
    pub expected: Vec<String>,
    pub actual: Vec<String>,
    /// Expected but not members.
    pub missing: Vec<String>,
    /// Members not expected.
    pub unexpected: Vec<String>,
}

impl ExpectOutcome {
    pub fn passed(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct TestOutcome {
    pub name: String,
    pub expects: Vec<ExpectOutcome>,
    /// Set when the test could not run (bad data file, SQL error).
    pub error: Option<String>,
}

impl TestOutcome {
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.expects.iter().all(ExpectOutcome::passed)
    }
}

/// A key as text, the way DuckDB prints it.
pub fn key_text(l: &Lit) -> String {
    crate::engine::lit_text(l)
}

/// Runs one test on a fresh in-memory database. `base` is the directory `given ...
/// from "path"` is relative to.
pub fn run_test(p: &Program, t: &TestDef, base: &Path) -> TestOutcome {
    match run(p, t, base) {
        Ok(expects) => TestOutcome {
            name: t.name.clone(),
            expects,
            error: None,
        },
        Err(e) => TestOutcome {
            name: t.name.clone(),
            expects: Vec::new(),
            error: Some(e.to_string()),
        },
    }
}

fn run(p: &Program, t: &TestDef, base: &Path) -> Result<Vec<ExpectOutcome>, Error> {
    let engine = Engine::in_memory()?;
    let cat = &p.catalog;
    let mut relations: Vec<Relation> = (0..cat.entities.len()).map(Relation::Entity).collect();
    relations.extend((0..cat.events.len()).map(Relation::Events));
    for rel in &relations {
        let (table, columns) = relation_shape(cat, rel);
        let given = t.givens.iter().find(|g| same(&g.relation, rel));
        match given.map(|g| &g.source) {
            None => engine.create_table(&table, &columns, &[], &[])?,
            Some(GivenSourceDef::Rows {
                columns: given_cols,
                rows,
            }) => engine.create_table(&table, &columns, given_cols, rows)?,
            Some(GivenSourceDef::File(path)) => {
                engine.create_table(&table, &columns, &[], &[])?;
                let name = engine.prepare_name(&table)?;
                let full = base.join(path);
                let reading = |message: String| Error {
                    context: format!("reading \"{path}\""),
                    message,
                };
                if !full.is_file() {
                    return Err(reading(
                        "no such file (paths in `given ... from` are relative to the project directory)"
                            .to_string(),
                    ));
                }
                let reader = if path.ends_with(".parquet") {
                    "read_parquet"
                } else {
                    "read_csv"
                };
                let file = full.to_string_lossy().replace('\'', "''");
                // Every column of the relation must be in the file: a missing one would
                // otherwise surface as a binder error about segql's own SQL.
                let present: Vec<String> = engine
                    .first_column(&format!(
                        "SELECT column_name FROM (DESCRIBE SELECT * FROM {reader}('{file}'))"
                    ))
                    .map_err(|e| reading(e.message))?
                    .into_iter()
                    .flatten()
                    .collect();
                let missing: Vec<&str> = columns
                    .iter()
                    .map(|(c, _)| c.as_str())
                    .filter(|c| !present.iter().any(|p| p == c))
                    .collect();
                if !missing.is_empty() {
                    return Err(reading(format!(
                        "it has no column{} {} (its columns are {})",
                        if missing.len() == 1 { "" } else { "s" },
                        missing
                            .iter()
                            .map(|c| format!("`{c}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        present.join(", ")
                    )));
                }
                let cols: Vec<String> = columns
                    .iter()
                    .map(|(c, ty)| {
                        let id = segql_plan::dialect::Dialect::render_ident(
                            &segql_plan::dialect::DuckDb,
                            c,
                        );
                        format!("CAST({id} AS {})", crate::engine::duckdb_type(*ty))
                    })
                    .collect();
                let names: Vec<String> = columns
                    .iter()
                    .map(|(c, _)| {
                        segql_plan::dialect::Dialect::render_ident(&segql_plan::dialect::DuckDb, c)
                    })
                    .collect();
                engine
                    .execute(&format!(
                        "INSERT INTO {name} ({}) SELECT {} FROM {reader}('{file}')",
                        names.join(", "),
                        cols.join(", ")
                    ))
                    .map_err(|e| reading(e.message))?;
            }
        }
    }
    let opts = Options { as_of: t.as_of };
    let mut out = Vec::new();
    for e in &t.expects {
        let (label, sql) = match &e.target {
            Target::Segment(id) => {
                let q = compile::segment(p, *id, &DuckDb, opts).map_err(|u| Error {
                    context: "compiling".into(),
                    message: u.to_string(),
                })?;
                (p.segments[*id].name.clone(), compile::to_sql(&q))
            }
            Target::SplitGroup(si, group) => {
                let q = compile::split(p, *si, &DuckDb, opts).map_err(|u| Error {
                    context: "compiling".into(),
                    message: u.to_string(),
                })?;
                let g = DuckDb.render_string(group);
                (
                    format!("{}.{group}", p.splits[*si].name),
                    format!(
                        "SELECT * FROM ({}) AS s WHERE split_group = {g}",
                        compile::to_sql(&q)
                    ),
                )
            }
            Target::PriorityStage(pi, seg) => {
                let q = compile::priority(p, *pi, &DuckDb, opts).map_err(|u| Error {
                    context: "compiling".into(),
                    message: u.to_string(),
                })?;
                let name = &p.segments[*seg].name;
                let n = DuckDb.render_string(name);
                (
                    format!("{}.{name}", p.priorities[*pi].name),
                    format!(
                        "SELECT * FROM ({}) AS s WHERE segment = {n}",
                        compile::to_sql(&q)
                    ),
                )
            }
        };
        let actual: BTreeSet<String> = engine.first_column(&sql)?.into_iter().flatten().collect();
        let expected: BTreeSet<String> = e.members.iter().map(key_text).collect();
        out.push(ExpectOutcome {
            target: label,
            missing: expected.difference(&actual).cloned().collect(),
            unexpected: actual.difference(&expected).cloned().collect(),
            expected: expected.into_iter().collect(),
            actual: actual.into_iter().collect(),
        });
    }
    Ok(out)
}

fn same(a: &Relation, b: &Relation) -> bool {
    match (a, b) {
        (Relation::Entity(x), Relation::Entity(y)) => x == y,
        (Relation::Events(x), Relation::Events(y)) => x == y,
        _ => false,
    }
}
