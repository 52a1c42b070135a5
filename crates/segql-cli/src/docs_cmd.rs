//! `segql docs generate` and `segql docs serve`: the project as a static site that works
//! offline (segql-docs builds it; docs/docs-site.md).

use crate::output;
use crate::project;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand)]
pub enum Action {
    /// Write the site into a directory (default: target/docs in the project).
    Generate(Generate),
    /// Build the site and serve it on 127.0.0.1 until stopped (Ctrl-C).
    Serve(Serve),
}

#[derive(clap::Args)]
pub struct Common {
    /// A project directory or .seg files (default: the project here).
    pub paths: Vec<PathBuf>,
    /// Sizes, samples and history of segments to show, as JSON (docs/docs-site.md).
    /// Without it, the project's recorded snapshots (`segql snapshot`) are shown.
    #[arg(long, value_name = "FILE")]
    pub sizes: Option<PathBuf>,
    /// Show no sizes or history, even when snapshots are recorded.
    #[arg(long, conflicts_with = "sizes")]
    pub no_state: bool,
    #[command(flatten)]
    pub as_of: crate::args::AsOf,
}

#[derive(clap::Args)]
pub struct Generate {
    #[command(flatten)]
    pub common: Common,
    /// The directory to write: new, empty, or one segql docs wrote before.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct Serve {
    #[command(flatten)]
    pub common: Common,
    /// The port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
}

pub fn run(args: Args, color: bool) -> Result<ExitCode> {
    match args.action {
        Action::Generate(g) => {
            let Some((site, root)) = build(&g.common, color)? else {
                return Ok(ExitCode::from(1));
            };
            let out = g.out.unwrap_or_else(|| {
                root.unwrap_or_else(|| PathBuf::from("."))
                    .join("target")
                    .join("docs")
            });
            match site.write(&out) {
                Ok(w) => {
                    let removed = if w.removed > 0 {
                        format!(" ({} stale removed)", w.removed)
                    } else {
                        String::new()
                    };
                    eprintln!(
                        "wrote {} files to {}{removed}; open {}",
                        w.files,
                        project::display_path(&out),
                        project::display_path(&out.join("index.html"))
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    output::print_coded(e.code, &e.message, e.hint.as_deref(), color);
                    Ok(ExitCode::from(1))
                }
            }
        }
        Action::Serve(s) => {
            let Some((site, _)) = build(&s.common, color)? else {
                return Ok(ExitCode::from(1));
            };
            match segql_docs::Running::start(site, s.port) {
                Ok(running) => {
                    eprintln!("serving the docs at {} (Ctrl-C to stop)", running.url());
                    running.wait();
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    output::print_coded(e.code, &e.message, e.hint.as_deref(), color);
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

/// The site, and the project's directory; `None` after printing why there is none.
fn build(c: &Common, color: bool) -> Result<Option<(segql_docs::Site, Option<PathBuf>)>> {
    let as_of = c.as_of.instant()?;
    let mut ws = project::workspace(&c.paths)?;
    let mut diags = std::mem::take(&mut ws.diags);
    let mut sizes = None;
    if let Some(path) = &c.sizes {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read {}", project::display_path(path)))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let id = ws.map.add(project::display_path(path), text.clone());
        match segql_docs::sizes::parse(&text, id) {
            Ok(s) => {
                if let Some(p) = &ws.program {
                    diags.extend(s.check(p, id));
                }
                sizes = Some(s);
            }
            Err(d) => diags.push(*d),
        }
    }
    if c.sizes.is_none() && !c.no_state {
        sizes = sizes_from_state(&ws)?;
    }
    output::print_diagnostics(&ws.map, &diags, color);
    let Some(program) = ws
        .program
        .as_ref()
        .filter(|_| !diags.iter().any(|d| d.is_error()))
    else {
        eprintln!("no docs: {}", output::count_summary(&diags));
        return Ok(None);
    };
    let root = ws.inputs.root.clone();
    let name = ws
        .inputs
        .config
        .name
        .clone()
        .or_else(|| root.as_deref().map(dir_name))
        .unwrap_or_else(|| "segql project".to_string());
    let input = segql_docs::Input {
        name,
        program,
        files: ws.files.iter().map(|l| &l.parsed.file).collect(),
        map: &ws.map,
        root: root.as_deref(),
        sizes: sizes.as_ref(),
        as_of,
    };
    Ok(Some((segql_docs::build(&input), root)))
}

fn dir_name(p: &Path) -> String {
    std::fs::canonicalize(p)
        .ok()
        .and_then(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "segql project".to_string())
}

/// The sizes the project's state holds (`segql snapshot`): per recorded segment the
/// project still declares, its size, ten current members and its size, entered and left
/// at every recorded run. `None` when nothing is recorded; a state that cannot be read
/// (newer, damaged, locked) is its coded error.
fn sizes_from_state(ws: &project::Workspace) -> Result<Option<segql_docs::Sizes>> {
    use segql_docs::sizes::{HistoryPoint, Key, SegmentSizes};
    use segql_run::membership;
    use segql_syntax::time::format_timestamp;
    let (Some(_), Some(program)) = (&ws.inputs.root, &ws.program) else {
        return Ok(None);
    };
    let Some(engine) = crate::membership_cmd::open_recorded(ws)? else {
        return Ok(None);
    };
    let store = membership::attached_store(&engine);
    let state_err = crate::membership_cmd::state_err;
    let names: Vec<String> = store
        .segments()
        .map_err(state_err)?
        .into_iter()
        .filter(|n| program.segments.iter().any(|s| &s.name == n))
        .collect();
    if names.is_empty() {
        return Ok(None);
    }
    let mut sizes = segql_docs::Sizes::default();
    let mut latest = i64::MIN;
    for r in store.history(&names).map_err(state_err)? {
        let cell = |i: usize| r.get(i).cloned().flatten().unwrap_or_default();
        let number = |i: usize| cell(i).parse::<u64>().ok();
        let as_of: i64 = cell(1).parse().unwrap_or(0);
        latest = latest.max(as_of);
        let seg = sizes.segments.entry(cell(0)).or_default();
        let size = number(3).unwrap_or(0);
        seg.size = Some(size);
        seg.history.push(HistoryPoint {
            as_of: format_timestamp(as_of),
            size,
            entered: number(4),
            left: number(5),
        });
    }
    for name in &names {
        let current = store.current(name).map_err(state_err)?;
        let seg: &mut SegmentSizes = sizes.segments.entry(name.clone()).or_default();
        seg.sample = current.into_iter().take(10).map(Key::Str).collect();
    }
    if latest > i64::MIN {
        sizes.as_of = Some(format_timestamp(latest));
    }
    eprintln!(
        "sizes and history of {} segment{} from the recorded snapshots ({})",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        project::display_path(&crate::membership_cmd::state_path(ws)?)
    );
    Ok(Some(sizes))
}
