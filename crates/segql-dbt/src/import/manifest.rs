//! The part of a dbt `manifest.json` the import reads, and the selection of its
//! relations. Everything else in the manifest is ignored, so any schema version with
//! these fields reads (v10 to v12 were checked by hand; dbt 1.5 to 1.9).

use crate::error::{DbtError, ErrorKind};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub(crate) struct Manifest {
    pub metadata: Metadata,
    #[serde(default)]
    pub nodes: BTreeMap<String, Node>,
    #[serde(default)]
    pub sources: BTreeMap<String, Source>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Metadata {
    pub dbt_schema_version: Option<String>,
    pub dbt_version: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Node {
    pub resource_type: String,
    pub name: String,
    pub database: Option<String>,
    pub schema: Option<String>,
    pub alias: Option<String>,
    #[serde(default, deserialize_with = "ordered")]
    pub columns: Vec<Column>,
    pub description: Option<String>,
    pub config: Option<NodeConfig>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NodeConfig {
    pub materialized: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Source {
    pub source_name: String,
    pub name: String,
    pub database: Option<String>,
    pub schema: Option<String>,
    pub identifier: Option<String>,
    #[serde(default, deserialize_with = "ordered")]
    pub columns: Vec<Column>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Column {
    pub name: String,
    pub data_type: Option<String>,
    pub description: Option<String>,
}

/// A JSON object of columns, in the order written (dbt writes them as declared; a
/// `BTreeMap` would sort them).
fn ordered<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Column>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<Column>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of columns")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((_, c)) = m.next_entry::<String, Column>()? {
                out.push(c);
            }
            Ok(out)
        }
    }
    d.deserialize_any(V)
}

/// Where a relation came from in the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    Source {
        source: String,
        table: String,
    },
    /// A model, seed or snapshot node: its resource type and name.
    Node {
        kind: String,
        name: String,
    },
}

impl Origin {
    /// `source raw.users`, `model accounts`: how the draft and the report name it.
    pub fn describe(&self) -> String {
        match self {
            Origin::Source { source, table } => format!("source {source}.{table}"),
            Origin::Node { kind, name } => format!("{kind} {name}"),
        }
    }
}

/// A relation to import: one source table or node with a relation in the warehouse.
#[derive(Debug, Clone)]
pub(crate) struct Relation {
    pub origin: Origin,
    /// The dbt name (a source table's `name`, a node's `name`): what names the entity.
    pub name: String,
    pub database: Option<String>,
    pub schema: Option<String>,
    /// The relation's own name in the warehouse (`identifier`, `alias`).
    pub identifier: String,
    pub description: String,
    pub columns: Vec<Column>,
}

const NODE_KINDS: [&str; 3] = ["model", "seed", "snapshot"];

/// Reads a manifest: JSON first (a parse error says where), then the fields needed.
pub(crate) fn read(json: &str) -> Result<Manifest, DbtError> {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(json) {
        return Err(DbtError::new(
            ErrorKind::NotJson,
            format!("the manifest is not JSON: {e}"),
            "give the `target/manifest.json` that `dbt parse` or `dbt compile` writes",
        ));
    }
    let not_manifest = |why: String| {
        DbtError::new(
            ErrorKind::NotManifest,
            format!("this JSON is not a dbt manifest: {why}"),
            "give the `target/manifest.json` that `dbt parse` or `dbt compile` writes (not run_results.json or catalog.json)",
        )
    };
    let m: Manifest = serde_json::from_str(json).map_err(|e| not_manifest(e.to_string()))?;
    match &m.metadata.dbt_schema_version {
        Some(v) if v.contains("/manifest/") => Ok(m),
        Some(v) => Err(not_manifest(format!("its schema is {v}"))),
        None => Err(not_manifest("it has no metadata.dbt_schema_version".into())),
    }
}

