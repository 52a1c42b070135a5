//! Binding a project's relations to its local data, with problems as diagnostics.

use crate::project::{self, Workspace};
use anyhow::{bail, Result};
use segql_plan::ir::GivenSourceDef;
use segql_plan::ir::Program;
use segql_run::codes::WRITE_REFUSED;
use segql_run::guard::{Reader, Sources};
use segql_run::Engine;
use segql_syntax::diag::Diagnostic;
use segql_syntax::Span;
use std::path::Path;

/// An in-memory DuckDB with a view over every relation's data (those in `only`, when
/// given), or every problem found.
/// Once bound, DuckDB can read the bound files and write `writable` (the output being
/// written), nothing else ([`Engine::lock_down`]).
pub fn bind(
    ws: &Workspace,
    program: &Program,
    only: Option<&std::collections::BTreeSet<String>>,
    writable: &[String],
) -> Result<std::result::Result<Engine, Vec<Diagnostic>>> {
    bind_then(ws, program, only, writable, &|_| Ok(()))
}

/// [`bind`], with `before_lock` run on the bound engine before DuckDB's file access is
/// turned off (to attach segql's state).
pub fn bind_then(
    ws: &Workspace,
    program: &Program,
    only: Option<&std::collections::BTreeSet<String>>,
    writable: &[String],
    before_lock: &dyn Fn(&Engine) -> Result<()>,
) -> Result<std::result::Result<Engine, Vec<Diagnostic>>> {
    let Some(root) = &ws.inputs.root else {
        bail!(
            "running needs a project: a directory with a segql.toml whose [bindings] say where each table's data is\n  hint: `segql init` creates one"
        );
    };
    let (bindings, mut diags) = project::bindings(&ws.inputs);
    let engine = Engine::in_memory().map_err(|e| anyhow::anyhow!("{e}"))?;
    let bound = engine.bind_only(&program.catalog, &bindings, root, only);
    for p in bound.problems {
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
        let mut d = Diagnostic::error(p.code, span, msg).with_label(if binding_span.is_some() {
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
    if !diags.is_empty() {
        return Ok(Err(diags));
    }
    before_lock(&engine)?;
    engine
        .lock_down(&bound.access, writable)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Ok(engine))
}

/// Every file the project reads: its bindings' paths and globs, and the files its
/// tests take given rows from (when the program is known).
pub fn sources(inputs: &project::Inputs, program: Option<&Program>) -> Sources {
    let mut sources = Sources::new();
    let Some(root) = &inputs.root else {
        return sources;
    };
    let (bindings, _) = project::bindings(inputs);
    for b in &bindings {
        sources.add_binding(&b.relation, &b.source, root);
    }
    if let Some(p) = program {
        for (ti, t) in p.tests.iter().enumerate() {
            for (gi, g) in t.givens.iter().enumerate() {
                if let GivenSourceDef::File(path) = &g.source {
                    sources.add(
                        Reader::Given {
                            test: ti,
                            given: gi,
                        },
                        path,
                        root,
                    );
                }
            }
        }
    }
    sources
}

/// A refusal (E0704) when segql would write `path` over or into a source: pointing at
/// the binding in segql.toml, or at the test's `given ... from`.
pub fn refuse_write(
    inputs: &project::Inputs,
    program: Option<&Program>,
    sources: &Sources,
    path: &Path,
    what: &str,
) -> Option<Diagnostic> {
    let entry = sources.reader_of(path)?;
    let shown = project::display_path(path);
    let (span, reader) = match &entry.reader {
        Reader::Binding(relation) => (
            inputs.config_id.and_then(|id| {
                inputs.config.bindings.get(relation).map(|v| {
                    let r = v.span();
                    Span::new(id, r.start as u32, r.end as u32)
                })
            }),
            format!("the binding of `{relation}` reads"),
        ),
        Reader::Given { test, given } => (
            program.map(|p| p.tests[*test].givens[*given].span),
            format!(
                "test `{}` takes given rows from",
                program.map(|p| p.tests[*test].name.as_str()).unwrap_or("?")
            ),
        ),
    };
    let glob = entry.written.contains(['*', '?', '[']);
    let message = if glob {
        format!(
            "will not write {what} {shown}: {reader} `{}`, which matches it (it would be read as data)",
            entry.written
        )
    } else {
        format!("will not write {what} {shown}: {reader} it")
    };
    Some(
        Diagnostic::error(WRITE_REFUSED, span.unwrap_or_default(), message)
            .with_label("this reads it")
            .with_hint(
                "segql never writes over or into its own sources: write to another file or folder",
            ),
    )
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

/// A query that failed while running, with its code: a value of a CSV file that cannot
/// be read as its catalog type is E0703 (DuckDB's message names the line, and the
/// runner adds the file), anything else E0705. A statement the runner refused
/// to run keeps its own code.
pub fn query_error(e: &segql_run::engine::Error) -> crate::output::Coded {
    use segql_run::codes::{BAD_VALUE, QUERY_FAILED};
    let m = e.message.as_str();
    if let Some((code, rest)) = m
        .strip_prefix('[')
        .and_then(|r| r.split_once("] "))
        .and_then(|(c, rest)| {
            segql_run::codes::ALL
                .iter()
                .chain(segql_target::codes::ALL)
                .find(|(k, _)| *k == c)
                .map(|(k, _)| (*k, rest))
        })
    {
        return crate::output::Coded {
            code,
            message: rest.to_string(),
        };
    }
    // DuckDB's CSV reader names the line (and the file, see `engine::clean_message`);
    // any other conversion error is the query's (a `sql` predicate's CAST, say).
    let bad_value = m.contains("CSV Error on Line");
    // The file as the user knows it, not as segql gave it to DuckDB.
    let message = m
        .lines()
        .map(|l| match l.strip_prefix("File: ") {
            Some(f) => format!("File: {}", project::display_path(Path::new(f))),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    crate::output::Coded {
        code: if bad_value { BAD_VALUE } else { QUERY_FAILED },
        message,
    }
}

/// Refuses (E0704, printed as a diagnostic) to write `path` when a source reads it.
pub fn check_write(
    map: &segql_syntax::SourceMap,
    inputs: &project::Inputs,
    program: Option<&Program>,
    sources: &Sources,
    path: &Path,
    what: &str,
    color: bool,
) -> Result<()> {
    match refuse_write(inputs, program, sources, path, what) {
        None => Ok(()),
        Some(d) => {
            crate::output::print_diagnostics(map, std::slice::from_ref(&d), color);
            Err(crate::output::Coded {
                code: WRITE_REFUSED,
                message: format!("nothing written to {}", project::display_path(path)),
            }
            .into())
        }
    }
}

/// How long after an events relation's last event an instant is warned about (W0720).
pub const STALE_DAYS: i64 = 30;

/// Warnings about the data a run reads, on stderr, from one scan per events relation
/// among `relations`:
/// - W0720 when its last event is more than [`STALE_DAYS`] days before `as_of`: windows
///   ending at `as_of` would see little or nothing of it (the usual cause: a dataset
///   that ends in the past, run at the default as_of of now). Data refreshed daily or
///   weekly never warns.
/// - W0721 for each event name in `names` (the names the selected statements use, for
///   relations whose catalog does not declare its `names`) that no row carries: a
///   misspelled name gives no members rather than an error. The hint names the closest
///   name in the data (a second scan, only then).
///
/// A failure to read the data says nothing.
pub fn warn_about_data(
    engine: &Engine,
    program: &Program,
    relations: &std::collections::BTreeSet<String>,
    names: &std::collections::BTreeMap<usize, std::collections::BTreeSet<String>>,
    as_of: i64,
    color: bool,
) {
    const DAY: i64 = 86_400_000_000;
    for (id, ev) in program.catalog.events.iter().enumerate() {
        let name = ev.table.join(".");
        if !relations.contains(&name) {
            continue;
        }
        let table = segql_run::sqltext::dotted(&ev.table);
        // The names to look for: those used, where the catalog does not declare them.
        let (column, wanted): (Option<&str>, Vec<&String>) = match (&ev.source, &ev.names) {
            (segql_plan::ir::EventSource::Column(c), None) => (
                Some(c.as_str()),
                names.get(&id).into_iter().flatten().collect(),
            ),
            _ => (None, Vec::new()),
        };
        let mut select = vec![format!(
            "epoch_us(max(CAST({} AS TIMESTAMP)))",
            segql_run::sqltext::ident(&ev.time)
        )];
        if let Some(c) = column {
            let c = segql_run::sqltext::ident(c);
            select.extend(
                wanted
                    .iter()
                    .map(|n| format!("bool_or({c} = {})", segql_run::sqltext::literal(n))),
            );
        }
        // The rows, for statistics counted at another size (W0722).
        let counted = program.stats.relations.get(&name).map(|c| c.rows);
        if counted.is_some() {
            select.push("count(*)".to_string());
        }
        let sql = format!("SELECT {} FROM {table}", select.join(", "));
        let Some(row) = engine
            .rows(&sql)
            .ok()
            .and_then(|(_, rows)| rows.into_iter().next())
        else {
            continue;
        };
        let last = row
            .first()
            .cloned()
            .flatten()
            .and_then(|v| v.parse::<i64>().ok());
        let missing: Vec<&String> = wanted
            .iter()
            .zip(row.iter().skip(1))
            .filter(|(_, seen)| seen.as_deref() != Some("true"))
            .map(|(n, _)| *n)
            .collect();
        if let (Some(c), false, Some(_)) = (column, missing.is_empty(), last) {
            let present = names_in(engine, &table, c);
            for n in missing {
                let hint = match segql_syntax::parser::did_you_mean(
                    n,
                    present.iter().map(String::as_str),
                ) {
                    Some(m) => format!("did you mean \"{m}\"? (it occurs in {name})"),
                    None => format!(
                        "the names in {name} are {}; declare them with `names [...]` in the catalog to make this a check error",
                        shown(&present)
                    ),
                };
                crate::output::print_warning(
                    segql_run::codes::NAME_NOT_IN_DATA,
                    &format!("no event in {name} is named \"{n}\": conditions on it hold for no one\n  hint: {hint}"),
                    color,
                );
            }
        }
        let rows = counted
            .and_then(|_| row.last().cloned().flatten())
            .and_then(|v| v.parse::<u64>().ok());
        if let (Some(then), Some(now)) = (counted, rows) {
            if now > then.saturating_mul(2) || now.saturating_mul(2) < then {
                crate::output::print_warning(
                    segql_run::codes::STATS_STALE,
                    &format!(
                        "{name} has {now} rows; segql-stats.json counted {then}: plans chosen by those counts may be slow (never wrong)\n  hint: run `segql stats` to count again"
                    ),
                    color,
                );
            }
        }
        let Some(last) = last else { continue };
        if as_of - last > STALE_DAYS * DAY {
            let days = (as_of - last) / DAY;
            let end = segql_syntax::time::format_timestamp(last);
            crate::output::print_warning(
                segql_run::codes::DATA_ENDS_BEFORE,
                &format!(
                    "as of {} is {days} day{} after the last event in {name} ({end}): windows ending then see little or nothing of it\n  hint: pass --as-of {end} to evaluate at the end of the data",
                    segql_syntax::time::format_timestamp(as_of),
                    if days == 1 { "" } else { "s" },
                ),
                color,
            );
        }
    }
}

/// The event names that occur in a relation, most frequent first (at most 200).
fn names_in(engine: &Engine, table: &str, column: &str) -> Vec<String> {
    let c = segql_run::sqltext::ident(column);
    let sql = format!(
        "SELECT CAST({c} AS VARCHAR) FROM {table} WHERE {c} IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 200"
    );
    engine
        .rows(&sql)
        .map(|(_, rows)| {
            rows.into_iter()
                .filter_map(|r| r.into_iter().next().flatten())
                .collect()
        })
        .unwrap_or_default()
}

/// The first few names, quoted.
fn shown(names: &[String]) -> String {
    if names.is_empty() {
        return "none (the relation is empty)".to_string();
    }
    let first: Vec<String> = names.iter().take(8).map(|n| format!("\"{n}\"")).collect();
    if names.len() > 8 {
        format!("{}, and {} more", first.join(", "), names.len() - 8)
    } else {
        first.join(", ")
    }
}
