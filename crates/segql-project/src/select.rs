//! `--select` and `--exclude`: which declarations of a project a command works on, with
//! the selector syntax dbt users know.
//!
//! A selector is a name, a glob over names (`churn_*`), or a method: `tag:X`,
//! `path:DIR_OR_FILE_OR_GLOB`, `kind:segment`, `state:modified` / `state:new`. A `+`
//! before it adds what it depends on (`+name`, `2+name` for two steps), a `+` after it
//! what depends on it (`name+`, `name+1`), and `@name` what depends on it together with
//! everything those depend on. Selectors given to one option, repeated or separated by
//! commas or spaces, are a union; `--exclude` (the same syntax) removes from it.
//!
//! Parsing and evaluation live here, not in the CLI, so that they are tested without a
//! database and the CLI only reads flags. The graph walked is
//! [`segql_plan::deps::Graph`], the one `segql graph` draws.

use crate::codes::{
    SELECT_MALFORMED, SELECT_NO_PATH, SELECT_UNKNOWN_METHOD, SELECT_UNKNOWN_NAME,
    SELECT_UNKNOWN_TAG, STATE_MISSING,
};
use segql_plan::deps::{Graph, Node};
use segql_plan::ir::Program;
use segql_syntax::parser::did_you_mean;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A selector that cannot be read or names nothing: a usage error (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectError {
    pub code: &'static str,
    /// `--select` or `--exclude`.
    pub flag: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl std::fmt::Display for SelectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.flag, self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SelectError {}

fn error(code: &'static str, message: String, hint: Option<String>) -> SelectError {
    SelectError {
        code,
        flag: "--select",
        message,
        hint,
    }
}

/// What a selector names before the graph operators apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// A name, or a glob over names when it holds `*`, `?` or `[`.
    Name(String),
    Tag(String),
    Path(String),
    Kind(String),
    State(StateKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateKind {
    /// New, or defined differently than in the base manifest.
    Modified,
    /// Not in the base manifest.
    New,
}

/// How far a graph operator goes: `None` is every step.
pub type Depth = Option<usize>;

/// One selector: `[@][N]+method[+N]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub method: Method,
    /// `+name`: add what it depends on.
    pub parents: Option<Depth>,
    /// `name+`: add what depends on it.
    pub children: Option<Depth>,
    /// `@name`: add what depends on it and everything those depend on.
    pub at: bool,
}

const METHODS: [&str; 5] = ["name", "tag", "path", "kind", "state"];
const KINDS: [&str; 6] = ["segment", "trait", "report", "split", "priority", "test"];

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

fn glob(pattern: &str) -> Result<globset::GlobMatcher, SelectError> {
    glob_with(pattern, false)
}

/// A glob; over paths (`literal_separator`), `*` stays within a directory and `**`
/// crosses them.
fn glob_with(pattern: &str, literal_separator: bool) -> Result<globset::GlobMatcher, SelectError> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(literal_separator)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| {
            error(
                SELECT_MALFORMED,
                format!("`{pattern}` is not a valid glob: {}", e.kind()),
                Some("`*` matches any characters, `?` one, `[ab]` one of a set".into()),
            )
        })
}

/// Reads one selector (`+churned`, `tag:nps+`, `path:segments/crm.seg`).
pub fn parse(text: &str) -> Result<Selector, SelectError> {
    let malformed = |why: &str| {
        error(
            SELECT_MALFORMED,
            format!("cannot read the selector `{text}`: {why}"),
            Some(
                "a selector is a name or glob, `tag:X`, `path:P`, `kind:K` or `state:modified`, \
                 with `+` before (what it uses) or after (what uses it)"
                    .into(),
            ),
        )
    };
    let mut s = text.trim();
    let at = s.starts_with('@');
    if at {
        s = &s[1..];
    }
    let lead_digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let mut parents = None;
    if s[lead_digits..].starts_with('+') {
        parents = Some(depth(&s[..lead_digits]).ok_or_else(|| malformed("a bad depth"))?);
        s = &s[lead_digits + 1..];
    }
    let trail_digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let mut children = None;
    if s[..s.len() - trail_digits].ends_with('+') {
        let end = s.len() - trail_digits;
        children = Some(depth(&s[end..]).ok_or_else(|| malformed("a bad depth"))?);
        s = &s[..end - 1];
    }
    if at && (parents.is_some() || children.is_some()) {
        return Err(malformed("`@` cannot be combined with `+`"));
    }
    if s.is_empty() {
        return Err(malformed("it names nothing"));
    }
    if s.starts_with('+') || s.ends_with('+') {
        return Err(malformed("one `+` on each side at most"));
    }
    let method = match s.split_once(':') {
        Some((m, v)) if !m.is_empty() && m.chars().all(|c| c.is_ascii_alphabetic() || c == '_') => {
            if v.is_empty() {
                return Err(malformed(&format!("`{m}:` needs a value")));
            }
            match m {
                "name" => Method::Name(v.to_string()),
                "tag" => Method::Tag(v.to_string()),
                "path" => Method::Path(v.to_string()),
                "kind" => {
                    if !KINDS.contains(&v) {
                        return Err(error(
                            SELECT_MALFORMED,
                            format!("`{v}` is not a kind of declaration"),
                            Some(match did_you_mean(v, KINDS) {
                                Some(k) => format!("did you mean `kind:{k}`?"),
                                None => format!("the kinds are {}", KINDS.join(", ")),
                            }),
                        ));
                    }
                    Method::Kind(v.to_string())
                }
                "state" => Method::State(match v {
                    "modified" => StateKind::Modified,
                    "new" => StateKind::New,
                    _ => {
                        return Err(error(
                            SELECT_MALFORMED,
                            format!("`state:{v}` is not a state selector"),
                            Some(match did_you_mean(v, ["modified", "new"]) {
                                Some(k) => format!("did you mean `state:{k}`?"),
                                None => "`state:modified` or `state:new`".into(),
                            }),
                        ))
                    }
                }),
                _ => {
                    return Err(error(
                        SELECT_UNKNOWN_METHOD,
                        format!("`{m}:` is not a selector method"),
                        Some(match did_you_mean(m, METHODS) {
                            Some(k) => format!("did you mean `{k}:`?"),
                            None => format!(
                                "the methods are {}",
                                METHODS.map(|m| format!("`{m}:`")).join(", ")
                            ),
                        }),
                    ))
                }
            }
        }
        _ => Method::Name(s.to_string()),
    };
    if let Method::Name(n) | Method::Tag(n) = &method {
        if is_glob(n) {
            glob(n)?;
        }
    }
    Ok(Selector {
        method,
        parents,
        children,
        at,
    })
}

