//! `segql doctor --target NAME`: the driver found, a connection made, and the catalog
//! checked against the target's own description of its tables (ADBC's table schema,
//! from the information schema): every relation and column there, with a type that
//! can stand for the catalog's, and entity keys distinct and non-null. Problems carry
//! the binder's codes (E0701, E0702), as for local files.

use super::{error, TargetBackend};
use crate::backend::Backend;
use crate::bind::{relations, Problem};
use crate::codes::{BAD_KEYS, DATA_MISMATCH};
use crate::engine::Result;
use arrow_schema::DataType;
use segql_plan::ir::{Program, Relation};
use segql_syntax::ast::Type;
use segql_target::client::Client;

/// What `segql doctor` found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The driver's library and how it was found.
    pub driver: String,
    /// The server's and driver's names and versions.
    pub info: Vec<(String, String)>,
    /// The relations checked.
    pub checked: usize,
    pub problems: Vec<Problem>,
}

/// Whether a column of Arrow type `a` (as the target's driver describes it) can stand
/// for a catalog column of type `t`. PostgreSQL's driver describes NUMERIC as text (its
/// exact digits), so text stands for a decimal there.
pub fn compatible(t: Type, a: &DataType, decimal_as_text: bool) -> bool {
    use DataType::*;
    let integer = matches!(
        a,
        Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64
    );
    let text = matches!(a, Utf8 | LargeUtf8 | Utf8View);
    let number = integer || matches!(a, Decimal128(..) | Decimal256(..) | Float32 | Float64);
    match t {
        Type::String => text,
        Type::Int => integer,
        Type::Decimal => number || (decimal_as_text && text),
        Type::Float => number,
        Type::Bool => matches!(a, Boolean),
        Type::Date => matches!(a, Date32 | Date64),
        Type::Timestamp => matches!(a, Timestamp(..) | Date32 | Date64),
    }
}

fn type_name(t: Type) -> &'static str {
    match t {
        Type::String => "string",
        Type::Int => "int",
        Type::Decimal => "decimal",
        Type::Float => "float",
        Type::Bool => "bool",
        Type::Date => "date",
        Type::Timestamp => "timestamp",
    }
}

/// Checks every catalog relation of `p` on the target: each relation and column there,
/// of a compatible type; with `keys`, also that every entity's key is distinct and
/// non-null (a scan of each entity's table: `segql doctor` does it, the check before
/// every run does not).
pub fn doctor(t: &TargetBackend, p: &Program, keys: bool) -> Result<Report> {
    let mut problems = Vec::new();
    let rels = relations(&p.catalog);
    let decimal_as_text = matches!(
        t.kind(),
        segql_target::Kind::Postgres | segql_target::Kind::Redshift
    );
    let tname = t.name().to_string();
    for (rel, (table, columns)) in &rels {
        let remote = t.target().relation(table);
        let shown = remote.join(".");
        let problem = |code, column: Option<&str>, message: String, hint: Option<String>| Problem {
            code,
            relation: table.join("."),
            path: Some(format!("{shown} on target `{tname}`")),
            column: column.map(str::to_string),
            message,
            hint,
        };
        let Some(schema) = t.client().table_schema(&remote).map_err(error)? else {
            problems.push(problem(
                DATA_MISMATCH,
                None,
                "no such table on the target".to_string(),
                Some(format!(
                    "create it, load the bound files with `segql seed --target {tname}`, or say where it lives with `schemas` or `relations` in [targets.{}]",
                    tname.split(':').next().unwrap_or(&tname)
                )),
            ));
            continue;
        };
        for (c, ty) in columns {
            let field = schema.fields().iter().find(|f| f.name() == c);
            let Some(field) = field else {
                let other = schema
                    .fields()
                    .iter()
                    .find(|f| f.name().eq_ignore_ascii_case(c))
                    .map(|f| {
                        format!(
                            "it has `{}`: names are compared exactly (segql quotes them)",
                            f.name()
                        )
                    });
                let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
                problems.push(problem(
                    DATA_MISMATCH,
                    Some(c),
                    "no such column on the target".to_string(),
                    Some(other.unwrap_or_else(|| format!("its columns are {}", names.join(", ")))),
                ));
                continue;
            };
            if !compatible(*ty, field.data_type(), decimal_as_text) {
                problems.push(problem(
                    DATA_MISMATCH,
                    Some(c),
                    format!(
                        "the catalog says {}, the target has {}",
                        type_name(*ty),
                        field.data_type()
                    ),
                    Some(
                        "change the column's type on the target, or the catalog's to match"
                            .to_string(),
                    ),
                ));
            }
        }
        if let (true, Some(key)) = (keys, p.catalog.unique_key(rel)) {
            let key = &key.to_string();
            if !columns.iter().any(|(c, _)| c == key)
                || problems.iter().any(|x| {
                    x.column.as_deref() == Some(key.as_str()) && x.relation == table.join(".")
                })
            {
                continue;
            }
            let k = t.ident(key);
            let (_, rows) = t.rows(&format!(
                "SELECT count(*) - count({k}), count({k}) - count(DISTINCT {k}) FROM {}",
                t.relation(&remote)
            ))?;
            let cell = |i: usize| -> u64 {
                rows.first()
                    .and_then(|r| r.get(i))
                    .cloned()
                    .flatten()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0)
            };
            // Rows of an extra table without a key match no entity: not a problem.
            let extra = matches!(rel, Relation::Extra(..));
            let (nulls, dupes) = (if extra { 0 } else { cell(0) }, cell(1));
            if nulls > 0 || dupes > 0 {
                let mut what = Vec::new();
                if nulls > 0 {
                    what.push(format!(
                        "{nulls} null key{}",
                        if nulls == 1 { "" } else { "s" }
                    ));
                }
                if dupes > 0 {
                    what.push(format!(
                        "{dupes} duplicated key row{}",
                        if dupes == 1 { "" } else { "s" }
                    ));
                }
                problems.push(problem(
                    BAD_KEYS,
                    Some(key),
                    if extra {
                        format!("the extra table's key is not unique: {}", what.join(", "))
                    } else {
                        format!(
                            "the entity's key is not unique and non-null: {}",
                            what.join(", ")
                        )
                    },
                    Some(if extra {
                        "an extra table holds one row per entity or none".to_string()
                    } else {
                        "each row of an entity's table is one entity, with its own key".to_string()
                    }),
                ));
            }
        }
    }
    Ok(Report {
        driver: t.driver(),
        info: t.info(),
        checked: rels.len(),
        problems,
    })
}
