//! The language server driven over JSON-RPC as an editor drives it: documents opened
//! and edited, diagnostics published, and every request answered from the project on
//! disk and the editor's unsaved text.

mod support;

use serde_json::{json, Value};
use support::{apply, find, Client, Project};

const TOML: &str = "name = \"t\"\npaths = [\"catalog.seg\", \"segments\"]\n";

const CATALOG: &str = r#"entity user {
  description "One row per user"
  table analytics.users
  key user_id
  columns {
    country    string
    plan       string
    age        int
    account_id string references account as company
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

const A: &str = r#"segment paying {
  description "Users on a paid plan"
  owner "growth@example.com"
  tags ["revenue"]
  where plan in ["pro", "business"]
}
"#;

const B: &str = r#"segment big_paying {
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

fn project() -> Project {
    Project::new(&[
        ("segql.toml", TOML),
        ("catalog.seg", CATALOG),
        ("segments/a.seg", A),
        ("segments/b.seg", B),
    ])
}

/// What `segql check` reports for the project on disk (segql-project's `workspace`
/// is what the command runs): code, message, hint and the span's start.
fn check(p: &Project) -> Vec<(String, String, Option<String>, String, u32)> {
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

fn open(c: &mut Client, p: &Project, name: &str) {
    let text = p.text(name);
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": p.uri(name), "languageId": "segql", "version": 1, "text": text,
        }}),
    );
}

fn change(c: &mut Client, p: &Project, name: &str, version: i32, text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": p.uri(name), "version": version },
            "contentChanges": [{ "text": text }],
        }),
    );
}

fn at(p: &Project, name: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": p.uri(name) }, "position": position })
}

fn hover(c: &mut Client, p: &Project, name: &str, position: Value) -> String {
    let h = c.request("textDocument/hover", at(p, name, position));
    h["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_fixture_checks_clean() {
    assert_eq!(check(&project()), vec![]);
}

#[test]
fn diagnostics_follow_edits_with_the_codes_and_spans_of_check() {
    let p = project();
    let mut c = Client::start();
    open(&mut c, &p, "segments/b.seg");
    // A misspelt column on a line where an emoji and an accent come before it.
    let broken = B.replace(
        "lifetime_value > 100 and company.industry = \"software\"",
        "company.industry = \"😀é\" and countryy = \"x\"",
    );
    assert_ne!(broken, B);
    change(&mut c, &p, "segments/b.seg", 2, &broken);
    let diags = c.diagnostics(&p.uri("segments/b.seg"));
    // The same problems `segql check` finds in the same text.
    std::fs::write(p.path("segments/b.seg"), &broken).unwrap();
    let expected = check(&p);
    assert_eq!(diags.len(), expected.len(), "{diags:#?} vs {expected:#?}");
    assert!(!expected.is_empty());
    let line = broken.lines().find(|l| l.contains("countryy")).unwrap();
    let line_no = broken.lines().position(|l| l.contains("countryy")).unwrap();
    for (d, (code, message, hint, _, start)) in diags.iter().zip(&expected) {
        assert_eq!(d["code"], json!(code));
        assert_eq!(d["source"], "segql");
        let want = match hint {
            Some(h) => format!("{message}\nhint: {h}"),
            None => message.clone(),
        };
        assert_eq!(d["message"], json!(want));
        // The range starts where check's span starts, counted in UTF-16 units.
        let before = &broken[..*start as usize];
        let l = before.matches('\n').count();
        let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
            .encode_utf16()
            .count();
        assert_eq!(d["range"]["start"], json!({ "line": l, "character": col }));
    }
    let unknown = diags
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("countryy"))
        .expect("the misspelt column is reported");
    assert_eq!(unknown["severity"], 1);
    assert!(unknown["message"]
        .as_str()
        .unwrap()
        .contains("hint: did you mean `country`?"));
    // UTF-16: 😀 counts two, é one; the byte offset would be larger.
    let col = line[..line.find("countryy").unwrap()]
        .encode_utf16()
        .count();
    assert!(col < line.find("countryy").unwrap());
    assert_eq!(
        unknown["range"],
        json!({
            "start": { "line": line_no, "character": col },
            "end": { "line": line_no, "character": col + 8 },
        })
    );

    // Fixed: the diagnostics are cleared.
    change(&mut c, &p, "segments/b.seg", 3, B);
    assert_eq!(c.diagnostics(&p.uri("segments/b.seg")), Vec::<Value>::new());

    // A syntax error: reported alone (names are checked once every file parses).
    let half = B.replace("lifetime_value > 100", "lifetime_value >");
    change(&mut c, &p, "segments/b.seg", 4, &half);
    let diags = c.diagnostics(&p.uri("segments/b.seg"));
    std::fs::write(p.path("segments/b.seg"), &half).unwrap();
    let expected = check(&p);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0]["code"], json!(expected[0].0));
    assert!(expected[0].0.starts_with("E01"), "{expected:?}");
    c.shutdown().unwrap();
}

