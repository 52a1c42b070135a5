//! Building `manifest.json` ([`crate::artifacts::Manifest`]) from a checked workspace,
//! and comparing one with a base manifest for `state:modified`.

use crate::artifacts::{Manifest, ManifestNode, Metadata, SCHEMA_VERSION};
use crate::codes::STATE_UNREADABLE;
use crate::select::{SelectError, State};
use crate::Workspace;
use segql_plan::compile::{self, Options};
use segql_plan::deps::{Graph, Node};
use segql_plan::dialect::Dialect;
use segql_plan::ir::Program;
use segql_syntax::ast::{File, Item};
use segql_syntax::time::format_timestamp;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// `segment.paying`: a node's id in the artifacts.
pub fn unique_id(p: &Program, n: Node) -> String {
    format!("{}.{}", n.kind(), n.name(p))
}

/// Metadata for an artifact written now by `command`.
pub fn metadata(ws: &Workspace, command: &str, as_of: i64) -> Metadata {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0);
    Metadata {
        schema_version: SCHEMA_VERSION,
        segql_version: env!("CARGO_PKG_VERSION").to_string(),
        project: ws.inputs.config.name.clone(),
        command: command.to_string(),
        generated_at: format_timestamp(now),
        as_of: format_timestamp(as_of),
    }
}

/// The declaration (AST item) holding `n`, for its canonical text.
fn item<'a>(ws: &'a Workspace, p: &Program, n: Node) -> Option<&'a Item> {
    let at = n.span(p);
    ws.files
        .iter()
        .filter(|l| l.id == at.file)
        .flat_map(|l| l.parsed.file.items.iter())
        .find(|i| i.span.start <= at.start && at.start < i.span.end.max(i.span.start + 1))
}

/// `sha256:<hex>` of the declaration in its canonical layout, without comments.
pub fn checksum(ws: &Workspace, p: &Program, n: Node) -> String {
    let text = match item(ws, p, n) {
        Some(i) => segql_syntax::fmt::format_file(&File {
            items: vec![i.clone()],
            comments: Vec::new(),
        }),
        // Not found (cannot happen for a checked program): the name still identifies it.
        None => format!("{} {}", n.kind(), n.name(p)),
    };
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Every node of the program with its dependencies, what it reads and its SQL in each
/// of `dialects` as of `opts.as_of`.
pub fn build(
    ws: &Workspace,
    p: &Program,
    graph: &Graph,
    dialects: &[&dyn Dialect],
    opts: Options,
    command: &str,
) -> Manifest {
    let root = ws
        .inputs
        .root
        .as_deref()
        .map(|r| std::fs::canonicalize(r).unwrap_or_else(|_| r.to_path_buf()));
    let mut nodes = BTreeMap::new();
    for &n in graph.nodes() {
        let id = unique_id(p, n);
        let span = n.span(p);
        let (line, column) =
            segql_syntax::span::line_col(&ws.map.get(span.file).text, span.start as usize);
        let file = ws
            .files
            .iter()
            .find(|l| l.id == span.file)
            .map(|l| relative(&l.path, root.as_deref()))
            .unwrap_or_else(|| ws.map.get(span.file).name.clone());
        let (entity, description, owner, tags) = match n {
            Node::Segment(i) => {
                let s = &p.segments[i];
                (
                    Some(s.entity),
                    s.description.clone(),
                    s.owner.clone(),
                    s.tags.clone(),
                )
            }
            Node::Report(i) => {
                let r = &p.reports[i];
                (Some(r.entity), r.description.clone(), None, Vec::new())
            }
            Node::Trait(i) => (Some(p.traits[i].entity), None, None, Vec::new()),
            Node::Action(i) => (Some(p.actions[i].entity), None, None, Vec::new()),
            Node::Split(i) => (
                Some(p.segments[p.splits[i].segment].entity),
                None,
                None,
                Vec::new(),
            ),
            Node::Priority(i) => (Some(p.priorities[i].entity), None, None, Vec::new()),
            Node::Test(i) => (None, p.tests[i].description.clone(), None, Vec::new()),
        };
        let mut compiled_sql = BTreeMap::new();
        let mut unsupported = BTreeMap::new();
        if let Some(t) = n.target() {
            for d in dialects {
                match compile::statement(p, t, *d, opts) {
                    Ok(st) => {
                        compiled_sql.insert(d.name().to_string(), format!("{};\n", st.text()));
                    }
                    Err(e) => {
                        unsupported.insert(d.name().to_string(), e.to_string());
                    }
                }
            }
        }
        let reads = graph
            .reads_all(n)
            .into_iter()
            .map(|(r, cols)| (r, cols.into_iter().collect()))
            .collect();
        nodes.insert(
            id.clone(),
            ManifestNode {
                unique_id: id,
                kind: n.kind().to_string(),
                name: n.name(p).to_string(),
                entity: entity.map(|e| p.catalog.entities[e].name.clone()),
                file,
                line,
                column,
                description,
                owner,
                tags,
                checksum: checksum(ws, p, n),
                depends_on: graph
                    .reads(n)
                    .nodes
                    .iter()
                    .map(|&d| unique_id(p, d))
                    .collect(),
                reads,
                compiled_sql,
                unsupported,
            },
        );
    }
    Manifest {
        metadata: metadata(ws, command, opts.as_of),
        dialects: dialects.iter().map(|d| d.name().to_string()).collect(),
        nodes,
    }
}

/// `path` relative to the project directory, with `/`.
fn relative(path: &Path, root: Option<&Path>) -> String {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let rel = root.and_then(|r| abs.strip_prefix(r).ok()).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

/// Reads `dir/manifest.json`, the base `state:` selectors compare with.
pub fn read_state(dir: &Path) -> Result<Manifest, SelectError> {
    let path = dir.join(crate::artifacts::MANIFEST_FILE);
    let shown = crate::display_path(&path);
    let unreadable = |why: String, hint: &str| SelectError {
        code: STATE_UNREADABLE,
        flag: "--state",
        message: format!("cannot read {shown}: {why}"),
        hint: Some(hint.to_string()),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        unreadable(
            e.to_string(),
            "--state names the directory holding the base's manifest.json (`segql compile` writes one to target/)",
        )
    })?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| {
        unreadable(
            e.to_string(),
            "it is not a manifest.json this segql wrote; write the base's again with this version",
        )
    })?;
    if m.metadata.schema_version != SCHEMA_VERSION {
        return Err(unreadable(
            format!(
                "its format is version {}, this segql reads version {SCHEMA_VERSION}",
                m.metadata.schema_version
            ),
            "write the base's manifest again with this version of segql",
        ));
    }
    Ok(m)
}

/// What changed since `base`: nodes whose checksum differs (modified) and nodes it does
/// not have (new).
pub fn compare(ws: &Workspace, p: &Program, graph: &Graph, base: &Manifest) -> State {
    let mut state = State::default();
    for &n in graph.nodes() {
        match base.nodes.get(&unique_id(p, n)) {
            None => {
                state.new.insert(n);
            }
            Some(old) if old.checksum != checksum(ws, p, n) => {
                state.modified.insert(n);
            }
            Some(_) => {}
        }
    }
    state
}
