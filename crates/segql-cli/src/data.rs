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
        // A binding segql.toml got wrong is reported above; that the table then has
        // no data would only say it again.
        let rejected = ws.inputs.config.bindings.contains_key(&p.relation)
            && !bindings.iter().any(|b| b.relation == p.relation);
        if rejected {
            continue;
        }
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
        let span = binding_span
            .or(decl_span.map(|s| first_line(ws, s)))
            .unwrap_or_default();
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
    diags.sort_by_key(|d| (d.span.file, d.span.start));
    if diags.is_empty() {
        Ok(Ok(engine))
    } else {
        Ok(Err(diags))
    }
}

/// A declaration's span cut to its first line before the `{` (`events of user`): an
/// unnamed events relation is known by its whole block, which would be shown in full.
fn first_line(ws: &Workspace, span: Span) -> Span {
    let text = &ws.map.get(span.file).text;
    let Some(decl) = text.get(span.start as usize..span.end as usize) else {
        return span;
    };
    let line = decl.split(['\n', '{']).next().unwrap_or(decl).trim_end();
    if line.is_empty() {
        return span;
    }
    Span::new(span.file, span.start, span.start + line.len() as u32)
}
