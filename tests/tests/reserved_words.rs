//! Names that are reserved words, on the engines themselves.
//!
//! For DuckDB, PostgreSQL, ClickHouse (chdb) and Spark SQL (databricks), each with its
//! own dialect's SQL:
//!
//! 1. the engine's own keyword table (`duckdb_keywords()`, `pg_get_keywords()`,
//!    `system.keywords`, Spark's `sql_keywords()` with ANSI reserved words enforced) is
//!    read, and every word it reserves must be in the dialect's list
//!    (`segql_plan::dialect::reserved`), so a newer engine that reserves more fails here;
//! 2. every word of every dialect's list, every sqlparser keyword and every word of the
//!    engine's keyword table is used, `CHUNK` words to a project, as the entity's
//!    columns, its key, the events' key, name, time and property columns, schema and table names, and
//!    as segment and metric names; the batch statement (one column per segment, then a
//!    row per member and segment) and a report run, and every segment must find exactly
//!    its member;
//! 3. on DuckDB, PostgreSQL and ClickHouse, every word of every list is also a schema
//!    and a table name (Spark takes too long to create hundreds of tables; it gets the
//!    names the chunks use).
//!
//! A missing engine is skipped with the reason printed; in CI (`CI` set, `engines::in_ci`) it fails.

use segql_plan::compile::{self, Options, Request};
use segql_plan::dialect;
use segql_plan::ir::Program;
use segql_syntax::ast::Type;
use segql_tests::engines::{self, loader_ident, Engine, Missing, ENGINES};
use segql_tests::inline_project;
use std::collections::BTreeSet;

/// Words per project.
const CHUNK: usize = 200;

/// Segments per chunk in the long batch.
const LONG: usize = 12;

/// The words the engine reserves by its own keyword table, and every word of it.
fn engine_keywords(e: &mut dyn Engine) -> Result<(BTreeSet<String>, BTreeSet<String>), String> {
    let rows = match e.name() {
        "duckdb" => e.rows("SELECT keyword_name, keyword_category FROM duckdb_keywords()")?,
        "postgres" => e.rows("SELECT word, catcode::text FROM pg_get_keywords()")?,
        "clickhouse" => e.rows("SELECT keyword, 'unreserved' FROM system.keywords")?,
        "spark" => {
            e.execute("SET spark.sql.ansi.enforceReservedKeywords = true")?;
            let rows = e.rows("SELECT keyword, CAST(reserved AS STRING) FROM sql_keywords()");
            e.execute("SET spark.sql.ansi.enforceReservedKeywords = false")?;
            rows?
        }
        other => return Err(format!("no keyword table for {other}")),
    };
    let mut reserved = BTreeSet::new();
    let mut all = BTreeSet::new();
    for r in rows {
        let (Some(word), Some(cat)) = (r.first().cloned().flatten(), r.get(1).cloned().flatten())
        else {
            continue;
        };
        // ClickHouse lists phrases (`ORDER BY`): each word of one is a keyword.
        for w in word.to_ascii_lowercase().split_whitespace() {
            all.insert(w.to_string());
        }
        let is_reserved = match e.name() {
            "duckdb" => cat != "unreserved",
            "postgres" => cat == "R" || cat == "T",
            "spark" => cat == "true",
            _ => false,
        };
        if is_reserved {
            reserved.insert(word.to_ascii_lowercase());
        }
    }
    Ok((reserved, all))
}

/// Every word of every list and every sqlparser keyword, plus `extra`: plain names only.
fn candidates(extra: &BTreeSet<String>) -> Vec<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    for d in dialect::all() {
        out.extend(d.reserved_words().iter().map(|w| w.to_string()));
    }
    out.extend(
        sqlparser::keywords::ALL_KEYWORDS
            .iter()
            .map(|k| k.to_ascii_lowercase()),
    );
    out.extend(extra.iter().cloned());
    // `z`-names are the projects' own; no keyword starts with `zz`.
    out.retain(|w| dialect::plain(w, &[]) && !w.starts_with("zz"));
    out.into_iter().collect()
}

