//! `segql graph`: what depends on what (segments, traits, reports, splits, priority
//! lists, and the warehouse tables they read), as Graphviz dot or Mermaid.

use crate::output;
use crate::project;
use anyhow::Result;
use segql_plan::ir::{Cond, EntityId, MetricKind, Program, Scalar};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum GraphFormat {
    #[default]
    Dot,
    Mermaid,
}

#[derive(Default)]
struct Deps {
    segments: BTreeSet<usize>,
    traits: BTreeSet<usize>,
    tables: BTreeSet<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Segment,
    Trait,
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
            Kind::Report => "report",
            Kind::Split => "split",
            Kind::Priority => "priority",
            Kind::Table => "table",
        }
    }
}

/// A node of the graph: what it is and its name.
type Node = (Kind, String);

/// Finds what a condition reads. A value equal to a trait's value of the same entity
/// is that trait (traits are inlined by the checker).
struct Walker<'a> {
    p: &'a Program,
}

impl Walker<'_> {
    fn table(&self, entity: EntityId) -> String {
        self.p.catalog.entities[entity].table.join(".")
    }

    fn cond(&self, c: &Cond, entity: EntityId, d: &mut Deps) {
        match c {
            Cond::Const(_) => {}
            Cond::And(v) | Cond::Or(v) => v.iter().for_each(|c| self.cond(c, entity, d)),
            Cond::Not(c) => self.cond(c, entity, d),
            Cond::Cmp(a, _, b) => {
                self.scalar(a, entity, d);
                self.scalar(b, entity, d);
            }
            Cond::In { value, .. }
            | Cond::Text { value, .. }
            | Cond::Regex { value, .. }
            | Cond::IsSet(value) => self.scalar(value, entity, d),
            Cond::Segment(id) => {
                d.segments.insert(*id);
            }
            Cond::Quantified {
                entity: inner,
                cond,
                ..
            } => {
                d.tables.insert(self.table(*inner));
                self.cond(cond, *inner, d);
            }
            Cond::Sequence(s) => {
                d.tables
                    .insert(self.p.catalog.events[s.events].table.join("."));
            }
            Cond::Sql(_) => {}
        }
    }

    fn scalar(&self, s: &Scalar, entity: EntityId, d: &mut Deps) {
        if let Some(t) = self
            .p
            .traits
            .iter()
            .position(|t| t.entity == entity && &t.value == s)
        {
            d.traits.insert(t);
            return;
        }
        match s {
            Scalar::Column(c) => {
                if let segql_plan::ir::ColumnOwner::Ref(ri) = c.owner {
                    let target = self.p.catalog.entities[entity].refs[ri].target;
                    d.tables.insert(self.table(target));
                }
            }
            Scalar::Lit(_) | Scalar::Time(_) => {}
            Scalar::Agg(a) => {
                d.tables
                    .insert(self.p.catalog.events[a.filter.events].table.join("."));
            }
            Scalar::Ntile { value, .. } | Scalar::Folded(value) => self.scalar(value, entity, d),
            Scalar::Score(rules) => rules.iter().for_each(|(_, c)| self.cond(c, entity, d)),
        }
    }
}

pub fn run(paths: &[PathBuf], format: GraphFormat, color: bool) -> Result<ExitCode> {
    let ws = project::workspace(paths)?;
    output::print_diagnostics(&ws.map, &ws.diags, color);
    let Some(p) = ws.program.as_ref().filter(|_| !ws.has_errors()) else {
        eprintln!("no graph: {}", output::count_summary(&ws.diags));
        return Ok(ExitCode::from(1));
    };
    let w = Walker { p };
    let mut nodes: BTreeSet<Node> = BTreeSet::new();
    let mut edges: BTreeSet<(Node, Node)> = BTreeSet::new();
    let mut add = |from: Node, d: Deps, nodes: &mut BTreeSet<Node>| {
        for s in d.segments {
            let to = (Kind::Segment, p.segments[s].name.clone());
            edges.insert((from.clone(), to));
        }
        for t in d.traits {
            let to = (Kind::Trait, p.traits[t].name.clone());
            edges.insert((from.clone(), to));
        }
        for t in d.tables {
            nodes.insert((Kind::Table, t.clone()));
            edges.insert((from.clone(), (Kind::Table, t)));
        }
    };
    for t in &p.traits {
        let me = (Kind::Trait, t.name.clone());
        nodes.insert(me.clone());
        let mut d = Deps::default();
        // A trait's own value is not "itself": walk below it.
        match &t.value {
            Scalar::Score(rules) => rules.iter().for_each(|(_, c)| w.cond(c, t.entity, &mut d)),
            Scalar::Ntile { value, .. } => w.scalar(value, t.entity, &mut d),
            Scalar::Agg(a) => {
                d.tables
                    .insert(p.catalog.events[a.filter.events].table.join("."));
            }
            _ => {}
        }
        d.tables.insert(w.table(t.entity));
        d.traits.remove(
            &p.traits
                .iter()
                .position(|x| x.name == t.name)
                .unwrap_or(usize::MAX),
        );
        add(me, d, &mut nodes);
    }
    for s in &p.segments {
        let me = (Kind::Segment, s.name.clone());
        nodes.insert(me.clone());
        let mut d = Deps::default();
        w.cond(&s.cond, s.entity, &mut d);
        d.tables.insert(w.table(s.entity));
        add(me, d, &mut nodes);
    }
    for r in &p.reports {
        let me = (Kind::Report, r.name.clone());
        nodes.insert(me.clone());
        let mut d = Deps::default();
        d.segments.extend(r.segments.iter().copied());
        for m in &r.metrics {
            match &m.kind {
                MetricKind::Count(None) => {}
                MetricKind::Count(Some(c)) | MetricKind::Share(c) => w.cond(c, r.entity, &mut d),
                MetricKind::Avg(v)
                | MetricKind::Sum(v)
                | MetricKind::Min(v)
                | MetricKind::Max(v) => w.scalar(v, r.entity, &mut d),
            }
        }
        add(me, d, &mut nodes);
    }
    for s in &p.splits {
        let me = (Kind::Split, s.name.clone());
        nodes.insert(me.clone());
        let mut d = Deps::default();
        d.segments.insert(s.segment);
        add(me, d, &mut nodes);
    }
    for pr in &p.priorities {
        let me = (Kind::Priority, pr.name.clone());
        nodes.insert(me.clone());
        let mut d = Deps::default();
        d.segments.extend(pr.segments.iter().copied());
        add(me, d, &mut nodes);
    }
    print!("{}", render(&nodes, &edges, format));
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
