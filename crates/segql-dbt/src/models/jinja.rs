//! Where compiled SQL becomes a dbt model's text: relation names and the as-of instant
//! as Jinja, and every other `{` escaped.
//!
//! Relations: the program is compiled with each catalog table renamed to a placeholder
//! (`segql_dbt_relation_3_`: lowercase, so every dialect prints it bare), and each
//! placeholder is replaced by its `{{ source(..) }}`/`{{ ref(..) }}` after printing.
//!
//! The as-of instant: compiled with `RunAsOf::Template` of a placeholder, which every
//! dialect writes inside its own timestamp literal (`TIMESTAMP 'segql_dbt_as_of_'`,
//! `TO_TIMESTAMP_NTZ('segql_dbt_as_of_')`); after escaping, the placeholder becomes
//! `{{ segql_as_of }}`. The plan decides nothing from an instant then (segql-plan's
//! `as_of.rs`), so one text holds for every var.

use super::Known;
use segql_plan::ir::Program;
use std::collections::{BTreeMap, BTreeSet};

/// The instant the plan is made at: only the header line and window tiers (speed)
/// read it when the as-of is read at run time.
pub(crate) const PLANNING_AS_OF: i64 = 1_767_225_600_000_000; // 2026-01-01

/// What the compiler writes where the as-of goes, replaced by [`AS_OF_JINJA`].
pub(crate) const AS_OF_PLACEHOLDER: &str = "segql_dbt_as_of_";

/// The dbt var holding the as-of instant, `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC; when
/// it is not given, the instant the dbt run started (UTC).
pub const AS_OF_VAR: &str = "segql_as_of";

/// The first line of every model: the as-of instant read once, from the var or the
/// run's start.
pub(crate) const AS_OF_SET: &str =
    "{% set segql_as_of = var('segql_as_of', run_started_at.strftime('%Y-%m-%d %H:%M:%S')) %}";

/// The as-of instant where the SQL uses it (set by [`AS_OF_SET`]).
const AS_OF_JINJA: &str = "{{ segql_as_of }}";

/// The placeholder the compiler wrote made the dbt var. It holds no brace, so escaping
/// left it alone; no segment text can hold it (it sits inside the dialect's timestamp
/// literal, where segql writes only the instant).
pub(crate) fn as_of(text: &str) -> String {
    text.replace(AS_OF_PLACEHOLDER, AS_OF_JINJA)
}

/// Text segql wrote (string literals, quoted names) made inert to Jinja: each `{`
/// written as `{{ '{' }}`, which dbt renders back to `{`.
pub(crate) fn escape(sql: &str) -> String {
    sql.replace('{', "{{ '{' }}")
}

/// A name as a Jinja string literal.
fn jinja_string(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The catalog's tables under placeholder names, and what each placeholder becomes.
pub(crate) struct Relations {
    renamed: Program,
    /// Per placeholder (its index): the table's parts as the catalog names it.
    tables: Vec<Vec<String>>,
    known: BTreeMap<String, Known>,
    /// The placeholders the rendered SQL used.
    used: std::cell::RefCell<BTreeSet<usize>>,
}

fn placeholder(n: usize) -> String {
    format!("segql_dbt_relation_{n}_")
}

impl Relations {
    pub(crate) fn new(p: &Program, known: &BTreeMap<String, Known>) -> Relations {
        let mut renamed = p.clone();
        let mut tables = Vec::new();
        let mut rename = |t: &mut Vec<String>| {
            tables.push(std::mem::replace(t, vec![placeholder(tables.len())]));
        };
        for e in &mut renamed.catalog.entities {
            rename(&mut e.table);
            for x in &mut e.extras {
                rename(&mut x.table);
            }
        }
        for ev in &mut renamed.catalog.events {
            rename(&mut ev.table);
        }
        Relations {
            renamed,
            tables,
            known: known.clone(),
            used: Default::default(),
        }
    }

    pub(crate) fn program(&self) -> &Program {
        &self.renamed
    }

    /// The catalog's dotted name of a table.
    fn dotted(parts: &[String]) -> String {
        parts.join(".")
    }

    /// What a table is read as: what the dbt project knows it as, else a source of
    /// sources.yml.
    fn jinja(&self, parts: &[String]) -> String {
        let (source, table) = match self.known.get(&Self::dotted(parts)) {
            Some(Known::Ref(model)) => return format!("{{{{ ref({}) }}}}", jinja_string(model)),
            Some(Known::Source { source, table }) => (source.clone(), table.clone()),
            None => source_of(parts),
        };
        format!(
            "{{{{ source({}, {}) }}}}",
            jinja_string(&source),
            jinja_string(&table)
        )
    }

    /// Printed SQL as a model's text: braces escaped, relations and the as-of in.
    pub(crate) fn render(&self, sql: &str) -> String {
        let mut text = escape(sql);
        // Highest first, so that `_1_` is never looked for inside `_11_` (it is not a
        // substring anyway: the trailing `_` ends each placeholder).
        for n in (0..self.tables.len()).rev() {
            let ph = placeholder(n);
            if text.contains(&ph) {
                self.used.borrow_mut().insert(n);
                text = text.replace(&ph, &self.jinja(&self.tables[n]));
            }
        }
        as_of(&text)
    }

    /// sources.yml: every table the rendered models read that the project does not
    /// know yet, by
    /// source (the schema part).
    pub(crate) fn sources_yml(&self) -> String {
        let mut by_source: BTreeMap<(String, Option<String>), BTreeSet<String>> = BTreeMap::new();
        for &n in self.used.borrow().iter() {
            let parts = &self.tables[n];
            if self.known.contains_key(&Self::dotted(parts)) {
                continue;
            }
            let (source, table) = source_of(parts);
            let database = (parts.len() > 2).then(|| parts[parts.len() - 3].clone());
            by_source
                .entry((source, database))
                .or_default()
                .insert(table);
        }
        super::yml::sources(&by_source)
    }
}

/// A table's dbt source and table names: the schema part and the last part (a table of
/// one part is in source `segql`, in the target's schema).
pub(crate) fn source_of(parts: &[String]) -> (String, String) {
    let table = parts.last().cloned().unwrap_or_default();
    let source = if parts.len() >= 2 {
        parts[parts.len() - 2].clone()
    } else {
        DEFAULT_SOURCE.to_string()
    };
    (source, table)
}

/// The source of one-part tables.
pub(crate) const DEFAULT_SOURCE: &str = "segql";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_are_escaped_and_names_quoted() {
        assert_eq!(escape("'{{x}}'"), "'{{ '{' }}{{ '{' }}x}}'");
        assert_eq!(jinja_string("it's"), "'it\\'s'");
    }
}