/// A project whose names are `words` (at least 8): see the module's documentation.
fn chunk_project(words: &[String]) -> String {
    let n = |w: &String| format!("`{w}`");
    let (schema, table, key, ev_schema, ev_table, ev_name, ev_time, prop) = (
        n(&words[0]),
        n(&words[1]),
        n(&words[2]),
        n(&words[3]),
        n(&words[4]),
        n(&words[5]),
        n(&words[6]),
        n(&words[7]),
    );
    let columns: Vec<String> = words
        .iter()
        .filter(|w| *w != &words[2])
        .map(|w| format!("    {} string", n(w)))
        .collect();
    let segments: Vec<String> = words
        .iter()
        .filter(|w| *w != &words[2])
        .map(|w| format!("segment {} of zzu {{\n  where {} = \"v\"\n}}\n", n(w), n(w)))
        .collect();
    let metrics: Vec<String> = words
        .iter()
        .filter(|w| *w != &words[2])
        .map(|w| format!("  metric {} = count where {} = \"v\"", n(w), n(w)))
        .collect();
    let header: Vec<String> = std::iter::once(key.clone())
        .chain(words.iter().filter(|w| *w != &words[2]).map(n))
        .collect();
    let row = |k: &str, v: &str| {
        let mut cells = vec![format!("\"{k}\"")];
        cells.extend(std::iter::repeat_n(format!("\"{v}\""), header.len() - 1));
        format!("    | {} |", cells.join(" | "))
    };
    format!(
        r#"
entity zzu {{
  table {schema}.{table}
  key {key}
  columns {{
{columns}
  }}
}}
events zze of zzu {{
  table {ev_schema}.{ev_table}
  key {key}
  name {ev_name}
  time {ev_time}
  properties {{
    {prop} string
  }}
}}
{segments}
segment zzdid of zzu {{
  where did "e" with {prop} = "v" in last 7 days
}}
report zzr {{
  segments [{seg0}, zzdid]
{metrics}
}}
test zzt {{
  as_of 2024-06-01T00:00:00Z
  given zzu {{
    | {header} |
{row1}
{row2}
  }}
  given zze {{
    | {key} | {ev_name} | {ev_time} | {prop} |
    | "k1" | "e" | 2024-05-30T00:00:00Z | "v" |
    | "k2" | "e" | 2024-05-30T00:00:00Z | "x" |
  }}
}}
"#,
        columns = columns.join("\n"),
        segments = segments.join("\n"),
        seg0 = n(&words[0]),
        metrics = metrics.join("\n"),
        header = header.join(" | "),
        row1 = row("k1", "v"),
        row2 = row("k2", "x"),
    )
}

