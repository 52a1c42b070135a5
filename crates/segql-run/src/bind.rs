//! Binding the catalog's relations to local data, in place.
//!
//! Each relation becomes a view in the in-memory database: over a file or glob
//! (parquet, CSV, JSON; optionally hive-partitioned), or over a table of a `.duckdb`
//! file attached READ_ONLY. Nothing is copied and no source is written. Before anything
//! runs, the bound data is checked against the catalog and every mismatch is reported
//! at once.

use crate::checks::{typed_select, Reading};
use crate::codes::{BAD_KEYS, BAD_VALUE, DATA_MISMATCH};
use crate::engine::Access;
use crate::engine::{relation_shape, Engine, Shape};
use segql_plan::ir::{Catalog, Relation};
use segql_syntax::ast::Type;
use std::path::{Path, PathBuf};

/// File formats DuckDB reads in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Csv,
    Json,
}

impl Format {
    /// The format a path's extension names (`.parquet`, `.csv`, `.tsv`, `.json`,
    /// `.jsonl`, `.ndjson`, also compressed with `.gz`/`.zst`).
    pub fn from_path(p: &str) -> Option<Format> {
        let lower = p.to_ascii_lowercase();
        let lower = lower.trim_end_matches(".gz").trim_end_matches(".zst");
        if lower.ends_with(".parquet") {
            Some(Format::Parquet)
        } else if lower.ends_with(".csv") || lower.ends_with(".tsv") {
            Some(Format::Csv)
        } else if lower.ends_with(".json")
            || lower.ends_with(".jsonl")
            || lower.ends_with(".ndjson")
        {
            Some(Format::Json)
        } else {
            None
        }
    }

