//! `segql history` (size, entered and left per recorded snapshot) and `segql backtest`
//! (the same figures over a series of instants, computed and not recorded).

use crate::membership_cmd::{self, state_err};
use crate::output;
use crate::project::{self, display_path, Workspace};
use crate::series_out::{self, Line, Table};
use anyhow::{anyhow, Result};
use segql_run::membership::{self, series};
use segql_syntax::time::format_timestamp;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// What both commands show: a table, CSV or JSON (or a file), a sparkline per segment
/// under a table, and a chart when asked.
fn show(
    ws: &Workspace,
    title: &str,
    t: &Table,
    lines: &[Line],
    format: series_out::Format,
    output: Option<&Path>,
    chart: Option<&Path>,
) -> Result<()> {
    series_out::emit(ws, t, format, output)?;
    if output.is_none() && format == series_out::Format::Table && !lines.is_empty() {
        outln!();
        series_out::print_sparklines(lines);
    }
    if let Some(path) = chart {
        let svg = series_out::chart_svg(title, lines)?;
        series_out::write_file(ws, path, svg.as_bytes())?;
        eprintln!("wrote {}", display_path(path));
    }
    Ok(())
}

fn check_files(output: Option<&Path>, chart: Option<&Path>) -> Result<()> {
    if let Some(o) = output {
        series_out::check_output(o, &["csv", "json"])?;
    }
    if let Some(c) = chart {
        series_out::check_output(c, &["svg"])?;
    }
    Ok(())
}

fn add_point(lines: &mut Vec<Line>, segment: &str, at: i64, size: i64) {
    match lines.iter_mut().find(|l| l.segment == segment) {
        Some(l) => l.points.push((at, size)),
        None => lines.push(Line {
            segment: segment.to_string(),
            points: vec![(at, size)],
        }),
    }
}

pub fn history(args: crate::args::History) -> Result<ExitCode> {
    check_files(args.output.as_deref(), args.chart.as_deref())?;
    let ws = project::workspace(&membership_cmd::project_of(&args.project))?;
    let state = membership_cmd::open_state_at(&ws, args.target.as_deref(), false)?;
    let store = state.store();
    let names = membership_cmd::recorded_names(&ws, &store, &args.segments)?;
    let rows = store.history(&names).map_err(state_err)?;
    let mut t = Table::new(&[
        "segment", "as_of", "run", "size", "entered", "left", "cause",
    ]);
    let mut lines = Vec::new();
    for r in &rows {
        let s = |i: usize| r.get(i).cloned().flatten();
        let as_of: i64 = s(1).and_then(|v| v.parse().ok()).unwrap_or(0);
        let size: i64 = s(3).and_then(|v| v.parse().ok()).unwrap_or(0);
        add_point(&mut lines, &s(0).unwrap_or_default(), as_of, size);
        t.push(vec![
            s(0),
            Some(format_timestamp(as_of)),
            s(2),
            s(3),
            s(4),
            s(5),
            s(6),
        ]);
    }
    let title = format!("{} over recorded snapshots", names.join(", "));
    show(
        &ws,
        &title,
        &t,
        &lines,
        args.format,
        args.output.as_deref(),
        args.chart.as_deref(),
    )?;
    eprintln!(
        "{} run{} of {} segment{}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        names.len(),
        if names.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

pub fn backtest(args: crate::args::Backtest, color: bool) -> Result<ExitCode> {
    let started = Instant::now();
    check_files(args.output.as_deref(), args.chart.as_deref())?;
    let from = segql_syntax::time::parse_instant(&args.from).map_err(|e| anyhow!("--from: {e}"))?;
    let to = segql_syntax::time::parse_instant(&args.to).map_err(|e| anyhow!("--to: {e}"))?;
    let every = series::parse_every(&args.every.join(" ")).map_err(state_err)?;
    let instants = series::instants(from, to, every).map_err(state_err)?;
    crate::outfile::install_handler();
    let ws = project::workspace(&membership_cmd::project_of(&args.project))?;
    output::print_diagnostics(&ws.map, &ws.diags, color);
    let Some(program) = ws.program.as_ref().filter(|_| !ws.has_errors()) else {
        eprintln!("not run: {}", output::count_summary(&ws.diags));
        return Ok(ExitCode::from(1));
    };
    let select = crate::args::Select {
        select: args.segments.clone(),
        ..Default::default()
    };
    let ids = membership_cmd::segments(&ws, program, &select)?;
    if ids.is_empty() {
        eprintln!("nothing to backtest: the project declares no segments");
        return Ok(ExitCode::SUCCESS);
    }
    // Refused before connecting, and before the target's tables are checked: an engine
    // that cannot hold the series is said as such, whatever its tables.
    if let Some(spec) = args.target.as_deref() {
        let t = crate::target_cmd::select(&ws, spec, color)?;
        if t.kind != segql_target::Kind::DuckDb
            && membership::store::Flavor::of(t.dialect).is_none()
        {
            return Err(state_err(membership::backtest_unsupported(
                &format!("target `{}`", t.name),
                t.dialect,
            )));
        }
    }
    let relations = crate::selection::select(&ws, program, &select)?.relations(
        program,
        ids.iter().map(|&i| segql_plan::deps::Node::Segment(i)),
        false,
    );
    let Some((engine, mapped)) = crate::target_cmd::backend(
        &ws,
        program,
        args.target.as_deref(),
        Some(&relations),
        &[],
        color,
    )?
    else {
        return Ok(ExitCode::from(1));
    };
    let dialect = engine.dialect().name();
    if membership::store::Flavor::of(dialect).is_none() {
        return Err(state_err(membership::backtest_unsupported(
            &engine.label(),
            dialect,
        )));
    }
    let engine: &dyn segql_run::backend::Backend = engine.as_ref();
    let program = mapped.as_ref().unwrap_or(program);
    crate::outfile::set_running(engine.interrupter(), engine.engine().is_none());
    let steps = series::backtest(engine, program, &ids, &instants, &|_| {
        crate::outfile::stop_if_interrupted();
    })
    .map_err(|e| match e {
        membership::Failed::Compiling(u) => anyhow!("{u}"),
        membership::Failed::Computing(_, e) => {
            crate::outfile::stop_if_interrupted();
            anyhow::Error::from(crate::data::query_error(&e)).context("computing the series")
        }
        membership::Failed::State(s) => state_err(s),
    })?;
    let mut t = Table::new(&["segment", "as_of", "size", "entered", "left"]);
    let mut lines = Vec::new();
    let mut sorted = steps.clone();
    sorted.sort_by(|a, b| a.segment.cmp(&b.segment).then(a.instant.cmp(&b.instant)));
    for s in &sorted {
        add_point(&mut lines, &s.segment, s.instant, s.size);
        t.push(vec![
            Some(s.segment.clone()),
            Some(format_timestamp(s.instant)),
            Some(s.size.to_string()),
            s.entered.map(|v| v.to_string()),
            s.left.map(|v| v.to_string()),
        ]);
    }
    let names: Vec<&str> = ids
        .iter()
        .map(|&i| program.segments[i].name.as_str())
        .collect();
    let title = format!("{} (backtest)", names.join(", "));
    show(
        &ws,
        &title,
        &t,
        &lines,
        args.format,
        args.output.as_deref(),
        args.chart.as_deref(),
    )?;
    eprintln!(
        "{} instant{} from {} to {}, {} segment{}, in {:.2} s (nothing recorded)",
        instants.len(),
        if instants.len() == 1 { "" } else { "s" },
        format_timestamp(from),
        format_timestamp(to),
        ids.len(),
        if ids.len() == 1 { "" } else { "s" },
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
