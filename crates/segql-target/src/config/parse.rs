//! Reading `[targets.NAME]` tables: every setting checked, each mistake a [`Problem`]
//! with its place in the file; a secret written in the file is refused and never
//! repeated in the message.

use super::{Kind, Settings, TargetConfig, Value, DIALECTS};
use segql_syntax::parser::did_you_mean;
use std::ops::Range;
use std::path::Path;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// A mistake in a targets table: where it is in the file, what, and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub span: Range<usize>,
    pub message: String,
    pub hint: Option<String>,
}

const KEYS: &[&str] = &[
    "type",
    "uri",
    "user",
    "password",
    "token",
    "driver",
    "dialect",
    "options",
    "schemas",
    "relations",
    "state",
    "environments",
];
const ENV_KEYS: &[&str] = &[
    "uri",
    "user",
    "password",
    "token",
    "options",
    "schemas",
    "relations",
    "state",
];
const HINT: &str = "a target is a table like [targets.pg] with type = \"postgres\", uri = \"postgresql://user@host:5432/db\" and password = { env = \"PGPASSWORD\" } (docs/targets.md)";

/// Whether an option's name says it holds a secret.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "passcode",
        "secret",
        "token",
        "private_key",
        "privatekey",
        "credential",
    ]
    .iter()
    .any(|w| k.contains(w))
}

/// Where a URI holds a password or a token: `user:pw@`, `password=`, `;token=`.
pub fn uri_secret(uri: &str) -> Option<&'static str> {
    let after_scheme = uri.split_once("://").map(|(_, r)| r).unwrap_or(uri);
    let authority = after_scheme
        .split(['/', '?', ';'])
        .next()
        .unwrap_or(after_scheme);
    if let Some((userinfo, _)) = authority.rsplit_once('@') {
        if userinfo.contains(':') {
            return Some("a password (user:password@)");
        }
    }
    let params = after_scheme
        .split_once(['?', ';'])
        .map(|(_, p)| p)
        .unwrap_or("");
    for kv in params.split(['&', ';']) {
        let key = kv.split('=').next().unwrap_or("").trim();
        if !key.is_empty() && is_secret_key(key) {
            return Some(if key.eq_ignore_ascii_case("token") {
                "a token (token=)"
            } else {
                "a secret parameter"
            });
        }
    }
    None
}

fn a(type_str: &str) -> String {
    if type_str.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {type_str}")
    } else {
        format!("a {type_str}")
    }
}

struct Parser<'f> {
    problems: Vec<Problem>,
    file: &'f str,
}

