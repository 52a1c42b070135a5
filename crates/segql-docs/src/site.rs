//! Building the site: every page, the search index and the assets, as files in memory.

use crate::analysis::Analysis;
use crate::graph;
use crate::html::{escape, script_json};
use crate::model::Kind;
use crate::pages::{IndexPage, LineagePage, Page, Row};
use crate::sizes::Sizes;
use askama::Template;
use segql_plan::ir::Program;
use segql_syntax::ast;
use segql_syntax::SourceMap;
use std::collections::{BTreeMap, BTreeSet};

/// What a site is built from.
pub struct Input<'a> {
    /// The project's name (segql.toml's `name`, or its directory's).
    pub name: String,
    /// The checked program (the project must have no errors).
    pub program: &'a Program,
    /// The parsed files, in the order they were checked.
    pub files: Vec<&'a ast::File>,
    /// The files' names and texts.
    pub map: &'a SourceMap,
    /// The project's directory: pages name files relative to it.
    pub root: Option<&'a std::path::Path>,
    /// Sizes, samples and history, when a run or snapshots exist.
    pub sizes: Option<&'a Sizes>,
    /// The instant the SQL on the pages is compiled for (microseconds since the epoch).
    pub as_of: i64,
}

/// The site: every file by its path relative to the site's root (`/`-separated).
#[derive(Debug, Clone, Default)]
pub struct Site {
    pub files: BTreeMap<String, Vec<u8>>,
}

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The assets, compiled into the binary.
pub const ASSETS: &[(&str, &str)] = &[
    ("assets/style.css", include_str!("../assets/style.css")),
    ("assets/site.js", include_str!("../assets/site.js")),
    ("assets/lineage.js", include_str!("../assets/lineage.js")),
    ("assets/favicon.svg", include_str!("../assets/favicon.svg")),
];

/// The file marking a directory as written by `segql docs generate`: it lists the files
/// written, so that the next generation removes pages of items that are gone, and
/// refuses to write into a directory that holds anything else.
pub const MARKER: &str = ".segql-docs";

impl Input<'_> {
    pub(crate) fn page(&self, title: &str, root: &'static str, kind: &'static str) -> Page {
        Page {
            title: title.to_string(),
            project: self.name.clone(),
            root,
            kind,
            version: VERSION,
            files: self.files.len(),
            as_of: Some(segql_syntax::time::format_timestamp(self.as_of)),
            sizes_as_of: self.sizes.and_then(|s| s.as_of.clone()),
        }
    }
}

/// Builds the whole site.
pub fn build(input: &Input) -> Site {
    let a = Analysis::new(input.program, &input.files, input.map, input.root);
    let mut site = Site::default();
    let mut put = |path: String, text: String| {
        site.files.insert(path, text.into_bytes());
    };
    for (path, text) in ASSETS {
        put(path.to_string(), text.to_string());
    }
    put("index.html".into(), index(input, &a));
    put("lineage.html".into(), lineage(input, &a));
    put("search-index.js".into(), search_index(input, &a));
    for i in 0..a.items.len() {
        put(a.items[i].path.clone(), crate::item::page(input, &a, i));
    }
    site
}

fn render(t: &impl Template) -> String {
    // Rendering writes into a String; it fails only if a Display of a field does.
    t.render()
        .unwrap_or_else(|e| format!("<!doctype html><p>error: {e}</p>"))
}

/// One line per item: `(kind, entity, owner, tags, searchable text, words)`.
fn words_plain(input: &Input, a: &Analysis, i: usize) -> String {
    crate::item::words_plain(input, a, i)
}

fn entity_name(input: &Input, e: Option<usize>) -> String {
    e.map(|e| input.program.catalog.entities[e].name.clone())
        .unwrap_or_default()
}

