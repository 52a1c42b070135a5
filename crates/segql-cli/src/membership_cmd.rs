//! `segql snapshot` and `segql changes`: membership recorded in segql's state
//! (docs/membership.md), the project's state file or, with `--target`, a schema of a
//! PostgreSQL target ([`State`]). The state logic is segql-run's `membership`; this
//! prints.

use crate::data;
use crate::outfile;
use crate::output::{self, Coded};
use crate::project::{self, display_path, Workspace};
use crate::series_out::{self, Table};
use anyhow::{anyhow, bail, Context, Result};
use segql_plan::ir::Target;
use segql_plan::ir::{Program, SegmentId};
use segql_run::backend::Backend;
use segql_run::membership::store::{Since, StateError, Store};
use segql_run::membership::{self, faults, Failed, Outcome, Request, StoreAt};
use segql_run::warehouse::{self as run_target, TargetBackend};
use segql_run::Engine;
use segql_syntax::time::format_timestamp;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Where the state lies when segql.toml does not say.
pub const DEFAULT_STATE: &str = ".segql/state.duckdb";

/// A state error as a coded error (printed `error[E07xx]: ...` with its hint).
pub fn state_err(e: StateError) -> anyhow::Error {
    Coded {
        code: e.code,
        message: e.to_string(),
    }
    .into()
}

fn failed(e: Failed) -> anyhow::Error {
    match e {
        Failed::Compiling(u) => anyhow!("{u}"),
        Failed::Computing(names, e) => {
            outfile::stop_if_interrupted();
            let err: anyhow::Error = data::query_error(&e).into();
            if names.is_empty() {
                err.context("computing the members")
            } else {
                err.context(format!("computing {}", names.join(", ")))
            }
        }
        Failed::State(s) => {
            outfile::stop_if_interrupted();
            state_err(s)
        }
    }
}

/// The state file of a project: `state` of segql.toml, relative to the project.
pub fn state_path(ws: &Workspace) -> Result<PathBuf> {
    let Some(root) = &ws.inputs.root else {
        bail!("recording snapshots needs a project: a directory with a segql.toml\n  hint: `segql init` creates one");
    };
    let rel = ws.inputs.config.state.as_deref().unwrap_or(DEFAULT_STATE);
    if rel.trim().is_empty() {
        bail!(
            "`state` in segql.toml is empty\n  hint: name a file, e.g. state = \"{DEFAULT_STATE}\""
        );
    }
    Ok(segql_run::guard::absolute(&root.join(rel)))
}

/// The selected segments (all when nothing is selected); reports, splits and priority
/// lists are left out (snapshots record segments), and a selection of only those is
/// refused.
pub fn segments(
    ws: &Workspace,
    program: &Program,
    select: &crate::args::Select,
) -> Result<Vec<SegmentId>> {
    let selected = crate::selection::select(ws, program, select)?;
    let targets = selected.targets(program);
    let out: Vec<SegmentId> = targets
        .iter()
        .filter_map(|t| match t {
            Target::Segment(i) => Some(*i),
            _ => None,
        })
        .collect();
    if out.is_empty() && selected.selection.explicit {
        if let Some(other) = targets.first() {
            bail!(
                "`{}` is a {}; membership is recorded for segments",
                other.name(program),
                other.kind()
            );
        }
    }
    Ok(out)
}

fn now() -> Result<i64> {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the system clock is before 1970")?;
    Ok(d.as_micros() as i64)
}