impl Parser<'_> {
    fn problem(&mut self, span: Range<usize>, message: String, hint: Option<String>) {
        self.problems.push(Problem {
            span,
            message,
            hint,
        });
    }

    fn string(&mut self, what: &str, v: &Spanned<DeValue<'_>>) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.problem(
                    v.span(),
                    format!("{what} is a string, not {}", a(other.type_str())),
                    Some(HINT.to_string()),
                );
                None
            }
        }
    }

    /// `{ env = "VAR" }`: the variable's name.
    fn env_ref(&mut self, what: &str, v: &Spanned<DeValue<'_>>) -> Option<String> {
        let DeValue::Table(t) = v.get_ref() else {
            let hint = format!(
                "write {what} = {{ env = \"VARIABLE\" }} and export VARIABLE before running segql; a secret never sits in a file"
            );
            let message = match v.get_ref() {
                DeValue::String(_) => {
                    format!("{what} is a secret: it is read from an environment variable, not written here")
                }
                other => format!(
                    "{what} is {{ env = \"VARIABLE\" }}, not {}",
                    a(other.type_str())
                ),
            };
            self.problem(v.span(), message, Some(hint));
            return None;
        };
        let mut var = None;
        for (k, val) in t {
            match k.get_ref().as_ref() {
                "env" => var = self.string("`env`", val),
                other => self.problem(
                    k.span(),
                    format!("unknown setting `{other}` in {what}: only `env` is read"),
                    Some(format!("write {what} = {{ env = \"VARIABLE\" }}")),
                ),
            }
        }
        match var {
            Some(v) if !v.is_empty() && !v.contains('=') && !v.contains('\0') => Some(v),
            Some(_) => {
                self.problem(
                    v.span(),
                    format!("{what}: `env` names an environment variable"),
                    Some(format!("write {what} = {{ env = \"VARIABLE\" }}")),
                );
                None
            }
            None => {
                self.problem(
                    v.span(),
                    format!("{what} names no environment variable"),
                    Some(format!("write {what} = {{ env = \"VARIABLE\" }}")),
                );
                None
            }
        }
    }

    fn dotted(&mut self, what: &str, v: &Spanned<DeValue<'_>>, max: usize) -> Option<Vec<String>> {
        let s = self.string(what, v)?;
        let parts: Vec<String> = s.split('.').map(str::to_string).collect();
        if parts.iter().any(|p| p.is_empty()) || parts.len() > max {
            self.problem(
                v.span(),
                format!(
                    "{what} is a dotted name of 1 to {max} parts ({}), not \"{s}\"",
                    if max == 2 {
                        "`database.schema`"
                    } else {
                        "`schema.table`"
                    }
                ),
                None,
            );
            return None;
        }
        Some(parts)
    }

    fn settings(&mut self, t: &DeTable<'_>, allowed: &[&str], out: &mut Settings) {
        for (k, v) in t {
            let key = k.get_ref().as_ref();
            if !allowed.contains(&key) {
                let known = if KEYS.contains(&key) {
                    format!("`{key}` cannot be set per environment")
                } else {
                    format!("unknown setting `{key}`")
                };
                let hint = did_you_mean(key, allowed.iter().copied())
                    .map(|s| format!("did you mean `{s}`? {HINT}"))
                    .unwrap_or_else(|| HINT.to_string());
                self.problem(k.span(), known, Some(hint));
                continue;
            }
            match key {
                "uri" => {
                    if let Some(uri) = self.string("`uri`", v) {
                        if let Some(what) = uri_secret(&uri) {
                            // The URI itself is not repeated: it holds the secret.
                            self.problem(
                                v.span(),
                                format!("`uri` holds {what}; a secret never sits in a file"),
                                Some("take it out of the uri and write password = { env = \"VARIABLE\" } (or token = { env = ... })".to_string()),
                            );
                        } else {
                            out.uri = Some(uri);
                        }
                    }
                }
                "user" => out.user = self.string("`user`", v),
                "password" => out.password = self.env_ref("`password`", v),
                "token" => out.token = self.env_ref("`token`", v),
                "options" => {
                    let DeValue::Table(opts) = v.get_ref() else {
                        self.problem(
                            v.span(),
                            format!(
                                "`options` is a table of driver options, not {}",
                                a(v.get_ref().type_str())
                            ),
                            Some(
                                "options = { \"adbc.snowflake.sql.warehouse\" = \"WH\" }"
                                    .to_string(),
                            ),
                        );
                        continue;
                    };
                    for (ok, ov) in opts {
                        let name = ok.get_ref().to_string();
                        let what = format!("option `{name}`");
                        let value = match ov.get_ref() {
                            DeValue::String(s) if !is_secret_key(&name) => {
                                Some(Value::Plain(s.to_string()))
                            }
                            DeValue::Boolean(b) if !is_secret_key(&name) => {
                                Some(Value::Plain(b.to_string()))
                            }
                            DeValue::Integer(i) if !is_secret_key(&name) => {
                                Some(Value::Plain(i.as_str().to_string()))
                            }
                            DeValue::Table(_) => self.env_ref(&what, ov).map(Value::Env),
                            DeValue::String(_) => {
                                self.env_ref(&what, ov);
                                None
                            }
                            other => {
                                self.problem(
                                    ov.span(),
                                    format!(
                                        "{what} is a string or {{ env = \"VARIABLE\" }}, not {}",
                                        a(other.type_str())
                                    ),
                                    None,
                                );
                                None
                            }
                        };
                        if let Some(value) = value {
                            out.options.push((name, value));
                        }
                    }
                }
                "state" => {
                    if let Some(parts) = self.dotted("`state`", v, 2) {
                        out.state = Some(parts);
                    }
                }
                "schemas" | "relations" => {
                    let DeValue::Table(map) = v.get_ref() else {
                        self.problem(
                            v.span(),
                            format!("`{key}` is a table, not {}", a(v.get_ref().type_str())),
                            Some(if key == "schemas" {
                                "schemas = { analytics = \"analytics_dev\" }".to_string()
                            } else {
                                "relations = { \"analytics.events\" = \"raw.events\" }".to_string()
                            }),
                        );
                        continue;
                    };
                    for (mk, mv) in map {
                        let from = mk.get_ref().to_string();
                        let what = format!("`{key}.{from}`");
                        let max = if key == "schemas" { 2 } else { 3 };
                        if let Some(parts) = self.dotted(&what, mv, max) {
                            if key == "schemas" {
                                out.schemas.push((from, parts));
                            } else {
                                out.relations.push((from, parts));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn target(
        &mut self,
        name: &Spanned<std::borrow::Cow<'_, str>>,
        v: &Spanned<DeValue<'_>>,
        base: &Path,
    ) -> Option<TargetConfig> {
        let tname = name.get_ref().to_string();
        let DeValue::Table(t) = v.get_ref() else {
            self.problem(
                v.span(),
                format!(
                    "target `{tname}` is a table, not {}",
                    a(v.get_ref().type_str())
                ),
                Some(HINT.to_string()),
            );
            return None;
        };
        if tname.is_empty() || tname.contains([':', ' ', '\t', '\n']) {
            self.problem(
                name.span(),
                format!("`{tname}` cannot name a target: no spaces or `:` (it separates an environment: --target pg:prod)"),
                None,
            );
            return None;
        }
        let mut kind = None;
        let mut driver = None;
        let mut dialect = None;
        let mut environments = Vec::new();
        let mut settings = Settings::default();
        let mut type_span = v.span();
        let mut dialect_span = v.span();
        let mut rest = DeTable::default();
        for (k, val) in t {
            match k.get_ref().as_ref() {
                "type" => {
                    type_span = val.span();
                    if let Some(s) = self.string("`type`", val) {
                        kind = Kind::from_name(&s);
                        if kind.is_none() {
                            let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
                            let hint = did_you_mean(&s, names.iter().copied())
                                .map(|m| format!("did you mean \"{m}\"?"))
                                .unwrap_or_else(|| format!("the types are {}", names.join(", ")));
                            self.problem(
                                val.span(),
                                format!("unknown target type \"{s}\""),
                                Some(hint),
                            );
                            return None;
                        }
                    }
                }
                "driver" => driver = self.string("`driver`", val),
                "dialect" => {
                    dialect_span = val.span();
                    if let Some(d) = self.string("`dialect`", val) {
                        if !DIALECTS.contains(&d.as_str()) {
                            let hint = did_you_mean(&d, DIALECTS.iter().copied())
                                .map(|m| format!("did you mean \"{m}\"?"))
                                .unwrap_or_else(|| {
                                    format!("the dialects are {}", DIALECTS.join(", "))
                                });
                            self.problem(
                                val.span(),
                                format!("unknown dialect \"{d}\""),
                                Some(hint),
                            );
                        } else {
                            dialect = Some(d);
                        }
                    }
                }
                "environments" => {
                    let DeValue::Table(envs) = val.get_ref() else {
                        self.problem(
                            val.span(),
                            format!("`environments` is a table of environments, not {}", a(val.get_ref().type_str())),
                            Some("[targets.pg.environments.prod] with the settings that differ in prod".to_string()),
                        );
                        continue;
                    };
                    for (ek, ev) in envs {
                        let DeValue::Table(et) = ev.get_ref() else {
                            self.problem(
                                ev.span(),
                                format!(
                                    "environment `{}` is a table, not {}",
                                    ek.get_ref(),
                                    a(ev.get_ref().type_str())
                                ),
                                None,
                            );
                            continue;
                        };
                        let mut s = Settings::default();
                        self.settings(et, ENV_KEYS, &mut s);
                        environments.push((ek.get_ref().to_string(), s));
                    }
                }
                _ => {
                    rest.insert(k.clone(), val.clone());
                }
            }
        }
        self.settings(&rest, KEYS, &mut settings);
        let Some(kind) = kind else {
            if !t.iter().any(|(k, _)| k.get_ref().as_ref() == "type") {
                self.problem(
                    name.span(),
                    format!("target `{tname}` has no `type`"),
                    Some(format!(
                        "add type = \"postgres\" (or {})",
                        Kind::ALL
                            .iter()
                            .map(|k| format!("\"{}\"", k.name()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
            }
            return None;
        };
        match (kind, &dialect) {
            (Kind::FlightSql, None) => self.problem(
                type_span,
                format!("target `{tname}` (flightsql) names no `dialect`: Flight SQL servers speak many"),
                Some(format!("add dialect = \"...\", one of {}", DIALECTS.join(", "))),
            ),
            (k, Some(_)) if k != Kind::FlightSql => self.problem(
                dialect_span,
                format!("a {} target speaks the {} dialect; `dialect` is for flightsql targets", k.name(), k.dialect().unwrap_or("")),
                Some("remove `dialect`".to_string()),
            ),
            _ => {}
        }
        let needs_uri = !matches!(kind, Kind::DuckDb | Kind::BigQuery);
        if needs_uri
            && settings.uri.is_none()
            && !t.iter().any(|(k, _)| k.get_ref().as_ref() == "uri")
        {
            self.problem(
                name.span(),
                format!("target `{tname}` ({}) has no `uri`", kind.name()),
                Some(
                    match kind {
                        Kind::Postgres | Kind::Redshift => {
                            "uri = \"postgresql://user@host:5432/database\""
                        }
                        Kind::Spark => "uri = \"sc://host:15002\"",
                        Kind::Snowflake => "uri = \"user@account/database/schema?warehouse=WH\"",
                        _ => "uri = \"grpc://host:port\"",
                    }
                    .to_string(),
                ),
            );
        }
        if kind == Kind::DuckDb {
            let extra: Vec<&str> = t
                .iter()
                .map(|(k, _)| k.get_ref().as_ref())
                .filter(|k| *k != "type")
                .collect();
            if let Some(k) = extra.first() {
                self.problem(
                    v.span(),
                    format!("a duckdb target is the embedded DuckDB over the project's [bindings]; `{k}` does not apply"),
                    Some("remove it, or use a warehouse type".to_string()),
                );
            }
        }
        Some(TargetConfig {
            name: tname,
            kind,
            driver,
            dialect,
            settings,
            environments,
            file: self.file.to_string(),
            base: base.to_path_buf(),
            span: v.span(),
        })
    }
}

/// The targets of a file's `[targets]` table, and every mistake in them. `file` is
/// the name shown to users; `base` the directory relative driver paths start from.
/// `only_targets`: the file may hold nothing else (the user-level file).
pub fn parse(
    text: &str,
    file: &str,
    base: &Path,
    only_targets: bool,
) -> (Vec<TargetConfig>, Vec<Problem>) {
    let mut p = Parser {
        problems: Vec::new(),
        file,
    };
    let mut out = Vec::new();
    let doc = match DeTable::parse(text) {
        Ok(d) => d,
        Err(e) => {
            p.problem(
                e.span().unwrap_or(0..0),
                format!("invalid TOML: {}", e.message().trim_end()),
                None,
            );
            return (out, p.problems);
        }
    };
    for (k, v) in doc.get_ref() {
        let key = k.get_ref().as_ref();
        if key != "targets" {
            if only_targets {
                p.problem(
                    k.span(),
                    format!("unknown setting `{key}`: this file holds [targets.NAME] tables only"),
                    Some(HINT.to_string()),
                );
            }
            continue;
        }
        let DeValue::Table(targets) = v.get_ref() else {
            p.problem(
                v.span(),
                format!(
                    "`targets` is a table of targets, not {}",
                    a(v.get_ref().type_str())
                ),
                Some(HINT.to_string()),
            );
            continue;
        };
        for (name, tv) in targets {
            if let Some(t) = p.target(name, tv, base) {
                out.push(t);
            }
        }
    }
    // In the file's order (TOML tables are read in no particular order).
    p.problems.sort_by_key(|x| (x.span.start, x.span.end));
    out.sort_by_key(|t| t.span.start);
    (out, p.problems)
}
