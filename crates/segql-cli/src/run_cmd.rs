//! `segql run` and `segql preview`: segments executed on DuckDB over the bound data, or
//! on a warehouse target (`--target NAME`, [`crate::target_cmd`]).

use crate::args::Select;
use crate::data;
use crate::outfile;
use crate::output;
use crate::progress::Progress;
use crate::project::{self, display_path, Workspace};
use crate::selection;
use crate::series_out::csv_line;
use anyhow::{anyhow, bail, Result};
use comfy_table::{presets, Cell, Table};
use segql_plan::compile::{self, Options};
use segql_plan::deps::Node;
use segql_plan::ir::Program;
use segql_plan::ir::Target;
use segql_project::artifacts::Status;
use segql_project::manifest::unique_id;
use segql_run::backend::{Backend, ValueKind};
use segql_run::run;
use segql_run::session::{self, Failed};
use segql_run::sqltext;
use segql_run::Engine;
use segql_syntax::time::format_timestamp;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum OutFormat {
    /// Aligned tables for people (at most 100 rows each).
    #[default]
    Table,
    Csv,
    /// One JSON document: a list of result sets with their columns and rows.
    Json,
    /// JSON Lines, long: one object per row of every result, with the result's name
    /// (`{"result": "segment paying", "user_id": "u1"}`), for activation tools and
    /// many results at once.
    Jsonl,
    /// One line per result: its size, share of the population and a few members.
    Summary,
}

pub use crate::args::Run as Args;

/// The run's progress on a spinner; an interrupted run stops between steps.
struct Shown(Option<Progress>);

impl run::Observer for Shown {
    fn start(&mut self, what: String) {
        self.0 = Some(Progress::start(what));
    }

    fn finish(&mut self) {
        if let Some(p) = self.0.take() {
            p.finish();
        }
    }

    fn checkpoint(&mut self) {
        outfile::stop_if_interrupted();
    }
}

/// One result set: a title, columns and rows.
struct ResultSet {
    title: String,
    columns: Vec<String>,
    kinds: Vec<ValueKind>,
    rows: Vec<Vec<Option<String>>>,
    /// The DuckDB query that produced it (for --output).
    sql: String,
    /// For a segment: its share of the entity's population.
    share: Option<String>,
}

fn loaded(ws: &Workspace, color: bool) -> Option<&Program> {
    output::print_diagnostics(&ws.map, &ws.diags, color);
    ws.program.as_ref().filter(|_| !ws.has_errors())
}

/// Where the command runs ([`crate::target_cmd::backend`]): the bound engine (DuckDB
/// locked down to the bound files and `writable`, with views over `relations` only:
/// what the selected statements read) or a connected target, with the program as that
/// backend names its relations; `None` with the problems printed.
fn engine_for(
    ws: &Workspace,
    program: &Program,
    target: Option<&str>,
    relations: &BTreeSet<String>,
    writable: &[String],
    color: bool,
) -> Result<Option<crate::target_cmd::Running>> {
    let found = crate::target_cmd::backend(ws, program, target, Some(relations), writable, color)?;
    if let Some((b, _)) = &found {
        outfile::set_running(b.interrupter(), b.engine().is_none());
        outfile::stop_if_interrupted();
    }
    Ok(found)
}

/// A failed query, by DuckDB's message, with a code ([`data::query_error`]): what segql
/// was doing is added by the caller (in the user's terms, not as the SQL segql wrote).
/// One that failed because of a signal stops the run.
fn query_err(e: segql_run::engine::Error) -> anyhow::Error {
    outfile::stop_if_interrupted();
    data::query_error(&e).into()
}

fn unsupported(e: compile::Unsupported) -> anyhow::Error {
    anyhow!("{e}")
}

/// `users` for `user`: population counts read as English.
fn plural_entity(name: &str, n: u64) -> String {
    if n == 1 || name.ends_with('s') {
        name.to_string()
    } else {
        format!("{name}s")
    }
}