fn depth(digits: &str) -> Option<Depth> {
    if digits.is_empty() {
        return Some(None);
    }
    digits.parse::<usize>().ok().map(Some)
}

/// The nodes `state:` selectors name, found by comparing with a base manifest.
#[derive(Debug, Clone, Default)]
pub struct State {
    pub modified: BTreeSet<Node>,
    pub new: BTreeSet<Node>,
}

/// What selectors are evaluated against.
pub struct Context<'a> {
    pub program: &'a Program,
    pub graph: &'a Graph,
    /// Each node's file, for `path:`.
    pub files: Vec<(Node, PathBuf)>,
    /// The project directory (`path:` is relative to it, or to the working directory).
    pub root: Option<PathBuf>,
    /// For `state:`: `None` without `--state`.
    pub state: Option<&'a State>,
}

impl<'a> Context<'a> {
    pub fn new(ws: &crate::Workspace, program: &'a Program, graph: &'a Graph) -> Context<'a> {
        let files = graph
            .nodes()
            .iter()
            .filter_map(|&n| {
                let id = n.span(program).file;
                let l = ws.files.iter().find(|l| l.id == id)?;
                Some((n, canonical(&l.path)))
            })
            .collect();
        Context {
            program,
            graph,
            files,
            root: ws.inputs.root.as_deref().map(canonical),
            state: None,
        }
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// What `--select` and `--exclude` leave: every node when nothing is selected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Selected and not excluded.
    pub nodes: BTreeSet<Node>,
    /// What `--exclude` named (so that a command can leave out what a node brings in
    /// indirectly, as `test` does with the tests of a selected segment).
    pub excluded: BTreeSet<Node>,
    /// Whether `--select` was given.
    pub explicit: bool,
}

/// Evaluates `--select` (every node when empty) minus `--exclude`. Each value may hold
/// several selectors separated by commas or spaces; a value that is exactly a declared
/// name is that name, whatever characters it holds.
pub fn select(
    cx: &Context,
    select: &[String],
    exclude: &[String],
) -> Result<Selection, SelectError> {
    let explicit = !select.is_empty();
    let mut nodes = if explicit {
        union(cx, select).map_err(|e| SelectError {
            flag: "--select",
            ..e
        })?
    } else {
        cx.graph.nodes().iter().copied().collect()
    };
    let excluded = union(cx, exclude).map_err(|e| SelectError {
        flag: "--exclude",
        ..e
    })?;
    nodes.retain(|n| !excluded.contains(n));
    Ok(Selection {
        nodes,
        excluded,
        explicit,
    })
}

fn union(cx: &Context, values: &[String]) -> Result<BTreeSet<Node>, SelectError> {
    let mut out = BTreeSet::new();
    for value in values {
        if value.trim().is_empty() {
            return Err(error(
                SELECT_MALFORMED,
                "an empty selector".into(),
                Some("name a segment, a glob, `tag:X`, `path:P` or `state:modified`".into()),
            ));
        }
        // `a,b` and `a, b`: a stray comma adds nothing.
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let exact = cx.graph.nodes().iter().any(|n| n.name(cx.program) == part);
            let selectors: Vec<Selector> = if exact {
                vec![Selector {
                    method: Method::Name(part.to_string()),
                    parents: None,
                    children: None,
                    at: false,
                }]
            } else {
                part.split_whitespace()
                    .map(parse)
                    .collect::<Result<_, _>>()?
            };
            for s in &selectors {
                out.extend(evaluate(cx, s)?);
            }
        }
    }
    Ok(out)
}

