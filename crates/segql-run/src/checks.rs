//! What binding checks beyond a view's columns: every file of a glob, the columns read
//! as the catalog's types, and entity keys distinct and non-null.

use crate::bind::{compatible, Format};
use crate::engine::{duckdb_type, Engine, Result};
use crate::sqltext::{ident, literal};
use segql_syntax::ast::Type;
use std::path::Path;

/// How a files binding is read: its format, its glob (absolute, as DuckDB takes it),
/// hive partitioning, and the files the glob matched when the view was made.
#[derive(Debug, Clone)]
pub struct Reading {
    pub format: Format,
    pub pattern: String,
    pub hive: bool,
    pub files: Vec<String>,
}

impl Reading {
    /// `SELECT * FROM read_x('pattern', ...)`; `decimals` are CSV columns to parse as
    /// DECIMAL(38, 9) straight from the text (not as DOUBLE, then cast).
    pub fn select(&self, decimals: &[&str]) -> String {
        self.select_from(&self.pattern, decimals)
    }

    fn select_from(&self, path: &str, decimals: &[&str]) -> String {
        let mut args = vec![literal(path)];
        if self.hive {
            args.push("hive_partitioning = true".to_string());
        }
        if self.format == Format::Csv && !decimals.is_empty() {
            let types: Vec<String> = decimals
                .iter()
                .map(|c| format!("{}: {}", literal(c), literal(duckdb_type(Type::Decimal))))
                .collect();
            args.push(format!("types = {{{}}}", types.join(", ")));
        }
        format!(
            "SELECT * FROM {}({})",
            self.format.reader(),
            args.join(", ")
        )
    }