/// Runs one chunk. The wide batch (a boolean column per segment) must be true for `k1`
/// and false for `k2` in every column; the long batch, over the first `LONG` segments
/// (it reads each segment's column bare in a `WHERE`; a hundred arms of it are slow on
/// a debug build of DuckDB), must give each exactly `k1`; the report (every word a
/// metric, read bare in the outer SELECT) must count 1 for each on its first row.
fn run_chunk(e: &mut dyn Engine, p: &Program) -> Vec<String> {
    let mut problems = Vec::new();
    let d = e.dialect();
    let t = &p.tests[0];
    let loaded = segql_tests::conformance::tables(p, t)
        .and_then(|tables| tables.iter().try_for_each(|tb| e.load(tb)));
    if let Err(err) = loaded {
        return vec![format!("loading: {err}")];
    }
    let o = Options::literal(t.as_of);
    let ids: Vec<usize> = (0..p.segments.len()).collect();
    let mut run = |what: &str, q: Result<compile::Query, compile::Unsupported>| {
        q.map_err(|u| format!("{what} does not compile: {u}"))
            .and_then(|q| {
                e.rows(&compile::to_sql(&q))
                    .map_err(|err| format!("{what} fails: {err}"))
            })
    };
    match run(
        "the wide batch",
        compile::compile(p, &Request::batch(&ids), d, o),
    ) {
        Err(err) => problems.push(err),
        Ok(rows) => {
            let truth = |v: &Option<String>| match v.as_deref() {
                Some("true") | Some("t") | Some("1") => Some(true),
                Some("false") | Some("f") | Some("0") => Some(false),
                _ => None,
            };
            for r in &rows {
                let want = match r.first().and_then(|k| k.as_deref()) {
                    Some("k1") => true,
                    Some("k2") => false,
                    other => {
                        problems.push(format!("the wide batch has a row for {other:?}"));
                        continue;
                    }
                };
                for (s, v) in p.segments.iter().zip(&r[1..]) {
                    if truth(v) != Some(want) {
                        problems.push(format!("segment `{}`: {v:?} for {:?}", s.name, r[0]));
                    }
                }
            }
            if rows.len() != 2 {
                problems.push(format!("the wide batch has {} rows", rows.len()));
            }
        }
    }
    let long: Vec<usize> = ids.iter().copied().take(LONG).collect();
    match run(
        "the long batch",
        compile::compile(p, &Request::batch_long(&long), d, o),
    ) {
        Err(err) => problems.push(err),
        Ok(rows) => {
            for &id in &long {
                let s = &p.segments[id];
                let members: Vec<String> = rows
                    .iter()
                    .filter(|r| r.first().and_then(|v| v.as_deref()) == Some(s.name.as_str()))
                    .filter_map(|r| r.get(1).cloned().flatten())
                    .collect();
                if members != ["k1"] {
                    problems.push(format!("segment `{}`: members {members:?}", s.name));
                }
            }
        }
    }
    match run("the report", compile::compile(p, &Request::Report(0), d, o)) {
        Err(err) => problems.push(err),
        Ok(rows) => {
            let first = rows.first().cloned().unwrap_or_default();
            if first.len() < 2 || first.iter().skip(1).any(|c| c.as_deref() != Some("1")) {
                problems.push(format!("the report's first row: {first:?}"));
            }
        }
    }
    problems
}

/// Words that cannot name a schema on an engine, whatever the quoting: (engine, word,
/// why). docs/dialects.md lists them.
const SCHEMA_NAMES_TAKEN: &[(&str, &str, &str)] = &[(
    "duckdb",
    "system",
    "DuckDB's built-in `system` catalog makes `system.x` ambiguous",
)];

/// Every word as a schema and a table name: one table each, read back in one query.
/// PostgreSQL gets all the statements in one script (a `psql` run each would take
/// minutes).
fn run_relation_names(e: &mut dyn Engine, words: &[String]) -> Vec<String> {
    let d = e.dialect();
    let words: Vec<&String> = words
        .iter()
        .filter(|w| {
            !SCHEMA_NAMES_TAKEN
                .iter()
                .any(|(en, tw, _)| *en == e.name() && tw == w)
        })
        .collect();
    let mut problems = Vec::new();
    let mut script = Vec::new();
    let mut arms = Vec::new();
    for w in &words {
        // Created as the loader writes names (always quoted), read as segql writes them.
        let ddl_name = format!("{}.{}", loader_ident(d, w), loader_ident(d, w));
        let name = format!("{}.{}", d.render_ident(w), d.render_ident(w));
        let statements = [
            e.create_schema(w),
            format!("DROP TABLE IF EXISTS {ddl_name}"),
            format!(
                "CREATE TABLE {ddl_name} (zzk {}){}",
                e.column_type(Type::String, true),
                e.table_options()
            ),
            format!(
                "INSERT INTO {ddl_name} (zzk) VALUES ({})",
                d.render_string(w)
            ),
        ];
        if e.name() == "postgres" {
            script.extend(statements);
        } else if let Err(err) = statements.iter().try_for_each(|s| e.execute(s)) {
            problems.push(format!("`{w}` as a schema and table name: {err}"));
            continue;
        }
        arms.push(format!("SELECT zzk FROM {name}"));
    }
    if !script.is_empty() {
        if let Err(err) = e.execute(&format!("{};", script.join(";\n"))) {
            problems.push(format!("creating the tables: {err}"));
        }
    }
    match e.rows(&arms.join("\nUNION ALL\n")) {
        Err(err) => problems.push(format!("reading every table: {err}")),
        Ok(rows) => {
            let got: BTreeSet<String> = rows.into_iter().filter_map(|r| r[0].clone()).collect();
            let want: BTreeSet<String> = words.iter().map(|w| w.to_string()).collect();
            if got != want {
                problems.push(format!(
                    "tables read back: missing {:?}",
                    want.difference(&got).collect::<Vec<_>>()
                ));
            }
        }
    }
    problems
}