pub fn snapshot(args: crate::args::Snapshot, color: bool) -> Result<ExitCode> {
    let started = Instant::now();
    let as_of = args.as_of.instant()?;
    let observed_at = now()?;
    outfile::install_handler();
    let ws = project::workspace(&args.paths)?;
    output::print_diagnostics(&ws.map, &ws.diags, color);
    let Some(program) = ws.program.as_ref().filter(|_| !ws.has_errors()) else {
        eprintln!("not recorded: {}", output::count_summary(&ws.diags));
        return Ok(ExitCode::from(1));
    };
    let ids = segments(&ws, program, &args.select)?;
    if ids.is_empty() {
        eprintln!("nothing to record: the project declares no segments");
        return Ok(ExitCode::SUCCESS);
    }
    let req = Request {
        segments: ids,
        as_of,
        backfill: args.backfill,
        observed_at,
    };
    if let Some(spec) = args.target.as_deref() {
        let t = crate::target_cmd::select(&ws, spec, color)?;
        if t.kind != segql_target::Kind::DuckDb {
            return snapshot_on_target(&ws, program, t, &req, started, color);
        }
    }
    let path = state_path(&ws)?;
    // The state is written: never where a source is read.
    let sources = data::sources(&ws.inputs, Some(program));
    let wal = PathBuf::from(format!("{}.wal", path.display()));
    for p in [&path, &wal] {
        data::check_write(
            &ws.map,
            &ws.inputs,
            Some(program),
            &sources,
            p,
            "the state to",
            color,
        )?;
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create {}", display_path(dir)))?;
    }
    let writable = vec![
        path.to_string_lossy().into_owned(),
        wal.to_string_lossy().into_owned(),
    ];
    let attach = |e: &Engine| {
        membership::attach(e, &path, false)
            .map(|_| ())
            .map_err(state_err)
    };
    let engine = match data::bind_then(&ws, program, None, &writable, &attach)? {
        Ok(e) => e,
        Err(diags) => {
            output::print_diagnostics(&ws.map, &diags, color);
            eprintln!(
                "not recorded: the project's data does not fit its catalog ({})",
                output::count_summary(&diags)
            );
            return Ok(ExitCode::from(1));
        }
    };
    outfile::set_running(engine.interrupter(), false);
    outfile::stop_if_interrupted();
    let store = membership::attached_store(&engine);
    let fault = faults::from_env();
    let outcome =
        membership::snapshot(&engine, &store, program, program, &req, &fault).map_err(failed)?;
    print_outcome(outcome, as_of, &display_path(&path), started);
    Ok(ExitCode::SUCCESS)
}

/// `snapshot --target`: the members computed on the target and compared there with
/// the state in its schema, in one transaction of the target's.
fn snapshot_on_target(
    ws: &Workspace,
    program: &Program,
    t: segql_target::Target,
    req: &Request,
    started: Instant,
    color: bool,
) -> Result<ExitCode> {
    can_hold_state(&t)?;
    let schema = t.state_schema();
    let mapped = run_target::on_target(program, &t);
    let tb = TargetBackend::connect(t).map_err(crate::target_cmd::run_error)?;
    let diags = crate::target_cmd::fits(&tb, program)?;
    if !diags.is_empty() {
        output::print_diagnostics(&ws.map, &diags, color);
        eprintln!(
            "not recorded: the tables of target `{}` do not fit the catalog ({})",
            tb.name(),
            output::count_summary(&diags)
        );
        return Ok(ExitCode::from(1));
    }
    outfile::set_running(tb.interrupter(), true);
    outfile::stop_if_interrupted();
    let at = membership::open_on(&tb, &schema, false)
        .map_err(state_err)?
        .ok_or_else(|| anyhow!("internal error: the state was not created on the target"))?;
    let store = at.store(&tb);
    let fault = faults::from_env();
    let outcome =
        membership::snapshot(&tb, &store, program, &mapped, req, &fault).map_err(failed)?;
    let place = format!("schema {} of target `{}`", schema.join("."), tb.name());
    print_outcome(outcome, req.as_of, &place, started);
    Ok(ExitCode::SUCCESS)
}

/// E0719 before connecting, for a target whose engine cannot hold segql's state.
fn can_hold_state(t: &segql_target::Target) -> Result<()> {
    match membership::store::Flavor::of(t.dialect) {
        Some(_) => Ok(()),
        None => Err(state_err(membership::unsupported(
            &format!("target `{}`", t.name),
            t.dialect,
        ))),
    }
}

