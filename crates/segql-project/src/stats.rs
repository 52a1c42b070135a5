//! `segql-stats.json`: the event name counts `segql stats` takes from the data,
//! which the planner reads ([`segql_plan::stats`]). It lives beside `segql.toml` and is
//! meant to be committed, so that CI compiles the statements a local run executes; a
//! project without it is planned as if nothing were known about its data.
//!
//! This module reads and writes the file; segql-run counts the data.

use crate::codes::STATS_INVALID;
use segql_plan::stats::{NameCounts, Statistics};
use segql_syntax::diag::Diagnostic;
use segql_syntax::{SourceMap, Span};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const STATS_FILE: &str = "segql-stats.json";

/// The version of the file's form this segql writes and reads.
pub const VERSION: u32 = 1;

const HINT: &str =
    "run `segql stats` to count the data again, or delete the file to plan without statistics";

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    segql_stats: u32,
    /// When the counts were taken (RFC 3339), for people reading the file.
    sampled_at: String,
    relations: BTreeMap<String, Relation>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Relation {
    /// The relation's rows.
    rows: u64,
    /// The rows the name counts were taken from (all of them, as `segql stats` counts).
    sampled: u64,
    /// Rows of each event name.
    names: BTreeMap<String, u64>,
    /// The most rows of each name one key has.
    #[serde(default)]
    max_per_key: BTreeMap<String, u64>,
}

/// The file's text for these relations' counts, by table (dotted).
pub fn to_json(sampled_at: &str, relations: &[(String, NameCounts)]) -> String {
    let f = File {
        segql_stats: VERSION,
        sampled_at: sampled_at.to_string(),
        relations: relations
            .iter()
            .map(|(table, c)| {
                (
                    table.clone(),
                    Relation {
                        rows: c.rows,
                        sampled: c.sampled,
                        names: c.names.clone(),
                        max_per_key: c.max_per_key.clone(),
                    },
                )
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&f).expect("statistics serialize");
    s.push('\n');
    s
}

/// The statistics of the project at `root`: `Ok(None)` without a `segql-stats.json`, an
/// error diagnostic pointing into it when it cannot be read.
pub fn read(root: &Path, map: &mut SourceMap) -> Result<Option<Statistics>, Box<Diagnostic>> {
    let path = root.join(STATS_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            let id = map.add(crate::display_path(&path), String::new());
            return Err(Box::new(
                Diagnostic::error(
                    STATS_INVALID,
                    Span::new(id, 0, 0),
                    format!("cannot read {STATS_FILE}: {e}"),
                )
                .with_hint(HINT),
            ));
        }
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let id = map.add(crate::display_path(&path), text.clone());
    let at = |line: usize, column: usize| -> u32 {
        let start: usize = text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum();
        (start + column.saturating_sub(1)).min(text.len()) as u32
    };
    let bad = |offset: u32, message: String, label: &str| {
        Box::new(
            Diagnostic::error(STATS_INVALID, Span::new(id, offset, offset), message)
                .with_label(label)
                .with_hint(HINT),
        )
    };
    // The version first, so that a newer file is refused as newer, not as malformed.
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
        if let Some(n) = v.get("segql_stats").and_then(serde_json::Value::as_u64) {
            if n > u64::from(VERSION) {
                let offset = text.find("\"segql_stats\"").unwrap_or(0) as u32;
                return Err(bad(
                    offset,
                    format!(
                        "{STATS_FILE} is of version {n}, written by a newer segql; this one reads version {VERSION}"
                    ),
                    "this version",
                ));
            }
        }
    }
    let f: File = serde_json::from_str(&text).map_err(|e| {
        bad(
            at(e.line(), e.column()),
            format!("invalid {STATS_FILE}: {e}"),
            "here",
        )
    })?;
    if f.segql_stats != VERSION {
        let offset = text.find("\"segql_stats\"").unwrap_or(0) as u32;
        return Err(bad(
            offset,
            format!(
                "{STATS_FILE} is of version {}, not {VERSION}",
                f.segql_stats
            ),
            "this version",
        ));
    }
    let mut stats = Statistics::default();
    for (table, r) in f.relations {
        let seen: u64 = r.names.values().sum();
        if seen > r.sampled {
            let offset = text.find(&format!("\"{table}\"")).unwrap_or(0) as u32;
            return Err(bad(
                offset,
                format!(
                    "{STATS_FILE}: `{table}` counts {seen} named rows in a sample of {} rows",
                    r.sampled
                ),
                "this relation",
            ));
        }
        stats.relations.insert(
            table,
            NameCounts {
                sampled: r.sampled,
                names: r.names,
                rows: r.rows,
                max_per_key: r.max_per_key,
            },
        );
    }
    Ok(Some(stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) {
        std::fs::write(dir.join(STATS_FILE), text).unwrap();
    }

    fn read_err(text: &str) -> (String, u32) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), text);
        let mut map = SourceMap::new();
        let d = read(dir.path(), &mut map).expect_err("refused");
        assert_eq!(d.code, STATS_INVALID);
        (d.message.clone(), d.span.start)
    }

    #[test]
    fn what_it_writes_it_reads() {
        let dir = tempfile::tempdir().unwrap();
        let mut counts = NameCounts::default();
        counts.names.insert("login".into(), 30);
        counts.names.insert("purchase".into(), 2);
        counts.max_per_key.insert("login".into(), 12);
        counts.sampled = 40;
        counts.rows = 40;
        let s = ("analytics.events".to_string(), counts.clone());
        write(dir.path(), &to_json("2026-12-05T00:00:00Z", &[s]));
        let mut map = SourceMap::new();
        let got = read(dir.path(), &mut map).unwrap().unwrap();
        assert_eq!(got.relations["analytics.events"], counts);
        // No file: no statistics, no error.
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(read(empty.path(), &mut map).unwrap(), None);
    }

    #[test]
    fn a_bad_file_is_refused_with_where() {
        let (m, at) = read_err("{\n  \"segql_stats\": 1,\n  \"sampled_at\": 3\n}\n");
        assert!(m.contains("invalid segql-stats.json"), "{m}");
        assert_eq!(at, 38, "{m}"); // the `3`
        let (m, _) = read_err("not json");
        assert!(m.contains("invalid"), "{m}");
        let (m, _) = read_err(r#"{"segql_stats": 7, "sampled_at": "", "relations": {}}"#);
        assert!(m.contains("newer segql"), "{m}");
        let (m, _) = read_err(
            r#"{"segql_stats": 1, "sampled_at": "", "relations": {"e": {"rows": 1, "sampled": 1, "names": {"a": 5}}}}"#,
        );
        assert!(m.contains("5 named rows in a sample of 1"), "{m}");
    }
}