fn share(n: usize, of: u64) -> String {
    if of == 0 {
        "-".to_string()
    } else {
        format!("{:.1}%", n as f64 * 100.0 / of as f64)
    }
}

pub fn run(args: Args, color: bool) -> Result<ExitCode> {
    let started = Instant::now();
    let as_of = args.as_of.instant()?;
    // A file that cannot be written is known before any work is done.
    if let Some(path) = &args.output {
        outfile::format_of(path)?;
        if args.target.is_some() {
            return Err(output::Usage("--output writes with the embedded DuckDB; with --target, print the results (--format csv or json) instead".into()).into());
        }
    }
    outfile::install_handler();
    let ws = project::workspace(&args.paths)?;
    let Some(program) = loaded(&ws, color) else {
        eprintln!("not run: {}", output::count_summary(&ws.diags));
        return Ok(ExitCode::from(1));
    };
    let selected = selection::select(&ws, program, &args.select)?;
    let targets = selected.targets(program);
    if targets.is_empty() {
        if selected.selection.explicit {
            eprintln!("{}", selected.nothing_note(program, "run"));
        } else {
            eprintln!("nothing to run: the project declares no segments");
        }
        return Ok(ExitCode::SUCCESS);
    }
    // One table out (--output, or CSV on stdout): known before anything runs.
    let one_table = args.output.is_some() || args.format == OutFormat::Csv;
    if one_table {
        if let Some(why) = not_one_table(program, &targets) {
            let how = if args.output.is_some() {
                "--output writes one table"
            } else {
                "CSV is one table"
            };
            return Err(output::Usage(format!(
                "{how}, and {why}\n  hint: select segments of one entity, or one report, split or priority list{}",
                if args.output.is_none() { ", or use --format json" } else { "" }
            ))
            .into());
        }
    }
    let relations = selected.relations(
        program,
        targets.iter().map(|&t| Node::from(t)),
        args.with_traits(),
    );
    let event_names = selected.event_names(
        program,
        targets.iter().map(|&t| Node::from(t)),
        args.with_traits(),
    );
    // The output (and its temporary file) replaces whatever is at its path: never the
    // data it is made from, nor a file a source glob would read next time.
    let tmp = args.output.as_deref().map(outfile::temporary);
    if let (Some(path), Some(tmp)) = (&args.output, &tmp) {
        let sources = data::sources(&ws.inputs, Some(program));
        let refused =
            data::refuse_write(&ws.inputs, Some(program), &sources, path, "the results to")
                .or_else(|| {
                    data::refuse_write(
                        &ws.inputs,
                        Some(program),
                        &sources,
                        tmp,
                        "the temporary file",
                    )
                });
        if let Some(d) = refused {
            output::print_diagnostics(&ws.map, std::slice::from_ref(&d), color);
            eprintln!("not run: 1 error");
            return Ok(ExitCode::from(1));
        }
        outfile::remove_stale(path);
    }
    let writable: Vec<String> = tmp
        .iter()
        .map(|t| t.to_string_lossy().into_owned())
        .collect();
    let Some((engine, mapped)) = engine_for(
        &ws,
        program,
        args.target.as_deref(),
        &relations,
        &writable,
        color,
    )?
    else {
        return Ok(ExitCode::from(1));
    };
    let engine: &dyn Backend = engine.as_ref();
    if let Some(e) = engine.engine() {
        data::warn_about_data(e, program, &relations, &event_names, as_of, color);
    }
    let program = mapped.as_ref().unwrap_or(program);
    let settings = run::Settings {
        opts: Options::literal(as_of),
        with_traits: args.with_traits(),
        fetch_rows: args.output.is_none(),
    };
    let result = run::run(engine, program, &targets, settings, &mut Shown(None));
    let target_dir = crate::artifacts::dir(&ws, args.artifacts.target_path.as_deref());
    let mut results = crate::artifacts::Results::new("run", as_of);
    let done = match result {
        Ok(done) => done,
        Err(f) => {
            let e = match f.cause {
                run::Cause::Unsupported(u) => unsupported(u),
                run::Cause::Query(e) => query_err(e).context(f.doing),
            };
            // The run stopped: no selected statement's results are kept.
            if let Some(dir) = &target_dir {
                for &t in &targets {
                    results.add(
                        unique_id(program, Node::from(t)),
                        Status::Error,
                        Duration::ZERO,
                        None,
                        None,
                        Some(format!("the run stopped: {e:#}")),
                    );
                }
                if let Err(w) = results.write(&ws, program, dir, started.elapsed(), color) {
                    output::print_error(&w, color);
                }
            }
            return Err(e);
        }
    };
    for o in &done.outputs {
        results.add(
            unique_id(program, Node::from(o.target)),
            Status::Success,
            o.elapsed,
            Some(o.size as u64),
            o.batch.map(|b| done.batches[b].population),
            None,
        );
    }
    let mut summaries: Vec<String> = Vec::new();
    for (i, o) in done.outputs.iter().enumerate() {
        let Some(b) = o.batch.map(|b| &done.batches[b]) else {
            summaries.push(format!(
                "{}: {} row{}",
                o.title,
                o.size,
                if o.size == 1 { "" } else { "s" }
            ));
            continue;
        };
        let entity = &program.catalog.entities[b.entity].name;
        summaries.push(format!(
            "{}: {} of {} {} ({})",
            o.target.name(program),
            o.size,
            b.population,
            plural_entity(entity, b.population),
            share(o.size, b.population)
        ));
        if done.outputs.get(i + 1).and_then(|n| n.batch) != o.batch {
            summaries.push(format!(
                "  ({} segment{} of {entity} in one statement, {:.2} s)",
                b.segments.len(),
                if b.segments.len() == 1 { "" } else { "s" },
                b.elapsed.as_secs_f64()
            ));
        }
    }
    let sets: Vec<ResultSet> = done
        .outputs
        .into_iter()
        .map(|o| ResultSet {
            share: o.batch.map(|b| share(o.size, done.batches[b].population)),
            title: o.title,
            columns: o.columns,
            kinds: o.kinds,
            rows: o.rows,
            sql: o.sql,
        })
        .collect();

    outfile::stop_if_interrupted();
    if let (Some(path), Some(tmp), Some(engine)) = (&args.output, &tmp, engine.engine()) {
        write_output(engine, &sets, path, tmp)?;
        eprintln!("wrote {}", display_path(path));
    } else {
        print_sets(&sets, args.format)?;
    }
    if let Some(dir) = &target_dir {
        crate::artifacts::write_manifest(
            &ws,
            program,
            &selected.graph,
            &[&segql_plan::dialect::DuckDb],
            Options::literal(as_of),
            "run",
            dir,
            color,
        )?;
        results.write(&ws, program, dir, started.elapsed(), color)?;
    }
    for s in &summaries {
        eprintln!("{s}");
    }
    eprintln!(
        "as of {}, in {:.2} s",
        format_timestamp(as_of),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn print_sets(sets: &[ResultSet], format: OutFormat) -> Result<()> {
    match format {
        OutFormat::Summary => {
            const SAMPLE: usize = 5;
            let mut t = Table::new();
            t.load_style(presets::ASCII_MARKDOWN);
            t.set_header(["result", "rows", "share", "first rows"]);
            for s in sets {
                let sample: Vec<String> = s
                    .rows
                    .iter()
                    .take(SAMPLE)
                    .map(|r| {
                        r.iter()
                            .map(|c| c.as_deref().unwrap_or("null"))
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .collect();
                let more = if s.rows.len() > SAMPLE { ", ..." } else { "" };
                let mut sample = sample.join(", ");
                if sample.chars().count() > 72 {
                    sample = format!("{}...", sample.chars().take(69).collect::<String>());
                }
                t.add_row([
                    Cell::new(&s.title),
                    Cell::new(s.rows.len()),
                    Cell::new(s.share.as_deref().unwrap_or("")),
                    Cell::new(format!("{sample}{more}")),
                ]);
            }
            outln!("{t}");
        }
        OutFormat::Table => {
            const MAX: usize = 100;
            for (i, s) in sets.iter().enumerate() {
                if i > 0 {
                    outln!();
                }
                outln!(
                    "{} ({} row{})",
                    s.title,
                    s.rows.len(),
                    if s.rows.len() == 1 { "" } else { "s" }
                );
                let mut t = Table::new();
                t.load_style(presets::ASCII_MARKDOWN);
                t.set_header(s.columns.iter().map(Cell::new));
                for r in s.rows.iter().take(MAX) {
                    t.add_row(r.iter().map(|c| Cell::new(c.as_deref().unwrap_or(""))));
                }
                if !s.rows.is_empty() {
                    outln!("{t}");
                }
                if s.rows.len() > MAX {
                    outln!(
                        "... and {} more (see them all with --format csv or --output FILE)",
                        s.rows.len() - MAX
                    );
                }
            }
        }
        OutFormat::Csv => {
            if sets.len() > 1 && !same_columns(sets) {
                bail!("these results have different columns; select one segment, report or split for CSV, or use --format json");
            }
            let mut out = String::new();
            let long = sets.len() > 1;
            let mut header: Vec<String> = Vec::new();
            if long {
                header.push("result".to_string());
            }
            header.extend(sets[0].columns.iter().cloned());
            out.push_str(&csv_line(header.iter().map(|h| Some(h.as_str()))));
            for s in sets {
                for r in &s.rows {
                    let mut cells: Vec<Option<&str>> = Vec::new();
                    if long {
                        cells.push(Some(s.title.as_str()));
                    }
                    cells.extend(r.iter().map(|c| c.as_deref()));
                    out.push_str(&csv_line(cells.into_iter()));
                }
            }
            out!("{out}");
        }
        OutFormat::Json => {
            let doc: Vec<JsonSet> = sets.iter().map(JsonSet).collect();
            outln!("{}", serde_json::to_string_pretty(&doc)?);
        }
        OutFormat::Jsonl => {
            for set in sets {
                for r in &set.rows {
                    let line = JsonRow {
                        set,
                        cells: r,
                        result: true,
                    };
                    outln!("{}", serde_json::to_string(&line)?);
                }
            }
        }
    }
    Ok(())
}

/// A result set as JSON, its keys in a reader's order (`result`, `columns`, `rows`)
/// and each row's in the order of the columns: numbers as JSON numbers written with the
/// engine's digits (a decimal keeps every one), booleans as booleans, NULL as null.
struct JsonSet<'a>(&'a ResultSet);

impl serde::Serialize for JsonSet<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("result", &self.0.title)?;
        m.serialize_entry("columns", &self.0.columns)?;
        let rows: Vec<JsonRow> = self
            .0
            .rows
            .iter()
            .map(|r| JsonRow {
                set: self.0,
                cells: r,
                result: false,
            })
            .collect();
        m.serialize_entry("rows", &rows)?;
        m.end()
    }
}

/// One row as a JSON object; with `result`, the result's name first (JSON Lines).
struct JsonRow<'a> {
    set: &'a ResultSet,
    cells: &'a [Option<String>],
    result: bool,
}

