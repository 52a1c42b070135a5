//! Finding a project's files lives in segql-project (shared with the language server);
//! what is left here is what needs the runner: `[bindings]` as segql-run takes them.

pub use segql_project::*;
use segql_syntax::diag::Diagnostic;
use std::path::PathBuf;

/// [`segql_project::workspace`] with the problems of segql.toml's `[targets]`
/// (segql-target's, which segql-project does not build) among its diagnostics.
pub fn workspace(paths: &[PathBuf]) -> anyhow::Result<Workspace> {
    let mut ws = segql_project::workspace(paths)?;
    with_targets(&mut ws);
    Ok(ws)
}

/// [`segql_project::workspace_within`] with the problems of `[targets]`.
pub fn workspace_within(paths: &[PathBuf]) -> anyhow::Result<(Workspace, Within)> {
    let (mut ws, within) = segql_project::workspace_within(paths)?;
    with_targets(&mut ws);
    Ok((ws, within))
}

fn with_targets(ws: &mut Workspace) {
    if let Some(id) = ws.inputs.config_id {
        ws.diags
            .extend(crate::target_cmd::diagnostics(&ws.inputs.config_text, id));
        ws.diags.sort_by_key(|d| (d.span.file, d.span.start));
    }
}

/// The `[bindings]` of segql.toml, as the runner takes them; mistakes are diagnostics
/// pointing into segql.toml ([`segql_project::settings::check_bindings`]), and a binding with a
/// mistake is left out.
pub fn bindings(inputs: &Inputs) -> (Vec<segql_run::bind::Binding>, Vec<Diagnostic>) {
    use segql_run::bind::{Binding, Format, Source};
    let mut out = Vec::new();
    let Some(id) = inputs.config_id else {
        return (out, Vec::new());
    };
    let found = segql_project::settings::check_bindings(&inputs.config_text, id, None);
    for (relation, value) in &inputs.config.bindings {
        if found.iter().any(|(r, _)| r == relation) {
            continue;
        }
        let source = match value.get_ref() {
            toml::Value::String(p) => Source::Files {
                path: p.clone(),
                format: None,
                hive_partitioning: false,
            },
            toml::Value::Table(t) => {
                let get = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
                match (get("path"), get("duckdb"), get("table")) {
                    (Some(path), _, _) => Source::Files {
                        path,
                        format: match get("format").as_deref() {
                            Some("parquet") => Some(Format::Parquet),
                            Some("csv") => Some(Format::Csv),
                            Some("json") => Some(Format::Json),
                            _ => None,
                        },
                        hive_partitioning: t
                            .get("hive_partitioning")
                            .and_then(|v| v.as_bool())
                            .unwrap_or(false),
                    },
                    (None, Some(file), Some(table)) => Source::DuckDb { file, table },
                    _ => continue,
                }
            }
            _ => continue,
        };
        out.push(Binding {
            relation: relation.clone(),
            source,
        });
    }
    (out, found.into_iter().map(|(_, d)| d).collect())
}
