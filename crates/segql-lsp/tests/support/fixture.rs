//! The project the server tests share, and helpers to talk about it.

#![allow(dead_code)]

use super::{Client, Project};
use serde_json::{json, Value};

pub const TOML: &str = "name = \"t\"\npaths = [\"catalog.seg\", \"segments\"]\n";

pub const CATALOG: &str = r#"entity user {
  description "One row per user"
  table analytics.users
  key user_id
  columns {
    country    string
    plan       string
    age        int
    account_id string references account as company
  }
  extra crm {
    table crm.contacts
    columns {
      rep string
    }
  }
}

entity account {
  table analytics.accounts
  key account_id
  columns {
    industry  string
    employees int
  }
}

events of user {
  table analytics.events
  key user_id
  name event_name
  time occurred_at
  properties {
    page   string
    amount decimal
  }
}

trait lifetime_value = sum(amount) of "purchase"
"#;

pub const A: &str = r#"segment paying {
  description "Users on a paid plan"
  owner "growth@example.com"
  tags ["revenue"]
  where plan in ["pro", "business"]
}
"#;

pub const B: &str = r#"segment big_paying {
  description "Paying, spent 100, in software 😀é"
  where in paying and lifetime_value > 100 and company.industry = "software"
}

segment pricing_lurkers {
  where did "page_viewed" with page = "/pricing" at least 3 times in last 14 days
}

segment software_accounts of account {
  where industry = "software" and at least 2 user where in paying
}

report revenue {
  segments [paying, big_paying]
  metric members = count
}

test paying_finds_pro {
  as_of 2024-06-01
  given user {
    | user_id | plan  |
    | "u1"    | "pro" |
  }
  expect paying = ["u1"]
}
"#;

pub fn project() -> Project {
    Project::new(&[
        ("segql.toml", TOML),
        ("catalog.seg", CATALOG),
        ("segments/a.seg", A),
        ("segments/b.seg", B),
    ])
}

/// What `segql check` reports for the project on disk (segql-project's `workspace`
/// is what the command runs): code, message, hint and the span's start.
pub fn check(p: &Project) -> Vec<(String, String, Option<String>, String, u32)> {
    let ws = segql_project::workspace(&[p.dir.path().to_path_buf()]).unwrap();
    ws.diags
        .iter()
        .map(|d| {
            let f = ws.map.get(d.span.file);
            (
                d.code.to_string(),
                d.message.clone(),
                d.hint.clone(),
                f.name.clone(),
                d.span.start,
            )
        })
        .collect()
}

pub fn open(c: &mut Client, p: &Project, name: &str) {
    let text = p.text(name);
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": p.uri(name), "languageId": "segql", "version": 1, "text": text,
        }}),
    );
}

pub fn change(c: &mut Client, p: &Project, name: &str, version: i32, text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": p.uri(name), "version": version },
            "contentChanges": [{ "text": text }],
        }),
    );
}

pub fn at(p: &Project, name: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": p.uri(name) }, "position": position })
}

pub fn hover(c: &mut Client, p: &Project, name: &str, position: Value) -> String {
    let h = c.request("textDocument/hover", at(p, name, position));
    h["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}
