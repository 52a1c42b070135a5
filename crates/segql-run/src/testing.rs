//! `test` blocks: given rows, an `as_of`, expected members, checked on DuckDB or on a
//! target (the given rows loaded into temporary tables there, dropped afterwards).

use crate::backend::Backend;
use crate::engine::{duckdb_type, relation_shape, Engine, Error};
use crate::sqltext;
use crate::warehouse::TargetBackend;
use segql_plan::compile::{self, Options};
use segql_plan::ir::{GivenSourceDef, Lit, Program, Relation, TestDef};
use segql_syntax::ast::Change;
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
    outcome(t, run(p, t, base))
}

/// Runs one test on a target: its given rows are read into an in-memory DuckDB as on a
/// local run (the same types, files and key checks), then bulk-ingested into temporary
/// tables of the target's session, which the test's SQL reads instead of the catalog's
/// relations. They are dropped afterwards, also when the test fails.
pub fn run_test_on(tb: &TargetBackend, p: &Program, t: &TestDef, base: &Path) -> TestOutcome {
    outcome(t, run_on(tb, p, t, base))
}

fn outcome(t: &TestDef, r: Result<Vec<ExpectOutcome>, Error>) -> TestOutcome {
    match r {
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
    let engine = given_engine(p, t, base)?;
    // The given rows are loaded: DuckDB touches no file from here on.
    engine.lock_down(&Default::default(), &[])?;
    expectations(&engine, p, t)
}

fn run_on(
    tb: &TargetBackend,
    p: &Program,
    t: &TestDef,
    base: &Path,
) -> Result<Vec<ExpectOutcome>, Error> {
    let engine = given_engine(p, t, base)?;
    engine.lock_down(&Default::default(), &[])?;
    let mut on_target = p.clone();
    let mut made: Vec<Vec<String>> = Vec::new();
    let loaded = (|| -> Result<(), Error> {
        let rels = p.catalog.relations();
        let mut names: Vec<(Vec<String>, Vec<String>)> = Vec::new();
        for rel in &rels {
            let (table, columns) = relation_shape(&p.catalog, rel);
            let temp = match names.iter().find(|(t, _)| *t == table) {
                Some((_, n)) => n.clone(),
                None => {
                    let n = vec![format!("segql_given_{}", names.len() + 1)];
                    let cols: Vec<String> =
                        columns.iter().map(|(c, _)| sqltext::ident(c)).collect();
                    let select = format!(
                        "SELECT {} FROM {}",
                        cols.join(", "),
                        sqltext::dotted(&table)
                    );
                    tb.drop_quietly(&n);
                    made.push(n.clone());
                    tb.load_temporary(&engine, &select, &n, &columns)?;
                    names.push((table.clone(), n.clone()));
                    n
                }
            };
            match rel {
                Relation::Entity(e) => on_target.catalog.entities[*e].table = temp,
                Relation::Events(i) => on_target.catalog.events[*i].table = temp,
                Relation::Extra(e, x) => on_target.catalog.entities[*e].extras[*x].table = temp,
            }
        }
        Ok(())
    })();
    let result = loaded.and_then(|_| expectations(tb, &on_target, t));
    for n in &made {
        tb.drop_quietly(n);
    }
    result
}

/// A fresh in-memory DuckDB holding a test's given rows in the catalog's relations.
fn given_engine(p: &Program, t: &TestDef, base: &Path) -> Result<Engine, Error> {
    let engine = Engine::in_memory()?;
    let cat = &p.catalog;
    for rel in &cat.relations() {
        let (table, columns) = relation_shape(cat, rel);
        let given = t.givens.iter().find(|g| g.relation == *rel);
        match given.map(|g| &g.source) {
            None => engine.create_table(&table, &columns, &[], &[])?,
            Some(GivenSourceDef::Rows {
                columns: given_cols,
                rows,
            }) => engine.create_table(&table, &columns, given_cols, rows)?,
            Some(GivenSourceDef::File(path)) => {
                engine.create_table(&table, &columns, &[], &[])?;
                load_file(&engine, &table, &columns, path, base)?;
            }
        }
        if let Some(key) = cat.unique_key(rel) {
            let name = engine.prepare_name(&table)?;
            let found = engine.key_problems(&name, key, matches!(rel, Relation::Extra(..)))?;
            if let Some((message, hint)) = found.into_iter().next() {
                return Err(Error {
                    context: format!(
                        "[{}] the given rows of `{}`",
                        crate::codes::BAD_KEYS,
                        table.join(".")
                    ),
                    message: format!("{message}\n  hint: {hint}"),
                });
            }
        }
    }
    Ok(engine)
}

/// Each `expect` of a test, on a backend holding its given rows.
fn expectations(
    engine: &dyn Backend,
    p: &Program,
    t: &TestDef,
) -> Result<Vec<ExpectOutcome>, Error> {
    let d = engine.dialect();
    let mut out = Vec::new();
    for e in &t.expects {
        // The keys of the expectation's rows at an instant, and what a set would hide.
        let rows_at = |as_of: i64| -> Result<(BTreeSet<String>, Vec<String>), Error> {
            let q = compile::members(p, e.target, &e.rows, d, Options::literal(as_of)).map_err(
                |u| Error {
                    context: "compiling".into(),
                    message: u.to_string(),
                },
            )?;
            Ok(distinct_members(engine.first_column(&compile::to_sql(&q))?))
        };
        let label = e.label(p);
        // `entered`: in the rows at as_of and not at since; `left`: the other way round.
        let (actual, anomalies) = match (e.change, t.since) {
            (Some(change), Some(since)) => {
                let (now, mut anomalies) = rows_at(t.as_of)?;
                let (before, earlier) = rows_at(since)?;
                anomalies.extend(earlier.into_iter().map(|a| format!("{a} at since")));
                let keys = match change {
                    Change::Entered => now.difference(&before).cloned().collect(),
                    Change::Left => before.difference(&now).cloned().collect(),
                };
                (keys, anomalies)
            }
            _ => rows_at(t.as_of)?,
        };
        let expected: BTreeSet<String> = e.members.iter().map(key_text).collect();
        let mut unexpected: Vec<String> = actual.difference(&expected).cloned().collect();
        unexpected.extend(anomalies);
        out.push(ExpectOutcome {
            target: label,
            missing: expected.difference(&actual).cloned().collect(),
            unexpected,
            expected: expected.into_iter().collect(),
            actual: actual.into_iter().collect(),
        });
    }
    Ok(out)
}

/// The members a statement returned, as a set, and what a set would hide: a key returned
/// more than once (`k (2 times)`) or a NULL key (`NULL`, `NULL (3 times)`). Members are distinct,
/// non-null keys by construction, so either is a wrong answer the test must fail on.
fn distinct_members(rows: Vec<Option<String>>) -> (BTreeSet<String>, Vec<String>) {
    let mut counts: std::collections::BTreeMap<Option<String>, usize> = Default::default();
    for r in rows {
        *counts.entry(r).or_default() += 1;
    }
    let mut anomalies = Vec::new();
    let mut set = BTreeSet::new();
    for (k, n) in counts {
        match k {
            None if n == 1 => anomalies.push("NULL".to_string()),
            None => anomalies.push(format!("NULL ({n} times)")),
            Some(k) => {
                if n > 1 {
                    anomalies.push(format!("{k} ({n} times)"));
                }
                set.insert(k);
            }
        }
    }
    (set, anomalies)
}

/// `given ... from "path"`: the file's rows into the relation's table, each column read
/// as the catalog's type (CSV decimals parsed as DECIMAL(38, 9), as inline rows are).
fn load_file(
    engine: &Engine,
    table: &[String],
    columns: &[(String, segql_syntax::ast::Type)],
    path: &str,
    base: &Path,
) -> Result<(), Error> {
    let name = engine.prepare_name(table)?;
    let full = base.join(path);
    let reading = |code: &str, message: String| Error {
        context: format!("[{code}] reading \"{path}\""),
        message,
    };
    if !full.is_file() {
        return Err(reading(
            crate::codes::DATA_MISMATCH,
            "no such file (paths in `given ... from` are relative to the project directory)"
                .to_string(),
        ));
    }
    let csv = !path.ends_with(".parquet");
    let reader = if csv { "read_csv" } else { "read_parquet" };
    let file = sqltext::literal(&full.to_string_lossy());
    // Every column of the relation must be in the file: a missing one would
    // otherwise surface as a binder error about segql's own SQL.
    let present: Vec<String> = engine
        .first_column(&format!(
            "SELECT column_name FROM (DESCRIBE SELECT * FROM {reader}({file}))"
        ))
        .map_err(|e| reading(crate::codes::DATA_MISMATCH, e.message))?
        .into_iter()
        .flatten()
        .collect();
    let missing: Vec<&str> = columns
        .iter()
        .map(|(c, _)| c.as_str())
        .filter(|c| !present.iter().any(|p| p == c))
        .collect();
    if !missing.is_empty() {
        return Err(reading(
            crate::codes::DATA_MISMATCH,
            format!(
                "it has no column{} {} (its columns are {})",
                if missing.len() == 1 { "" } else { "s" },
                missing
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                present.join(", ")
            ),
        ));
    }
    let decimals: Vec<String> = columns
        .iter()
        .filter(|(_, t)| csv && *t == segql_syntax::ast::Type::Decimal)
        .map(|(c, t)| {
            format!(
                "{}: {}",
                sqltext::literal(c),
                sqltext::literal(duckdb_type(*t))
            )
        })
        .collect();
    let source = if decimals.is_empty() {
        format!("{reader}({file})")
    } else {
        format!("{reader}({file}, types = {{{}}})", decimals.join(", "))
    };
    let cols: Vec<String> = columns
        .iter()
        .map(|(c, ty)| format!("CAST({} AS {})", sqltext::ident(c), duckdb_type(*ty)))
        .collect();
    let names: Vec<String> = columns.iter().map(|(c, _)| sqltext::ident(c)).collect();
    engine
        .execute(&format!(
            "INSERT INTO {name} ({}) SELECT {} FROM {source}",
            names.join(", "),
            cols.join(", ")
        ))
        .map_err(|e| {
            reading(
                crate::codes::BAD_VALUE,
                crate::bind::relative_to(base, &e.message),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::distinct_members;

    #[test]
    fn duplicate_and_null_members_are_unexpected() {
        let rows = vec![Some("a".into()), Some("b".into()), Some("a".into()), None];
        let (set, anomalies) = distinct_members(rows);
        assert_eq!(set.into_iter().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(anomalies, ["NULL", "a (2 times)"]);
        let (set, anomalies) = distinct_members(vec![Some("x".into())]);
        assert_eq!(set.len(), 1);
        assert!(anomalies.is_empty());
    }
}