#[test]
fn an_edit_in_one_file_is_seen_by_the_others() {
    let p = project();
    let mut c = Client::start();
    open(&mut c, &p, "segments/a.seg");
    open(&mut c, &p, "segments/b.seg");
    // Renaming `paying` in a.seg (not saved) breaks b.seg's uses of it.
    change(
        &mut c,
        &p,
        "segments/a.seg",
        2,
        &A.replace("segment paying", "segment payers"),
    );
    let diags = c.diagnostics(&p.uri("segments/b.seg"));
    assert!(!diags.is_empty());
    assert!(
        diags
            .iter()
            .all(|d| d["message"].as_str().unwrap().contains("paying")),
        "{diags:#?}"
    );
    change(&mut c, &p, "segments/a.seg", 3, A);
    assert_eq!(c.diagnostics(&p.uri("segments/b.seg")), Vec::<Value>::new());
    c.shutdown().unwrap();
}

#[test]
fn hover_tells_what_a_name_is() {
    let p = project();
    let mut c = Client::start();
    open(&mut c, &p, "segments/b.seg");
    open(&mut c, &p, "segments/a.seg");
    let h = hover(&mut c, &p, "segments/a.seg", find(A, "plan in", 0, 1));
    assert!(
        h.contains("**column** `plan`: string of entity `user`"),
        "{h}"
    );
    let h = hover(&mut c, &p, "segments/b.seg", find(B, "in paying", 0, 4));
    assert!(h.contains("**segment** `paying` of `user`"), "{h}");
    assert!(h.contains("Users on a paid plan"), "{h}");
    assert!(h.contains("owner: growth@example.com"), "{h}");
    assert!(h.contains("tags: revenue"), "{h}");
    assert!(h.contains("where plan in [\"pro\", \"business\"]"), "{h}");
    let h = hover(
        &mut c,
        &p,
        "segments/b.seg",
        find(B, "lifetime_value", 0, 2),
    );
    assert!(
        h.contains("**trait** `lifetime_value` of `user`: decimal"),
        "{h}"
    );
    assert!(
        h.contains("trait lifetime_value = sum(amount) of \"purchase\""),
        "{h}"
    );
    let h = hover(
        &mut c,
        &p,
        "segments/b.seg",
        find(B, "\"page_viewed\"", 0, 3),
    );
    assert!(h.contains("**event** \"page_viewed\" in `events`"), "{h}");
    assert!(
        h.contains("- `page` string") && h.contains("- `amount` decimal"),
        "{h}"
    );
    let h = hover(
        &mut c,
        &p,
        "segments/b.seg",
        find(B, "company.industry", 0, 2),
    );
    assert!(
        h.contains("**reference** `company` of `user`: column `account_id` → entity `account`"),
        "{h}"
    );
    let h = hover(
        &mut c,
        &p,
        "segments/b.seg",
        find(B, "company.industry", 0, 10),
    );
    assert!(
        h.contains("**column** `industry`: string of entity `account`"),
        "{h}"
    );
    let h = hover(&mut c, &p, "segments/b.seg", find(B, "with page", 0, 6));
    assert!(
        h.contains("**property** `page`: string of events `events`"),
        "{h}"
    );
    let h = hover(&mut c, &p, "segments/b.seg", find(B, "2 user where", 0, 3));
    assert!(h.contains("**related entities** `user`"), "{h}");
    // Nothing under the cursor: no hover.
    let r = c.request(
        "textDocument/hover",
        at(&p, "segments/b.seg", find(B, "100", 0, 1)),
    );
    assert_eq!(r, Value::Null);
    c.shutdown().unwrap();
}

