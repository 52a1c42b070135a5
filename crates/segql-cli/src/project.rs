//! Finding a project's files: `segql.toml`, its `paths`, and loose `.seg` paths.

use anyhow::{bail, Context, Result};
use segql_syntax::diag::Diagnostic;
use segql_syntax::{FileId, SourceMap, Span};
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "segql.toml";

/// The first form of `segql.toml`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The project's name.
    pub name: Option<String>,
    /// Files, directories (searched for `*.seg`) or globs, relative to the project.
    #[serde(default)]
    pub paths: Vec<String>,
}

/// What a command works on: the files, and where they came from.
#[derive(Debug)]
pub struct Inputs {
    /// The project directory, when a `segql.toml` was used.
    pub root: Option<PathBuf>,
    pub config: Config,
    pub files: Vec<PathBuf>,
}

/// Reads `segql.toml` in `dir`; a malformed file is reported as a diagnostic in `map`.
pub fn read_config(
    dir: &Path,
    map: &mut SourceMap,
) -> Result<std::result::Result<Config, Diagnostic>> {
    let path = dir.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let id = map.add(display_path(&path), text.clone());
    match toml::from_str::<Config>(&text) {
        Ok(c) => Ok(Ok(c)),
        Err(e) => {
            let range = e.span().unwrap_or(0..0);
            let span = Span::new(id, range.start as u32, range.end as u32);
            let message = e.message().to_string();
            Ok(Err(Diagnostic::error(
                segql_syntax::codes::CONFIG_INVALID,
                span,
                format!("invalid {CONFIG_FILE}: {message}"),
            )
            .with_hint(
                "segql.toml holds `name = \"...\"` and `paths = [\"segments\"]`",
            )))
        }
    }
}

/// A path as shown to users: relative to the working directory when below it.
pub fn display_path(p: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_deref()
        .and_then(|c| p.strip_prefix(c).ok())
        .unwrap_or(p);
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn is_seg(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "seg")
}

/// Every `.seg` file below `dir`, sorted; hidden directories and `target` are skipped.
pub fn seg_files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || {
                let name = e.file_name().to_string_lossy();
                !(e.file_type().is_dir() && (name.starts_with('.') || name == "target"))
            }
        });
    for entry in walker {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        if entry.file_type().is_file() && is_seg(entry.path()) {
            out.push(entry.into_path());
        }
    }
    Ok(out)
}

/// The files a project's `paths` name. Each entry must match something.
pub fn project_files(root: &Path, config: &Config) -> Result<Vec<PathBuf>> {
    let entries: Vec<String> = if config.paths.is_empty() {
        vec![".".to_string()]
    } else {
        config.paths.clone()
    };
    let mut files = Vec::new();
    for entry in &entries {
        let is_glob = entry.contains(['*', '?', '[', '{']);
        if is_glob {
            let glob = globset::GlobBuilder::new(entry)
                .literal_separator(true)
                .build()
                .with_context(|| format!("invalid glob `{entry}` in {CONFIG_FILE}"))?
                .compile_matcher();
            let mut matched = false;
            for f in seg_files_under(root)? {
                let rel = f.strip_prefix(root).unwrap_or(&f);
                if glob.is_match(rel) {
                    files.push(f);
                    matched = true;
                }
            }
            if !matched {
                bail!(
                    "`{entry}` in {} matches no .seg file",
                    display_path(&root.join(CONFIG_FILE))
                );
            }
            continue;
        }
        let p = root.join(entry);
        if p.is_dir() {
            files.extend(seg_files_under(&p)?);
        } else if p.is_file() {
            files.push(p);
        } else {
            bail!(
                "`{entry}` in {} does not exist (looked for {})",
                display_path(&root.join(CONFIG_FILE)),
                display_path(&p)
            );
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    Ok(files)
}

/// Resolves command-line paths: a directory holding `segql.toml` is a project; other
/// directories are searched for `.seg` files; files are taken as given. With no paths,
/// the project in the working directory (or its parents).
pub fn resolve(
    paths: &[PathBuf],
    map: &mut SourceMap,
) -> Result<std::result::Result<Inputs, Diagnostic>> {
    if paths.is_empty() {
        let cwd = std::env::current_dir().context("cannot read the working directory")?;
        let mut dir = Some(cwd.as_path());
        while let Some(d) = dir {
            if d.join(CONFIG_FILE).is_file() {
                return project(d, map);
            }
            dir = d.parent();
        }
        bail!(
            "no {CONFIG_FILE} in {} or its parents\n  hint: pass a project directory or .seg files, or create a project with `segql init`",
            cwd.display()
        );
    }
    if paths.len() == 1 && paths[0].join(CONFIG_FILE).is_file() {
        return project(&paths[0], map);
    }
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            if p.join(CONFIG_FILE).is_file() {
                bail!(
                    "{} is a project; give it alone, not together with other paths",
                    display_path(p)
                );
            }
            let found = seg_files_under(p)?;
            if found.is_empty() {
                bail!(
                    "{} holds no .seg files and no {CONFIG_FILE}",
                    display_path(p)
                );
            }
            files.extend(found);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            bail!("{} does not exist", display_path(p));
        }
    }
    Ok(Ok(Inputs {
        root: None,
        config: Config::default(),
        files,
    }))
}

fn project(dir: &Path, map: &mut SourceMap) -> Result<std::result::Result<Inputs, Diagnostic>> {
    let config = match read_config(dir, map)? {
        Ok(c) => c,
        Err(d) => return Ok(Err(d)),
    };
    let files = project_files(dir, &config)?;
    Ok(Ok(Inputs {
        root: Some(dir.to_path_buf()),
        config,
        files,
    }))
}

/// A parsed file.
pub struct Loaded {
    pub id: FileId,
    pub path: PathBuf,
    pub parsed: segql_syntax::Parsed,
}

/// Reads and parses every file into `map`.
pub fn load(files: &[PathBuf], map: &mut SourceMap) -> Result<Vec<Loaded>> {
    let mut out = Vec::with_capacity(files.len());
    for path in files {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", display_path(path)))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let id = map.add(display_path(path), text);
        let parsed = segql_syntax::parse_bytes(&bytes, id);
        out.push(Loaded {
            id,
            path: path.clone(),
            parsed,
        });
    }
    Ok(out)
}
