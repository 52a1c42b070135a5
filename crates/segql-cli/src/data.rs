//! Binding a project's relations to its local data, with problems as diagnostics.

use crate::project::{self, Workspace};
use anyhow::{bail, Result};
use segql_plan::ir::Program;
use segql_run::Engine;
use segql_syntax::diag::Diagnostic;
use segql_syntax::Span;

/// The code of every data problem: a binding that is missing, points at nothing, or
/// holds data that does not fit the catalog.
pub const DATA_MISMATCH: &str = "E0701";

/// An in-memory DuckDB with a view over every relation's data, or every problem found.
pub fn bind(
    ws: &Workspace,
    program: &Program,
) -> Result<std::result::Result<Engine, Vec<Diagnostic>>> {
    let Some(root) = &ws.inputs.root else {
        bail!(
            "running needs a project: a directory with a segql.toml whose [bindings] say where each table's data is\n  hint: `segql init` creates one"
        );
    };
    let (bindings, mut diags) = project::bindings(&ws.inputs);
    let engine = Engine::in_memory().map_err(|e| anyhow::anyhow!("{e}"))?;
    let problems = engine.bind(&program.catalog, &bindings, root);
    for p in problems {
        let binding_span = ws.inputs.config_id.and_then(|id| {
            ws.inputs.config.bindings.get(&p.relation).map(|v| {
                let r = v.span();
                Span::new(id, r.start as u32, r.end as u32)
            })
        });
        // A missing binding points at the declaration that reads the table.
        let decl_span = program
            .catalog
            .entities
            .iter()
            .find(|e| e.table.join(".") == p.relation)
            .map(|e| e.span)
            .or_else(|| {
                program
                    .catalog
                    .events
                    .iter()
                    .find(|e| e.table.join(".") == p.relation)
                    .map(|e| e.span)
            });
        let span = binding_span.or(decl_span).unwrap_or_default();
        let mut msg = format!("`{}`", p.relation);
        if let Some(path) = &p.path {
            msg.push_str(&format!(" ({path})"));
        }
        if let Some(c) = &p.column {
            msg.push_str(&format!(", column `{c}`"));
        }
        msg.push_str(&format!(": {}", p.message));
        let mut d =
            Diagnostic::error(DATA_MISMATCH, span, msg).with_label(if binding_span.is_some() {
                "this binding"
            } else {
                "this table has no binding"
            });
        if let Some(h) = &p.hint {
            d = d.with_hint(h.clone());
        }
        diags.push(d);
    }
    if diags.is_empty() {
        Ok(Ok(engine))
    } else {
        Ok(Err(diags))
    }
}