#[test]
fn definition_and_references_cross_files() {
    let p = project();
    let mut c = Client::start();
    open(&mut c, &p, "segments/b.seg");
    let d = c.request(
        "textDocument/definition",
        at(&p, "segments/b.seg", find(B, "in paying", 0, 5)),
    );
    assert_eq!(d["uri"], json!(p.uri("segments/a.seg")));
    assert_eq!(d["range"]["start"], find(A, "paying", 0, 0));
    let d = c.request(
        "textDocument/definition",
        at(&p, "segments/b.seg", find(B, "company.industry", 0, 9)),
    );
    assert_eq!(d["uri"], json!(p.uri("catalog.seg")));
    assert_eq!(d["range"]["start"], find(CATALOG, "industry", 0, 0));
    let d = c.request(
        "textDocument/definition",
        at(&p, "segments/b.seg", find(B, "company.", 0, 1)),
    );
    assert_eq!(d["range"]["start"], find(CATALOG, "account {", 0, 0));
    let d = c.request(
        "textDocument/definition",
        at(&p, "segments/b.seg", find(B, "with page", 0, 6)),
    );
    assert_eq!(d["range"]["start"], find(CATALOG, "page   string", 0, 0));
    let d = c.request(
        "textDocument/definition",
        at(&p, "segments/b.seg", find(B, "lifetime_value", 0, 0)),
    );
    assert_eq!(d["range"]["start"], find(CATALOG, "lifetime_value", 0, 0));
    // An event of a relation with a name column: its relation.
    let d = c.request(
        "textDocument/definition",
        at(&p, "segments/b.seg", find(B, "page_viewed", 0, 0)),
    );
    assert_eq!(d["range"]["start"], find(CATALOG, "events of user", 0, 0));
    let d = c.request(
        "textDocument/definition",
        at(&p, "segments/b.seg", find(B, "user_id |", 0, 0)),
    );
    assert_eq!(d["range"]["start"], find(CATALOG, "user_id", 0, 0));

    let refs = |c: &mut Client, decl: bool| {
        let mut params = at(&p, "segments/a.seg", find(A, "paying", 0, 2));
        params["context"] = json!({ "includeDeclaration": decl });
        let r = c.request("textDocument/references", params);
        let mut v: Vec<(String, Value)> = r
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["uri"].as_str().unwrap().to_string(),
                    l["range"]["start"].clone(),
                )
            })
            .collect();
        v.sort_by_key(|(u, p)| (u.clone(), p.to_string()));
        v
    };
    let a = p.uri("segments/a.seg");
    let b = p.uri("segments/b.seg");
    // "paying" in B: big_paying, in paying, in paying, [paying, big_paying],
    // paying_finds_pro (a test), expect paying.
    let mut want = vec![
        (b.clone(), find(B, "paying", 1, 0)),
        (b.clone(), find(B, "paying", 2, 0)),
        (b.clone(), find(B, "paying", 3, 0)),
        (b.clone(), find(B, "paying", 6, 0)),
    ];
    want.sort_by_key(|(u, p)| (u.clone(), p.to_string()));
    assert_eq!(refs(&mut c, false), want);
    let mut with_decl = want.clone();
    with_decl.push((a, find(A, "paying", 0, 0)));
    with_decl.sort_by_key(|(u, p)| (u.clone(), p.to_string()));
    assert_eq!(refs(&mut c, true), with_decl);

    // A column: its declaration, its uses in segments and in a test's table.
    let mut params = at(&p, "segments/b.seg", find(B, "| plan", 0, 2));
    params["context"] = json!({ "includeDeclaration": true });
    let r = c.request("textDocument/references", params);
    let places: Vec<String> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            l["uri"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(places, vec!["catalog.seg", "a.seg", "b.seg"]);
    c.shutdown().unwrap();
}

