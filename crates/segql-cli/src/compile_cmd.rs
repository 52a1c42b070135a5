//! `segql compile`: SQL for the selected segments, in one or more dialects.

use crate::output::{self, Usage};
use crate::project::{self, display_path};
use anyhow::{bail, Context, Result};
use segql_plan::compile::{self, Options};
use segql_plan::dialect::{self, Dialect};
use segql_syntax::parser::did_you_mean;
use std::path::Path;
use std::process::ExitCode;

pub use crate::args::Compile as Args;

pub fn dialects_from(names: &[String]) -> Result<Vec<&'static dyn Dialect>> {
    let mut out: Vec<&'static dyn Dialect> = Vec::new();
    for n in names.iter().flat_map(|n| n.split(',')) {
        let n = n.trim();
        if n == "all" {
            out.extend(dialect::all());
            continue;
        }
        match dialect::by_name(n) {
            Some(d) => out.push(d),
            None => {
                let known: Vec<&str> = dialect::all().iter().map(|d| d.name()).collect();
                let hint = match did_you_mean(n, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the dialects are {} (or `all`)", known.join(", ")),
                };
                return Err(Usage(format!("unknown dialect `{n}`\n  hint: {hint}")).into());
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|d| seen.insert(d.name()));
    Ok(out)
}

pub use segql_plan::ir::Target;

pub fn run(args: Args, color: bool) -> Result<ExitCode> {
    let dialects = dialects_from(&args.dialects)?;
    let as_of = args.as_of.instant()?;
    let at_run = match &args.as_of_at_run {
        Some(s) => Some(
            compile::RunAsOf::parse_flag(s).map_err(|e| Usage(format!("--as-of-at-run: {e}")))?,
        ),
        None => None,
    };
    let ws = project::workspace(&args.paths)?;
    output::print_diagnostics(&ws.map, &ws.diags, color);
    let Some(program) = ws.program.as_ref().filter(|_| !ws.has_errors()) else {
        eprintln!("not compiled: {}", output::count_summary(&ws.diags));
        return Ok(ExitCode::from(1));
    };
    let selected = crate::selection::select(&ws, program, &args.select)?;
    let targets = selected.targets(program);
    if targets.is_empty() && selected.selection.explicit {
        eprintln!("{}", selected.nothing_note(program, "compile"));
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(dir) = &args.dbt {
        let explicit = selected.selection.explicit;
        return crate::dbt_cmd::models(program, &targets, explicit, &dialects, args.batch, dir);
    }
    if args.batch {
        // One statement of membership flags: segments only. A report or split named
        // with --batch is a mistake to say, not to drop.
        if let Some(t) = targets.iter().find(|t| !matches!(t, Target::Segment(_))) {
            if selected.selection.explicit {
                bail!(
                    "--batch compiles segments into one statement; `{}` is a {}\n  hint: compile it without --batch",
                    t.name(program),
                    t.kind()
                );
            }
        }
        if !targets.iter().any(|t| matches!(t, Target::Segment(_))) {
            bail!("nothing to compile: the project declares no segments");
        }
        let mut per_entity: Vec<(usize, usize)> = Vec::new();
        for t in &targets {
            if let Target::Segment(i) = t {
                let e = program.segments[*i].entity;
                match per_entity.iter_mut().find(|(x, _)| *x == e) {
                    Some((_, n)) => *n += 1,
                    None => per_entity.push((e, 1)),
                }
            }
        }
        if per_entity.len() > 1 {
            let list: Vec<String> = per_entity
                .iter()
                .map(|(e, n)| format!("{n} of {}", program.catalog.entities[*e].name))
                .collect();
            bail!(
                "--batch makes one statement for the segments of one entity; these are {}\n  hint: --select one entity's segments, or compile without --batch",
                list.join(" and ")
            );
        }
    }
    let opts = Options { as_of, at_run };
    let sources = crate::data::sources(&ws.inputs, Some(program));
    let guard = |file: &Path| {
        crate::data::check_write(
            &ws.map,
            &ws.inputs,
            Some(program),
            &sources,
            file,
            "the SQL to",
            color,
        )
    };
    let mut failed = 0;
    let mut written = 0;
    let mut stdout = String::new();
    let mut emit = |name: &str,
                    d: &dyn Dialect,
                    result: Result<compile::Statement, compile::Unsupported>,
                    stdout: &mut String|
     -> Result<bool> {
        match result {
            Ok(st) => {
                let text = format!("{};\n", st.text());
                match &args.out {
                    Some(dir) => {
                        write_sql(dir, d.name(), name, &text, &guard)?;
                        written += 1;
                    }
                    None => {
                        if !stdout.is_empty() {
                            stdout.push('\n');
                        }
                        stdout.push_str(&text);
                    }
                }
                Ok(true)
            }
            Err(e) => {
                output::print_error(
                    &anyhow::Error::new(output::Coded {
                        code: "E0601",
                        message: format!("`{name}` cannot be compiled for {}: {e}", d.name()),
                    }),
                    color,
                );
                Ok(false)
            }
        }
    };
    for d in &dialects {
        if args.batch {
            let ids: Vec<usize> = targets
                .iter()
                .filter_map(|t| match t {
                    Target::Segment(i) => Some(*i),
                    _ => None,
                })
                .collect();
            let result = compile::batch_statement(program, &ids, args.long, *d, opts);
            if !emit("batch", *d, result, &mut stdout)? {
                failed += 1;
            }
            continue;
        }
        for &t in &targets {
            let name = t.name(program).to_string();
            let result = compile::statement(program, t, *d, opts);
            if !emit(&name, *d, result, &mut stdout)? {
                failed += 1;
            }
        }
    }
    out!("{stdout}");
    // manifest.json, as dbt writes it on compile: every node, whatever was selected.
    if let Some(dir) = crate::artifacts::dir(&ws, args.artifacts.target_path.as_deref()) {
        crate::artifacts::write_manifest(
            &ws,
            program,
            &selected.graph,
            &dialects,
            opts,
            "compile",
            &dir,
            color,
        )?;
    }
    if let Some(dir) = &args.out {
        eprintln!(
            "wrote {written} file{} to {}",
            if written == 1 { "" } else { "s" },
            display_path(dir)
        );
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_sql(
    dir: &Path,
    dialect: &str,
    name: &str,
    text: &str,
    guard: &dyn Fn(&Path) -> Result<()>,
) -> Result<()> {
    let sub = dir.join(dialect);
    guard(&sub.join(format!("{}.sql", file_name(name))))?;
    std::fs::create_dir_all(&sub)
        .with_context(|| format!("cannot create {}", display_path(&sub)))?;
    let file = sub.join(format!("{}.sql", file_name(name)));
    std::fs::write(&file, text).with_context(|| format!("cannot write {}", display_path(&file)))
}

/// A segment name as a file name: names may hold any character, files may not.
fn file_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        "_".to_string()
    } else {
        s
    }
}

/// `segql dialects`
pub fn dialects() -> ExitCode {
    let mut rows = vec![(
        "dialect".to_string(),
        "support".to_string(),
        "notes".to_string(),
    )];
    for d in dialect::all() {
        rows.push((
            d.name().to_string(),
            d.support().label().to_string(),
            d.notes().to_string(),
        ));
    }
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    for (a, b, c) in rows {
        outln!("{}", format!("{a:<w0$}  {b:<w1$}  {c}").trim_end());
    }
    outln!();
    outln!(
        "executed: the test suite runs this dialect's SQL on a real engine and compares members"
    );
    outln!("syntax-checked: the test suite only parses this dialect's SQL");
    ExitCode::SUCCESS
}
