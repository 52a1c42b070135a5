//! Warehouse targets on the command line: `--target NAME` of `run`, `preview` and
//! `test` ([`backend`]), `segql doctor` and `segql seed`. Targets come from segql.toml's
//! `[targets.NAME]` and the user-level file (segql-target's `config::user_file`); their
//! mistakes are diagnostics (E0801) pointing into the file. Every message about a
//! target names it and never holds a secret (segql-target redacts them).

use crate::data;
use crate::output::{self, Coded};
use crate::project::{display_path, Workspace};
use anyhow::Result;
use segql_plan::ir::Program;
use segql_run::backend::Backend;
use segql_run::warehouse::{self as run_target, TargetBackend};
use segql_run::Engine;
use segql_syntax::diag::Diagnostic;
use segql_syntax::{FileId, SourceMap, Span};
use segql_target::config::{self, Target, TargetConfig};
use segql_target::{codes, TargetError};
use std::path::Path;
use std::process::ExitCode;

fn diagnostic(id: FileId, p: &config::Problem) -> Diagnostic {
    config::problem_diagnostic(id, p)
}

/// The mistakes in segql.toml's `[targets]`, as diagnostics (`segql check` shows them).
pub fn diagnostics(config_text: &str, id: FileId) -> Vec<Diagnostic> {
    config::diagnostics(config_text, id)
}

/// A target's error as a coded error of the command line (`error[E0803]: ...`).
pub fn coded(e: TargetError) -> anyhow::Error {
    let code = codes::ALL
        .iter()
        .map(|(c, _)| *c)
        .find(|c| *c == e.code)
        .unwrap_or(codes::CONFIG);
    let shown = e.to_string();
    let message = shown
        .strip_prefix(&format!("[{}] ", e.code))
        .unwrap_or(&shown)
        .to_string();
    Coded { code, message }.into()
}

/// Every configured target: segql.toml's and the user-level file's. Problems in the
/// user-level file are printed as diagnostics and stop the command.
pub fn configs(ws: &Workspace, color: bool) -> Result<Vec<TargetConfig>> {
    let root = ws.inputs.root.clone().unwrap_or_else(|| ".".into());
    let (mut out, _) = config::parse(&ws.inputs.config_text, "segql.toml", &root, false);
    if let Some(path) = config::user_file().filter(|p| p.is_file()) {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            coded(TargetError::new(
                codes::CONFIG,
                "",
                format!("cannot read {}: {e}", display_path(&path)),
            ))
        })?;
        let shown = display_path(&path);
        let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let (user, problems) = config::parse(&text, &shown, &base, true);
        if !problems.is_empty() {
            let mut map = SourceMap::new();
            let id = map.add(shown.clone(), text.clone());
            let diags: Vec<Diagnostic> = problems.iter().map(|p| diagnostic(id, p)).collect();
            output::print_diagnostics(&map, &diags, color);
            return Err(coded(
                TargetError::new(
                    codes::CONFIG,
                    "",
                    format!(
                        "the targets file {shown} has {}",
                        output::count_summary(&diags)
                    ),
                )
                .with_hint("it is read because it exists; SEGQL_TARGETS_FILE names another"),
            ));
        }
        out.extend(user);
    }
    Ok(out)
}

/// The target `spec` (`NAME` or `NAME:ENVIRONMENT`) names, among every configured one.
pub fn select(ws: &Workspace, spec: &str, color: bool) -> Result<Target> {
    let all = configs(ws, color)?;
    config::select(&all, spec).map_err(|e| {
        // `--target` naming no target or environment is a bad command line (exit 2),
        // like an unknown `--select` name.
        let unknown =
            e.message.starts_with("no target `") || e.message.starts_with("no environment `");
        let err = coded(e);
        match err.downcast::<Coded>() {
            Ok(c) if unknown => output::CodedUsage(c).into(),
            Ok(c) => c.into(),
            Err(err) => err,
        }
    })
}