#[test]
fn completion_offers_what_the_grammar_allows() {
    let p = project();
    let mut c = Client::start();
    open(&mut c, &p, "segments/b.seg");
    let text = format!("{B}\nsegment new_one {{\n  where \n}}\n");
    change(&mut c, &p, "segments/b.seg", 2, &text);
    let items = c.request(
        "textDocument/completion",
        at(&p, "segments/b.seg", find(&text, "where \n", 0, 6)),
    );
    let l = labels(&items);
    for want in [
        "plan",
        "country",
        "age",
        "company.",
        "lifetime_value",
        "did",
        "not",
        "in",
        "sum(",
    ] {
        assert!(l.contains(&want.to_string()), "{want} missing from {l:?}");
    }
    assert!(
        !l.contains(&"page".to_string()),
        "a property outside a filter: {l:?}"
    );
    assert!(!l.contains(&"industry".to_string()), "{l:?}");
    // A column's item says its type.
    let plan = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "plan")
        .unwrap();
    assert_eq!(plan["detail"], "string column of user");

    let text = format!("{B}\nsegment new_one {{\n  where did \n}}\n");
    change(&mut c, &p, "segments/b.seg", 3, &text);
    let l = labels(&c.request(
        "textDocument/completion",
        at(&p, "segments/b.seg", find(&text, "did \n", 0, 4)),
    ));
    for want in ["\"page_viewed\"", "\"purchase\"", "any event"] {
        assert!(l.contains(&want.to_string()), "{want} missing from {l:?}");
    }
    assert!(!l.contains(&"plan".to_string()), "{l:?}");

    let text = format!("{B}\nsegment new_one {{\n  where did \"page_viewed\" with \n}}\n");
    change(&mut c, &p, "segments/b.seg", 4, &text);
    let l = labels(&c.request(
        "textDocument/completion",
        at(&p, "segments/b.seg", find(&text, "with \n", 0, 5)),
    ));
    assert!(
        l.contains(&"page".to_string()) && l.contains(&"amount".to_string()),
        "{l:?}"
    );
    assert!(!l.contains(&"plan".to_string()), "{l:?}");

    // `in ` takes segments of the same entity; `company.` the account's columns.
    let text = format!("{B}\nsegment new_one {{\n  where in \n}}\n");
    change(&mut c, &p, "segments/b.seg", 5, &text);
    let l = labels(&c.request(
        "textDocument/completion",
        at(&p, "segments/b.seg", find(&text, "where in \n", 0, 9)),
    ));
    assert!(
        l.contains(&"paying".to_string()) && l.contains(&"pricing_lurkers".to_string()),
        "{l:?}"
    );
    assert!(!l.contains(&"software_accounts".to_string()), "{l:?}");
    let text = format!("{B}\nsegment new_one {{\n  where company.\n}}\n");
    change(&mut c, &p, "segments/b.seg", 6, &text);
    let l = labels(&c.request(
        "textDocument/completion",
        at(&p, "segments/b.seg", find(&text, "company.\n", 0, 8)),
    ));
    assert_eq!(l, vec!["industry", "employees", "account_id"]);

    // Inside a string being typed after `did`: event names, replacing the string
    // (and the quote the editor closed).
    let text = format!("{B}\nsegment new_one {{\n  where did \"pa\"\n}}\n");
    change(&mut c, &p, "segments/b.seg", 8, &text);
    let items = c.request(
        "textDocument/completion",
        at(&p, "segments/b.seg", find(&text, "\"pa\"", 0, 3)),
    );
    assert_eq!(labels(&items), vec!["\"page_viewed\"", "\"purchase\""]);
    let e = &items[0]["textEdit"];
    assert_eq!(e["range"]["start"], find(&text, "\"pa\"", 0, 0));
    assert_eq!(e["range"]["end"], find(&text, "\"pa\"", 0, 4));
    assert_eq!(e["newText"], "\"page_viewed\"");

    // A word being typed is replaced by the item.
    let text = format!("{B}\nsegment new_one {{\n  where pla\n}}\n");
    change(&mut c, &p, "segments/b.seg", 7, &text);
    let items = c.request(
        "textDocument/completion",
        at(&p, "segments/b.seg", find(&text, "pla\n", 0, 3)),
    );
    let plan = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "plan")
        .unwrap();
    assert_eq!(
        plan["textEdit"]["range"]["start"],
        find(&text, "pla\n", 0, 0)
    );
    assert_eq!(plan["textEdit"]["newText"], "plan");
    c.shutdown().unwrap();
}

