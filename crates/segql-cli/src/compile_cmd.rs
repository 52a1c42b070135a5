//! `segql compile`: SQL for the selected segments, in one or more dialects.

use crate::output;
use crate::project::{self, display_path};
use anyhow::{bail, Context, Result};
use segql_plan::compile::{self, Options};
use segql_plan::dialect::{self, Dialect};
use segql_plan::ir::Program;
use segql_syntax::parser::did_you_mean;
use segql_syntax::time::format_timestamp;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub struct Args {
    pub paths: Vec<PathBuf>,
    pub dialects: Vec<String>,
    pub select: Vec<String>,
    pub as_of: Option<String>,
    pub out: Option<PathBuf>,
}

/// `--as-of`, or now (to the second) when not given.
pub fn as_of(arg: Option<&str>) -> Result<i64> {
    match arg {
        Some(s) => {
            segql_syntax::time::parse_instant(s).map_err(|e| anyhow::anyhow!("--as-of: {e}"))
        }
        None => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .context("the system clock is before 1970")?;
            Ok(now.as_secs() as i64 * 1_000_000)
        }
    }
}

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
                bail!("unknown dialect `{n}`\n  hint: {hint}");
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|d| seen.insert(d.name()));
    Ok(out)
}

/// The segments named by `--select` (all, in declaration order, when none are).
pub fn select(program: &Program, names: &[String]) -> Result<Vec<usize>> {
    if names.is_empty() {
        let mut ids: Vec<usize> = (0..program.segments.len()).collect();
        ids.sort_by_key(|&i| {
            (
                program.segments[i].span.file,
                program.segments[i].span.start,
            )
        });
        return Ok(ids);
    }
    let mut out = Vec::new();
    for n in names.iter().flat_map(|n| n.split(',')) {
        let n = n.trim();
        match program.segment_by_name(n) {
            Some(id) => {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
            None => {
                let known: Vec<&str> = program.segments.iter().map(|s| s.name.as_str()).collect();
                let hint = match did_you_mean(n, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "`segql check` lists the project's problems; its segments are in its .seg files".to_string(),
                };
                bail!("there is no segment `{n}`\n  hint: {hint}");
            }
        }
    }
    Ok(out)
}

pub fn run(args: Args, color: bool) -> Result<ExitCode> {
    let dialects = dialects_from(&args.dialects)?;
    let as_of = as_of(args.as_of.as_deref())?;
    let ws = project::workspace(&args.paths)?;
    output::print_diagnostics(&ws.map, &ws.diags, color);
    let Some(program) = ws.program.as_ref().filter(|_| !ws.has_errors()) else {
        eprintln!("not compiled: {}", output::count_summary(&ws.diags));
        return Ok(ExitCode::from(1));
    };
    let ids = select(program, &args.select)?;
    let opts = Options { as_of };
    let mut failed = 0;
    let mut stdout = String::new();
    for d in &dialects {
        for &id in &ids {
            let seg = &program.segments[id];
            let header = format!(
                "-- segment {} ({}), {}, as of {}\n",
                seg.name,
                program.catalog.entities[seg.entity].name,
                d.name(),
                format_timestamp(as_of)
            );
            match compile::segment(program, id, *d, opts) {
                Ok(q) => {
                    let text = format!("{header}{};\n", compile::to_sql(&q));
                    match &args.out {
                        Some(dir) => write_sql(dir, d.name(), &seg.name, &text)?,
                        None => {
                            if !stdout.is_empty() {
                                stdout.push('\n');
                            }
                            stdout.push_str(&text);
                        }
                    }
                }
                Err(e) => {
                    failed += 1;
                    let loc = ws.map.location(seg.span);
                    eprintln!(
                        "{loc}: error[E0601]: segment `{}` cannot be compiled for {}: {e}",
                        seg.name,
                        d.name()
                    );
                }
            }
        }
    }
    print!("{stdout}");
    if let Some(dir) = &args.out {
        eprintln!(
            "wrote {} file{} to {}",
            ids.len() * dialects.len() - failed,
            if ids.len() * dialects.len() - failed == 1 {
                ""
            } else {
                "s"
            },
            display_path(dir)
        );
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_sql(dir: &Path, dialect: &str, name: &str, text: &str) -> Result<()> {
    let sub = dir.join(dialect);
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
        println!("{}", format!("{a:<w0$}  {b:<w1$}  {c}").trim_end());
    }
    println!();
    println!(
        "executed: the test suite runs this dialect's SQL on a real engine and compares members"
    );
    println!("syntax-checked: the test suite only parses this dialect's SQL");
    ExitCode::SUCCESS
}
