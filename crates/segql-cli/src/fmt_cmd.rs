//! `segql fmt`: rewrite files in the canonical layout, or list those that differ.

use crate::output;
use crate::project;
use anyhow::{Context, Result};
use segql_syntax::SourceMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A unified diff from a file's text to its formatted text, with the file's name in
/// the `---`/`+++` headers (as `git diff` writes them).
fn unified(name: &str, original: &str, formatted: &str) -> String {
    similar::TextDiff::from_lines(original, formatted)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

/// `diff`: change nothing, print what would change as a unified diff (implies
/// `check`'s exit status).
pub fn run(paths: &[PathBuf], check: bool, diff: bool, color: bool) -> Result<ExitCode> {
    let check = check || diff;
    if paths.len() == 1 && paths[0].as_os_str() == "-" {
        return stdin_to_stdout(check, diff, color);
    }
    let mut map = SourceMap::new();
    let inputs = project::resolve(paths, &mut map)?;
    if !inputs.diags.is_empty() {
        // With segql.toml in doubt, which files belong to the project is too: touch none.
        output::print_diagnostics(&map, &inputs.diags, color);
        eprintln!("nothing formatted: fix {} first", project::CONFIG_FILE);
        return Ok(ExitCode::from(1));
    }
    let loaded = project::load(&inputs.files, &mut map)?;
    let sources = crate::data::sources(&inputs, None);
    let mut failed = 0;
    let mut changed = Vec::new();
    for l in &loaded {
        let errors: Vec<_> = l
            .parsed
            .diags
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        if !errors.is_empty() {
            output::print_diagnostics(&map, &errors, color);
            failed += 1;
            continue;
        }
        let original = &map.get(l.id).text;
        let formatted = segql_syntax::format_file(&l.parsed.file);
        if &formatted != original {
            changed.push(l.path.clone());
            if diff {
                out!(
                    "{}",
                    unified(&project::display_path(&l.path), original, &formatted)
                );
            }
            if !check {
                crate::data::check_write(
                    &map,
                    &inputs,
                    None,
                    &sources,
                    &l.path,
                    "the formatted file to",
                    color,
                )?;
                write_atomically(&l.path, &formatted)?;
            }
        }
    }
    let shown: Vec<String> = changed.iter().map(|p| project::display_path(p)).collect();
    if diff {
        for s in &shown {
            eprintln!("would reformat {s}");
        }
    } else if check {
        for s in &shown {
            outln!("would reformat {s}");
        }
    } else {
        for s in &shown {
            outln!("formatted {s}");
        }
    }
    let n = loaded.len();
    let verb = if check {
        "would be reformatted"
    } else {
        "reformatted"
    };
    let mut summary = format!(
        "{} of {n} file{} {verb}",
        changed.len(),
        if n == 1 { "" } else { "s" }
    );
    if failed > 0 {
        summary.push_str(&format!(
            "; {failed} not formatted because of syntax errors"
        ));
    }
    eprintln!("{summary}");
    Ok(if failed > 0 || (check && !changed.is_empty()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `segql fmt -`: standard input to standard output. With `--check`, prints nothing
/// but `would reformat <stdin>` and exits 1 when the input is not in canonical form;
/// with `--diff`, the diff instead.
fn stdin_to_stdout(check: bool, diff: bool, color: bool) -> Result<ExitCode> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    let mut map = SourceMap::new();
    let id = map.add("<stdin>", String::from_utf8_lossy(&bytes).into_owned());
    let parsed = segql_syntax::parse_bytes(&bytes, id);
    if parsed.diags.iter().any(|d| d.is_error()) {
        output::print_diagnostics(&map, &parsed.diags, color);
        return Ok(ExitCode::from(1));
    }
    let formatted = segql_syntax::format_file(&parsed.file);
    if check {
        if formatted.as_bytes() != bytes.as_slice() {
            if diff {
                out!("{}", unified("<stdin>", &map.get(id).text, &formatted));
            } else {
                outln!("would reformat <stdin>");
            }
            return Ok(ExitCode::from(1));
        }
        return Ok(ExitCode::SUCCESS);
    }
    out!("{formatted}");
    Ok(ExitCode::SUCCESS)
}

/// Writes a new file beside the file (a name of its own: concurrent runs do not
/// share it), then renames it over the file: a crash never leaves half a file, and a
/// failed write leaves no temporary file behind.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".segql-fmt-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", project::display_path(dir)))?;
    tmp.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", tmp.path().display()))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot replace {}", project::display_path(path)))?;
    Ok(())
}