impl serde::Serialize for JsonRow<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let set = self.set;
        let mut m = s.serialize_map(Some(set.columns.len() + usize::from(self.result)))?;
        if self.result {
            m.serialize_entry("result", &set.title)?;
        }
        for (i, (c, v)) in set.columns.iter().zip(self.cells).enumerate() {
            let kind = set.kinds.get(i).copied().unwrap_or(ValueKind::Text);
            match json_value(kind, v.as_deref()) {
                JsonValue::Raw(raw) => m.serialize_entry(c, &raw)?,
                JsonValue::Text(t) => m.serialize_entry(c, &t)?,
            }
        }
        m.end()
    }
}

enum JsonValue<'a> {
    /// A number, boolean or null, as JSON text.
    Raw(Box<serde_json::value::RawValue>),
    Text(&'a str),
}

/// One cell as JSON: a number's text as the engine wrote it when it is a JSON number
/// (`0.300000000`, `-12`, `1e+20`), a boolean as `true`/`false`, NULL as `null`;
/// anything else (text, dates, and floats JSON cannot hold: `nan`, `inf`) as a string.
fn json_value(kind: ValueKind, v: Option<&str>) -> JsonValue<'_> {
    let raw = |t: &str| serde_json::value::RawValue::from_string(t.to_string()).ok();
    let Some(v) = v else {
        return JsonValue::Raw(raw("null").expect("null is JSON"));
    };
    let as_raw = match kind {
        ValueKind::Number if v.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => raw(v),
        ValueKind::Bool if v == "true" || v == "false" => raw(v),
        _ => None,
    };
    match as_raw {
        Some(r) => JsonValue::Raw(r),
        None => JsonValue::Text(v),
    }
}

