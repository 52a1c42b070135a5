//! `segql import dbt`: a catalog `.seg` draft from a dbt `manifest.json`.
//!
//! Each selected relation becomes an `entity`, or an `events` relation of one when it
//! looks like one (a timestamp column, and a column holding another relation's key; see
//! [`guess`]). Types come from the columns' `data_type` ([`seg_type`]); a column without
//! a type segql knows is written commented out, and every guess that needs a look is
//! said in a `# check ...` comment and in [`Imported::report`]. Columns are aligned as
//! `segql fmt` aligns them.

mod guess;
mod manifest;

use crate::error::DbtError;
use guess::{Kind, Plan};
use segql_syntax::ast::Type;
use segql_syntax::fmt::ident_text;
use segql_syntax::lexer::escape;
use std::fmt::Write;

/// What [`import`] made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The catalog draft: `.seg` text that parses and checks.
    pub catalog_text: String,
    /// One line per thing to review: columns left out (unknown or missing type), keys
    /// and events relations guessed without a name to go by.
    pub report: Vec<String>,
}

/// Reads a manifest's text and writes a catalog draft of the relations `selectors`
/// pick: `source:NAME`, `source:NAME.TABLE`, `model:NAME`, `seed:NAME`,
/// `snapshot:NAME`; none picks every source, model and snapshot.
pub fn import(manifest_json: &str, selectors: &[String]) -> Result<Imported, DbtError> {
    let m = manifest::read(manifest_json)?;
    let all = manifest::relations(&m);
    let rels = manifest::select(&all, selectors)?;
    let plans = guess::plan(&rels);
    let mut report = Vec::new();
    let mut out = String::new();
    let version = |v: &Option<String>| v.clone().unwrap_or_else(|| "unknown".into());
    let schema = m
        .metadata
        .dbt_schema_version
        .as_deref()
        .and_then(|v| v.rsplit('/').next())
        .map(|v| v.trim_end_matches(".json").to_string());
    let _ = writeln!(
        out,
        "# A catalog drafted by `segql import dbt` from a dbt manifest (dbt {}, manifest {}).",
        version(&m.metadata.dbt_version),
        version(&schema)
    );
    out.push_str(
        "# Review it: keys, events relations and types are guessed from column names and\n\
         # data types; `check` comments mark the guesses to look at, and columns of a type\n\
         # segql does not know are commented out.\n\n",
    );
    // With relations in several databases, each table is named with its database.
    let mut dbs: Vec<&Option<String>> = rels.iter().map(|r| &r.database).collect();
    dbs.sort();
    dbs.dedup();
    let with_db = dbs.len() > 1;
    // Entities first, so that an events relation follows the entity it is of.
    let order = plans
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p.kind, Kind::Entity { .. }))
        .chain(
            plans
                .iter()
                .enumerate()
                .filter(|(_, p)| matches!(p.kind, Kind::Events { .. })),
        );
    for (i, p) in order {
        write_relation(&mut out, &rels[i], p, &plans, with_db, &mut report);
    }
    let catalog_text = out.trim_end().to_string() + "\n";
    Ok(Imported {
        catalog_text,
        report,
    })
}

/// The tables a dbt project already has, from its manifest, by their dotted name as a
/// catalog drafted by [`import`] writes it (`schema.identifier`, and
/// `database.schema.identifier`): its sources (read with `{{ source(..) }}`) and its
/// model, seed and snapshot nodes (`{{ ref(..) }}`). What
/// [`crate::ModelsOptions::known`] takes, so that models written into that project
/// neither declare a source twice nor read a model behind dbt's back. A table that is a
/// seed and a source is read as the source; one that is a model and a source, as the
/// model.
pub fn known_relations(
    manifest_json: &str,
) -> Result<std::collections::BTreeMap<String, crate::Known>, DbtError> {
    let m = manifest::read(manifest_json)?;
    let mut out = std::collections::BTreeMap::new();
    let rank = |o: &manifest::Origin| match o {
        manifest::Origin::Node { kind, .. } if kind == "seed" => 0,
        manifest::Origin::Source { .. } => 1,
        manifest::Origin::Node { .. } => 2,
    };
    let mut all = manifest::relations(&m);
    all.sort_by_key(|r| rank(&r.origin));
    for r in all {
        let known = match &r.origin {
            manifest::Origin::Node { name, .. } => crate::Known::Ref(name.clone()),
            manifest::Origin::Source { source, table } => crate::Known::Source {
                source: source.clone(),
                table: table.clone(),
            },
        };
        let Some(schema) = &r.schema else { continue };
        let two = format!("{schema}.{}", r.identifier);
        if let Some(db) = &r.database {
            out.insert(format!("{db}.{two}"), known.clone());
        }
        out.insert(two, known);
    }
    Ok(out)
}

