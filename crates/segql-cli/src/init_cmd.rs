//! `segql init`: a new project that passes `segql check` and `segql test` at once.

use crate::project::display_path;
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::ExitCode;

const FILES: &[(&str, &str)] = &[
    ("segql.toml", include_str!("scaffold/segql.toml")),
    ("catalog.seg", include_str!("scaffold/catalog.seg")),
    (
        "segments/segments.seg",
        include_str!("scaffold/segments.seg"),
    ),
    ("data/users.csv", include_str!("scaffold/users.csv")),
    ("data/events.csv", include_str!("scaffold/events.csv")),
];

/// A project name from a directory name: letters, digits, `_` and `-`.
fn project_name(dir: &Path) -> String {
    let abs = std::env::current_dir()
        .map(|c| c.join(dir))
        .unwrap_or_else(|_| dir.to_path_buf());
    let raw = abs
        .components()
        .rev()
        .find_map(|c| match c {
            std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .unwrap_or_else(|| "segments".to_string());
    let name: String = raw
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "segments".to_string()
    } else {
        name
    }
}

/// The project (a directory holding segql.toml) that holds `dir`, if any.
fn enclosing_project(dir: &Path) -> Option<std::path::PathBuf> {
    let abs = segql_run::guard::absolute(dir);
    abs.ancestors()
        .skip(1)
        .find(|d| d.join("segql.toml").is_file())
        .map(Path::to_path_buf)
}

/// What `.gitignore` gets: segql's state (recorded snapshots) is never a source.
const IGNORED: &str = ".segql/";

/// Adds the state's directory to `dir/.gitignore` (created if missing, appended to
/// otherwise, left alone if it names it already).
fn ignore_state(dir: &Path) -> Result<()> {
    let path = dir.join(".gitignore");
    let old = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", display_path(&path))),
    };
    if old
        .lines()
        .any(|l| l.trim() == IGNORED || l.trim() == ".segql")
    {
        return Ok(());
    }
    let mut text = old;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# segql's state: recorded snapshots (segql snapshot)\n");
    text.push_str(IGNORED);
    text.push('\n');
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", display_path(&path)))
}

pub fn run(dir: &Path) -> Result<ExitCode> {
    if dir.exists() && !dir.is_dir() {
        bail!(
            "{} is a file; segql init creates a project in a directory",
            display_path(dir)
        );
    }
    if dir.join("segql.toml").exists() {
        bail!(
            "{} already holds a segql project (segql.toml)\n  hint: choose a new directory: segql init my-segments",
            display_path(dir)
        );
    }
    for (file, _) in FILES {
        let path = dir.join(file);
        if path.exists() {
            bail!(
                "{} already exists; segql init never overwrites files",
                display_path(&path)
            );
        }
    }
    // Inside another project, the new files must not land where its bindings read.
    if let Some(outer) = enclosing_project(dir) {
        let mut map = segql_syntax::SourceMap::new();
        if let Ok(inputs) = crate::project::resolve(std::slice::from_ref(&outer), &mut map) {
            let sources = crate::data::sources(&inputs, None);
            for (file, _) in FILES {
                crate::data::check_write(
                    &map,
                    &inputs,
                    None,
                    &sources,
                    &dir.join(file),
                    "the new file",
                    false,
                )?;
            }
        }
    }
    let name = project_name(dir);
    for (file, text) in FILES {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", display_path(parent)))?;
        }
        let text = text.replace("{name}", &name);
        std::fs::write(&path, text)
            .with_context(|| format!("cannot write {}", display_path(&path)))?;
    }
    ignore_state(dir)?;
    let shown = display_path(dir);
    outln!("created project {name} in {shown}");
    for (file, _) in FILES {
        outln!("  {}", display_path(&dir.join(file)));
    }
    outln!("  {}", display_path(&dir.join(".gitignore")));
    outln!();
    outln!("next:");
    // The scaffold's events are from May 2024: run as of just after them, or the
    // windows ("in last 30 days") are empty.
    let steps = [
        (format!("segql check {shown}"), "parse and check"),
        (format!("segql test {shown}"), "run the tests and asserts"),
        (
            format!("segql run {shown} --as-of 2024-06-01"),
            "members of every segment, over data/",
        ),
    ];
    let width = steps.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    for (command, what) in &steps {
        outln!("  {command:width$}   # {what}");
    }
    Ok(ExitCode::SUCCESS)
}