/// Why the results of `targets` cannot be one table (their columns differ), decided
/// from what they are: segments of one entity share their columns (the key, and the
/// entity's traits with --with-traits), and a single result is always one table.
fn not_one_table(p: &Program, targets: &[Target]) -> Option<String> {
    if targets.len() <= 1 {
        return None;
    }
    let entities: std::collections::BTreeSet<&str> = targets
        .iter()
        .filter_map(|t| match t {
            Target::Segment(i) => Some(p.catalog.entities[p.segments[*i].entity].name.as_str()),
            _ => None,
        })
        .collect();
    if let Some(other) = targets.iter().find(|t| !matches!(t, Target::Segment(_))) {
        return Some(format!(
            "the selection holds {} results, among them {} `{}`, whose columns are its own",
            targets.len(),
            other.kind(),
            other.name(p)
        ));
    }
    if entities.len() > 1 {
        let names: Vec<&str> = entities.into_iter().collect();
        return Some(format!(
            "the selected segments are of {} entities ({}), keyed by different columns",
            names.len(),
            names.join(", ")
        ));
    }
    None
}

fn same_columns(sets: &[ResultSet]) -> bool {
    sets.windows(2).all(|w| w[0].columns == w[1].columns)
}

/// Writes the results to FILE (parquet, CSV or JSON by its extension) through its
/// temporary file ([`outfile::write_via`]). Every result is a table segql made, so the
/// COPY statement holds none of the compiled SQL.
fn write_output(engine: &Engine, sets: &[ResultSet], path: &Path, tmp: &Path) -> Result<()> {
    let format = outfile::format_of(path)?;
    if sets.len() > 1 && !same_columns(sets) {
        bail!("these results have different columns; select one segment, report or split for --output");
    }
    let union: Vec<String> = sets
        .iter()
        .map(|s| {
            if sets.len() > 1 {
                format!(
                    "SELECT {} AS \"result\", * FROM ({}) AS s",
                    sqltext::literal(&s.title),
                    s.sql
                )
            } else {
                s.sql.clone()
            }
        })
        .collect();
    let sql = format!(
        "COPY ({}) TO {} ({format})",
        union.join(" UNION ALL "),
        sqltext::literal(&tmp.to_string_lossy())
    );
    outfile::write_via(tmp, path, || {
        engine
            .execute(&sql)
            .map_err(|e| anyhow!("cannot write {}: {}", display_path(path), e.message))
    })
}

