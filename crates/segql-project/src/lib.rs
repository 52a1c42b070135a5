//! segql-project: finding a project's files: `segql.toml`, its `paths`, and loose `.seg`
//! paths; reading, parsing and checking them.
//!
//! Shared by the `segql` binary and the language server (segql-lsp), so that both find
//! the same files by the same rules. It reads the file system but never a warehouse: it
//! does not depend on segql-run (DuckDB). The `[bindings]` of segql.toml are checked
//! here ([`settings`], so the editor shows their mistakes too) and turned into the
//! runner's bindings by the CLI, which owns the runner. `[targets]` is accepted but not
//! checked here: segql-target checks it, and this crate does not build the client layer
//! (the CLI adds those diagnostics, `segql-cli::project::workspace`). The project's
//! statistics (`segql-stats.json`, [`stats`]) are read here into the checked
//! program, so the CLI and the editor plan with the same ones; counting them needs the
//! runner and is the CLI's (`segql stats`).

pub mod artifacts;
pub mod codes;
pub mod manifest;
pub mod revision;
pub mod select;
pub mod settings;
pub mod stats;

use anyhow::{bail, Context, Result};
use segql_syntax::codes::CONFIG_INVALID;
use segql_syntax::diag::Diagnostic;
use segql_syntax::{FileId, SourceMap, Span};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const CONFIG_FILE: &str = "segql.toml";

/// The first form of `segql.toml`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The project's name.
    pub name: Option<String>,
    /// Files, directories (searched for `*.seg`) or globs, relative to the project.
    /// Each keeps its place in the file, to point at an entry that matches nothing.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    /// Where each warehouse relation's data lies for local runs, by relation name:
    /// `"analytics.events" = "data/events/*.parquet"`, or a table with `path`,
    /// `format`, `hive_partitioning`, or `duckdb` and `table`.
    #[serde(default)]
    pub bindings: std::collections::BTreeMap<String, Spanned<toml::Value>>,
    /// segql's state (recorded snapshots): a DuckDB file, relative to the project.
    /// Default: `.segql/state.duckdb`.
    pub state: Option<String>,
    /// Warehouse targets (`[targets.pg]`, docs/targets.md): accepted here and checked
    /// by the CLI with segql-target, which this crate does not build.
    #[serde(default)]
    pub targets: Option<toml::Value>,
}

/// What a command works on: the files, where they came from, and the problems found
/// in `segql.toml` (as diagnostics pointing into it).
#[derive(Debug)]
pub struct Inputs {
    /// The project directory, when a `segql.toml` was used.
    pub root: Option<PathBuf>,
    /// segql.toml in the source map, when read.
    pub config_id: Option<FileId>,
    pub config: Config,
    /// segql.toml's text, when read.
    pub config_text: String,
    pub files: Vec<PathBuf>,
    pub diags: Vec<Diagnostic>,
}

const CONFIG_HINT: &str = "segql.toml holds `name = \"...\"` and `paths = [\"segments\"]`";

/// Reads `segql.toml` in `dir` into `map`; a malformed file is reported as a diagnostic.
pub fn read_config(
    dir: &Path,
    map: &mut SourceMap,
) -> Result<(FileId, std::result::Result<Config, Diagnostic>)> {
    let path = dir.join(CONFIG_FILE);
    let bytes =
        std::fs::read(&path).with_context(|| format!("cannot read {}", display_path(&path)))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let id = map.add(display_path(&path), text.clone());
    if let Err(e) = std::str::from_utf8(&bytes) {
        let at = e.valid_up_to() as u32;
        let d = Diagnostic::error(
            CONFIG_INVALID,
            Span::new(id, at, at),
            format!("invalid {CONFIG_FILE}: it is not valid UTF-8 (byte {at})"),
        )
        .with_label("the first byte that is not UTF-8")
        .with_hint(CONFIG_HINT);
        return Ok((id, Err(d)));
    }
    match toml::from_str::<Config>(&text) {
        Ok(c) => Ok((id, Ok(c))),
        Err(e) => {
            let range = e.span().unwrap_or(0..0);
            let span = Span::new(id, range.start as u32, range.end as u32);
            let message = e.message().trim_end().to_string();
            let label = if message.starts_with("unknown field") {
                "not a setting of segql.toml"
            } else if message.starts_with("invalid type") {
                "a value of the wrong type"
            } else {
                "not valid TOML"
            };
            // `unknown field `path`, expected ...`: suggest the setting meant.
            let hint = message
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next())
                .and_then(|field| {
                    segql_syntax::parser::did_you_mean(
                        field,
                        ["name", "paths", "bindings", "state", "targets"],
                    )
                })
                .map(|s| format!("did you mean `{s}`? {CONFIG_HINT}"))
                .unwrap_or_else(|| CONFIG_HINT.to_string());
            Ok((
                id,
                Err(Diagnostic::error(
                    CONFIG_INVALID,
                    span,
                    format!("invalid {CONFIG_FILE}: {message}"),
                )
                .with_label(label)
                .with_hint(hint)),
            ))
        }
    }
}