    pub(crate) fn reader(self) -> &'static str {
        match self {
            Format::Parquet => "read_parquet",
            Format::Csv => "read_csv",
            Format::Json => "read_json_auto",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Source {
    /// A file, a glob, or a directory of hive partitions (`data/events/**/*.parquet`).
    Files {
        /// As written, relative to the project.
        path: String,
        format: Option<Format>,
        hive_partitioning: bool,
    },
    /// A table of a DuckDB database file, attached read-only.
    DuckDb {
        /// As written, relative to the project.
        file: String,
        /// `table` or `schema.table` inside that database.
        table: String,
    },
}

/// One entry of `[bindings]`: a warehouse relation and where its data lies locally.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The relation's dotted name, as the catalog's `table` gives it.
    pub relation: String,
    pub source: Source,
}

/// What [`Engine::bind_sources`] found and what its views read.
#[derive(Debug, Default)]
pub struct Bound {
    pub problems: Vec<Problem>,
    pub access: Access,
}

/// A mismatch between the bindings, the data and the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Its diagnostic code (`E0701` for data that does not fit, see [`crate::codes`]).
    pub code: &'static str,
    /// The relation concerned.
    pub relation: String,
    /// The file, glob or database involved, as written.
    pub path: Option<String>,
    pub column: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.relation)?;
        if let Some(p) = &self.path {
            write!(f, " ({p})")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column `{c}`")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

/// Whether data of DuckDB type `actual` can stand for a catalog column of type `t`.
pub fn compatible(t: Type, actual: &str) -> bool {
    let a = actual.to_ascii_uppercase();
    let integer = [
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "UHUGEINT",
    ]
    .contains(&a.as_str());
    let number =
        integer || a.starts_with("DECIMAL") || a == "DOUBLE" || a == "FLOAT" || a == "REAL";
    match t {
        Type::String => a == "VARCHAR" || a.starts_with("VARCHAR(") || a == "UUID",
        Type::Int => integer,
        Type::Decimal | Type::Float => number,
        Type::Bool => a == "BOOLEAN",
        Type::Date => a == "DATE",
        Type::Timestamp => a.starts_with("TIMESTAMP") || a == "DATE",
    }
}

fn quote_literal(s: &str) -> String {
    crate::sqltext::literal(s)
}

/// A DuckDB message about a bound file with the project directory taken out of the
/// paths it names, so that they read as the binding wrote them (`data/x.parquet`).
pub(crate) fn relative_to(base: &Path, message: &str) -> String {
    let base = base.to_string_lossy();
    if base.is_empty() {
        return message.to_string();
    }
    let prefix = if base.ends_with('/') {
        base.to_string()
    } else {
        format!("{base}/")
    };
    message.replace(&prefix, "")
}

fn relation_name(parts: &[String]) -> String {
    parts.join(".")
}

/// Every relation of the catalog: its dotted name, shape, and whether it is an entity.
pub(crate) fn relations(cat: &Catalog) -> Vec<(Relation, Shape)> {
    let mut out: Vec<(Relation, Shape)> = Vec::new();
    for r in cat.relations() {
        let (table, cols) = relation_shape(cat, &r);
        // Two declarations over one table (an events relation per event): one view.
        if let Some((_, (_, existing))) = out.iter_mut().find(|(_, (t, _))| *t == table) {
            for c in cols {
                if !existing.iter().any(|(n, _)| *n == c.0) {
                    existing.push(c);
                }
            }
            continue;
        }
        out.push((r, (table, cols)));
    }
    out
}

impl Engine {
    /// Creates a view for every catalog relation over its bound data, then checks each
    /// view's columns and types against the catalog. Returns every problem found (none
    /// means every relation is bound and fits).
    pub fn bind(&self, cat: &Catalog, bindings: &[Binding], base: &Path) -> Vec<Problem> {
        self.bind_sources(cat, bindings, base).problems
    }

    /// [`Engine::bind`], and what the views read: the files [`Engine::lock_down`] must
    /// leave readable. Each view reads its columns as the catalog's types (a `decimal`
    /// as DECIMAL(38, 9), parsed as such from CSV); every file of a glob is checked, not
    /// only the first; entity keys are checked distinct and non-null.
    pub fn bind_sources(&self, cat: &Catalog, bindings: &[Binding], base: &Path) -> Bound {
        self.bind_only(cat, bindings, base, None)
    }

    /// [`Engine::bind_sources`] for the relations named in `only` (every relation when
    /// `None`): a run of some segments reads, checks and opens only the data they read.
    /// A binding naming a table no declaration reads is reported either way.
    pub fn bind_only(
        &self,
        cat: &Catalog,
        bindings: &[Binding],
        base: &Path,
        only: Option<&std::collections::BTreeSet<String>>,
    ) -> Bound {
        let mut access = Access::default();
        let mut problems = Vec::new();
        let mut attached: Vec<(PathBuf, String)> = Vec::new();
        let known: Vec<String> = relations(cat)
            .iter()
            .map(|(_, (t, _))| relation_name(t))
            .collect();
        for b in bindings {
            if !known.contains(&b.relation) {
                problems.push(Problem {
                    code: DATA_MISMATCH,
                    relation: b.relation.clone(),
                    path: None,
                    column: None,
                    message: "no entity or events relation of the catalog reads this table"
                        .to_string(),
                    hint: segql_syntax::parser::did_you_mean(
                        &b.relation,
                        known.iter().map(|s| s.as_str()),
                    )
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| Some(format!("the catalog's tables are {}", known.join(", ")))),
                });
            }
        }
        for (rel, (table, columns)) in relations(cat) {
            let first_problem = problems.len();
            let dotted = relation_name(&table);
            if only.is_some_and(|o| !o.contains(&dotted)) {
                continue;
            }
            let Some(b) = bindings.iter().find(|b| b.relation == dotted) else {
                problems.push(Problem {
                    code: DATA_MISMATCH,
                    relation: dotted.clone(),
                    path: None,
                    column: None,
                    message: "no data is bound to this table".to_string(),
                    hint: Some(format!(
                        "add it to [bindings] in segql.toml: \"{dotted}\" = \"data/{}.parquet\"",
                        table.last().map(String::as_str).unwrap_or("table")
                    )),
                });
                continue;
            };
            let view = match self.prepare_name(&table) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(Problem {
                        code: DATA_MISMATCH,
                        relation: dotted.clone(),
                        path: None,
                        column: None,
                        message: e.to_string(),
                        hint: None,
                    });
                    continue;
                }
            };
            let (select, shown, reading) = match &b.source {
                Source::Files {
                    path,
                    format,
                    hive_partitioning,
                } => {
                    let full = base.join(path);
                    let full_text = full.to_string_lossy().to_string();
                    let Some(format) = format.or_else(|| Format::from_path(path)) else {
                        problems.push(Problem {
                            code: DATA_MISMATCH,
                            relation: dotted.clone(),
                            path: Some(path.clone()),
                            column: None,
                            message: "cannot tell the file format from the name".to_string(),
                            hint: Some("name files .parquet, .csv or .json, or set format = \"parquet\" in the binding".to_string()),
                        });
                        continue;
                    };
                    let files = match self.glob_files(&full_text) {
                        Ok(f) => f,
                        Err(e) => {
                            problems.push(Problem {
                                code: DATA_MISMATCH,
                                relation: dotted.clone(),
                                path: Some(path.clone()),
                                column: None,
                                message: format!(
                                    "cannot list the files: {}",
                                    relative_to(base, &e.message)
                                ),
                                hint: None,
                            });
                            continue;
                        }
                    };
                    if files.is_empty() {
                        problems.push(Problem {
                            code: DATA_MISMATCH,
                            relation: dotted.clone(),
                            path: Some(path.clone()),
                            column: None,
                            message: if path.contains(['*', '?', '[']) {
                                "this glob matches no file".to_string()
                            } else {
                                "this file does not exist".to_string()
                            },
                            hint: Some(
                                "paths are relative to the project directory (where segql.toml is)"
                                    .to_string(),
                            ),
                        });
                        continue;
                    }
                    access.paths.push(full_text.clone());
                    access.paths.extend(files.iter().cloned());
                    let reading = Reading {
                        format,
                        pattern: full_text.clone(),
                        hive: *hive_partitioning,
                        files,
                    };
                    let select = reading.select(&[]);
                    (select, path.clone(), Some(reading))
                }
                Source::DuckDb { file, table: inner } => {
                    let full = base.join(file);
                    if !full.is_file() {
                        problems.push(Problem {
                            code: DATA_MISMATCH,
                            relation: dotted.clone(),
                            path: Some(file.clone()),
                            column: None,
                            message: "this database file does not exist".to_string(),
                            hint: Some(
                                "paths are relative to the project directory (where segql.toml is)"
                                    .to_string(),
                            ),
                        });
                        continue;
                    }
                    let alias = match attached.iter().find(|(p, _)| *p == full) {
                        Some((_, a)) => a.clone(),
                        None => {
                            let a = format!("segql_source_{}", attached.len() + 1);
                            let sql = format!(
                                "ATTACH {} AS {a} (READ_ONLY)",
                                quote_literal(&full.to_string_lossy())
                            );
                            if let Err(e) = self.execute(&sql) {
                                problems.push(Problem {
                                    code: DATA_MISMATCH,
                                    relation: dotted.clone(),
                                    path: Some(file.clone()),
                                    column: None,
                                    message: format!(
                                        "cannot open the database: {}",
                                        relative_to(base, &e.message)
                                    ),
                                    hint: None,
                                });
                                continue;
                            }
                            attached.push((full.clone(), a.clone()));
                            a
                        }
                    };
                    let tables = self.tables_of(&alias);
                    let wanted = if inner.contains('.') {
                        inner.clone()
                    } else {
                        format!("main.{inner}")
                    };
                    // DuckDB's names are case-insensitive.
                    let found = tables.iter().any(|t| t.eq_ignore_ascii_case(&wanted));
                    if !found && inner.split('.').count() <= 2 {
                        problems.push(Problem {
                            code: DATA_MISMATCH,
                            relation: dotted.clone(),
                            path: Some(file.clone()),
                            column: None,
                            message: format!("the database holds no table `{inner}`"),
                            hint: segql_syntax::parser::did_you_mean(
                                &wanted,
                                tables.iter().map(String::as_str),
                            )
                            .map(|s| format!("did you mean `{s}`?"))
                            .or_else(|| {
                                Some(if tables.is_empty() {
                                    "the database holds no tables".to_string()
                                } else {
                                    format!("its tables are {}", tables.join(", "))
                                })
                            }),
                        });
                        continue;
                    }
                    let inner_name: Vec<String> =
                        inner.split('.').map(crate::sqltext::ident).collect();
                    (
                        format!("SELECT * FROM {alias}.{}", inner_name.join(".")),
                        format!("{file}: {inner}"),
                        None,
                    )
                }
            };
            if let Err(e) = self.execute(&format!("CREATE OR REPLACE VIEW {view} AS {select}")) {
                problems.push(Problem {
                    code: DATA_MISMATCH,
                    relation: dotted.clone(),
                    path: Some(shown.clone()),
                    column: None,
                    message: format!("cannot read it: {}", relative_to(base, &e.message)),
                    hint: Some("is it a valid file of that format?".to_string()),
                });
                continue;
            }
            let actual = match self.rows(&format!(
                "SELECT column_name, column_type FROM (DESCRIBE {view})"
            )) {
                Ok((_, rows)) => rows,
                Err(e) => {
                    problems.push(Problem {
                        code: DATA_MISMATCH,
                        relation: dotted.clone(),
                        path: Some(shown.clone()),
                        column: None,
                        message: format!(
                            "cannot read its columns: {}",
                            relative_to(base, &e.message)
                        ),
                        hint: None,
                    });
                    continue;
                }
            };
            let names: Vec<String> = actual.iter().filter_map(|r| r[0].clone()).collect();
            if let Some(whole) = unsplit_csv(reading.as_ref(), &names, columns.len()) {
                problems.push(Problem {
                    code: DATA_MISMATCH,
                    relation: dotted.clone(),
                    path: Some(shown.clone()),
                    column: None,
                    message: format!(
                        "read as one column `{whole}`: DuckDB could not tell how its lines split into fields"
                    ),
                    hint: Some(
                        "look for an unterminated quote (\") or a line with more or fewer fields than the header"
                            .to_string(),
                    ),
                });
                continue;
            }
            for (col, ty) in &columns {
                match actual
                    .iter()
                    .find(|r| r[0].as_deref() == Some(col.as_str()))
                {
                    None => problems.push(Problem {
                        code: DATA_MISMATCH,
                        relation: dotted.clone(),
                        path: Some(shown.clone()),
                        column: Some(col.clone()),
                        message: "the data has no such column".to_string(),
                        hint: segql_syntax::parser::did_you_mean(
                            col,
                            names.iter().map(|s| s.as_str()),
                        )
                        .map(|s| {
                            format!(
                                "the data has `{s}`; rename the column in the catalog or the data"
                            )
                        })
                        .or_else(|| Some(format!("its columns are {}", names.join(", ")))),
                    }),
                    Some(r) => {
                        let actual_ty = r[1].clone().unwrap_or_default();
                        if !compatible(*ty, &actual_ty) {
                            problems.push(Problem {
                                code: DATA_MISMATCH,
                                relation: dotted.clone(),
                                path: Some(shown.clone()),
                                column: Some(col.clone()),
                                message: format!(
                                    "the catalog says {}, the data holds {actual_ty}",
                                    ty.keyword()
                                ),
                                hint: Some(
                                    "change the column's type in the catalog, or fix the data"
                                        .to_string(),
                                ),
                            });
                        }
                    }
                }
            }
            if problems.len() > first_problem {
                continue;
            }
            let problem = |code: &'static str,
                           path: Option<String>,
                           column: Option<String>,
                           message: String,
                           hint: Option<String>| Problem {
                code,
                relation: dotted.clone(),
                path,
                column,
                message,
                hint,
            };
            // A glob's other files: each must hold the columns too.
            if let Some(r) = reading.as_ref().filter(|r| r.files.len() > 1) {
                let found = self.check_files(r, &columns, base);
                if !found.is_empty() {
                    problems.extend(found.into_iter().map(|(file, column, message, hint)| {
                        // A file that cannot be read at all has no column to name.
                        let column = Some(column).filter(|c| !c.is_empty());
                        problem(DATA_MISMATCH, Some(file), column, message, hint)
                    }));
                    continue;
                }
            }
            // The view again, each column read as the catalog's type.
            let typed = typed_select(reading.as_ref(), &select, &columns, &actual);
            if let Err(e) = self.execute(&format!("CREATE OR REPLACE VIEW {view} AS {typed}")) {
                problems.push(problem(
                    DATA_MISMATCH,
                    Some(shown.clone()),
                    None,
                    format!(
                        "cannot read it as the catalog's types: {}",
                        relative_to(base, &e.message)
                    ),
                    None,
                ));
                continue;
            }
            if let Some(key) = cat.unique_key(&rel) {
                match self.key_problems(&view, key, matches!(rel, Relation::Extra(..))) {
                    Ok(found) => problems.extend(found.into_iter().map(|(message, hint)| {
                        problem(
                            BAD_KEYS,
                            Some(shown.clone()),
                            Some(key.to_string()),
                            message,
                            Some(hint),
                        )
                    })),
                    Err(e) => problems.push(problem(
                        BAD_VALUE,
                        Some(shown.clone()),
                        None,
                        format!("cannot read it: {}", relative_to(base, &e.message)),
                        Some(
                            "fix the value in the data, or the column's type in the catalog"
                                .to_string(),
                        ),
                    )),
                }
            }
        }
        Bound { problems, access }
    }

    /// `schema.table` for every table and view of an attached database, sorted.
    fn tables_of(&self, alias: &str) -> Vec<String> {
        let db = quote_literal(alias);
        let sql = format!(
            "SELECT schema_name || '.' || table_name AS t FROM duckdb_tables() WHERE database_name = {db} \
             UNION ALL SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE database_name = {db} AND NOT internal \
             ORDER BY t"
        );
        self.first_column(&sql)
            .map(|v| v.into_iter().flatten().collect())
            .unwrap_or_default()
    }

    /// The files a glob (or a plain path) matches, sorted.
    fn glob_files(&self, pattern: &str) -> crate::engine::Result<Vec<String>> {
        Ok(self
            .first_column(&format!(
                "SELECT file FROM glob({}) ORDER BY file",
                quote_literal(pattern)
            ))?
            .into_iter()
            .flatten()
            .collect())
    }
}

/// The one column a CSV file was read as when DuckDB's sniffer found no delimiter (an
/// unterminated quote, ragged lines): its header line, shortened. `None` for any other
/// reading, or when the catalog itself wants one column.
fn unsplit_csv(reading: Option<&Reading>, names: &[String], wanted: usize) -> Option<String> {
    reading.filter(|r| r.format == Format::Csv)?;
    let [only] = names else { return None };
    if wanted < 2 || !only.contains([',', ';', '\t', '|']) {
        return None;
    }
    Some(if only.chars().count() > 60 {
        format!("{}...", only.chars().take(57).collect::<String>())
    } else {
        only.clone()
    })
}