/// The nodes one selector names, with its graph operators applied.
pub fn evaluate(cx: &Context, s: &Selector) -> Result<BTreeSet<Node>, SelectError> {
    let base = matches(cx, &s.method)?;
    let mut out = base.clone();
    for &n in &base {
        if let Some(d) = s.parents {
            out.extend(cx.graph.ancestors(n, d));
        }
        if let Some(d) = s.children {
            out.extend(cx.graph.descendants(n, d));
        }
        if s.at {
            for m in cx.graph.descendants(n, None) {
                out.insert(m);
                out.extend(cx.graph.ancestors(m, None));
            }
        }
    }
    Ok(out)
}

fn list(names: impl IntoIterator<Item = String>) -> String {
    let mut names: Vec<String> = names.into_iter().collect();
    names.sort();
    names.dedup();
    let more = names.len().saturating_sub(12);
    let mut s = names
        .iter()
        .take(12)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s
}

fn matches(cx: &Context, m: &Method) -> Result<BTreeSet<Node>, SelectError> {
    let p = cx.program;
    let nodes = cx.graph.nodes();
    let names = || nodes.iter().map(|n| n.name(p).to_string());
    match m {
        Method::Name(n) => {
            let found: BTreeSet<Node> = if is_glob(n) {
                let g = glob(n)?;
                nodes
                    .iter()
                    .copied()
                    .filter(|x| g.is_match(x.name(p)))
                    .collect()
            } else {
                nodes.iter().copied().filter(|x| x.name(p) == n).collect()
            };
            if found.is_empty() {
                let all: Vec<String> = names().collect();
                let hint = match did_you_mean(n, all.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if all.is_empty() => "the project declares nothing".into(),
                    None => format!("the project declares {}", list(all)),
                };
                let what = if is_glob(n) {
                    format!("`{n}` matches nothing in this project")
                } else {
                    format!("nothing called `{n}` in this project")
                };
                return Err(error(SELECT_UNKNOWN_NAME, what, Some(hint)));
            }
            Ok(found)
        }
        Method::Tag(t) => {
            let all: BTreeSet<String> = p.segments.iter().flat_map(|s| s.tags.clone()).collect();
            let g = if is_glob(t) { Some(glob(t)?) } else { None };
            let hit = |tag: &String| g.as_ref().map_or(tag == t, |g| g.is_match(tag));
            let found: BTreeSet<Node> = nodes
                .iter()
                .copied()
                .filter(|x| matches!(x, Node::Segment(i) if p.segments[*i].tags.iter().any(hit)))
                .collect();
            if found.is_empty() {
                let hint = match did_you_mean(t, all.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `tag:{s}`?"),
                    None if all.is_empty() => {
                        "no segment has tags: `tags [\"...\"]` in a segment gives it some".into()
                    }
                    None => format!("the tags are {}", list(all)),
                };
                return Err(error(
                    SELECT_UNKNOWN_TAG,
                    format!("no segment has the tag `{t}`"),
                    Some(hint),
                ));
            }
            Ok(found)
        }
        Method::Kind(k) => Ok(nodes.iter().copied().filter(|x| x.kind() == k).collect()),
        Method::Path(path) => by_path(cx, path),
        Method::State(kind) => {
            let Some(state) = cx.state else {
                return Err(error(
                    STATE_MISSING,
                    "`state:` compares with a base manifest, and none was given".into(),
                    Some("add `--state DIR`, a directory holding the manifest.json of the base (e.g. main's target/)".into()),
                ));
            };
            Ok(match kind {
                StateKind::Modified => state.modified.union(&state.new).copied().collect(),
                StateKind::New => state.new.clone(),
            })
        }
    }
}

fn by_path(cx: &Context, path: &str) -> Result<BTreeSet<Node>, SelectError> {
    let bases: Vec<PathBuf> = cx
        .root
        .iter()
        .cloned()
        .chain(std::env::current_dir().ok().map(|d| canonical(&d)))
        .collect();
    if is_glob(path) {
        let g = glob_with(path.trim_start_matches("./"), true)?;
        return Ok(cx
            .files
            .iter()
            .filter(|(_, f)| {
                bases
                    .iter()
                    .any(|b| f.strip_prefix(b).is_ok_and(|rel| g.is_match(rel)))
            })
            .map(|(n, _)| *n)
            .collect());
    }
    let targets: Vec<PathBuf> = bases
        .iter()
        .map(|b| b.join(path))
        .filter(|p| p.exists())
        .map(|p| canonical(&p))
        .collect();
    if targets.is_empty() {
        return Err(error(
            SELECT_NO_PATH,
            format!("`path:{path}`: there is no such file or directory"),
            Some(
                "a path is relative to the project directory (or the working directory); a glob (`segments/*/crm*.seg`) is matched against the files' paths"
                    .into(),
            ),
        ));
    }
    Ok(cx
        .files
        .iter()
        .filter(|(_, f)| targets.iter().any(|t| f.starts_with(t)))
        .map(|(n, _)| *n)
        .collect())
}

#[cfg(test)]
mod tests;