fn index(input: &Input, a: &Analysis) -> String {
    let mut counts = Vec::new();
    let mut kinds = Vec::new();
    for k in Kind::ALL {
        let n = a.items.iter().filter(|i| i.kind == k).count();
        if n > 0 {
            let what = if n == 1 { k.label() } else { k.plural_label() };
            counts.push((n, what.to_string()));
            kinds.push((k.word().to_string(), k.plural_label().to_string()));
        }
    }
    let mut entities = BTreeSet::new();
    let mut owners = BTreeSet::new();
    let mut tags = BTreeSet::new();
    let sizes = input.sizes;
    let rows = a
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let entity = entity_name(input, it.entity);
            entities.insert(entity.clone());
            if let Some(o) = &it.owner {
                owners.insert(o.clone());
            }
            tags.extend(it.tags.iter().cloned());
            let size = match (it.kind, sizes) {
                (Kind::Segment, Some(s)) => s
                    .segments
                    .get(&it.name)
                    .and_then(|x| x.size)
                    .map(thousands)
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let text = [
                it.name.as_str(),
                it.description.as_deref().unwrap_or(""),
                it.owner.as_deref().unwrap_or(""),
                &it.tags.join(" "),
                &entity,
                it.kind.label(),
                &words_plain(input, a, i),
            ]
            .join(" ")
            .to_lowercase();
            Row {
                kind: it.kind.word(),
                kind_label: it.kind.label(),
                name: it.name.clone(),
                href: it.path.clone(),
                entity,
                description: it.description.clone().unwrap_or_default(),
                owner: it.owner.clone().unwrap_or_default(),
                tags: it.tags.clone(),
                tags_attr: serde_json::to_string(&it.tags).unwrap_or_default(),
                text,
                size,
            }
        })
        .collect();
    entities.remove("");
    render(&IndexPage {
        page: input.page("Index", "", "index"),
        counts,
        kinds,
        entities: entities.into_iter().collect(),
        owners: owners.into_iter().collect(),
        tags: tags.into_iter().collect(),
        rows,
        has_sizes: sizes.is_some_and(|s| !s.segments.is_empty()),
    })
}

/// `window.SEGQL_INDEX = [...]`: what the search box on every page looks in. A script
/// rather than a `.json` file, so that it loads from `file://` too.
fn search_index(input: &Input, a: &Analysis) -> String {
    let entries: Vec<serde_json::Value> = a
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            serde_json::json!({
                "k": it.kind.word(),
                "l": it.kind.label(),
                "n": it.name,
                "h": it.path,
                "e": entity_name(input, it.entity),
                "d": it.description.clone().unwrap_or_default(),
                "o": it.owner.clone().unwrap_or_default(),
                "t": it.tags,
                "w": words_plain(input, a, i),
            })
        })
        .collect();
    format!(
        "window.SEGQL_INDEX = {};\n",
        script_json(&serde_json::Value::Array(entries))
    )
}

fn lineage(input: &Input, a: &Analysis) -> String {
    let nodes: Vec<graph::Node> = a
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let label = match it.kind {
                Kind::Entity | Kind::Events => relation_label(a, it.kind, it.index),
                _ => it.name.clone(),
            };
            let title = match &it.description {
                Some(d) => format!("{} {}: {d}", it.kind.label(), it.name),
                None => format!("{} {}", it.kind.label(), it.name),
            };
            graph::Node {
                id: a.node_id(i),
                class: it.kind.word(),
                kind: match it.kind {
                    Kind::Entity => format!("entity {}", it.name),
                    Kind::Events => it.name.clone(),
                    k => k.label().to_string(),
                },
                label,
                href: it.path.clone(),
                title,
            }
        })
        .collect();
    let drawn = graph::render(&nodes, &a.edges);
    let note = match drawn.method {
        graph::Method::Layered => None,
        graph::Method::LayeredUnoptimized => Some(format!(
            "With more than {} nodes the layout skips crossing reduction.",
            graph::OPTIMIZE_UP_TO
        )),
        graph::Method::Columns => Some(format!(
            "With more than {} nodes the graph is laid out in columns by depth.",
            thousands(graph::LAYOUT_UP_TO as u64)
        )),
    };
    let mut legend = Vec::new();
    for k in Kind::ALL {
        if a.items.iter().any(|i| i.kind == k) {
            legend.push((k.word(), k.plural_label()));
        }
    }
    render(&LineagePage {
        page: input.page("Lineage", "", "lineage"),
        svg: drawn.svg,
        nodes: nodes.len(),
        edges: a.edges.len(),
        note,
        legend,
    })
}

/// A relation's node label: its table.
fn relation_label(a: &Analysis, kind: Kind, index: usize) -> String {
    let cat = &a.program.catalog;
    match kind {
        Kind::Entity => cat.entities[index].table.join("."),
        _ => cat.events[index].table.join("."),
    }
}

/// `12,345`
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A link to an item from a page at `root`, with its kind's class.
pub fn item_link(a: &Analysis, root: &str, i: usize) -> String {
    let it = &a.items[i];
    format!(
        "<a class=\"ref {}\" href=\"{root}{}\"><code>{}</code></a>",
        it.kind.word(),
        escape(&it.path),
        escape(&it.name)
    )
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
