//! What `segql diff --base` compares with: the project at a git revision (checked out
//! and checked as it was), or a `manifest.json` a past run or compile wrote (its
//! checksums, and each segment's SQL, run as it was compiled).

use crate::data;
use crate::output::{self, Usage};
use crate::project::{self, display_path, Workspace};
use anyhow::{anyhow, Result};
use segql_plan::compile::Options;
use segql_plan::deps::Node;
use segql_plan::ir::{Program, Target};
use segql_project::artifacts::Manifest;
use segql_project::manifest::checksum;
use segql_run::run;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Members (keys) by segment name.
pub type Members = BTreeMap<String, BTreeSet<String>>;

pub enum Base {
    /// The project at a git revision: its own workspace (and the checkout it lives in).
    Revision {
        ws: Box<Workspace>,
        _checkout: segql_project::revision::Checkout,
    },
    /// A manifest.json: checksums and compiled SQL, as of its `metadata.as_of`.
    Manifest { manifest: Manifest, shown: String },
}

/// `--base` names a manifest when it is a `.json` file.
pub fn is_manifest(base: &str) -> bool {
    base.ends_with(".json") && Path::new(base).is_file()
}

impl Base {
    /// The base named by `--base`, or the exit code after saying why there is none.
    pub fn open(root: &Path, base: &str, color: bool) -> Result<Result<Base, u8>> {
        if is_manifest(base) {
            let shown = display_path(Path::new(base));
            let text = std::fs::read_to_string(base)
                .map_err(|e| Usage(format!("cannot read {shown}: {e}")))?;
            let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
                anyhow!(
                    "{shown} is not a manifest.json this segql wrote: {e}\n  hint: write the base's with `segql run` or `segql compile -d duckdb` on the base revision"
                )
            })?;
            let version = segql_project::artifacts::SCHEMA_VERSION;
            if manifest.metadata.schema_version != version {
                return Err(anyhow!(
                    "{shown} is a manifest of format version {}, this segql reads version {version}\n  hint: write the base's manifest again with this version of segql",
                    manifest.metadata.schema_version
                ));
            }
            return Ok(Ok(Base::Manifest { manifest, shown }));
        }
        let checkout = segql_project::revision::checkout(root, base)?;
        let ws = project::workspace(std::slice::from_ref(&checkout.root))?;
        if ws.program.is_none() || ws.has_errors() {
            output::print_diagnostics(&ws.map, &ws.diags, color);
            eprintln!(
                "not compared: the project at {base} does not check ({})",
                output::count_summary(&ws.diags)
            );
            return Ok(Err(1));
        }
        Ok(Ok(Base::Revision {
            ws: Box::new(ws),
            _checkout: checkout,
        }))
    }

    /// The instant the base's members must be computed at: a manifest's SQL holds its
    /// own (`metadata.as_of`); a revision is compiled at any.
    pub fn as_of(&self) -> Result<Option<i64>> {
        match self {
            Base::Revision { .. } => Ok(None),
            Base::Manifest { manifest, shown } => {
                segql_syntax::time::parse_instant(&manifest.metadata.as_of)
                    .map(Some)
                    .map_err(|e| anyhow!("{shown}: metadata.as_of: {e}"))
            }
        }
    }

    /// Every segment, trait and action by (kind, name), with its checksum.
    pub fn definitions(&self) -> BTreeMap<(String, String), String> {
        match self {
            Base::Revision { ws, .. } => definitions(ws, program(ws)),
            Base::Manifest { manifest, .. } => manifest
                .nodes
                .values()
                .filter(|n| matches!(n.kind.as_str(), "segment" | "trait" | "action"))
                .map(|n| ((n.kind.clone(), n.name.clone()), n.checksum.clone()))
                .collect(),
        }
    }

    /// The members of the base's segments `names` on the data bound now (or on
    /// `target`); `None` when it could not be bound (the problems are printed).
    pub fn members(
        &self,
        now: &Workspace,
        names: &[String],
        as_of: i64,
        target: Option<&str>,
        color: bool,
    ) -> Result<Option<Members>> {
        match self {
            Base::Revision { ws, .. } => {
                let p = program(ws);
                let ids: Vec<usize> = names
                    .iter()
                    .filter_map(|n| p.segments.iter().position(|s| &s.name == n))
                    .collect();
                // The base's segments read the data bound now (its catalog, this
                // segql.toml).
                members(now, p, &ids, Options::literal(as_of), target, color)
            }
            Base::Manifest { manifest, shown } => {
                manifest_members(now, manifest, shown, names, target, color)
            }
        }
    }
}

fn program(ws: &Workspace) -> &Program {
    ws.program.as_ref().expect("a checked base")
}

/// The definitions a diff compares, by kind and name: segments, and what segments are
/// built from (traits, actions).
pub fn definitions(ws: &Workspace, p: &Program) -> BTreeMap<(String, String), String> {
    nodes(ws, p)
        .into_iter()
        .map(|(_, key, sum)| (key, sum))
        .collect()
}