    /// The hive partition keys in the files' paths (`month` of `month=2024-05/`).
    fn partition_keys(&self) -> Vec<String> {
        if !self.hive {
            return Vec::new();
        }
        let mut keys: Vec<String> = self
            .files
            .iter()
            .flat_map(|f| {
                Path::new(f)
                    .components()
                    .filter_map(|c| {
                        c.as_os_str()
                            .to_str()?
                            .split_once('=')
                            .map(|(k, _)| k.to_string())
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }
}

fn same_type(actual: &str, t: Type) -> bool {
    let norm = |s: &str| s.replace(' ', "").to_ascii_uppercase();
    norm(actual) == norm(duckdb_type(t))
}

/// The view's query with every catalog column read as the catalog's type: CSV decimals
/// parsed as DECIMAL(38, 9), other columns whose type differs cast in the view
/// (`SELECT * REPLACE (CAST(...))`). `actual` holds the columns and types the data
/// showed (as `DESCRIBE` gives them).
pub fn typed_select(
    reading: Option<&Reading>,
    select: &str,
    columns: &[(String, Type)],
    actual: &[Vec<Option<String>>],
) -> String {
    let actual_type = |c: &str| {
        actual
            .iter()
            .find(|r| r[0].as_deref() == Some(c))
            .and_then(|r| r[1].clone())
            .unwrap_or_default()
    };
    let mut parsed: Vec<&str> = Vec::new();
    let inner = match reading {
        Some(r) if r.format == Format::Csv => {
            let keys = r.partition_keys();
            parsed = columns
                .iter()
                .filter(|(c, t)| *t == Type::Decimal && !keys.contains(c))
                .map(|(c, _)| c.as_str())
                .collect();
            r.select(&parsed)
        }
        _ => select.to_string(),
    };
    let casts: Vec<String> = columns
        .iter()
        .filter(|(c, t)| !parsed.contains(&c.as_str()) && !same_type(&actual_type(c), *t))
        .map(|(c, t)| format!("CAST({} AS {}) AS {}", ident(c), duckdb_type(*t), ident(c)))
        .collect();
    if casts.is_empty() {
        inner
    } else {
        format!(
            "SELECT * REPLACE ({}) FROM ({inner}) AS segql_source",
            casts.join(", ")
        )
    }
}

/// A problem found in one file of a glob: the file (relative to the project), the
/// column, what is wrong and a hint.
pub type FileProblem = (String, String, String, Option<String>);

impl Engine {
    /// Every file of a glob checked like the first: each must hold every column of the
    /// catalog with a type that fits. One problem per column and kind, naming the first
    /// file it was found in and how many files share it.
    pub fn check_files(
        &self,
        r: &Reading,
        columns: &[(String, Type)],
        base: &Path,
    ) -> Vec<FileProblem> {
        // (column, message) -> (first file, count)
        let mut found: Vec<((String, String), (String, usize))> = Vec::new();
        let mut note = |column: &str, message: String, file: &str| {
            let shown = crate::bind::relative_to(base, file);
            match found
                .iter_mut()
                .find(|(k, _)| k.0 == column && k.1 == message)
            {
                Some((_, (_, n))) => *n += 1,
                None => found.push(((column.to_string(), message), (shown, 1))),
            }
        };
        for file in &r.files {
            let sql = format!(
                "SELECT column_name, column_type FROM (DESCRIBE {})",
                r.select_from(file, &[])
            );
            let rows = match self.rows(&sql) {
                Ok((_, rows)) => rows,
                Err(e) => {
                    note(
                        "",
                        format!(
                            "cannot read it: {}",
                            crate::bind::relative_to(base, &e.message)
                        ),
                        file,
                    );
                    continue;
                }
            };
            for (c, t) in columns {
                match rows
                    .iter()
                    .find(|row| row[0].as_deref() == Some(c.as_str()))
                {
                    None => note(c, "this file has no such column".to_string(), file),
                    Some(row) => {
                        let actual = row[1].clone().unwrap_or_default();
                        if !compatible(*t, &actual) {
                            note(
                                c,
                                format!(
                                    "the catalog says {}, this file holds {actual}",
                                    t.keyword()
                                ),
                                file,
                            );
                        }
                    }
                }
            }
        }
        let pattern = crate::bind::relative_to(base, &r.pattern);
        found
            .into_iter()
            .map(|((column, message), (file, n))| {
                let others = if n > 1 {
                    format!(" (and {} more of the {} files)", n - 1, r.files.len())
                } else {
                    String::new()
                };
                (
                    file,
                    column,
                    format!("{message}{others}"),
                    Some(format!(
                        "every file `{pattern}` matches must hold the catalog's columns; fix or move this file"
                    )),
                )
            })
            .collect()
    }

    /// Duplicate and NULL keys in an entity's view: a message and a hint for each kind
    /// found.
    /// An extra table (`extra: true`) may have rows without a key (a CRM's leads that
    /// are no users yet): they match no entity and are not a problem.
    pub fn key_problems(
        &self,
        view: &str,
        key: &str,
        extra: bool,
    ) -> Result<Vec<(String, String)>> {
        let k = ident(key);
        let sql = format!(
            "WITH d AS (SELECT {k} AS k, count(*) AS n FROM {view} WHERE {k} IS NOT NULL GROUP BY {k} HAVING count(*) > 1) \
             SELECT (SELECT count(*) FROM {view} WHERE {k} IS NULL), (SELECT count(*) FROM d), \
             (SELECT CAST(k AS VARCHAR) FROM d ORDER BY k LIMIT 1), (SELECT n FROM d ORDER BY k LIMIT 1)"
        );
        let (_, rows) = self.rows(&sql)?;
        let row = rows.into_iter().next().unwrap_or_default();
        let cell = |i: usize| row.get(i).cloned().flatten();
        let num = |i: usize| cell(i).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
        let (nulls, dups) = (num(0), num(1));
        let mut out = Vec::new();
        if dups > 0 {
            let first = cell(2).unwrap_or_default();
            out.push((
                format!(
                    "{dups} value{} of the key `{key}` {} more than once (first: '{first}', in {} rows)",
                    if dups == 1 { "" } else { "s" },
                    if dups == 1 { "appears" } else { "appear" },
                    num(3)
                ),
                format!(
                    "{} holds one row per key: remove the duplicates, or bind a table that has one row per key",
                    if extra { "an extra table" } else { "an entity's table" }
                ),
            ));
        }
        if nulls > 0 && !extra {
            out.push((
                format!(
                    "{nulls} row{} {} no `{key}` (null)",
                    if nulls == 1 { "" } else { "s" },
                    if nulls == 1 { "has" } else { "have" },
                ),
                "every row of an entity's table needs its key: fill it in or leave the row out"
                    .to_string(),
            ));
        }
        Ok(out)
    }
}
