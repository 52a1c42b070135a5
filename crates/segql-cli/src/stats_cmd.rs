//! `segql stats`: counts how often each event name occurs in the bound data (and the most
//! of each one key has) and writes the project's `segql-stats.json`, which the planner
//! reads from then on (docs/project.md, "Statistics"; the choices it drives:
//! `segql_plan::stats`).

use crate::output;
use crate::project::{self, display_path};
use anyhow::{anyhow, Context, Result};
use comfy_table::{presets, Cell, CellAlignment, Table};
use segql_project::codes::STATS_INVALID;
use segql_project::stats::{to_json, STATS_FILE};
use std::collections::BTreeSet;
use std::process::ExitCode;

pub fn run(args: crate::args::Stats, color: bool) -> Result<ExitCode> {
    let mut ws = project::workspace(&args.paths)?;
    // An unreadable statistics file is what this command replaces.
    let (stale, diags): (Vec<_>, Vec<_>) = std::mem::take(&mut ws.diags)
        .into_iter()
        .partition(|d| d.code == STATS_INVALID);
    ws.diags = diags;
    output::print_diagnostics(&ws.map, &ws.diags, color);
    let Some(program) = ws.program.as_ref().filter(|_| !ws.has_errors()) else {
        eprintln!("not counted: {}", output::count_summary(&ws.diags));
        return Ok(ExitCode::from(1));
    };
    let Some(root) = ws.inputs.root.clone() else {
        return Err(output::Usage(
            "segql stats writes segql-stats.json beside a segql.toml: run it in a project\n  hint: `segql init` creates one".into(),
        )
        .into());
    };
    let relations: BTreeSet<String> = program
        .catalog
        .events
        .iter()
        .filter(|e| matches!(e.source, segql_plan::ir::EventSource::Column(_)))
        .map(|e| e.table.join("."))
        .collect();
    if relations.is_empty() {
        eprintln!("nothing to count: no events relation of the catalog has a name column");
        return Ok(ExitCode::SUCCESS);
    }
    let path = root.join(STATS_FILE);
    let sources = crate::data::sources(&ws.inputs, Some(program));
    if let Some(d) = crate::data::refuse_write(
        &ws.inputs,
        Some(program),
        &sources,
        &path,
        "the statistics to",
    ) {
        output::print_diagnostics(&ws.map, std::slice::from_ref(&d), color);
        eprintln!("not counted: 1 error");
        return Ok(ExitCode::from(1));
    }
    let engine = match crate::data::bind(&ws, program, Some(&relations), &[])? {
        Ok(e) => e,
        Err(problems) => {
            output::print_diagnostics(&ws.map, &problems, color);
            eprintln!("not counted: {}", output::count_summary(&problems));
            return Ok(ExitCode::from(1));
        }
    };
    let counted = segql_run::stats::count(&engine, program)
        .map_err(|e| anyhow!("{e}"))
        .context("counting the event names")?;
    let counted_at = segql_syntax::time::format_timestamp(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .context("the system clock is before 1970")?
            .as_secs() as i64
            * 1_000_000,
    );
    let file: Vec<(String, segql_plan::stats::NameCounts)> = counted
        .iter()
        .map(|c| (c.table.clone(), c.counts.clone()))
        .collect();
    let tmp = root.join(format!(".{STATS_FILE}.tmp"));
    std::fs::write(&tmp, to_json(&counted_at, &file))
        .and_then(|_| std::fs::rename(&tmp, &path))
        .with_context(|| format!("cannot write {}", display_path(&path)))?;
    let mut t = Table::new();
    t.load_style(presets::ASCII_MARKDOWN);
    t.set_header([
        "relation",
        "event name",
        "share of rows",
        "rows",
        "most for one key",
    ]);
    for c in &counted {
        let mut names: Vec<(&String, &u64)> = c.counts.names.iter().collect();
        names.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (n, k) in names {
            let share = 100.0 * *k as f64 / c.counts.rows.max(1) as f64;
            let most = c.counts.max_per_key.get(n).copied().unwrap_or(0);
            t.add_row([
                Cell::new(&c.table),
                Cell::new(n),
                Cell::new(format!("{share:.2}%")).set_alignment(CellAlignment::Right),
                Cell::new(k).set_alignment(CellAlignment::Right),
                Cell::new(most).set_alignment(CellAlignment::Right),
            ]);
        }
    }
    outln!("{t}");
    for c in &counted {
        eprintln!("{}: {} rows counted", c.table, c.counts.rows);
    }
    if !stale.is_empty() {
        eprintln!("replaced the unreadable {STATS_FILE}");
    }
    eprintln!(
        "wrote {}: the planner reads it from now on (commit it, so CI compiles what you run)",
        display_path(&path)
    );
    Ok(ExitCode::SUCCESS)
}