#[test]
fn formatting_is_one_edit_of_the_formatters_output() {
    let messy = "segment  messy{where plan=\"pro\"   and age>=18}\n";
    let p = Project::new(&[
        ("segql.toml", TOML),
        ("catalog.seg", CATALOG),
        ("segments/a.seg", A),
        ("segments/messy.seg", messy),
    ]);
    let mut c = Client::start();
    open(&mut c, &p, "segments/messy.seg");
    let params = json!({
        "textDocument": { "uri": p.uri("segments/messy.seg") },
        "options": { "tabSize": 2, "insertSpaces": true },
    });
    let edits = c.request("textDocument/formatting", params.clone());
    let edits = edits.as_array().unwrap().clone();
    assert_eq!(edits.len(), 1);
    let formatted = apply(messy, &edits);
    let want = segql_syntax::format_file(&segql_syntax::parse(messy, segql_syntax::FileId(0)).file);
    assert_eq!(formatted, want);
    assert_eq!(
        formatted,
        "segment messy {\n  where plan = \"pro\" and age >= 18\n}\n"
    );
    // Formatted text: no edit.
    change(&mut c, &p, "segments/messy.seg", 2, &formatted);
    assert_eq!(
        c.request("textDocument/formatting", params.clone()),
        json!([])
    );
    // Syntax errors: refused, with the first error.
    change(
        &mut c,
        &p,
        "segments/messy.seg",
        3,
        "segment messy { where plan = }\n",
    );
    let r = c.call("textDocument/formatting", params);
    assert_eq!(r["error"]["code"], -32803, "{r}");
    let m = r["error"]["message"].as_str().unwrap();
    assert!(
        m.starts_with("not formatted: the file has syntax errors (E0"),
        "{m}"
    );
    assert!(m.contains("at 1:"), "{m}");
    c.shutdown().unwrap();
}

#[test]
fn a_segment_is_renamed_across_files() {
    let p = project();
    let mut c = Client::start();
    open(&mut c, &p, "segments/b.seg");
    // Only segments can be renamed.
    let r = c.call(
        "textDocument/prepareRename",
        at(&p, "segments/b.seg", find(B, "lifetime_value", 0, 1)),
    );
    assert_eq!(r["error"]["code"], -32803, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only segments can be renamed; this is a trait"),
        "{r}"
    );
    let r = c.call(
        "textDocument/prepareRename",
        at(&p, "segments/b.seg", find(B, "100", 0, 1)),
    );
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not on a name"),
        "{r}"
    );
    let r = c.request(
        "textDocument/prepareRename",
        at(&p, "segments/b.seg", find(B, "in paying", 0, 4)),
    );
    assert_eq!(r["placeholder"], "paying");
    assert_eq!(r["range"]["start"], find(B, "paying", 1, 0));
    // A name taken by another segment or report.
    let mut params = at(&p, "segments/b.seg", find(B, "in paying", 0, 4));
    params["newName"] = json!("revenue");
    let r = c.call("textDocument/rename", params.clone());
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`revenue` is already the name"),
        "{r}"
    );

    params["newName"] = json!("customers");
    let edit = c.request("textDocument/rename", params);
    let changes = edit["changes"].as_object().unwrap();
    let mut files: Vec<&String> = changes.keys().collect();
    files.sort();
    assert_eq!(
        files,
        vec![&p.uri("segments/a.seg"), &p.uri("segments/b.seg")]
    );
    let a = apply(A, changes[&p.uri("segments/a.seg")].as_array().unwrap());
    let b = apply(B, changes[&p.uri("segments/b.seg")].as_array().unwrap());
    assert_eq!(a, A.replace("paying", "customers"));
    let want = B
        .replace("paying", "customers")
        .replace("big_customers", "big_paying")
        .replace("customers_finds_pro", "paying_finds_pro");
    assert_eq!(b, want);
    // The renamed project checks clean.
    std::fs::write(p.path("segments/a.seg"), &a).unwrap();
    std::fs::write(p.path("segments/b.seg"), &b).unwrap();
    assert_eq!(check(&p), vec![]);

    // A name that is not a plain word is written in backticks.
    let mut params = at(&p, "segments/b.seg", find(B, "big_paying", 0, 1));
    params["newName"] = json!("big paying");
    let edit = c.request("textDocument/rename", params);
    let edits = edit["changes"][p.uri("segments/b.seg")]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edits.len(), 2);
    assert!(edits.iter().all(|e| e["newText"] == "`big paying`"));
    // Typed in backticks, the same.
    let mut params = at(&p, "segments/b.seg", find(B, "big_paying", 0, 1));
    params["newName"] = json!("`big paying`");
    let edit = c.request("textDocument/rename", params);
    assert_eq!(
        edit["changes"][p.uri("segments/b.seg")][0]["newText"],
        "`big paying`"
    );
    c.shutdown().unwrap();
}

