//! The as-of instant of a statement read when it runs, instead of written into it.
//!
//! By default `segql compile` writes the as-of instant as a timestamp literal at every
//! use, so a compiled statement answers for one instant only. A [`RunAsOf`] in
//! [`crate::compile::Options::at_run`] writes, at each of those places, an expression the
//! engine evaluates when the statement runs: its clock ([`RunAsOf::Now`]), a named
//! parameter the scheduler binds ([`RunAsOf::Param`]), or a template the scheduler
//! renders before sending the SQL ([`RunAsOf::Template`], for dbt). Each is typed like the
//! dialect's literal (`Dialect::timestamp`), so every comparison and interval
//! arithmetic reads the same as with the literal. The planning instant
//! (`Options::as_of`) is still used for what the plan chooses (which window tier a
//! column goes to, the header); nothing whose correctness depends on the instant is
//! decided with it (see `emit::scans::Emitter::scan_where` and `plan::tiers`).

use crate::compile::Unsupported;
use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

/// Where a statement reads its as-of instant when it runs.
///
/// [`crate::compile::Options`] is `Copy` and passed by value through the runner, the CLI
/// and the docs site, so the texts are `&'static str`: [`RunAsOf::param`] and
/// [`RunAsOf::template`] keep one copy of each distinct text for the life of the process
/// (a few bytes per name a process uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunAsOf {
    /// The engine's current time, in UTC (`Dialect::now_utc`).
    Now,
    /// A named parameter the scheduler binds to the instant, in the engine's own syntax
    /// (`Dialect::timestamp_param`): DuckDB `$name`, BigQuery `@name`, Databricks
    /// `:name`, ClickHouse `{name:DateTime64(6, 'UTC')}`, Snowflake the session variable
    /// `$name`. Postgres, Redshift and Trino have no named parameters: compiling with
    /// one is [`Unsupported`]. Build it with [`RunAsOf::param`], which checks the name.
    Param(&'static str),
    /// Text written verbatim where the instant's digits go in the dialect's timestamp
    /// literal (`Dialect::timestamp_of_text`): with `{{ var("segql_as_of") }}`, DuckDB
    /// gets `TIMESTAMP '{{ var("segql_as_of") }}'` and Snowflake
    /// `TO_TIMESTAMP_NTZ('{{ var("segql_as_of") }}')`. Nothing is escaped: the text is
    /// for a template engine (dbt) that replaces it before the SQL is sent, with
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC (what the literal holds).
    Template(&'static str),
}

impl RunAsOf {
    /// A named parameter; the name must be an identifier (ASCII letters, digits and
    /// `_`, not starting with a digit, at most 63 characters), which every engine's
    /// parameter syntax takes bare.
    pub fn param(name: &str) -> Result<RunAsOf, Unsupported> {
        if !param_name_ok(name) {
            return Err(Unsupported(format!(
                "`{name}` cannot be a parameter name: use ASCII letters, digits and `_`, \
                 not starting with a digit (at most 63 characters), e.g. `segql_as_of`"
            )));
        }
        Ok(RunAsOf::Param(intern(name)))
    }

    /// A template text (see [`RunAsOf::Template`]).
    pub fn template(text: &str) -> RunAsOf {
        RunAsOf::Template(intern(text))
    }

    /// The command line's spelling: `now` or `param:NAME` (the name checked as in
    /// [`RunAsOf::param`]).
    pub fn parse_flag(s: &str) -> Result<RunAsOf, Unsupported> {
        match s {
            "now" => Ok(RunAsOf::Now),
            _ => match s.strip_prefix("param:") {
                Some(name) => RunAsOf::param(name),
                None => Err(Unsupported(format!(
                    "`{s}` is not an as-of read at run time: use `now` (the engine's clock) \
                     or `param:NAME` (a named parameter the scheduler binds)"
                ))),
            },
        }
    }

    /// How the header line names it: `now`, `parameter segql_as_of`, `template ...`.
    pub fn describe(self) -> String {
        match self {
            RunAsOf::Now => "now".to_string(),
            RunAsOf::Param(n) => format!("parameter {n}"),
            RunAsOf::Template(t) => format!("template {t}"),
        }
    }
}

/// Whether a parameter name can be written bare in every engine's parameter syntax.
pub fn param_name_ok(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 63
        && matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// One `'static` copy of each distinct text.
fn intern(s: &str) -> &'static str {
    static TEXTS: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut texts = TEXTS
        .get_or_init(|| Mutex::new(BTreeSet::new()))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(&t) = texts.get(s) {
        return t;
    }
    let t: &'static str = Box::leak(s.to_owned().into_boxed_str());
    texts.insert(t);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_flags() {
        assert_eq!(RunAsOf::parse_flag("now"), Ok(RunAsOf::Now));
        assert_eq!(
            RunAsOf::parse_flag("param:segql_as_of"),
            Ok(RunAsOf::Param("segql_as_of"))
        );
        for bad in [
            "param:",
            "param:1x",
            "param:a-b",
            "param:a b",
            "param:x'",
            "later",
        ] {
            assert!(RunAsOf::parse_flag(bad).is_err(), "{bad}");
        }
        assert!(RunAsOf::param(&"x".repeat(64)).is_err());
        let (a, b) = (RunAsOf::template("{{ x }}"), RunAsOf::template("{{ x }}"));
        match (a, b) {
            (RunAsOf::Template(a), RunAsOf::Template(b)) => assert!(std::ptr::eq(a, b)),
            _ => unreachable!(),
        }
    }
}