/// What a snapshot did, as a table on stdout and a line on stderr.
fn print_outcome(outcome: Outcome, as_of: i64, place: &str, started: Instant) {
    let when = format_timestamp(as_of);
    match outcome {
        Outcome::AlreadyRecorded { run_id } => {
            eprintln!("run {run_id} (as of {when}) is recorded already: nothing changed");
        }
        Outcome::Unchanged { run_id } => {
            eprintln!("every selected segment is recorded as of {when} with its definition: nothing changed (run {run_id} not recorded)");
        }
        Outcome::Recorded {
            run_id,
            figures,
            unchanged,
            compute,
            publish,
            ..
        } => {
            let mut t = Table::new(&["segment", "size", "entered", "left", "cause"]);
            for f in &figures {
                let cause = if f.backfill {
                    format!("{} (backfill)", f.cause)
                } else {
                    f.cause.clone()
                };
                t.push(vec![
                    Some(f.segment.clone()),
                    Some(f.size.to_string()),
                    Some(f.entered.to_string()),
                    Some(f.left.to_string()),
                    Some(cause),
                ]);
            }
            t.print_table();
            for u in &unchanged {
                eprintln!("{u}: recorded as of {when} with this definition already");
            }
            eprintln!(
                "recorded run {run_id} as of {when} in {place} ({:.2} s computing, {:.2} s recording, {:.2} s in all)",
                compute.as_secs_f64(),
                publish.as_secs_f64(),
                started.elapsed().as_secs_f64()
            );
        }
    }
}

/// The state a reading command opens: the project's file (read-only), or a schema of
/// a target.
pub enum State {
    Local(Engine),
    Target(Box<TargetBackend>, StoreAt),
}

impl State {
    pub fn store(&self) -> Store<'_> {
        match self {
            State::Local(e) => membership::attached_store(e),
            State::Target(tb, at) => at.store(tb.as_ref()),
        }
    }
}

/// The recorded state to read: the project's state file, or with `target` the state
/// in that target's schema. No snapshot recorded there is E0718.
pub fn open_state_at(ws: &Workspace, target: Option<&str>, color: bool) -> Result<State> {
    let Some(spec) = target else {
        return open_state(ws).map(State::Local);
    };
    let t = crate::target_cmd::select(ws, spec, color)?;
    if t.kind == segql_target::Kind::DuckDb {
        return open_state(ws).map(State::Local);
    }
    can_hold_state(&t)?;
    let schema = t.state_schema();
    let tb = TargetBackend::connect(t).map_err(crate::target_cmd::run_error)?;
    let found = membership::open_on(&tb, &schema, true).map_err(state_err)?;
    let recorded = match &found {
        Some(at) => at.store(&tb).head().map_err(state_err)? > 0,
        None => false,
    };
    match found {
        Some(at) if recorded => Ok(State::Target(Box::new(tb), at)),
        _ => Err(state_err(
            StateError::new(
                segql_run::codes::NO_STATE,
                format!(
                    "no snapshot is recorded on target `{}` (schema {})",
                    tb.name(),
                    schema.join(".")
                ),
            )
            .hint(format!("record one with `segql snapshot --target {spec}`")),
        )),
    }
}

/// An engine holding only the state, attached read-only; `None` when there is no
/// state file yet (E0718 is the caller's to raise, with what it wanted to read).
pub fn open_state(ws: &Workspace) -> Result<Engine> {
    let path = state_path(ws)?;
    open_recorded(ws)?.ok_or_else(|| {
        let why = if path.is_file() {
            format!("{} holds no run", display_path(&path))
        } else {
            format!("{} does not exist", display_path(&path))
        };
        state_err(
            StateError::new(
                segql_run::codes::NO_STATE,
                format!("no snapshot is recorded: {why}"),
            )
            .hint("record one with `segql snapshot`"),
        )
    })
}

