//! The configuration's unit tests: parsing, secrets, environments and mappings.

use super::*;
use std::path::Path;

fn parse_ok(text: &str) -> Vec<TargetConfig> {
    let (t, p) = parse(text, "segql.toml", Path::new("."), false);
    assert!(p.is_empty(), "{p:?}");
    t
}

fn problems(text: &str) -> Vec<Problem> {
    parse(text, "segql.toml", Path::new("."), false).1
}

#[test]
fn a_target_with_environments_and_mappings() {
    let t = parse_ok(
        r#"
name = "x"
[targets.pg]
type = "postgres"
uri = "postgresql://segql@127.0.0.1:5432/analytics"
password = { env = "PGPW" }
schemas = { analytics = "analytics_dev", billing = "fin.billing" }
relations = { "analytics.events" = "raw.events_v2" }
options = { "adbc.postgresql.quirk" = "1" }
[targets.pg.environments.prod]
uri = "postgresql://segql@db:5432/analytics"
schemas = { analytics = "analytics" }
state = "segql_prod"
"#,
    );
    assert_eq!(t.len(), 1);
    let dev = select(&t, "pg").unwrap();
    let parts = |s: &str| s.split('.').map(str::to_string).collect::<Vec<_>>();
    assert_eq!(dev.dialect, "postgres");
    assert_eq!(
        dev.relation(&parts("analytics.users")),
        parts("analytics_dev.users")
    );
    assert_eq!(
        dev.relation(&parts("analytics.events")),
        parts("raw.events_v2")
    );
    assert_eq!(
        dev.relation(&parts("billing.invoices")),
        parts("fin.billing.invoices")
    );
    assert_eq!(dev.relation(&parts("other.t")), parts("other.t"));
    assert_eq!(dev.settings.password.as_deref(), Some("PGPW"));
    let prod = select(&t, "pg:prod").unwrap();
    assert_eq!(
        prod.relation(&parts("analytics.users")),
        parts("analytics.users")
    );
    assert_eq!(
        prod.settings.uri.as_deref(),
        Some("postgresql://segql@db:5432/analytics")
    );
    assert_eq!(prod.name, "pg:prod");
    // segql's state: the default schema, or the environment's own.
    assert_eq!(dev.state_schema(), vec!["segql_state".to_string()]);
    assert_eq!(prod.state_schema(), vec!["segql_prod".to_string()]);
    let e = select(&t, "pg:prd").unwrap_err();
    assert_eq!(e.code, codes::CONFIG);
    assert!(e.hint.unwrap().contains("pg:prod"));
    let e = select(&t, "pq").unwrap_err();
    assert!(e.to_string().contains("no target `pq`"), "{e}");
    assert!(e.hint.unwrap().contains("`pg`"));
}

#[test]
fn secrets_are_refused_in_files_and_never_repeated() {
    let text = r#"
[targets.pg]
type = "postgres"
uri = "postgresql://segql:hunter2@127.0.0.1/db"
password = "hunter3"
options = { "adbc.snowflake.sql.client_option.private_key" = "hunter4", token_x = { env = "T" } }
"#;
    let p = problems(text);
    assert_eq!(p.len(), 3, "{p:?}");
    for pr in &p {
        let all = format!("{} {:?}", pr.message, pr.hint);
        for s in ["hunter2", "hunter3", "hunter4"] {
            assert!(!all.contains(s), "{all}");
        }
    }
    assert!(p[0].message.contains("`uri` holds a password"), "{p:?}");
    assert!(p[1].message.contains("`password` is a secret"));
    assert!(p[2].message.contains("private_key"));
    assert_eq!(&text[p[1].span.clone()], "\"hunter3\"");
    assert!(uri_secret("sc://host:15002/;token=abc").is_some());
    assert!(uri_secret("postgresql://h/db?password=x").is_some());
    assert!(uri_secret("postgresql://u@h:5432/db?sslmode=require").is_none());
    assert!(uri_secret("sc://127.0.0.1:15002").is_none());
}

#[test]
fn every_mistake_is_found_with_its_place() {
    let text = r#"
[targets.a]
typ = "postgres"
[targets.b]
type = "postgress"
[targets.c]
type = "flightsql"
uri = "grpc://127.0.0.1:1"
[targets.d]
type = "spark"
uri = 5
schemas = { analytics = "a.b.c" }
state = "a.b.c"
[targets.e]
type = "duckdb"
uri = "x"
"#;
    let p = problems(text);
    let messages: Vec<&str> = p.iter().map(|x| x.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.contains("unknown setting `typ`")),
        "{messages:?}"
    );
    assert!(p
        .iter()
        .any(|x| x.hint.as_deref() == Some("did you mean \"postgres\"?")));
    assert!(messages.iter().any(|m| m.contains("names no `dialect`")));
    assert!(messages
        .iter()
        .any(|m| m.contains("`uri` is a string, not an integer")));
    assert!(messages.iter().any(|m| m.contains("`schemas.analytics`")));
    assert!(messages.iter().any(|m| m
        .contains("`state` is a dotted name of 1 to 2 parts (`database.schema`), not \"a.b.c\"")));
    assert!(messages.iter().any(|m| m.contains("duckdb target")));
    assert!(messages.iter().any(|m| m.contains("has no `type`")));
    for x in &p {
        assert!(
            x.span.end <= text.len() && x.span.start < x.span.end,
            "{x:?}"
        );
    }
}

#[test]
fn the_user_file_holds_targets_only() {
    let (_, p) = parse(
        "name = \"x\"\n[targets.s]\ntype = \"spark\"\nuri = \"sc://h:1\"\n",
        "targets.toml",
        Path::new("/"),
        true,
    );
    assert_eq!(p.len(), 1);
    assert!(p[0].message.contains("holds [targets.NAME] tables only"));
}

#[test]
fn kinds_know_their_dialect_and_driver() {
    assert_eq!(Kind::Spark.dialect(), Some("databricks"));
    assert_eq!(Kind::Redshift.driver(), Some("adbc_driver_postgresql"));
    assert_eq!(Kind::Postgres.driver_env(), "SEGQL_ADBC_DRIVER_POSTGRES");
    assert_eq!(Kind::BigQuery.wheel(), Some("adbc-driver-bigquery"));
    assert!(is_secret_key("adbc.bigquery.sql.auth_credentials"));
    assert!(!is_secret_key("adbc.bigquery.sql.auth_type"));
}
