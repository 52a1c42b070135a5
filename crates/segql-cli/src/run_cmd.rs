//! `segql run` and `segql preview`: segments executed on DuckDB over the bound data, or
//! on a warehouse target (`--target NAME`, [`crate::target_cmd`]).

use crate::compile_cmd::{select, Target};
use crate::data;
use crate::outfile;
use crate::output;
use crate::project::{self, display_path, Workspace};
use anyhow::{anyhow, bail, Result};
use comfy_table::{presets, Cell, Table};
use segql_plan::compile::{self, Options};
use segql_plan::ir::Program;
use segql_run::backend::Backend;
use segql_run::run;
use segql_run::session::{self, Failed};
use segql_run::sqltext;
use segql_run::Engine;
use segql_syntax::time::format_timestamp;
use std::io::IsTerminal;
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
    /// One line per result: its size, share of the population and a few members.
    Summary,
}

pub use crate::args::Run as Args;

/// A spinner on stderr for work that takes more than a second, on a terminal only
/// (never when piped or under CI).
struct Progress {
    bar: indicatif::ProgressBar,
    started: Instant,
}

impl Progress {
    fn start(message: String) -> Progress {
        let interactive = std::io::stderr().is_terminal() && !segql_run::ci::in_ci();
        let bar = if interactive {
            let bar = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::hidden(),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar.set_message(message);
            let shown = bar.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(1));
                if !shown.is_finished() {
                    shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    shown.enable_steady_tick(Duration::from_millis(120));
                }
            });
            bar
        } else {
            indicatif::ProgressBar::hidden()
        };
        Progress {
            bar,
            started: Instant::now(),
        }
    }

    fn finish(self) -> Duration {
        self.bar.finish_and_clear();
        self.started.elapsed()
    }
}

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
/// locked down to the bound files and `writable`) or a connected target, with the
/// program as that backend names its relations; `None` with the problems printed.
fn engine_for(
    ws: &Workspace,
    program: &Program,
    target: Option<&str>,
    writable: &[String],
    color: bool,
) -> Result<Option<crate::target_cmd::Running>> {
    let found = crate::target_cmd::backend(ws, program, target, writable, color)?;
    if let Some((b, _)) = &found {
        outfile::set_running(b.interrupter());
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
    let targets = select(program, &args.select)?;
    if targets.is_empty() {
        eprintln!("nothing to run: the project declares no segments");
        return Ok(ExitCode::SUCCESS);
    }
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
    let Some((engine, mapped)) =
        engine_for(&ws, program, args.target.as_deref(), &writable, color)?
    else {
        return Ok(ExitCode::from(1));
    };
    let engine: &dyn Backend = engine.as_ref();
    let program = mapped.as_ref().unwrap_or(program);
    let settings = run::Settings {
        opts: Options { as_of },
        with_traits: args.with_traits(),
        fetch_rows: args.output.is_none(),
    };
    let result = run::run(engine, program, &targets, settings, &mut Shown(None));
    let done = result.map_err(|f| match f.cause {
        run::Cause::Unsupported(u) => unsupported(u),
        run::Cause::Query(e) => query_err(e).context(f.doing),
    })?;
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
            println!("{t}");
        }
        OutFormat::Table => {
            const MAX: usize = 100;
            for (i, s) in sets.iter().enumerate() {
                if i > 0 {
                    println!();
                }
                println!(
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
                    println!("{t}");
                }
                if s.rows.len() > MAX {
                    println!(
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
            print!("{out}");
        }
        OutFormat::Json => {
            let doc: Vec<JsonSet> = sets.iter().map(JsonSet).collect();
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
    }
    Ok(())
}

/// A result set as JSON, its keys in a reader's order (`result`, `columns`, `rows`)
/// and each row's in the order of the columns.
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
            .map(|r| JsonRow(&self.0.columns, r))
            .collect();
        m.serialize_entry("rows", &rows)?;
        m.end()
    }
}

struct JsonRow<'a>(&'a [String], &'a [Option<String>]);

impl serde::Serialize for JsonRow<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (c, v) in self.0.iter().zip(self.1) {
            m.serialize_entry(c, v)?;
        }
        m.end()
    }
}

fn same_columns(sets: &[ResultSet]) -> bool {
    sets.windows(2).all(|w| w[0].columns == w[1].columns)
}

fn csv_line<'a>(cells: impl Iterator<Item = Option<&'a str>>) -> String {
    let mut line = String::new();
    for (i, c) in cells.enumerate() {
        if i > 0 {
            line.push(',');
        }
        let c = c.unwrap_or("");
        if c.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&c.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(c);
        }
    }
    line.push('\n');
    line
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
    let targets = select(program, std::slice::from_ref(&args.select))?;
    let Some(Target::Segment(id)) = targets.first().copied() else {
        return Err(output::Usage(format!("`{}` is not a segment; preview shows segments (use `segql run --select` for reports and splits)", args.select)).into());
    };
    let Some((engine, mapped)) = engine_for(&ws, program, args.target.as_deref(), &[], color)?
    else {
        return Ok(ExitCode::from(1));
    };
    let engine: &dyn Backend = engine.as_ref();
    let program = mapped.as_ref().unwrap_or(program);
    let opts = Options { as_of };
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
    println!("segment {} ({})", seg.name, entity.name);
    if let Some(d) = &seg.description {
        println!("  {d}");
    }
    println!();
    println!(
        "size     {size} of {total} {} ({})",
        plural_entity(&entity.name, total),
        share(size, total)
    );
    println!("as of    {}", format_timestamp(as_of));
    println!("took     {:.3} s", elapsed.as_secs_f64());
    println!();
    println!("sample ({} of {size})", rows.len());
    if !rows.is_empty() {
        let mut t = Table::new();
        t.load_style(presets::ASCII_MARKDOWN);
        t.set_header(columns.iter().map(Cell::new));
        for r in &rows {
            t.add_row(r.iter().map(|c| Cell::new(c.as_deref().unwrap_or(""))));
        }
        println!("{t}");
    }
    println!();
    println!("sql ({})", engine.dialect().name());
    println!("{sql};");
    Ok(ExitCode::SUCCESS)
}
