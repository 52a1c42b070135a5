//! Finding a project's files lives in segql-project (shared with the language server);
//! what is left here is what needs the runner: `[bindings]` as segql-run takes them.

pub use segql_project::*;
use segql_syntax::diag::Diagnostic;

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