/// A connected backend, with the program as it names the target's relations (`None`
/// on the embedded DuckDB, which reads the catalog's own names).
pub type Running = (Box<dyn Backend>, Option<Program>);

/// Where a command runs: the embedded DuckDB over the bindings (no `--target`), or a
/// connected target; with the program as that backend sees it (relations renamed to
/// where they live on the target). `None` when the bindings do not fit (printed).
pub fn backend(
    ws: &Workspace,
    program: &Program,
    target: Option<&str>,
    only: Option<&std::collections::BTreeSet<String>>,
    writable: &[String],
    color: bool,
) -> Result<Option<Running>> {
    match target {
        None => match data::bind(ws, program, only, writable)? {
            Ok(e) => Ok(Some((Box::new(e), None))),
            Err(diags) => {
                output::print_diagnostics(&ws.map, &diags, color);
                eprintln!(
                    "not run: the project's data does not fit its catalog ({})",
                    output::count_summary(&diags)
                );
                Ok(None)
            }
        },
        Some(spec) => {
            let t = select(ws, spec, color)?;
            if t.kind == segql_target::Kind::DuckDb {
                return backend(ws, program, None, only, writable, color);
            }
            let mapped = run_target::on_target(program, &t);
            let tb = TargetBackend::connect(t).map_err(run_error)?;
            let diags = fits(&tb, program)?;
            if !diags.is_empty() {
                output::print_diagnostics(&ws.map, &diags, color);
                eprintln!(
                    "not run: the tables of target `{}` do not fit the catalog ({})",
                    tb.name(),
                    output::count_summary(&diags)
                );
                return Ok(None);
            }
            Ok(Some((Box::new(tb), Some(mapped))))
        }
    }
}

/// The catalog checked against the target's tables before anything runs there (every
/// relation and column, of a compatible type; not the keys, which take a scan): the
/// problems as diagnostics on the declarations, as the binder's are for local files.
pub fn fits(tb: &TargetBackend, program: &Program) -> Result<Vec<Diagnostic>> {
    let report = run_target::doctor(tb, program, false).map_err(run_error)?;
    Ok(report
        .problems
        .iter()
        .map(|x| problem_diagnostic(program, x))
        .collect())
}

/// A runner's error that came from a target (`[E08xx] target ...`) as a coded error.
pub fn run_error(e: segql_run::engine::Error) -> anyhow::Error {
    data::query_error(&e).into()
}

pub use crate::args::Doctor as DoctorArgs;
pub use crate::args::Seed as SeedArgs;

fn loaded<'w>(ws: &'w Workspace, color: bool, what: &str) -> Option<&'w Program> {
    output::print_diagnostics(&ws.map, &ws.diags, color);
    let p = ws.program.as_ref().filter(|_| !ws.has_errors());
    if p.is_none() {
        eprintln!("{what}: {}", output::count_summary(&ws.diags));
    }
    p
}

/// A catalog problem found on a target, as a diagnostic on the declaration that reads
/// the relation (as the binder's are for local files).
fn problem_diagnostic(p: &Program, x: &segql_run::bind::Problem) -> Diagnostic {
    let span = p
        .catalog
        .entities
        .iter()
        .find(|e| e.table.join(".") == x.relation)
        .map(|e| e.span)
        .or_else(|| {
            p.catalog
                .events
                .iter()
                .find(|e| e.table.join(".") == x.relation)
                .map(|e| e.span)
        })
        .unwrap_or_default();
    let span = Span::new(
        span.file,
        span.start,
        span.start.max(span.end.min(span.start + 1)),
    );
    let mut msg = format!("`{}`", x.relation);
    if let Some(path) = &x.path {
        msg.push_str(&format!(" ({path})"));
    }
    if let Some(c) = &x.column {
        msg.push_str(&format!(", column `{c}`"));
    }
    msg.push_str(&format!(": {}", x.message));
    let d = Diagnostic::error(x.code, span, msg).with_label("declared here");
    match &x.hint {
        Some(h) => d.with_hint(h.clone()),
        None => d,
    }
}

