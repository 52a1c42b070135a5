//! Finding a project's files lives in segql-project (shared with the language server);
//! what is left here is what needs the runner: `[bindings]` as segql-run takes them.

pub use segql_project::*;

use segql_syntax::codes::CONFIG_INVALID;
use segql_syntax::diag::Diagnostic;
use segql_syntax::Span;

/// The `[bindings]` of segql.toml, as the runner takes them; mistakes are diagnostics
/// pointing into segql.toml.
pub fn bindings(inputs: &Inputs) -> (Vec<segql_run::bind::Binding>, Vec<Diagnostic>) {
    use segql_run::bind::{Binding, Format, Source};
    let mut out = Vec::new();
    let mut diags = Vec::new();
    let Some(id) = inputs.config_id else {
        return (out, diags);
    };
    let hint = "a binding is a path (\"data/events/*.parquet\"), a table { path = \"...\", format = \"csv\", hive_partitioning = true }, or { duckdb = \"warehouse.duckdb\", table = \"main.events\" }";
    for (relation, value) in &inputs.config.bindings {
        let r = value.span();
        let span = Span::new(id, r.start as u32, r.end as u32);
        let bad = |msg: String| {
            Diagnostic::error(
                CONFIG_INVALID,
                span,
                format!("invalid binding for `{relation}`: {msg}"),
            )
            .with_label("this binding")
            .with_hint(hint)
        };
        let source = match value.get_ref() {
            toml::Value::String(p) => Source::Files {
                path: p.clone(),
                format: None,
                hive_partitioning: false,
            },
            toml::Value::Table(t) => {
                let known = ["path", "format", "hive_partitioning", "duckdb", "table"];
                if let Some(k) = t.keys().find(|k| !known.contains(&k.as_str())) {
                    diags.push(bad(format!("unknown setting `{k}`")));
                    continue;
                }
                let get = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
                match (get("path"), get("duckdb")) {
                    (Some(path), None) => {
                        let format = match get("format").as_deref() {
                            None => None,
                            Some("parquet") => Some(Format::Parquet),
                            Some("csv") => Some(Format::Csv),
                            Some("json") => Some(Format::Json),
                            Some(other) => {
                                diags.push(bad(format!(
                                    "unknown format `{other}` (parquet, csv or json)"
                                )));
                                continue;
                            }
                        };
                        let hive = match t.get("hive_partitioning") {
                            None => false,
                            Some(toml::Value::Boolean(b)) => *b,
                            Some(_) => {
                                diags.push(bad("hive_partitioning is true or false".to_string()));
                                continue;
                            }
                        };
                        Source::Files {
                            path,
                            format,
                            hive_partitioning: hive,
                        }
                    }
                    (None, Some(file)) => match get("table") {
                        Some(table) => Source::DuckDb { file, table },
                        None => {
                            diags.push(bad("a duckdb binding names its `table`".to_string()));
                            continue;
                        }
                    },
                    (Some(_), Some(_)) => {
                        diags.push(bad("give either `path` or `duckdb`, not both".to_string()));
                        continue;
                    }
                    (None, None) => {
                        diags.push(bad(
                            "give `path` (a file or glob) or `duckdb` (a database file)"
                                .to_string(),
                        ));
                        continue;
                    }
                }
            }
            _ => {
                diags.push(bad("expected a path or a table".to_string()));
                continue;
            }
        };
        out.push(Binding {
            relation: relation.clone(),
            source,
        });
    }
    (out, diags)
}
