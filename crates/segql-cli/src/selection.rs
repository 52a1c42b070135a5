//! `--select` and `--exclude` read into a selection. Parsing and evaluating selectors
//! is segql-project's ([`segql_project::select`]); a bad selector is a
//! [`SelectError`](segql_project::select::SelectError), a usage error (exit 2).

use crate::args::Select;
use crate::project::Workspace;
use anyhow::Result;
use segql_plan::deps::{Graph, Node};
use segql_plan::ir::{Program, Target};
use segql_project::manifest;
use segql_project::select::{self, Context, Selection};

/// The dependency graph and what the options select in it.
pub struct Selected {
    pub graph: Graph,
    pub selection: Selection,
}

impl Selected {
    /// The selected segments, reports, splits and priority lists, in declaration order.
    pub fn targets(&self, program: &Program) -> Vec<Target> {
        Target::all(program)
            .into_iter()
            .filter(|t| self.selection.nodes.contains(&Node::from(*t)))
            .collect()
    }

    /// The relations the statements of `nodes` read (and those of every trait of
    /// their entities when `with_traits`), the ones a run must bind.
    pub fn relations(
        &self,
        program: &Program,
        nodes: impl IntoIterator<Item = Node>,
        with_traits: bool,
    ) -> std::collections::BTreeSet<String> {
        self.graph
            .relations(with_entity_traits(program, nodes, with_traits))
    }

    /// The event names those statements name, per events relation with a name column.
    pub fn event_names(
        &self,
        program: &Program,
        nodes: impl IntoIterator<Item = Node>,
        with_traits: bool,
    ) -> std::collections::BTreeMap<usize, std::collections::BTreeSet<String>> {
        self.graph
            .event_names(with_entity_traits(program, nodes, with_traits))
    }
}

/// `nodes`, and when `with_traits` every trait of their entities.
fn with_entity_traits(
    program: &Program,
    nodes: impl IntoIterator<Item = Node>,
    with_traits: bool,
) -> Vec<Node> {
    let mut nodes: Vec<Node> = nodes.into_iter().collect();
    if with_traits {
        let entities: Vec<usize> = nodes
            .iter()
            .filter_map(|n| n.target().map(|t| entity_of(program, t)))
            .collect();
        nodes.extend(
            (0..program.traits.len())
                .filter(|&i| entities.contains(&program.traits[i].entity))
                .map(Node::Trait),
        );
    }
    nodes
}

fn entity_of(p: &Program, t: Target) -> usize {
    match t {
        Target::Segment(i) => p.segments[i].entity,
        Target::Report(i) => p.reports[i].entity,
        Target::Split(i) => p.segments[p.splits[i].segment].entity,
        Target::Priority(i) => p.priorities[i].entity,
    }
}

/// Evaluates the options; with `--state DIR`, `state:` selectors compare with
/// DIR/manifest.json.
pub fn select(ws: &Workspace, program: &Program, args: &Select) -> Result<Selected> {
    let graph = Graph::new(program);
    let state = match &args.state {
        Some(dir) => {
            let base = manifest::read_state(dir)?;
            Some(manifest::compare(ws, program, &graph, &base))
        }
        None => None,
    };
    let mut cx = Context::new(ws, program, &graph);
    cx.state = state.as_ref();
    let selection = select::select(&cx, &args.select, &args.exclude)?;
    Ok(Selected { graph, selection })
}

impl Selected {
    /// Why nothing is left to compile or run: said on stderr, exit status 0 (a CI job
    /// running `state:modified+` on a change that touches no segment does nothing).
    pub fn nothing_note(&self, program: &Program, verb: &str) -> String {
        let others: Vec<String> = self
            .selection
            .nodes
            .iter()
            .filter(|n| n.target().is_none())
            .map(|n| format!("{} `{}`", n.kind(), n.name(program)))
            .collect();
        if others.is_empty() {
            format!("nothing to {verb}: the selection is empty")
        } else {
            let first = others[0].split('`').nth(1).unwrap_or_default().to_string();
            format!(
                "nothing to {verb}: the selection holds only {} (`{first}+` selects what uses it)",
                others.join(", ")
            )
        }
    }
}