pub use crate::args::Preview as PreviewArgs;

/// `segql preview`: size, share, ten sample members with their attributes, the SQL and
/// the time taken.
pub fn preview(args: PreviewArgs, color: bool) -> Result<ExitCode> {
    let as_of = args.as_of.instant()?;
    let ws = project::workspace(&args.paths)?;
    let Some(program) = loaded(&ws, color) else {
        eprintln!("not run: {}", output::count_summary(&ws.diags));
        return Ok(ExitCode::from(1));
    };
    let select = Select {
        select: args.select.clone(),
        exclude: args.exclude.clone(),
        state: None,
    };
    let selected = selection::select(&ws, program, &select)?;
    let id = preview_segment(program, &selected.targets(program), &args.select.join(","))?;
    let relations = selected.relations(program, [Node::Segment(id)], false);
    let event_names = selected.event_names(program, [Node::Segment(id)], false);
    let Some((engine, mapped)) =
        engine_for(&ws, program, args.target.as_deref(), &relations, &[], color)?
    else {
        return Ok(ExitCode::from(1));
    };
    let engine: &dyn Backend = engine.as_ref();
    if let Some(e) = engine.engine() {
        data::warn_about_data(e, program, &relations, &event_names, as_of, color);
    }
    let program = mapped.as_ref().unwrap_or(program);
    let opts = Options::literal(as_of);
    let seg = &program.segments[id];
    let entity = &program.catalog.entities[seg.entity];
    let progress = Progress::start(format!("computing {}", seg.name));
    let preview = session::preview(engine, program, id, opts, || {
        progress.finish();
    });
    let session::Preview {
        sql,
        size,
        total,
        elapsed,
        columns,
        rows,
    } = preview.map_err(|f| match f {
        Failed::Compiling(u) => unsupported(u),
        Failed::Computing(e) => query_err(e).context(format!("computing {}", seg.name)),
        Failed::Counting(e) => {
            query_err(e).context(format!("counting the members of {}", seg.name))
        }
        Failed::Population(e) => {
            query_err(e).context(format!("counting the {}", plural_entity(&entity.name, 2)))
        }
        Failed::Sampling(e) => query_err(e).context(format!("reading a sample of {}", seg.name)),
    })?;
    outln!("segment {} ({})", seg.name, entity.name);
    if let Some(d) = &seg.description {
        outln!("  {d}");
    }
    outln!();
    outln!(
        "size     {size} of {total} {} ({})",
        plural_entity(&entity.name, total),
        share(size, total)
    );
    outln!("as of    {}", format_timestamp(as_of));
    outln!("took     {:.3} s", elapsed.as_secs_f64());
    outln!();
    outln!("sample ({} of {size})", rows.len());
    if !rows.is_empty() {
        let mut t = Table::new();
        t.load_style(presets::ASCII_MARKDOWN);
        t.set_header(columns.iter().map(Cell::new));
        for r in &rows {
            t.add_row(r.iter().map(|c| Cell::new(c.as_deref().unwrap_or(""))));
        }
        outln!("{t}");
    }
    outln!();
    outln!("sql ({})", engine.dialect().name());
    outln!("{sql};");
    Ok(ExitCode::SUCCESS)
}

/// The one segment `preview --select` names: a selector that selects none, several, or a
/// report is a usage error.
fn preview_segment(program: &Program, targets: &[Target], shown: &str) -> Result<usize> {
    match targets {
        [Target::Segment(id)] => Ok(*id),
        [t] => Err(output::Usage(format!(
            "`{}` is a {}; preview shows segments (use `segql run --select` for reports, splits and priority lists)",
            t.name(program),
            t.kind()
        ))
        .into()),
        [] => Err(output::Usage(format!("`{shown}` selects no segment to preview")).into()),
        many => {
            let names: Vec<&str> = many.iter().take(8).map(|t| t.name(program)).collect();
            Err(output::Usage(format!(
                "preview shows one segment; `{shown}` selects {}: {}{}\n  hint: name one of them, or use `segql run --select {shown} --format summary`",
                many.len(),
                names.join(", "),
                if many.len() > 8 { ", ..." } else { "" }
            ))
            .into())
        }
    }
}
