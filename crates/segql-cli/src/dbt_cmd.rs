//! dbt both ways (segql-dbt): `segql compile --dbt DIR` writes the selected segments
//! as models of a dbt project, `segql import dbt MANIFEST` drafts a catalog from one.

use crate::output::Usage;
use crate::project::display_path;
use anyhow::{Context, Result};
use segql_dbt::{DbtError, Known, Layout, ModelsOptions};
use segql_plan::dialect::Dialect;
use segql_plan::ir::{Program, Target};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

/// A segql-dbt error as segql prints every error: the message, then its hint.
fn failed(e: DbtError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// `compile --dbt DIR`: the selected segments (every segment without a selection) as
/// models of the dbt project in `dir`, reading the tables that project already has
/// (its target/manifest.json, when there is one) as it has them.
pub fn models(
    p: &Program,
    targets: &[Target],
    explicit: bool,
    dialects: &[&'static dyn Dialect],
    batch: bool,
    dir: &Path,
) -> Result<ExitCode> {
    let [d] = dialects else {
        return Err(Usage(format!(
            "--dbt writes the models for one adapter; {} dialects were given\n  hint: -d duckdb, -d snowflake, ... (the dbt project's adapter)",
            dialects.len()
        ))
        .into());
    };
    if !dir.join("dbt_project.yml").is_file() {
        return Err(Usage(format!(
            "{} is not a dbt project (no dbt_project.yml)\n  hint: --dbt takes the directory of the dbt project the models go into",
            display_path(dir)
        ))
        .into());
    }
    if explicit {
        if let Some(t) = targets.iter().find(|t| !matches!(t, Target::Segment(_))) {
            return Err(Usage(format!(
                "--dbt writes segments as models; `{}` is a {}\n  hint: select segments only",
                t.name(p),
                t.kind()
            ))
            .into());
        }
    }
    let segments: Vec<usize> = targets
        .iter()
        .filter_map(|t| match t {
            Target::Segment(i) => Some(*i),
            _ => None,
        })
        .collect();
    if segments.is_empty() {
        eprintln!("nothing to write: the selection holds no segment");
        return Ok(ExitCode::SUCCESS);
    }
    let manifest = dir.join("target").join("manifest.json");
    let known: BTreeMap<String, Known> = if manifest.is_file() {
        let text = std::fs::read_to_string(&manifest)
            .with_context(|| format!("cannot read {}", display_path(&manifest)))?;
        segql_dbt::known_relations(&text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", display_path(&manifest)))?
    } else {
        BTreeMap::new()
    };
    let layout = if batch {
        Layout::Batch
    } else {
        Layout::PerSegment
    };
    let options = ModelsOptions {
        dialect: *d,
        layout,
        known: &known,
    };
    let done = segql_dbt::write_models(dir, p, &segments, &options).map_err(failed)?;
    for f in &done.written {
        eprintln!("wrote {}", display_path(f));
    }
    for f in &done.removed {
        eprintln!(
            "removed {} (segql wrote it for a model it no longer writes)",
            display_path(f)
        );
    }
    eprintln!(
        "{} segment{} as dbt models for {}; run them with dbt run --vars '{{segql_as_of: \"2026-01-01 00:00:00\"}}' (default: when the run starts)",
        segments.len(),
        if segments.len() == 1 { "" } else { "s" },
        d.name()
    );
    Ok(ExitCode::SUCCESS)
}

/// `segql import dbt MANIFEST`: the catalog draft on stdout or in a new file, what was
/// guessed or left out on stderr.
pub fn import(args: crate::args::Import) -> Result<ExitCode> {
    let crate::args::ImportFrom::Dbt = args.from;
    let text = std::fs::read_to_string(&args.manifest).map_err(|e| {
        Usage(format!(
            "cannot read {}: {e}\n  hint: dbt writes target/manifest.json in its project on `dbt parse`",
            display_path(&args.manifest)
        ))
    })?;
    if let Some(out) = &args.output {
        if out.exists() {
            return Err(Usage(format!(
                "{} exists; import writes a new file\n  hint: choose another name, and merge the draft by hand",
                display_path(out)
            ))
            .into());
        }
    }
    let imported = segql_dbt::import(&text, &args.select)
        .map_err(|e| anyhow::anyhow!("{}: {e}", display_path(&args.manifest)))?;
    match &args.output {
        Some(out) => {
            std::fs::write(out, &imported.catalog_text)
                .with_context(|| format!("cannot write {}", display_path(out)))?;
            eprintln!("wrote {}", display_path(out));
        }
        None => out!("{}", imported.catalog_text),
    }
    for line in &imported.report {
        eprintln!("note: {line}");
    }
    Ok(ExitCode::SUCCESS)
}