/// [`definitions`] with each one's node: every segment, trait and action, its (kind,
/// name) and its checksum, each checksum computed once.
pub fn nodes(ws: &Workspace, p: &Program) -> Vec<(Node, (String, String), String)> {
    Node::all(p)
        .into_iter()
        .filter(|n| matches!(n, Node::Segment(_) | Node::Trait(_) | Node::Action(_)))
        .map(|n| {
            (
                n,
                (n.kind().to_string(), n.name(p).to_string()),
                checksum(ws, p, n),
            )
        })
        .collect()
}

/// The members of a manifest's segments: each segment's DuckDB statement as the
/// manifest holds it, run on the data bound now.
fn manifest_members(
    now: &Workspace,
    manifest: &Manifest,
    shown: &str,
    names: &[String],
    target: Option<&str>,
    color: bool,
) -> Result<Option<Members>> {
    if target.is_some() {
        return Err(Usage(
            "--target with a manifest base: the manifest's SQL names the catalog's tables, not the target's\n  hint: compare on a target with --base REV (a git revision)".into(),
        )
        .into());
    }
    let mut statements = Vec::new();
    let mut relations = BTreeSet::new();
    for name in names {
        let id = format!("segment.{name}");
        let node = manifest
            .nodes
            .get(&id)
            .ok_or_else(|| anyhow!("{shown} has no {id}"))?;
        let Some(sql) = node.compiled_sql.get("duckdb") else {
            return Err(anyhow!(
                "{shown} holds no DuckDB SQL for segment {name} (it has {})\n  hint: write the base's manifest with `segql run`, or `segql compile -d duckdb`",
                if manifest.dialects.is_empty() { "none".to_string() } else { manifest.dialects.join(", ") }
            ));
        };
        if sql
            .lines()
            .next()
            .is_some_and(|l| l.contains("as of run time"))
        {
            return Err(anyhow!(
                "{shown}'s SQL for segment {name} reads its as-of at run time\n  hint: write the base's manifest without --as-of-at-run"
            ));
        }
        relations.extend(node.reads.keys().cloned());
        // segql's header lines go; the statement itself is run as any other, by the
        // locked-down engine (one statement, reading only the bound files).
        let body: Vec<&str> = sql
            .lines()
            .skip_while(|l| l.trim_start().starts_with("--"))
            .collect();
        statements.push((name.clone(), body.join("\n")));
    }
    let program = now.program.as_ref().expect("a checked project");
    let Some((engine, _)) =
        crate::target_cmd::backend(now, program, None, Some(&relations), &[], color)?
    else {
        eprintln!("not compared");
        return Ok(None);
    };
    let mut out = Members::new();
    for (name, sql) in statements {
        let keys = engine
            .first_column(&sql)
            .map_err(|e| anyhow::Error::new(data::query_error(&e)))
            .map_err(|e| e.context(format!("running the base's segment {name} ({shown})")))?;
        out.insert(
            name,
            keys.into_iter().map(Option::unwrap_or_default).collect(),
        );
    }
    Ok(Some(out))
}

/// The members (keys) of segments `ids` of `program`, run on the data `bound` binds
/// (or on `target`); `None` when the data could not be bound (the problems are
/// printed).
pub fn members(
    bound: &Workspace,
    program: &Program,
    ids: &[usize],
    opts: Options,
    target: Option<&str>,
    color: bool,
) -> Result<Option<Members>> {
    let mut out = BTreeMap::new();
    if ids.is_empty() {
        return Ok(Some(out));
    }
    let graph = segql_plan::deps::Graph::new(program);
    let relations = graph.relations(ids.iter().map(|&i| Node::Segment(i)));
    let Some((engine, mapped)) =
        crate::target_cmd::backend(bound, program, target, Some(&relations), &[], color)?
    else {
        eprintln!("not compared");
        return Ok(None);
    };
    let on = mapped.as_ref().unwrap_or(program);
    let targets: Vec<Target> = ids.iter().map(|&i| Target::Segment(i)).collect();
    let settings = run::Settings {
        opts,
        with_traits: false,
        fetch_rows: true,
    };
    struct Quiet;
    impl run::Observer for Quiet {
        fn start(&mut self, _: String) {}
        fn finish(&mut self) {}
    }
    let done = run::run(engine.as_ref(), on, &targets, settings, &mut Quiet).map_err(|f| {
        match f.cause {
            run::Cause::Unsupported(u) => anyhow!("{u}"),
            run::Cause::Query(e) => anyhow::Error::new(data::query_error(&e)),
        }
        .context(f.doing)
    })?;
    for o in done.outputs {
        let keys = o
            .rows
            .into_iter()
            .map(|r| r.into_iter().next().flatten().unwrap_or_default())
            .collect();
        out.insert(o.target.name(program).to_string(), keys);
    }
    Ok(Some(out))
}