fn run_engine(e: &mut dyn Engine) -> Vec<String> {
    let t0 = std::time::Instant::now();
    let problems = run_engine_checks(e);
    println!(
        "reserved_words: {}: {:.1} s",
        e.name(),
        t0.elapsed().as_secs_f64()
    );
    problems
}

fn run_engine_checks(e: &mut dyn Engine) -> Vec<String> {
    let d = e.dialect();
    let mut problems = Vec::new();
    let (reserved, all) = match engine_keywords(e) {
        Ok(k) => k,
        Err(err) => return vec![format!("reading the keyword table: {err}")],
    };
    for w in &reserved {
        if dialect::plain(w, d.reserved_words()) {
            problems.push(format!(
                "`{w}` is reserved by the engine but not in segql's {} list",
                d.name()
            ));
        }
    }
    let words = candidates(&all);
    for chunk in words.chunks(CHUNK) {
        // A project needs 8 words; a short last chunk takes the 8 last words instead.
        let chunk = if chunk.len() < 8 {
            &words[words.len().saturating_sub(8)..]
        } else {
            chunk
        };
        let (_, p) = inline_project("reserved.seg", &chunk_project(chunk));
        for problem in run_chunk(e, &p) {
            problems.push(format!(
                "[{} .. {}] {problem}",
                chunk[0],
                chunk[chunk.len() - 1]
            ));
        }
    }
    if e.name() != "spark" {
        let mut listed: BTreeSet<String> = BTreeSet::new();
        for d in dialect::all() {
            listed.extend(d.reserved_words().iter().map(|w| w.to_string()));
        }
        let listed: Vec<String> = listed.into_iter().collect();
        problems.extend(run_relation_names(e, &listed));
    }
    problems
}

#[test]
fn every_engine_reads_every_keyword_as_a_name() {
    let handles: Vec<_> = ENGINES
        .iter()
        .map(|&name| {
            std::thread::spawn(move || -> (&'static str, Result<Vec<String>, Missing>) {
                match engines::start_selected(name) {
                    Err(m) => (name, Err(m)),
                    Ok(mut e) => (name, Ok(run_engine(e.as_mut()))),
                }
            })
        })
        .collect();
    let mut failures = Vec::new();
    let mut missing = Vec::new();
    let mut ran = 0;
    for h in handles {
        let (name, outcome) = h.join().expect("an engine thread panicked");
        match outcome {
            Err(m) => {
                engines::report_skip("reserved_words", name, &m);
                missing.push(format!("{name}: {}", m.0));
            }
            Ok(problems) => {
                ran += 1;
                failures.extend(problems.into_iter().map(|p| format!("{name}: {p}")));
            }
        }
    }
    if !missing.is_empty() && engines::in_ci() {
        failures.push(format!(
            "CI is set, so every engine must run; missing:\n  {}",
            missing.join("\n  ")
        ));
    }
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(ran > 0, "no engine ran");
}
