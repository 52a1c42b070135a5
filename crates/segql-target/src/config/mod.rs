//! Targets as configured: `[targets.NAME]` tables in segql.toml and in a user-level
//! file outside the repository ([`user_file`]), every setting checked with its place in
//! the file, and a target chosen by name (`pg`, or `pg:prod` for an environment).
//!
//! Secrets (a password, a token, an option whose name says it is one) are never
//! written in a file: only `{ env = "VAR" }`, resolved when connecting. A URI holding a
//! password is refused too.

mod parse;
#[cfg(test)]
mod tests;

pub use parse::{is_secret_key, parse, uri_secret, Problem};

use crate::codes;
use crate::error::{Result, TargetError};
use segql_syntax::parser::did_you_mean;
use std::ops::Range;
use std::path::PathBuf;

/// The kinds of target, by `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The embedded DuckDB over the project's bindings (the default).
    DuckDb,
    Postgres,
    /// A Spark Connect server (the databricks dialect).
    Spark,
    Snowflake,
    BigQuery,
    /// Any Flight SQL server; its SQL dialect is given with `dialect`.
    FlightSql,
    /// Redshift, through the PostgreSQL driver (the Postgres wire protocol).
    Redshift,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::DuckDb,
        Kind::Postgres,
        Kind::Spark,
        Kind::Snowflake,
        Kind::BigQuery,
        Kind::FlightSql,
        Kind::Redshift,
    ];

    /// The name written in `type = "..."`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::DuckDb => "duckdb",
            Kind::Postgres => "postgres",
            Kind::Spark => "spark",
            Kind::Snowflake => "snowflake",
            Kind::BigQuery => "bigquery",
            Kind::FlightSql => "flightsql",
            Kind::Redshift => "redshift",
        }
    }

    pub fn from_name(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// The SQL dialect segql compiles to for this kind (a flightsql target names its
    /// own).
    pub fn dialect(self) -> Option<&'static str> {
        match self {
            Kind::DuckDb => Some("duckdb"),
            Kind::Postgres => Some("postgres"),
            Kind::Spark => Some("databricks"),
            Kind::Snowflake => Some("snowflake"),
            Kind::BigQuery => Some("bigquery"),
            Kind::Redshift => Some("redshift"),
            Kind::FlightSql => None,
        }
    }

    /// The ADBC driver's name: its library is `lib<name>.so`, its PyPI wheel's package
    /// directory `<name>/`.
    pub fn driver(self) -> Option<&'static str> {
        match self {
            Kind::DuckDb => None,
            Kind::Postgres | Kind::Redshift => Some("adbc_driver_postgresql"),
            Kind::Spark => Some("adbc_driver_spark"),
            Kind::Snowflake => Some("adbc_driver_snowflake"),
            Kind::BigQuery => Some("adbc_driver_bigquery"),
            Kind::FlightSql => Some("adbc_driver_flightsql"),
        }
    }

    /// The PyPI package shipping the driver.
    pub fn wheel(self) -> Option<&'static str> {
        self.driver().map(|d| match d {
            "adbc_driver_postgresql" => "adbc-driver-postgresql",
            "adbc_driver_spark" => "adbc-driver-spark",
            "adbc_driver_snowflake" => "adbc-driver-snowflake",
            "adbc_driver_bigquery" => "adbc-driver-bigquery",
            _ => "adbc-driver-flightsql",
        })
    }

    /// The environment variable that may give the driver's path.
    pub fn driver_env(self) -> String {
        format!("SEGQL_ADBC_DRIVER_{}", self.name().to_ascii_uppercase())
    }
}

/// The dialects a flightsql target may name.
pub const DIALECTS: &[&str] = &[
    "duckdb",
    "postgres",
    "redshift",
    "snowflake",
    "bigquery",
    "databricks",
    "clickhouse",
    "trino",
];

/// A setting's value: written in the file, or read from an environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Plain(String),
    Env(String),
}