/// Every relation of the manifest: sources, then model, seed and snapshot nodes (each
/// in unique_id order). Ephemeral models have no relation and are left out.
pub(crate) fn relations(m: &Manifest) -> Vec<Relation> {
    let mut out = Vec::new();
    for s in m.sources.values() {
        out.push(Relation {
            origin: Origin::Source {
                source: s.source_name.clone(),
                table: s.name.clone(),
            },
            name: s.name.clone(),
            database: s.database.clone(),
            schema: s.schema.clone().or_else(|| Some(s.source_name.clone())),
            identifier: s.identifier.clone().unwrap_or_else(|| s.name.clone()),
            description: s.description.clone().unwrap_or_default(),
            columns: s.columns.clone(),
        });
    }
    for n in m.nodes.values() {
        if !NODE_KINDS.contains(&n.resource_type.as_str()) {
            continue;
        }
        let materialized = n.config.as_ref().and_then(|c| c.materialized.as_deref());
        if materialized == Some("ephemeral") {
            continue;
        }
        out.push(Relation {
            origin: Origin::Node {
                kind: n.resource_type.clone(),
                name: n.name.clone(),
            },
            name: n.name.clone(),
            database: n.database.clone(),
            schema: n.schema.clone(),
            identifier: n.alias.clone().unwrap_or_else(|| n.name.clone()),
            description: n.description.clone().unwrap_or_default(),
            columns: n.columns.clone(),
        });
    }
    out
}

const SELECTOR_HINT: &str =
    "selectors are source:NAME, source:NAME.TABLE, model:NAME, seed:NAME or snapshot:NAME";

/// The relations `selectors` pick (no selectors: every source, model and snapshot),
/// each once, in the manifest's order; a relation reached twice (a seed that is also
/// declared as a source) is read from its first origin.
pub(crate) fn select(all: &[Relation], selectors: &[String]) -> Result<Vec<Relation>, DbtError> {
    let mut picked = vec![false; all.len()];
    if selectors.is_empty() {
        for (i, r) in all.iter().enumerate() {
            picked[i] = match &r.origin {
                Origin::Source { .. } => true,
                Origin::Node { kind, .. } => kind != "seed",
            };
        }
    }
    for sel in selectors {
        let sel = sel.trim();
        let Some((kind, name)) = sel.split_once(':') else {
            return Err(DbtError::new(
                ErrorKind::BadSelector,
                format!("`{sel}` is not a selector"),
                SELECTOR_HINT,
            ));
        };
        let matches = |r: &Relation| match (&r.origin, kind) {
            (Origin::Source { source, table }, "source") => match name.split_once('.') {
                Some((s, t)) => s == source && t == table,
                None => name == source,
            },
            (Origin::Node { kind: k, name: n }, _) => k == kind && n == name,
            _ => false,
        };
        if !matches!(kind, "source" | "model" | "seed" | "snapshot") {
            return Err(DbtError::new(
                ErrorKind::BadSelector,
                format!("`{sel}`: `{kind}` is not a kind of selector"),
                SELECTOR_HINT,
            ));
        }
        let mut any = false;
        for (i, r) in all.iter().enumerate() {
            if matches(r) {
                picked[i] = true;
                any = true;
            }
        }
        if !any {
            let names: Vec<String> = all
                .iter()
                .filter_map(|r| match (&r.origin, kind) {
                    (Origin::Source { source, table }, "source") => {
                        Some(format!("source:{source}.{table}"))
                    }
                    (Origin::Node { kind: k, name }, _) if k == kind => Some(format!("{k}:{name}")),
                    _ => None,
                })
                .collect();
            let near = segql_syntax::parser::did_you_mean(sel, names.iter().map(String::as_str))
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            let listed = if names.is_empty() {
                format!("the manifest has no {kind}s")
            } else {
                format!("the manifest has {}", shorten(&names))
            };
            return Err(DbtError::new(
                ErrorKind::NothingSelected,
                format!("`{sel}` matches nothing in the manifest"),
                format!("{near}{listed}"),
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    let out: Vec<Relation> = all
        .iter()
        .zip(picked)
        .filter(|(_, p)| *p)
        .map(|(r, _)| r.clone())
        .filter(|r| {
            seen.insert((
                r.database.clone(),
                r.schema.clone(),
                r.identifier.to_lowercase(),
            ))
        })
        .collect();
    if out.is_empty() {
        return Err(DbtError::new(
            ErrorKind::NothingSelected,
            "the manifest declares no source, model or snapshot",
            "seeds are imported only when selected (seed:NAME); a manifest of a project with models lists them after `dbt parse`",
        ));
    }
    Ok(out)
}

fn shorten(names: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut s = names
        .iter()
        .take(SHOWN)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    s
}
