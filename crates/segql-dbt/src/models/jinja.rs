//! Where compiled SQL becomes a dbt model's text: relation names and the as-of instant
//! as Jinja, and every other `{` escaped.
//!
//! Relations: the program is compiled with each catalog table renamed to a placeholder
//! (`segql_dbt_relation_3_`: lowercase, so every dialect prints it bare), and each
//! placeholder is replaced by its `{{ source(..) }}`/`{{ ref(..) }}` after printing.
//!
//! The as-of instant: compiled as a sentinel instant whose literal is replaced by
//! [`as_of`]. The planner also uses the instant to order window starts (which is the
//! earliest, for a scan's lower bound) and to put windows in tiers; that order can
//! depend on the instant when fixed dates and relative windows, or months and days,
//! meet on one relation. So each statement is compiled at every one of [`SENTINELS`]
//! and refused when the texts differ (`Relations::compile` in the parent module).

use super::Known;
use segql_plan::dialect::Dialect;
use segql_plan::ir::Program;
use std::collections::{BTreeMap, BTreeSet};

/// The as-of instants each statement is compiled at (microseconds since 1970): the end
/// of a 31-day month after a 30-day one, the 1st of a month after February (a month
/// back is 28 days there, 31 days in the next one, so "1 month" and "30 days" swap
/// order), the end of March, and a day in 1900, before any fixed date a segment is
/// likely to name. The first is the one whose SQL is kept. Each has microseconds that
/// no segment writes, so its literal is found only where segql wrote the as-of.
pub(crate) const SENTINELS: [i64; 4] = [
    32_503_679_999_123_456, // 2999-12-31 23:59:59.123456
    32_477_241_600_123_456, // 2999-03-01 00:00:00.123456
    32_479_919_999_123_456, // 2999-03-31 23:59:59.123456
    -2_190_715_199_876_544, // 1900-07-31 12:00:00.123456
];

/// The dbt var holding the as-of instant, `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC; when
/// it is not given, the instant the dbt run started (UTC).
pub const AS_OF_VAR: &str = "segql_as_of";

/// The first line of every model: the as-of instant read once, from the var or the
/// run's start.
pub(crate) const AS_OF_SET: &str =
    "{% set segql_as_of = var('segql_as_of', run_started_at.strftime('%Y-%m-%d %H:%M:%S')) %}";

/// The as-of instant where the SQL uses it (set by [`AS_OF_SET`]).
const AS_OF_JINJA: &str = "{{ segql_as_of }}";

/// The one place the as-of instant becomes the dbt var: the dialect's literal of
/// `sentinel` replaced by `CAST('<var>' AS <timestamp type>)`. When
/// `compile::Options` takes `RunAsOf::Template`, compiling with
/// `RunAsOf::Template(AS_OF_JINJA)` does this in the compiler and this function goes.
pub(crate) fn as_of(text: &str, d: &dyn Dialect, sentinel: i64) -> String {
    let literal = d.timestamp(sentinel).to_string();
    text.replace(
        &literal,
        &format!("CAST('{AS_OF_JINJA}' AS {})", d.timestamp_type()),
    )
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
    pub(crate) fn render(&self, sql: &str, d: &dyn Dialect, sentinel: i64) -> String {
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
        as_of(&text, d, sentinel)
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
    use segql_plan::dialect::timestamp_text;

    #[test]
    fn sentinels_are_the_instants_they_say() {
        let shown: Vec<String> = SENTINELS.iter().map(|&s| timestamp_text(s)).collect();
        assert_eq!(
            shown,
            [
                "2999-12-31 23:59:59.123456",
                "2999-03-01 00:00:00.123456",
                "2999-03-31 23:59:59.123456",
                "1900-07-31 12:00:00.123456",
            ]
        );
    }

    #[test]
    fn braces_are_escaped_and_names_quoted() {
        assert_eq!(escape("'{{x}}'"), "'{{ '{' }}{{ '{' }}x}}'");
        assert_eq!(jinja_string("it's"), "'it\\'s'");
    }
}
