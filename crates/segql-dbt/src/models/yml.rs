//! `schema.yml` and `sources.yml` of the written models.

use crate::yaml::{description, quoted};
use segql_plan::ir::{EntityId, Program, SegmentId};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// The models of `schema.yml`, in the order written.
#[derive(Default)]
pub(crate) struct Schema {
    out: String,
}

impl Schema {
    /// A segment's model: its key, unique and not null.
    pub(crate) fn segment(&mut self, p: &Program, s: SegmentId) {
        let seg = &p.segments[s];
        let ent = &p.catalog.entities[seg.entity];
        let what = format!(
            "members ({} keys) of segment {}, written by segql",
            ent.name, seg.name
        );
        let desc = match &seg.description {
            Some(d) => format!("{d}: {what}"),
            None => format!("The {what}"),
        };
        let o = &mut self.out;
        let _ = writeln!(o, "  - name: {}", quoted(&seg.name));
        let _ = writeln!(o, "    description: {}", description(&desc));
        if !seg.tags.is_empty() || seg.owner.is_some() {
            let _ = writeln!(o, "    config:");
            if !seg.tags.is_empty() {
                let tags: Vec<String> = seg.tags.iter().map(|t| quoted(t)).collect();
                let _ = writeln!(o, "      tags: [{}]", tags.join(", "));
            }
            if let Some(owner) = &seg.owner {
                let _ = writeln!(o, "      meta:");
                let _ = writeln!(o, "        owner: {}", quoted(owner));
            }
        }
        let _ = writeln!(o, "    columns:");
        key_column(o, &ent.key, &format!("The {}'s key", ent.name));
    }

    /// A batch model: the entity's key, then one boolean column per segment.
    pub(crate) fn batch(&mut self, p: &Program, e: EntityId, name: &str, ids: &[SegmentId]) {
        let ent = &p.catalog.entities[e];
        let names: Vec<&str> = ids.iter().map(|&i| p.segments[i].name.as_str()).collect();
        let o = &mut self.out;
        let _ = writeln!(o, "  - name: {}", quoted(name));
        let desc = format!(
            "One row per {}, with a column per segment saying whether it is a member ({}), written by segql",
            ent.name,
            names.join(", ")
        );
        let _ = writeln!(o, "    description: {}", description(&desc));
        let _ = writeln!(o, "    columns:");
        key_column(o, &ent.key, &format!("The {}'s key", ent.name));
        for &i in ids {
            let seg = &p.segments[i];
            let desc = match &seg.description {
                Some(d) => format!("Member of {}: {d}", seg.name),
                None => format!("Member of {}", seg.name),
            };
            let _ = writeln!(o, "      - name: {}", quoted(&seg.name));
            let _ = writeln!(o, "        description: {}", description(&desc));
            let _ = writeln!(o, "        data_type: boolean");
            let _ = writeln!(o, "        data_tests:");
            let _ = writeln!(o, "          - not_null");
        }
    }

    pub(crate) fn text(&self) -> String {
        format!(
            "# Written by segql (segql compile --dbt): the segments as dbt models.\nversion: 2\n\nmodels:\n{}",
            self.out
        )
    }
}

fn key_column(o: &mut String, key: &str, desc: &str) {
    let _ = writeln!(o, "      - name: {}", quoted(key));
    let _ = writeln!(o, "        description: {}", description(desc));
    let _ = writeln!(o, "        data_tests:");
    let _ = writeln!(o, "          - unique");
    let _ = writeln!(o, "          - not_null");
}

/// Whether dbt's unquoted name would be the catalog's: a plain lowercase name. Others
/// are quoted, as segql quotes them in its own SQL.
fn plain(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(x) if x.is_ascii_lowercase() || x == '_')
        && c.all(|x| x.is_ascii_lowercase() || x.is_ascii_digit() || x == '_')
}

/// sources.yml from (source, database) → tables.
pub(crate) fn sources(by_source: &BTreeMap<(String, Option<String>), BTreeSet<String>>) -> String {
    let mut o = String::from(
        "# Written by segql (segql compile --dbt): the catalog relations the segql models read.\nversion: 2\n",
    );
    if by_source.is_empty() {
        return o;
    }
    o.push_str("\nsources:\n");
    for ((source, database), tables) in by_source {
        let _ = writeln!(o, "  - name: {}", quoted(source));
        if let Some(db) = database {
            let _ = writeln!(o, "    database: {}", quoted(db));
        }
        if source == super::jinja::DEFAULT_SOURCE {
            let _ = writeln!(o, "    schema: \"{{{{ target.schema }}}}\"");
        } else {
            let _ = writeln!(o, "    schema: {}", quoted(source));
        }
        let quote = !plain(source)
            || database.as_deref().is_some_and(|d| !plain(d))
            || tables.iter().any(|t| !plain(t));
        if quote {
            let _ = writeln!(o, "    quoting:");
            let _ = writeln!(o, "      database: true");
            let _ = writeln!(o, "      schema: true");
            let _ = writeln!(o, "      identifier: true");
        }
        let _ = writeln!(o, "    tables:");
        for t in tables {
            let _ = writeln!(o, "      - name: {}", quoted(t));
        }
    }
    o
}
