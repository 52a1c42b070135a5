//! Hover, go to definition, find references, the outline and renaming a segment,
//! across the files of a project.
//! The server runs in-process and is driven with JSON-RPC over in-memory pipes, as an
//! editor drives it over stdio (tests/support).

mod support;

use serde_json::{json, Value};
use support::fixture::*;
use support::{apply, find, Client, Project};

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
    // A column of an extra table says which table holds it.
    let h = hover(&mut c, &p, "catalog.seg", find(CATALOG, "rep string", 0, 1));
    assert!(
        h.contains("**column** `rep`: string of entity `user` (extra table `crm`: `crm.contacts`)")
            && h.contains("unset without a row"),
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
fn splits_groups_and_priority_lists_are_navigable() {
    let lists = r#"split onboarding of paying {
  salt "s1"
  group control 50%
  group variant 50%
}

priority stages {
  segments [paying, pricing_lurkers]
}

test lists_hold_their_members {
  as_of 2024-06-01
  given user {
    | user_id | plan  |
    | "u1"    | "pro" |
  }
  expect onboarding.control = ["u1"]
  expect stages.paying = ["u1"]
}
"#;
    let p = Project::new(&[
        ("segql.toml", TOML),
        ("catalog.seg", CATALOG),
        ("segments/a.seg", A),
        ("segments/b.seg", B),
        ("segments/lists.seg", lists),
    ]);
    let mut c = Client::start();
    open(&mut c, &p, "segments/lists.seg");
    let def = |c: &mut Client, needle: &str, n: usize, ahead: usize| {
        let d = c.request(
            "textDocument/definition",
            at(&p, "segments/lists.seg", find(lists, needle, n, ahead)),
        );
        (
            d["uri"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string(),
            d["range"]["start"].clone(),
        )
    };
    // `expect SPLIT.GROUP`: the split, then its group.
    assert_eq!(
        def(&mut c, "onboarding.control", 0, 2),
        ("lists.seg".to_string(), find(lists, "onboarding", 0, 0))
    );
    assert_eq!(
        def(&mut c, "onboarding.control", 0, 12),
        ("lists.seg".to_string(), find(lists, "control", 0, 0))
    );
    // `expect PRIORITY.SEGMENT`: the list, then the segment in its file.
    assert_eq!(
        def(&mut c, "stages.paying", 0, 2),
        ("lists.seg".to_string(), find(lists, "stages", 0, 0))
    );
    assert_eq!(
        def(&mut c, "stages.paying", 0, 8),
        ("a.seg".to_string(), find(A, "paying", 0, 0))
    );
    // `split NAME of SEGMENT`, a priority list's segments.
    assert_eq!(
        def(&mut c, "pricing_lurkers", 0, 1),
        ("b.seg".to_string(), find(B, "pricing_lurkers", 0, 0))
    );
    let h = hover(
        &mut c,
        &p,
        "segments/lists.seg",
        find(lists, "onboarding.control", 0, 12),
    );
    assert!(
        h.contains("**group** `control` of split `onboarding`: 50% of `paying`"),
        "{h}"
    );
    let h = hover(
        &mut c,
        &p,
        "segments/lists.seg",
        find(lists, "stages", 0, 1),
    );
    assert!(h.contains("1. `paying`\n2. `pricing_lurkers`"), "{h}");
    // References of a group: its declaration and the test's expectation.
    let mut params = at(&p, "segments/lists.seg", find(lists, "control", 0, 1));
    params["context"] = json!({ "includeDeclaration": true });
    let r = c.request("textDocument/references", params);
    let starts: Vec<Value> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["range"]["start"].clone())
        .collect();
    assert_eq!(
        starts,
        vec![find(lists, "control", 0, 0), find(lists, "control", 1, 0)]
    );

    // The outline: every item, with an entity's columns below it.
    open(&mut c, &p, "catalog.seg");
    let outline = c.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": p.uri("catalog.seg") } }),
    );
    let names: Vec<(&str, &str)> = outline
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["detail"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("user", "entity"),
            ("account", "entity"),
            ("events", "events"),
            ("lifetime_value", "trait")
        ]
    );
    let columns: Vec<&str> = outline[0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(columns, vec!["country", "plan", "age", "account_id"]);
    c.shutdown().unwrap();
}

#[test]
fn a_segment_is_renamed_across_files() {
    let p = project();
    let mut c = Client::start();
    open(&mut c, &p, "segments/b.seg");
    // Only segments and actions can be renamed.
    let r = c.call(
        "textDocument/prepareRename",
        at(&p, "segments/b.seg", find(B, "lifetime_value", 0, 1)),
    );
    assert_eq!(r["error"]["code"], -32803, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only segments and actions can be renamed; this is a trait"),
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