/// `segql doctor [--target NAME]`.
pub fn doctor(args: DoctorArgs, color: bool) -> Result<ExitCode> {
    let ws = crate::project::workspace(&args.paths)?;
    let Some(program) = loaded(&ws, color, "not checked") else {
        return Ok(ExitCode::from(1));
    };
    let Some(spec) = args.target.as_deref() else {
        // The embedded DuckDB: the bindings, and every configured target's driver.
        let mut ok = match data::bind(&ws, program, None, &[])? {
            Ok(_) => {
                outln!("duckdb     the bindings fit the catalog");
                true
            }
            Err(diags) => {
                output::print_diagnostics(&ws.map, &diags, color);
                outln!(
                    "duckdb     the bindings do not fit the catalog ({})",
                    output::count_summary(&diags)
                );
                false
            }
        };
        for c in configs(&ws, color)? {
            let t = config::select(std::slice::from_ref(&c), &c.name).map_err(coded)?;
            if t.kind == segql_target::Kind::DuckDb {
                continue;
            }
            match segql_target::driver::find(&t) {
                Ok(f) => outln!(
                    "{:<10} driver {} (found through {})",
                    t.name,
                    f.path.display(),
                    f.how
                ),
                Err(e) => {
                    ok = false;
                    outln!("{:<10} {e}", t.name);
                }
            }
        }
        return Ok(if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    };
    let t = select(&ws, spec, color)?;
    outln!(
        "target     {} ({}, the {} dialect)",
        t.name,
        t.kind.name(),
        t.dialect
    );
    let started = std::time::Instant::now();
    let tb = TargetBackend::connect(t).map_err(run_error)?;
    outln!("driver     {}", tb.driver());
    for (k, v) in tb.info() {
        outln!("{k:<10} {v}");
    }
    outln!("connected  in {:.2} s", started.elapsed().as_secs_f64());
    let report = run_target::doctor(&tb, program, true).map_err(run_error)?;
    if report.problems.is_empty() {
        outln!("catalog    {} relations checked: every relation and column is there, of a compatible type", report.checked);
        Ok(ExitCode::SUCCESS)
    } else {
        let diags: Vec<Diagnostic> = report
            .problems
            .iter()
            .map(|x| problem_diagnostic(program, x))
            .collect();
        output::print_diagnostics(&ws.map, &diags, color);
        outln!(
            "catalog    {} relations checked: {}",
            report.checked,
            output::count_summary(&diags)
        );
        Ok(ExitCode::from(1))
    }
}

/// `segql seed --target NAME [--replace]`.
pub fn seed(args: SeedArgs, color: bool) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    crate::outfile::install_handler();
    let ws = crate::project::workspace(&args.paths)?;
    let Some(program) = loaded(&ws, color, "not seeded") else {
        return Ok(ExitCode::from(1));
    };
    let t = select(&ws, &args.target, color)?;
    if t.kind == segql_target::Kind::DuckDb {
        anyhow::bail!("target `{}` is the embedded DuckDB, which reads the bound files where they lie: there is nothing to seed", t.name);
    }
    let engine: Engine = match data::bind(&ws, program, None, &[])? {
        Ok(e) => e,
        Err(diags) => {
            output::print_diagnostics(&ws.map, &diags, color);
            eprintln!(
                "not seeded: the project's data does not fit its catalog ({})",
                output::count_summary(&diags)
            );
            return Ok(ExitCode::from(1));
        }
    };
    let name = t.name.clone();
    let tb = TargetBackend::connect(t).map_err(run_error)?;
    crate::outfile::set_running(tb.interrupter(), true);
    let seeded = run_target::seed(&engine, program, &tb, args.replace).map_err(|e| {
        crate::outfile::stop_if_interrupted();
        run_error(e)
    })?;
    for s in &seeded {
        outln!("{} -> {} ({} rows)", s.relation, s.on_target, s.rows);
    }
    eprintln!(
        "seeded {} relation{} into target `{name}` in {:.2} s",
        seeded.len(),
        if seeded.len() == 1 { "" } else { "s" },
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
