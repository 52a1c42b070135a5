//! `segql graph`: what depends on what (segments, traits, reports, splits, priority
//! lists, and the warehouse tables they read), as Graphviz dot or Mermaid.

use crate::args::Select;
use crate::output;
use crate::project;
use crate::selection;
use anyhow::Result;
use segql_plan::deps::Node as Decl;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum GraphFormat {
    #[default]
    Dot,
    Mermaid,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Segment,
    Trait,
    Action,
    Report,
    Split,
    Priority,
    Table,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Segment => "segment",
            Kind::Trait => "trait",
            Kind::Action => "action",
            Kind::Report => "report",
            Kind::Split => "split",
            Kind::Priority => "priority",
            Kind::Table => "table",
        }
    }

    fn of(d: Decl) -> Option<Kind> {
        match d {
            Decl::Segment(_) => Some(Kind::Segment),
            Decl::Trait(_) => Some(Kind::Trait),
            Decl::Action(_) => Some(Kind::Action),
            Decl::Report(_) => Some(Kind::Report),
            Decl::Split(_) => Some(Kind::Split),
            Decl::Priority(_) => Some(Kind::Priority),
            Decl::Test(_) => None,
        }
    }
}

/// A node of the graph: what it is and its name.
type Node = (Kind, String);

/// The graph of the selected declarations (every one by default) and the tables they
/// read ([`segql_plan::deps::Graph`]); tests are not drawn.
pub fn run(
    paths: &[PathBuf],
    format: GraphFormat,
    select: &Select,
    color: bool,
) -> Result<ExitCode> {
    let ws = project::workspace(paths)?;
    output::print_diagnostics(&ws.map, &ws.diags, color);
    let Some(p) = ws.program.as_ref().filter(|_| !ws.has_errors()) else {
        eprintln!("no graph: {}", output::count_summary(&ws.diags));
        return Ok(ExitCode::from(1));
    };
    let selected = selection::select(&ws, p, select)?;
    let graph = &selected.graph;
    let chosen = &selected.selection.nodes;
    let mut nodes: BTreeSet<Node> = BTreeSet::new();
    let mut edges: BTreeSet<(Node, Node)> = BTreeSet::new();
    for &d in graph.nodes().iter().filter(|d| chosen.contains(d)) {
        let Some(kind) = Kind::of(d) else { continue };
        let me = (kind, d.name(p).to_string());
        nodes.insert(me.clone());
        let reads = graph.reads(d);
        for &used in reads.nodes.iter().filter(|u| chosen.contains(u)) {
            if let Some(k) = Kind::of(used) {
                edges.insert((me.clone(), (k, used.name(p).to_string())));
            }
        }
        for table in reads.columns.keys() {
            let t = (Kind::Table, table.clone());
            nodes.insert(t.clone());
            edges.insert((me.clone(), t));
        }
    }
    out!("{}", render(&nodes, &edges, format));
    Ok(ExitCode::SUCCESS)
}

fn render(nodes: &BTreeSet<Node>, edges: &BTreeSet<(Node, Node)>, format: GraphFormat) -> String {
    let ids: Vec<&Node> = nodes.iter().collect();
    let id_of = |n: &Node| {
        ids.iter()
            .position(|x| *x == n)
            .map(|i| format!("n{}", i + 1))
            .unwrap_or_default()
    };
    let mut out = String::new();
    match format {
        GraphFormat::Dot => {
            out.push_str("digraph segql {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
            for n in &ids {
                let shape = match n.0 {
                    Kind::Table => "cylinder",
                    Kind::Trait => "ellipse",
                    Kind::Action => "hexagon",
                    Kind::Segment => "box",
                    _ => "note",
                };
                let label = format!("{}\\n{}", n.0.word(), dot_escape(&n.1));
                out.push_str(&format!(
                    "  {} [label=\"{label}\", shape={shape}];\n",
                    id_of(n)
                ));
            }
            for (a, b) in edges {
                out.push_str(&format!("  {} -> {};\n", id_of(a), id_of(b)));
            }
            out.push_str("}\n");
        }
        GraphFormat::Mermaid => {
            out.push_str("flowchart LR\n");
            for n in &ids {
                let label = mermaid_escape(&format!("{} {}", n.0.word(), n.1));
                let node = match n.0 {
                    Kind::Table => format!("[(\"{label}\")]"),
                    Kind::Trait => format!("([\"{label}\"])"),
                    Kind::Action => format!("{{{{\"{label}\"}}}}"),
                    Kind::Segment => format!("[\"{label}\"]"),
                    _ => format!("[/\"{label}\"/]"),
                };
                out.push_str(&format!("  {}{node}\n", id_of(n)));
            }
            for (a, b) in edges {
                out.push_str(&format!("  {} --> {}\n", id_of(a), id_of(b)));
            }
        }
    }
    out
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;").replace('\n', " ")
}