/// The state, attached read-only to a locked-down engine, when a snapshot is recorded;
/// `None` when the state file does not exist or holds no run. A state that cannot be
/// read (newer, damaged, in use) is its coded error.
pub fn open_recorded(ws: &Workspace) -> Result<Option<Engine>> {
    let path = state_path(ws)?;
    if !path.is_file() {
        return Ok(None);
    }
    let engine = Engine::in_memory().map_err(|e| anyhow!("{e}"))?;
    if !membership::attach(&engine, &path, true).map_err(state_err)? {
        return Ok(None);
    }
    engine
        .lock_down(&Default::default(), &[])
        .map_err(|e| anyhow!("{e}"))?;
    Ok(Some(engine))
}

/// Segment names for a reading command: the selected ones (checked against the
/// project), or every recorded segment.
pub fn recorded_names(ws: &Workspace, store: &Store<'_>, names: &[String]) -> Result<Vec<String>> {
    if names.is_empty() {
        return store.segments().map_err(state_err);
    }
    // Names the project declares, or names recorded once (a segment since removed).
    let recorded = store.segments().map_err(state_err)?;
    let mut out = Vec::new();
    for n in names.iter().flat_map(|n| n.split(',')).map(str::trim) {
        let declared = ws
            .program
            .as_ref()
            .is_some_and(|p| p.segment_by_name(n).is_some());
        if !declared && !recorded.iter().any(|r| r == n) {
            let known = recorded.iter().map(String::as_str);
            let hint = segql_syntax::parser::did_you_mean(n, known)
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| format!("recorded segments: {}", recorded.join(", ")));
            bail!("no segment `{n}` is declared or recorded\n  hint: {hint}");
        }
        if !out.iter().any(|o: &String| o == n) {
            out.push(n.to_string());
        }
    }
    Ok(out)
}

pub fn changes(args: crate::args::Changes) -> Result<ExitCode> {
    if let Some(o) = &args.output {
        series_out::check_output(o, &["csv", "json"])?;
    }
    let ws = project::workspace(&args.paths)?;
    let state = open_state_at(&ws, args.target.as_deref(), false)?;
    let store = state.store();
    let names = recorded_names(&ws, &store, &args.select)?;
    let since = match &args.since {
        None => Since::LastRun,
        Some(s) => since(&store, s)?,
    };
    let rows = store.changes(&names, since).map_err(state_err)?;
    let mut t = Table::new(&[
        "segment",
        "key",
        "change",
        "as_of",
        "run",
        "cause",
        "observed_at",
    ]);
    for r in rows {
        let s = |i: usize| r.get(i).cloned().flatten();
        let time = |i: usize| {
            s(i).and_then(|v| v.parse::<i64>().ok())
                .map(format_timestamp)
        };
        t.push(vec![s(0), s(1), s(2), time(3), s(4), s(5), time(6)]);
    }
    let n = t.rows.len();
    series_out::emit(&ws, &t, args.format, args.output.as_deref())?;
    eprintln!("{n} change{}", if n == 1 { "" } else { "s" });
    Ok(ExitCode::SUCCESS)
}

/// `--since`: an instant (2024-06-01), else a run id or the start of one.
fn since(store: &Store<'_>, text: &str) -> Result<Since> {
    if let Ok(t) = segql_syntax::time::parse_instant(text) {
        return Ok(Since::After {
            as_of: t,
            seq: i64::MAX,
        });
    }
    match store.find_run(text).map_err(state_err)? {
        Some(r) => Ok(Since::After {
            as_of: r.as_of,
            seq: r.seq,
        }),
        None => Err(state_err(
            StateError::new(
                segql_run::codes::UNKNOWN_RUN,
                format!("--since `{text}` is neither an instant nor a recorded run"),
            )
            .hint("give an instant (2024-06-01) or a run id from `segql history`"),
        )),
    }
}

/// Paths given to the commands that read the state only: the project's directory.
pub fn project_of(dir: &Option<PathBuf>) -> Vec<PathBuf> {
    dir.iter().cloned().collect()
}