/// A path as shown to users: relative to the working directory when below it (the
/// working directory itself is `.`).
pub fn display_path(p: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_deref()
        .and_then(|c| p.strip_prefix(c).ok())
        .unwrap_or(p);
    // Drop `.` components (`dir/./a.seg` is `dir/a.seg`).
    let shown: PathBuf = shown
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    let s = shown.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        ".".to_string()
    } else {
        s
    }
}

fn is_seg(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "seg")
}

/// Every `.seg` file below `dir`, sorted; hidden directories and `target` are skipped.
pub fn seg_files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    // The ignore crate's walk (ripgrep's): what .gitignore, .ignore and git's excludes
    // leave out is left out here too, in a git repository or not; hidden directories
    // and `target` (segql's artifacts) are never searched.
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(true)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_some_and(|t| t.is_dir()) && e.file_name() == "target")
        })
        .build();
    for entry in walker {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        if entry.file_type().is_some_and(|t| t.is_file()) && is_seg(entry.path()) {
            out.push(entry.into_path());
        }
    }
    Ok(out)
}

/// The files a project's `paths` name. Each entry must match something; one that does
/// not is reported as a diagnostic on the entry in `segql.toml` (the other entries'
/// files are still returned, so that their problems are found too).
pub fn project_files(
    root: &Path,
    config: &Config,
    config_id: FileId,
) -> Result<(Vec<PathBuf>, Vec<Diagnostic>)> {
    let entries: Vec<(String, Option<Span>)> = if config.paths.is_empty() {
        vec![(".".to_string(), None)]
    } else {
        config
            .paths
            .iter()
            .map(|p| {
                let r = p.span();
                (
                    p.get_ref().clone(),
                    Some(Span::new(config_id, r.start as u32, r.end as u32)),
                )
            })
            .collect()
    };
    let mut files = Vec::new();
    let mut diags = Vec::new();
    let mut problem = |span: Option<Span>, message: String, label: &str, hint: String| {
        let span = span.unwrap_or(Span::new(config_id, 0, 0));
        diags.push(
            Diagnostic::error(CONFIG_INVALID, span, message)
                .with_label(label)
                .with_hint(hint),
        );
    };
    for (entry, span) in &entries {
        let is_glob = entry.contains(['*', '?', '[', '{']);
        if is_glob {
            let glob = match globset::GlobBuilder::new(entry)
                .literal_separator(true)
                .build()
            {
                Ok(g) => g.compile_matcher(),
                Err(e) => {
                    problem(
                        *span,
                        format!("invalid glob `{entry}` in {CONFIG_FILE}"),
                        "not a valid glob",
                        format!("{}; globs are written like \"segments/**/*.seg\"", e.kind()),
                    );
                    continue;
                }
            };
            let mut matched = false;
            for f in seg_files_under(root)? {
                let rel = f.strip_prefix(root).unwrap_or(&f);
                if glob.is_match(rel) {
                    files.push(f);
                    matched = true;
                }
            }
            if !matched {
                problem(
                    *span,
                    format!("`{entry}` in {CONFIG_FILE} matches no .seg file"),
                    "matches nothing",
                    "paths are relative to the directory holding segql.toml".to_string(),
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
            let mut hint = "paths are relative to the directory holding segql.toml".to_string();
            let shown = display_path(&p);
            if shown != *entry {
                hint = format!("looked for {shown}; {hint}");
            }
            if let Some(near) = near_name(&p) {
                let meant = Path::new(entry).with_file_name(near);
                let meant = meant.to_string_lossy().replace('\\', "/");
                hint = format!("did you mean \"{meant}\"? {hint}");
            }
            problem(
                *span,
                format!("`{entry}` in {CONFIG_FILE} does not exist"),
                "no such file or directory",
                hint,
            );
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    Ok((files, diags))
}

/// A file or directory beside `missing` with a name close to its name (a typo).
fn near_name(missing: &Path) -> Option<String> {
    let name = missing.file_name()?.to_str()?;
    let dir = missing.parent()?;
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let siblings: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    segql_syntax::parser::did_you_mean(name, siblings.iter().map(String::as_str))
        .map(str::to_string)
}

/// The project `start` belongs to: the nearest directory holding a `segql.toml`, from
/// `start` itself (a directory, or a file's directory) upward.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    let mut dir = if start.is_dir() {
        Some(start)
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        if d.join(CONFIG_FILE).is_file() {
            return Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    None
}

/// Resolves command-line paths: a directory holding `segql.toml` is a project; other
/// directories are searched for `.seg` files; files are taken as given. With no paths,
/// the project in the working directory (or its parents).
pub fn resolve(paths: &[PathBuf], map: &mut SourceMap) -> Result<Inputs> {
    if paths.is_empty() {
        let cwd = std::env::current_dir().context("cannot read the working directory")?;
        if let Some(root) = find_root(&cwd) {
            return project(&root, map);
        }
        bail!(
            "no {CONFIG_FILE} in {} or its parents\n  hint: pass a project directory or .seg files, or create a {CONFIG_FILE} holding `name = \"...\"` and `paths = [\"segments\"]`",
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
    // The same file named twice (`a.seg ./a.seg`, or a file and its directory) is
    // read once.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    Ok(Inputs {
        root: None,
        config_id: None,
        config: Config::default(),
        config_text: String::new(),
        files,
        diags: Vec::new(),
    })
}

/// Reads the project in `dir` (which holds `segql.toml`): its settings and its files.
pub fn project(dir: &Path, map: &mut SourceMap) -> Result<Inputs> {
    let root = Some(dir.to_path_buf());
    let (config_id, config) = match read_config(dir, map)? {
        (id, Ok(c)) => (id, c),
        (_, Err(d)) => {
            return Ok(Inputs {
                root,
                config_id: None,
                config: Config::default(),
                config_text: String::new(),
                files: Vec::new(),
                diags: vec![d],
            })
        }
    };
    let (files, diags) = project_files(dir, &config, config_id)?;
    Ok(Inputs {
        root,
        config_id: Some(config_id),
        config,
        config_text: map.get(config_id).text.clone(),
        files,
        diags,
    })
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

/// A project read, parsed and checked: what every command past `fmt` starts from.
pub struct Workspace {
    pub map: SourceMap,
    pub inputs: Inputs,
    pub files: Vec<Loaded>,
    /// The checked program, when every file parsed.
    pub program: Option<segql_plan::ir::Program>,
    /// Every diagnostic: segql.toml's, then syntax, then names and types.
    pub diags: Vec<Diagnostic>,
}

impl Workspace {
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(|d| d.is_error())
    }
}

/// Reads, parses and checks. Names and types are checked once every file parses: a
/// half-parsed file would only add follow-on errors.
pub fn workspace(paths: &[PathBuf]) -> Result<Workspace> {
    let mut map = SourceMap::new();
    let inputs = resolve(paths, &mut map)?;
    checked(inputs, map)
}

/// Files and directories named on the command line, checked with the project they lie
/// in: `segql check segments/mine.seg` inside a project reads the project's catalog and
/// every file it declares (a named file the project's `paths` miss is read too), and
/// [`Within::named`] says which of them were named. Paths outside a project, a project
/// directory itself, or paths in two projects are read as [`workspace`] reads them.
pub fn workspace_within(paths: &[PathBuf]) -> Result<(Workspace, Within)> {
    let roots: Vec<Option<PathBuf>> = paths
        .iter()
        .map(|p| {
            if p.join(CONFIG_FILE).is_file() || !p.exists() {
                return None;
            }
            let abs = std::fs::canonicalize(p).ok()?;
            find_root(&abs)
        })
        .collect();
    let Some(Some(root)) = roots.first().cloned() else {
        return Ok((workspace(paths)?, Within::Everything));
    };
    if roots.iter().any(|r| r.as_ref() != Some(&root)) {
        return Ok((workspace(paths)?, Within::Everything));
    }
    let mut map = SourceMap::new();
    let mut inputs = project(&root, &mut map)?;
    let mut named = Vec::new();
    for p in paths {
        if p.is_dir() {
            named.extend(seg_files_under(p)?);
        } else {
            named.push(p.clone());
        }
    }
    let canon = |f: &PathBuf| std::fs::canonicalize(f).unwrap_or_else(|_| f.clone());
    let named: Vec<PathBuf> = named.iter().map(canon).collect();
    let listed: Vec<PathBuf> = inputs.files.iter().map(canon).collect();
    for f in paths.iter().filter(|f| f.is_file()) {
        if !listed.contains(&canon(f)) {
            inputs.files.push(f.clone());
        }
    }
    let ws = checked(inputs, map)?;
    let ids = ws
        .files
        .iter()
        .filter(|l| named.contains(&canon(&l.path)))
        .map(|l| l.id)
        .collect();
    Ok((ws, Within::Named(ids)))
}

/// Which files of a [`workspace_within`] the command line named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Within {
    /// The whole project (or loose files): every file was named.
    Everything,
    /// These files of the project.
    Named(Vec<FileId>),
}

impl Within {
    /// Whether a diagnostic in `file` is about what was named (segql.toml's always
    /// are: the named files are read through it).
    pub fn covers(&self, file: FileId, ws: &Workspace) -> bool {
        match self {
            Within::Everything => true,
            Within::Named(ids) => ids.contains(&file) || ws.inputs.config_id == Some(file),
        }
    }
}

/// Loads, parses and checks `inputs`.
fn checked(inputs: Inputs, mut map: SourceMap) -> Result<Workspace> {
    let files = load(&inputs.files, &mut map)?;
    let mut diags = inputs.diags.clone();
    for l in &files {
        diags.extend(l.parsed.diags.iter().cloned());
    }
    let mut program = None;
    if !diags.iter().any(|d| d.is_error()) {
        let asts: Vec<&segql_syntax::ast::File> = files.iter().map(|l| &l.parsed.file).collect();
        let (mut p, check_diags) = segql_plan::check(&asts);
        diags.extend(check_diags);
        if let Some(root) = &inputs.root {
            match stats::read(root, &mut map) {
                Ok(s) => p.stats = s.unwrap_or_default(),
                Err(d) => diags.push(*d),
            }
        }
        program = Some(p);
    }
    if let Some(id) = inputs.config_id {
        // With the catalog known, a binding for a table no declaration reads is a
        // mistake too.
        let tables: Option<Vec<String>> = program.as_ref().map(|p| {
            let mut t: Vec<String> = p
                .catalog
                .relations()
                .iter()
                .map(|r| p.catalog.relation_table(r).join("."))
                .collect();
            t.sort();
            t.dedup();
            t
        });
        let found = settings::check_bindings(&inputs.config_text, id, tables.as_deref());
        diags.extend(found.into_iter().map(|(_, d)| d));
    }
    diags.sort_by_key(|d| (d.span.file, d.span.start));
    Ok(Workspace {
        map,
        inputs,
        files,
        program,
        diags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_segql_toml_above_is_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let outer = dir.path();
        let inner = outer.join("inner");
        std::fs::create_dir_all(inner.join("segments/deep")).unwrap();
        std::fs::write(outer.join(CONFIG_FILE), "name = \"outer\"\n").unwrap();
        std::fs::write(inner.join(CONFIG_FILE), "name = \"inner\"\n").unwrap();
        let file = inner.join("segments/deep/a.seg");
        std::fs::write(&file, "").unwrap();
        assert_eq!(find_root(&file).as_deref(), Some(inner.as_path()));
        assert_eq!(
            find_root(&inner.join("segments")).as_deref(),
            Some(inner.as_path())
        );
        assert_eq!(find_root(&inner).as_deref(), Some(inner.as_path()));
        assert_eq!(
            find_root(&outer.join("elsewhere.seg")).as_deref(),
            Some(outer)
        );
        std::fs::remove_file(outer.join(CONFIG_FILE)).unwrap();
        assert_eq!(find_root(&outer.join("elsewhere.seg")), None);
    }

    /// A directory's .seg files, in name order, without what .gitignore leaves out
    /// (outside a git repository too), hidden directories or `target`.
    #[test]
    fn discovery_honours_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "b.seg",
            "a.seg",
            "sub/c.seg",
            "scratch/draft.seg",
            "sub/old.seg",
            ".hidden/h.seg",
            "target/t.seg",
            "notes.txt",
        ] {
            let path = root.join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        std::fs::write(root.join(".gitignore"), "scratch/\nold.seg\n").unwrap();
        let found: Vec<String> = seg_files_under(root)
            .unwrap()
            .iter()
            .map(|f| {
                f.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(found, ["a.seg", "b.seg", "sub/c.seg"]);
    }
}