/// A dbt data type as a segql column type: lower-cased, parameters (`(10,2)`) dropped.
pub fn seg_type(data_type: &str) -> Option<Type> {
    let t = data_type.trim().to_lowercase();
    let t = match t.find('(') {
        Some(i) if t.ends_with(')') => t[..i].trim().to_string(),
        _ => t,
    };
    Some(match t.as_str() {
        "varchar" | "text" | "string" | "char" | "character" | "character varying" | "nvarchar"
        | "bpchar" | "uuid" => Type::String,
        "int" | "integer" | "bigint" | "smallint" | "tinyint" | "int2" | "int4" | "int8"
        | "int64" | "hugeint" | "long" => Type::Int,
        "numeric" | "decimal" | "number" | "bignumeric" => Type::Decimal,
        "float" | "double" | "real" | "float4" | "float8" | "float64" | "double precision" => {
            Type::Float
        }
        "bool" | "boolean" => Type::Bool,
        "date" => Type::Date,
        "timestamp"
        | "timestamp_ntz"
        | "timestamptz"
        | "timestamp_tz"
        | "timestamp_ltz"
        | "datetime"
        | "timestamp with time zone"
        | "timestamp without time zone" => Type::Timestamp,
        _ => return None,
    })
}

/// A description as a `.seg` string literal (the lexer's escapes), on one line.
fn seg_string(s: &str) -> String {
    escape(&one_line(s), '"')
}

/// Text for a comment: one line, whitespace runs as one space.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A column's name where a column is declared: `references` and `as` would read as the
/// previous column's reference clause, so they are quoted too.
fn column_name(name: &str) -> String {
    if matches!(name, "references" | "as") {
        escape(name, '`')
    } else {
        ident_text(name)
    }
}

fn write_relation(
    out: &mut String,
    r: &manifest::Relation,
    p: &Plan,
    plans: &[Plan],
    with_db: bool,
    report: &mut Vec<String>,
) {
    let origin = r.origin.describe();
    let _ = writeln!(out, "# {origin}");
    match &p.kind {
        Kind::Entity { .. } => {
            let _ = writeln!(out, "entity {} {{", ident_text(&p.name));
        }
        Kind::Events { of, .. } => {
            let _ = writeln!(
                out,
                "events {} of {} {{",
                ident_text(&p.name),
                ident_text(&plans[*of].name)
            );
        }
    }
    if !r.description.trim().is_empty() {
        let _ = writeln!(out, "  description {}", seg_string(&r.description));
    }
    let mut parts: Vec<&str> = Vec::new();
    if with_db {
        parts.extend(r.database.as_deref());
    }
    parts.extend(r.schema.as_deref());
    parts.push(&r.identifier);
    let table: Vec<String> = parts.iter().map(|s| ident_text(s)).collect();
    let _ = writeln!(out, "  table {}", table.join("."));
    let note = |out: &mut String, report: &mut Vec<String>, what: &str| {
        report.push(format!("{origin}: {what}"));
        let _ = writeln!(out, "  # check: {what}");
    };
    if let Some(why) = &p.key_note {
        note(out, report, why);
    }
    let _ = writeln!(out, "  key {}", ident_text(&p.key));
    let mut skip: Vec<&str> = vec![];
    let columns_word = match &p.kind {
        Kind::Entity { .. } => "columns",
        Kind::Events {
            time,
            name,
            time_note,
            ..
        } => {
            if let Some(why) = time_note {
                note(out, report, why);
            }
            match name {
                Some(n) => {
                    let _ = writeln!(out, "  name {}", ident_text(n));
                    skip.push(n);
                }
                None => {
                    let why = format!(
                        "no column is named event, event_name or event_type: every row is taken to be one event named \"{}\"",
                        p.name
                    );
                    note(out, report, &why);
                    let _ = writeln!(out, "  event {}", seg_string(&p.name));
                }
            }
            let _ = writeln!(out, "  time {}", ident_text(time));
            skip.push(time);
            skip.push(&p.key);
            "properties"
        }
    };
    let listed = r.columns.iter().any(|c| !skip.contains(&c.name.as_str()));
    if !listed {
        out.push_str("}\n\n");
        return;
    }
    let _ = writeln!(out, "  {columns_word} {{");
    // Names aligned as `segql fmt` aligns them.
    let width = r
        .columns
        .iter()
        .filter(|c| !skip.contains(&c.name.as_str()))
        .map(|c| column_name(&c.name).chars().count())
        .max()
        .unwrap_or(0);
    for c in &r.columns {
        if skip.contains(&c.name.as_str()) {
            continue;
        }
        let comment = c
            .description
            .as_deref()
            .map(one_line)
            .filter(|d| !d.is_empty())
            .map(|d| format!("  # {d}"))
            .unwrap_or_default();
        let ty = c.data_type.as_deref().and_then(seg_type);
        let Some(ty) = ty else {
            let why = match c.data_type.as_deref() {
                Some(t) if !t.trim().is_empty() => format!("unknown type \"{}\"", one_line(t)),
                _ => "unknown type (no data_type in the manifest)".to_string(),
            };
            report.push(format!("{origin}: column `{}` left out: {why}", c.name));
            let shown = match c.data_type.as_deref().map(one_line) {
                Some(t) if !t.is_empty() => format!(" {t}"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "    # {}{shown}  # {why}: give it a segql type to use it",
                column_name(&c.name),
            );
            continue;
        };
        let reference = match &p.kind {
            Kind::Entity { refs } => refs
                .iter()
                .find(|(col, _)| *col == c.name)
                .map(|(_, e)| format!(" references {}", ident_text(&plans[*e].name)))
                .unwrap_or_default(),
            Kind::Events { .. } => String::new(),
        };
        let _ = writeln!(
            out,
            "    {:<width$} {}{reference}{comment}",
            column_name(&c.name),
            ty.keyword()
        );
    }
    out.push_str("  }\n}\n\n");
}