/// Settings an environment may override.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub uri: Option<String>,
    pub user: Option<String>,
    /// Environment variables holding the secrets.
    pub password: Option<String>,
    pub token: Option<String>,
    pub options: Vec<(String, Value)>,
    /// Catalog schema → where it lives on the target (`schema` or `database.schema`).
    pub schemas: Vec<(String, Vec<String>)>,
    /// A catalog relation (dotted) → its name on the target (1 to 3 parts).
    pub relations: Vec<(String, Vec<String>)>,
    /// The schema (`schema` or `database.schema`) holding segql's state (snapshots)
    /// on this target; [`DEFAULT_STATE_SCHEMA`] when not set.
    pub state: Option<Vec<String>>,
}

/// The schema of segql's state on a target whose `state` is not set.
pub const DEFAULT_STATE_SCHEMA: &str = "segql_state";

/// One `[targets.NAME]` table.
#[derive(Debug, Clone)]
pub struct TargetConfig {
    pub name: String,
    pub kind: Kind,
    pub driver: Option<String>,
    pub dialect: Option<String>,
    pub settings: Settings,
    pub environments: Vec<(String, Settings)>,
    /// The file it was read from, as shown to users, and the directory a relative
    /// driver path is taken from.
    pub file: String,
    pub base: PathBuf,
    /// Where its table is in that file.
    pub span: Range<usize>,
}

/// A problem of a targets file as a diagnostic in file `id` (E0801).
pub fn problem_diagnostic(id: segql_syntax::FileId, p: &Problem) -> segql_syntax::diag::Diagnostic {
    let d = segql_syntax::diag::Diagnostic::error(
        codes::CONFIG,
        segql_syntax::Span::new(id, p.span.start as u32, p.span.end as u32),
        format!("invalid target: {}", p.message),
    )
    .with_label("here");
    match &p.hint {
        Some(h) => d.with_hint(h.clone()),
        None => d,
    }
}

/// The mistakes in segql.toml's `[targets]` (file `id`), as diagnostics: what `segql
/// check` and the language server show.
pub fn diagnostics(
    config_text: &str,
    id: segql_syntax::FileId,
) -> Vec<segql_syntax::diag::Diagnostic> {
    let (_, problems) = parse(config_text, "segql.toml", std::path::Path::new("."), false);
    problems.iter().map(|p| problem_diagnostic(id, p)).collect()
}

/// The user-level targets file: `SEGQL_TARGETS_FILE` when set, else
/// `$XDG_CONFIG_HOME/segql/targets.toml` (`~/.config/segql/targets.toml`).
pub fn user_file() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SEGQL_TARGETS_FILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("segql").join("targets.toml"))
}

/// A target chosen for a run: one configuration with an environment's settings laid
/// over its own.
#[derive(Debug, Clone)]
pub struct Target {
    /// `pg`, or `pg:prod`.
    pub name: String,
    pub kind: Kind,
    pub driver: Option<String>,
    pub dialect: &'static str,
    pub settings: Settings,
    pub file: String,
    pub base: PathBuf,
}

