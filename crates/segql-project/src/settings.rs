//! Every setting of `[bindings]` in segql.toml checked, each mistake a diagnostic
//! (E0150) pointing at the key or value in segql.toml, with a did-you-mean.

use segql_syntax::codes::CONFIG_INVALID;
use segql_syntax::diag::Diagnostic;
use segql_syntax::parser::did_you_mean;
use segql_syntax::{FileId, Span};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

const PATH_KEYS: &[&str] = &["path", "format", "hive_partitioning"];
const DUCKDB_KEYS: &[&str] = &["duckdb", "table"];
const FORMATS: &[&str] = &["parquet", "csv", "json"];
const HINT: &str = "a binding is a path (\"data/events/*.parquet\"), a table { path = \"...\", format = \"csv\", hive_partitioning = true }, or { duckdb = \"warehouse.duckdb\", table = \"main.events\" }";

/// `a string`, `an integer`: a TOML value's type with its article.
fn a(type_str: &str) -> String {
    if type_str.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {type_str}")
    } else {
        format!("a {type_str}")
    }
}

fn span<T>(id: FileId, s: &Spanned<T>) -> Span {
    let r = s.span();
    Span::new(id, r.start as u32, r.end as u32)
}

/// The mistakes in `[bindings]` of segql.toml's `text`, each with its relation. `tables`: the catalog's
/// tables (dotted), when known, to report a binding for a table no declaration reads.
pub fn check_bindings(
    text: &str,
    id: FileId,
    tables: Option<&[String]>,
) -> Vec<(String, Diagnostic)> {
    let mut out = Vec::new();
    let Ok(doc) = DeTable::parse(text) else {
        // A malformed file is reported by the deserializer already.
        return out;
    };
    let Some((_, bindings)) = doc
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == "bindings")
    else {
        return out;
    };
    let DeValue::Table(bindings) = bindings.get_ref() else {
        return out;
    };
    for (relation, value) in bindings {
        let rel = relation.get_ref().as_ref();
        let mut found = Vec::new();
        let err = |at: Span, message: String, label: &str| {
            Diagnostic::error(
                CONFIG_INVALID,
                at,
                format!("invalid binding for `{rel}`: {message}"),
            )
            .with_label(label.to_string())
        };
        if let Some(tables) = tables {
            if !tables.iter().any(|t| t == rel) {
                let hint = did_you_mean(rel, tables.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("the catalog's tables are {}", tables.join(", ")));
                found.push(
                    Diagnostic::error(
                        CONFIG_INVALID,
                        span(id, relation),
                        format!(
                            "a binding for `{rel}`, a table no entity, extra table or events relation reads"
                        ),
                    )
                    .with_label("not a table of the catalog")
                    .with_hint(hint),
                );
            }
        }
        match value.get_ref() {
            DeValue::String(_) => {}
            DeValue::Table(t) => {
                let has = |k: &str| t.iter().any(|(key, _)| key.get_ref().as_ref() == k);
                let duckdb = has("duckdb");
                for (key, v) in t {
                    let k = key.get_ref().as_ref();
                    let at = span(id, key);
                    if !PATH_KEYS.contains(&k) && !DUCKDB_KEYS.contains(&k) {
                        let all = PATH_KEYS.iter().chain(DUCKDB_KEYS);
                        let hint = did_you_mean(k, all.copied())
                            .map(|s| format!("did you mean `{s}`? {HINT}"))
                            .unwrap_or_else(|| HINT.to_string());
                        found.push(
                            err(
                                at,
                                format!("unknown setting `{k}`"),
                                "not a setting of a binding",
                            )
                            .with_hint(hint),
                        );
                        continue;
                    }
                    let wrong = |expected: &str| {
                        err(
                            span(id, v),
                            format!("`{k}` is {expected}, not {}", a(v.get_ref().type_str())),
                            "a value of the wrong type",
                        )
                        .with_hint(HINT)
                    };
                    match (k, v.get_ref()) {
                        ("hive_partitioning", DeValue::Boolean(_)) => {}
                        ("hive_partitioning", _) => found.push(wrong("true or false")),
                        ("format", DeValue::String(f)) => {
                            if !FORMATS.contains(&f.as_ref()) {
                                let hint = did_you_mean(f, FORMATS.iter().copied())
                                    .map(|s| format!("did you mean \"{s}\"?"))
                                    .unwrap_or_else(|| {
                                        "the formats are parquet, csv and json".to_string()
                                    });
                                found.push(
                                    err(
                                        span(id, v),
                                        format!("unknown format `{f}` (parquet, csv or json)"),
                                        "not a format",
                                    )
                                    .with_hint(hint),
                                );
                            }
                        }
                        (_, DeValue::String(_)) => {}
                        ("format", _) => {
                            found.push(wrong("a string: \"parquet\", \"csv\" or \"json\""))
                        }
                        _ => found.push(wrong("a string")),
                    }
                    // Settings of the other kind of binding.
                    if duckdb && PATH_KEYS.contains(&k) && k != "path" {
                        found.push(
                            err(
                                at,
                                format!("`{k}` applies to files; a duckdb binding reads a table"),
                                "not a setting of a duckdb binding",
                            )
                            .with_hint(HINT),
                        );
                    }
                    if !duckdb && k == "table" {
                        found.push(
                            err(at, "`table` names a table of a duckdb database; a path binding reads files".to_string(), "not a setting of a path binding")
                                .with_hint(HINT),
                        );
                    }
                }
                let whole = span(id, value);
                let unknown = t.iter().any(|(key, _)| {
                    let k = key.get_ref().as_ref();
                    !PATH_KEYS.contains(&k) && !DUCKDB_KEYS.contains(&k)
                });
                // With a misspelt setting, the shape is reported by that mistake alone.
                match (has("path") || unknown, duckdb) {
                    (true, true) => found.push(
                        err(
                            whole,
                            "give either `path` or `duckdb`, not both".to_string(),
                            "this binding",
                        )
                        .with_hint(HINT),
                    ),
                    (false, false) => found.push(
                        err(
                            whole,
                            "give `path` (a file or glob) or `duckdb` (a database file)"
                                .to_string(),
                            "this binding",
                        )
                        .with_hint(HINT),
                    ),
                    (false, true) if !has("table") => found.push(
                        err(
                            whole,
                            "a duckdb binding names its `table`".to_string(),
                            "this binding",
                        )
                        .with_hint(HINT),
                    ),
                    _ => {}
                }
            }
            other => found.push(
                err(
                    span(id, value),
                    format!("expected a path or a table, not {}", a(other.type_str())),
                    "a value of the wrong type",
                )
                .with_hint(HINT),
            ),
        }
        out.extend(found.into_iter().map(|d| (rel.to_string(), d)));
    }
    out
}