#[test]
fn segql_toml_problems_are_shown_on_segql_toml() {
    let p = Project::new(&[
        (
            "segql.toml",
            "name = \"t\"\npaths = [\"catalog.seg\", \"segmnts\"]\n",
        ),
        ("catalog.seg", CATALOG),
        ("segments/a.seg", A),
    ]);
    let mut c = Client::start();
    open(&mut c, &p, "segments/a.seg");
    let d = c.diagnostics(&p.uri("segql.toml"));
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0]["code"], "E0150");
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("`segmnts` in segql.toml does not exist"),
        "{d:#?}"
    );
    assert_eq!(
        d[0]["range"]["start"],
        find(&p.text("segql.toml"), "\"segmnts\"", 0, 0)
    );
    c.shutdown().unwrap();
}

#[test]
fn files_appearing_on_disk_are_read() {
    let p = Project::new(&[
        ("segql.toml", TOML),
        ("catalog.seg", CATALOG),
        ("segments/b.seg", "segment big_paying { where in paying }\n"),
    ]);
    let mut c = Client::start();
    open(&mut c, &p, "segments/b.seg");
    let d = c.diagnostics(&p.uri("segments/b.seg"));
    assert_eq!(d.len(), 1);
    assert!(
        d[0]["message"].as_str().unwrap().contains("paying"),
        "{d:#?}"
    );
    std::fs::write(p.path("segments/a.seg"), A).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": p.uri("segments/a.seg"), "type": 1 }] }),
    );
    assert_eq!(c.diagnostics(&p.uri("segments/b.seg")), Vec::<Value>::new());
    c.shutdown().unwrap();
}

#[test]
fn a_file_outside_any_project_is_checked_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("loose.seg");
    std::fs::write(&path, "segment s { where x = 1 }\n").unwrap();
    let uri = support::uri(&path);
    let mut c = Client::start();
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "segql", "version": 1,
            "text": "segment s { where x = 1 }\n" }}),
    );
    let d = c.diagnostics(&uri);
    assert!(!d.is_empty());
    // Closing it clears what was shown for it.
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    c.shutdown().unwrap();
}

#[test]
fn unknown_requests_and_bad_parameters_get_errors_not_crashes() {
    let mut c = Client::start();
    let r = c.call("textDocument/unheardOf", json!({}));
    assert_eq!(r["error"]["code"], -32601);
    let r = c.call("textDocument/hover", json!({ "nonsense": true }));
    assert_eq!(r["error"]["code"], -32602);
    // A document never opened: nothing to say, no error.
    let r = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "untitled:nothing" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(r, Value::Null);
    c.shutdown().unwrap();
}

#[test]
fn exit_without_shutdown_is_an_error() {
    let mut c = Client::start();
    c.notify("exit", Value::Null);
    let e = c.join().unwrap_err();
    assert!(e.to_string().contains("without `shutdown`"), "{e}");
}