/// Chooses `spec` (`NAME` or `NAME:ENVIRONMENT`) among `configs`.
pub fn select(configs: &[TargetConfig], spec: &str) -> Result<Target> {
    let (name, env) = match spec.split_once(':') {
        Some((n, e)) => (n, Some(e)),
        None => (spec, None),
    };
    let found: Vec<&TargetConfig> = configs.iter().filter(|c| c.name == name).collect();
    let Some(c) = found.first().copied() else {
        let names: Vec<&str> = configs.iter().map(|c| c.name.as_str()).collect();
        let hint = match did_you_mean(name, names.iter().copied()) {
            Some(m) => format!("did you mean `{m}`?"),
            None if names.is_empty() => {
                let user = user_file()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "~/.config/segql/targets.toml".to_string());
                format!("no target is configured: add [targets.{name}] to segql.toml or to {user} (docs/targets.md)")
            }
            None => format!(
                "the targets are {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return Err(
            TargetError::new(codes::CONFIG, "", format!("no target `{name}`")).with_hint(hint),
        );
    };
    if found.len() > 1 {
        return Err(TargetError::new(
            codes::CONFIG,
            name,
            format!(
                "defined twice, in {} and in {}",
                found[0].file, found[1].file
            ),
        )
        .with_hint("keep one of them (the user-level file is for targets shared by projects)"));
    }
    let mut settings = c.settings.clone();
    if let Some(env) = env {
        let Some((_, e)) = c.environments.iter().find(|(n, _)| n == env) else {
            let names: Vec<&str> = c.environments.iter().map(|(n, _)| n.as_str()).collect();
            let hint = match did_you_mean(env, names.iter().copied()) {
                Some(m) => format!("did you mean `{name}:{m}`?"),
                None if names.is_empty() => format!("target `{name}` declares no environments ([targets.{name}.environments.{env}])"),
                None => format!("its environments are {}", names.join(", ")),
            };
            return Err(
                TargetError::new(codes::CONFIG, name, format!("no environment `{env}`"))
                    .with_hint(hint),
            );
        };
        if e.uri.is_some() {
            settings.uri = e.uri.clone();
        }
        if e.user.is_some() {
            settings.user = e.user.clone();
        }
        if e.password.is_some() {
            settings.password = e.password.clone();
        }
        if e.token.is_some() {
            settings.token = e.token.clone();
        }
        for (k, v) in &e.options {
            settings.options.retain(|(o, _)| o != k);
            settings.options.push((k.clone(), v.clone()));
        }
        for (k, v) in &e.schemas {
            settings.schemas.retain(|(o, _)| o != k);
            settings.schemas.push((k.clone(), v.clone()));
        }
        for (k, v) in &e.relations {
            settings.relations.retain(|(o, _)| o != k);
            settings.relations.push((k.clone(), v.clone()));
        }
        if e.state.is_some() {
            settings.state = e.state.clone();
        }
    }
    let dialect = match c.kind.dialect() {
        Some(d) => d,
        None => {
            let d = c.dialect.as_deref().unwrap_or("");
            DIALECTS.iter().copied().find(|x| *x == d).ok_or_else(|| {
                TargetError::new(
                    codes::CONFIG,
                    name,
                    "a flightsql target names its `dialect`",
                )
            })?
        }
    };
    Ok(Target {
        name: spec.to_string(),
        kind: c.kind,
        driver: c.driver.clone(),
        dialect,
        settings,
        file: c.file.clone(),
        base: c.base.clone(),
    })
}

impl Target {
    /// The schema holding segql's state on this target (`state`, else
    /// [`DEFAULT_STATE_SCHEMA`]), as its parts.
    pub fn state_schema(&self) -> Vec<String> {
        self.settings
            .state
            .clone()
            .unwrap_or_else(|| vec![DEFAULT_STATE_SCHEMA.to_string()])
    }

    /// Where a catalog relation (`analytics.events`) lives on this target: its own
    /// entry in `relations`, else its schema moved as `schemas` says, else the same
    /// name.
    pub fn relation(&self, table: &[String]) -> Vec<String> {
        let dotted = table.join(".");
        if let Some((_, to)) = self.settings.relations.iter().find(|(k, _)| *k == dotted) {
            return to.clone();
        }
        if table.len() >= 2 {
            let schema = &table[table.len() - 2];
            if let Some((_, to)) = self.settings.schemas.iter().find(|(k, _)| k == schema) {
                let mut out = to.clone();
                out.push(table[table.len() - 1].clone());
                return out;
            }
        }
        table.to_vec()
    }

    /// Reads an environment variable a setting names; a missing one is E0801 naming the
    /// variable and what it is for (never a value).
    pub fn env(&self, var: &str, what: &str) -> Result<String> {
        match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(v),
            Ok(_) | Err(std::env::VarError::NotPresent) => Err(TargetError::new(
                codes::CONFIG,
                &self.name,
                format!("the environment variable {var} ({what}) is not set"),
            )
            .with_hint(format!(
                "export {var}=... before running segql (it is named in {})",
                self.file
            ))),
            Err(std::env::VarError::NotUnicode(_)) => Err(TargetError::new(
                codes::CONFIG,
                &self.name,
                format!("the environment variable {var} ({what}) is not valid UTF-8"),
            )),
        }
    }
}
