//! Finding a project's files: `segql.toml`, its `paths`, and loose `.seg` paths.

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
    /// Warehouse targets (`[targets.pg]`), read and checked by segql-target
    /// ([`crate::target_cmd`]); docs/targets.md.
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
                        ["name", "paths", "bindings", "targets"],
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

/// Resolves command-line paths: a directory holding `segql.toml` is a project; other
/// directories are searched for `.seg` files; files are taken as given. With no paths,
/// the project in the working directory (or its parents).
pub fn resolve(paths: &[PathBuf], map: &mut SourceMap) -> Result<Inputs> {
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

fn project(dir: &Path, map: &mut SourceMap) -> Result<Inputs> {
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
    let files = load(&inputs.files, &mut map)?;
    let mut diags = inputs.diags.clone();
    for l in &files {
        diags.extend(l.parsed.diags.iter().cloned());
    }
    let mut program = None;
    if !diags.iter().any(|d| d.is_error()) {
        let asts: Vec<&segql_syntax::ast::File> = files.iter().map(|l| &l.parsed.file).collect();
        let (p, check_diags) = segql_plan::check(&asts);
        diags.extend(check_diags);
        program = Some(p);
    }
    if let Some(id) = inputs.config_id {
        // With the catalog known, a binding for a table no declaration reads is a
        // mistake too.
        let tables: Option<Vec<String>> = program.as_ref().map(|p| {
            let mut t: Vec<String> = p
                .catalog
                .entities
                .iter()
                .map(|e| e.table.join("."))
                .collect();
            t.extend(p.catalog.events.iter().map(|e| e.table.join(".")));
            t.sort();
            t.dedup();
            t
        });
        let found = crate::settings::check_bindings(&inputs.config_text, id, tables.as_deref());
        diags.extend(found.into_iter().map(|(_, d)| d));
        diags.extend(crate::target_cmd::diagnostics(&inputs.config_text, id));
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

/// The `[bindings]` of segql.toml, as the runner takes them; mistakes are diagnostics
/// pointing into segql.toml ([`crate::settings::check_bindings`]), and a binding with a
/// mistake is left out.
pub fn bindings(inputs: &Inputs) -> (Vec<segql_run::bind::Binding>, Vec<Diagnostic>) {
    use segql_run::bind::{Binding, Format, Source};
    let mut out = Vec::new();
    let Some(id) = inputs.config_id else {
        return (out, Vec::new());
    };
    let found = crate::settings::check_bindings(&inputs.config_text, id, None);
    for (relation, value) in &inputs.config.bindings {
        if found.iter().any(|(r, _)| r == relation) {
            continue;
        }
        let source = match value.get_ref() {
            toml::Value::String(p) => Source::Files {
                path: p.clone(),
                format: None,
                hive_partitioning: false,
            },
            toml::Value::Table(t) => {
                let get = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
                match (get("path"), get("duckdb"), get("table")) {
                    (Some(path), _, _) => Source::Files {
                        path,
                        format: match get("format").as_deref() {
                            Some("parquet") => Some(Format::Parquet),
                            Some("csv") => Some(Format::Csv),
                            Some("json") => Some(Format::Json),
                            _ => None,
                        },
                        hive_partitioning: t
                            .get("hive_partitioning")
                            .and_then(|v| v.as_bool())
                            .unwrap_or(false),
                    },
                    (None, Some(file), Some(table)) => Source::DuckDb { file, table },
                    _ => continue,
                }
            }
            _ => continue,
        };
        out.push(Binding {
            relation: relation.clone(),
            source,
        });
    }
    (out, found.into_iter().map(|(_, d)| d).collect())
}
