//! Actions (`action checkout = "page_viewed" with page = "/checkout" or "purchase"`):
//! go to definition, references, hover, the outline, renaming across files and
//! completion where an event goes.
//! The server runs in-process and is driven with JSON-RPC over in-memory pipes, as an
//! editor drives it over stdio (tests/support).

mod support;

use serde_json::{json, Value};
use support::fixture::*;
use support::{apply, find, pos, Client, Project};

const ACTIONS: &str = r#"action checkout = "page_viewed" with page = "/checkout" or "purchase" with amount > 0

action engaged of user = checkout or ["login", "invite_sent"]
"#;

const USES: &str = r#"segment checkout_spender {
  where sum(amount) of checkout in last 90 days >= 500 and did checkout with amount > 100
}

segment engaged_weekly {
  where did engaged at least 2 times in last 7 days
}

segment checkout_lapsed {
  where stopped checkout for 30 days in last 120 days
}
"#;

fn actions_project() -> Project {
    Project::new(&[
        ("segql.toml", TOML),
        ("catalog.seg", CATALOG),
        ("segments/a.seg", A),
        ("segments/b.seg", B),
        ("segments/actions.seg", ACTIONS),
        ("segments/uses.seg", USES),
    ])
}

/// The file name and start of a location.
fn place(l: &Value) -> (String, Value) {
    let uri = l["uri"].as_str().unwrap();
    (
        uri.rsplit('/').next().unwrap().to_string(),
        l["range"]["start"].clone(),
    )
}

#[test]
fn an_action_is_navigable_and_hovered() {
    let p = actions_project();
    // The project checks clean: every action (and trait) is used.
    assert_eq!(check(&p), vec![]);
    let mut c = Client::start();
    open(&mut c, &p, "segments/uses.seg");
    open(&mut c, &p, "segments/actions.seg");
    let def = |c: &mut Client, file: &str, text: &str, needle: &str, n: usize, ahead: usize| {
        let d = c.request(
            "textDocument/definition",
            at(
                &p,
                &format!("segments/{file}"),
                find(text, needle, n, ahead),
            ),
        );
        place(&d)
    };
    let decl = ("actions.seg".to_string(), find(ACTIONS, "checkout", 0, 0));
    // From `did checkout`, `sum(amount) of checkout`, `stopped checkout` and another
    // action's alternative: the declaration.
    assert_eq!(def(&mut c, "uses.seg", USES, "did checkout", 0, 5), decl);
    assert_eq!(def(&mut c, "uses.seg", USES, "of checkout", 0, 4), decl);
    assert_eq!(
        def(&mut c, "uses.seg", USES, "stopped checkout", 0, 9),
        decl
    );
    assert_eq!(
        def(&mut c, "actions.seg", ACTIONS, "= checkout", 0, 3),
        decl
    );
    assert_eq!(
        def(&mut c, "uses.seg", USES, "did engaged", 0, 4),
        ("actions.seg".to_string(), find(ACTIONS, "engaged", 0, 0))
    );
    // Inside an action: properties of its relation, its entity.
    assert_eq!(
        def(&mut c, "actions.seg", ACTIONS, "with page", 0, 5),
        (
            "catalog.seg".to_string(),
            find(CATALOG, "page   string", 0, 0)
        )
    );
    assert_eq!(
        def(&mut c, "actions.seg", ACTIONS, "with amount", 0, 5),
        (
            "catalog.seg".to_string(),
            find(CATALOG, "amount decimal", 0, 0)
        )
    );
    assert_eq!(
        def(&mut c, "actions.seg", ACTIONS, "of user", 0, 3),
        ("catalog.seg".to_string(), find(CATALOG, "user {", 0, 0))
    );
    // An extra `with` on a use, and an aggregate's property: the action's relation.
    assert_eq!(
        def(&mut c, "uses.seg", USES, "with amount", 0, 5),
        (
            "catalog.seg".to_string(),
            find(CATALOG, "amount decimal", 0, 0)
        )
    );
    assert_eq!(
        def(&mut c, "uses.seg", USES, "sum(amount)", 0, 4),
        (
            "catalog.seg".to_string(),
            find(CATALOG, "amount decimal", 0, 0)
        )
    );

    // References: the declaration, the other action's alternative and three uses.
    let mut params = at(&p, "segments/actions.seg", find(ACTIONS, "checkout", 0, 2));
    params["context"] = json!({ "includeDeclaration": true });
    let r = c.request("textDocument/references", params);
    let got: Vec<(String, Value)> = r.as_array().unwrap().iter().map(place).collect();
    assert_eq!(
        got,
        vec![
            decl.clone(),
            ("actions.seg".to_string(), find(ACTIONS, "= checkout", 0, 2)),
            ("uses.seg".to_string(), find(USES, "checkout", 1, 0)),
            ("uses.seg".to_string(), find(USES, "checkout", 2, 0)),
            ("uses.seg".to_string(), find(USES, "checkout", 4, 0)),
        ]
    );
    // An event name in an action is that event's, as anywhere else.
    let h = hover(
        &mut c,
        &p,
        "segments/actions.seg",
        find(ACTIONS, "\"purchase\"", 0, 2),
    );
    assert!(h.contains("**event** \"purchase\" in `events`"), "{h}");

    // Hover: the action, its entity and relation, and its definition.
    let h = hover(
        &mut c,
        &p,
        "segments/uses.seg",
        find(USES, "did checkout", 0, 6),
    );
    assert!(
        h.contains("**action** `checkout` of `user`, events of `events`"),
        "{h}"
    );
    assert!(
        h.contains("action checkout = \"page_viewed\" with page = \"/checkout\" or \"purchase\" with amount > 0"),
        "{h}"
    );
    let h = hover(
        &mut c,
        &p,
        "segments/actions.seg",
        find(ACTIONS, "engaged", 0, 1),
    );
    assert!(
        h.contains("action engaged of user = checkout or [\"login\", \"invite_sent\"]"),
        "{h}"
    );

    // The outline lists actions.
    let outline = c.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": p.uri("segments/actions.seg") } }),
    );
    let names: Vec<(&str, &str)> = outline
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["detail"].as_str().unwrap()))
        .collect();
    assert_eq!(names, vec![("checkout", "action"), ("engaged", "action")]);
    c.shutdown().unwrap();
}

#[test]
fn an_action_is_renamed_across_files() {
    let p = actions_project();
    let mut c = Client::start();
    open(&mut c, &p, "segments/uses.seg");
    let r = c.request(
        "textDocument/prepareRename",
        at(&p, "segments/uses.seg", find(USES, "did checkout", 0, 6)),
    );
    assert_eq!(r["placeholder"], "checkout");
    assert_eq!(r["range"]["start"], find(USES, "checkout", 2, 0));
    // Actions have names of their own: a segment's name is free for one, another
    // action's is not.
    let mut params = at(&p, "segments/uses.seg", find(USES, "did checkout", 0, 6));
    params["newName"] = json!("engaged");
    let r = c.call("textDocument/rename", params.clone());
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`engaged` is already the name of an action"),
        "{r}"
    );

    params["newName"] = json!("paying");
    let edit = c.request("textDocument/rename", params.clone());
    let changes = edit["changes"].as_object().unwrap();
    let mut files: Vec<&String> = changes.keys().collect();
    files.sort();
    assert_eq!(
        files,
        vec![&p.uri("segments/actions.seg"), &p.uri("segments/uses.seg")]
    );
    let actions = apply(
        ACTIONS,
        changes[&p.uri("segments/actions.seg")].as_array().unwrap(),
    );
    let uses = apply(
        USES,
        changes[&p.uri("segments/uses.seg")].as_array().unwrap(),
    );
    assert_eq!(
        actions,
        ACTIONS
            .replace("checkout =", "paying =")
            .replace("= checkout", "= paying")
    );
    assert_eq!(uses, USES.replace(" checkout ", " paying "));

    // A name that is not a plain word is written in backticks, at every place.
    params["newName"] = json!("cart checkout");
    let edit = c.request("textDocument/rename", params);
    let edits: Vec<Value> = edit["changes"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|v| v.as_array().unwrap().clone())
        .collect();
    assert_eq!(edits.len(), 5);
    assert!(edits.iter().all(|e| e["newText"] == "`cart checkout`"));
    c.shutdown().unwrap();

    // The renamed project checks clean.
    std::fs::write(p.path("segments/actions.seg"), &actions).unwrap();
    std::fs::write(p.path("segments/uses.seg"), &uses).unwrap();
    assert_eq!(check(&p), vec![]);
}

#[test]
fn completion_offers_actions_where_an_event_goes() {
    let p = actions_project();
    let mut c = Client::start();
    open(&mut c, &p, "segments/uses.seg");
    let complete_at = |c: &mut Client, version: i32, text: &str, position: Value| {
        change(c, &p, "segments/uses.seg", version, text);
        c.request(
            "textDocument/completion",
            at(&p, "segments/uses.seg", position),
        )
    };
    let complete = |c: &mut Client, version: i32, text: &str, needle: &str, ahead: usize| {
        complete_at(c, version, text, find(text, needle, 0, ahead))
    };
    for (v, (cursor, line)) in [
        ("did \n", "  where did \n"),
        ("of \n", "  where count of \n"),
        ("then \n", "  where did \"login\" then \n"),
        ("stopped \n", "  where stopped \n"),
        ("restarted \n", "  where restarted \n"),
    ]
    .into_iter()
    .enumerate()
    {
        let text = format!("{USES}\nsegment new_one {{\n{line}}}\n");
        let items = complete(&mut c, v as i32 + 2, &text, cursor, cursor.len() - 1);
        let l = labels(&items);
        for want in ["checkout", "engaged", "\"purchase\"", "any event"] {
            assert!(
                l.contains(&want.to_string()),
                "{want} missing after {cursor:?}: {l:?}"
            );
        }
        let checkout = items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["label"] == "checkout")
            .unwrap();
        assert_eq!(checkout["detail"], "action");
        assert_eq!(checkout["kind"], 23, "an event"); // CompletionItemKind::EVENT
        assert!(checkout["documentation"]["value"]
            .as_str()
            .unwrap()
            .contains("action checkout = \"page_viewed\""));
    }

    // Inside a string, event names only.
    let text = format!("{USES}\nsegment new_one {{\n  where did \"pa\"\n}}\n");
    let l = labels(&complete(&mut c, 10, &text, "\"pa\"", 3));
    assert!(!l.contains(&"checkout".to_string()), "{l:?}");

    // After an action and `with`: the properties of its relation.
    let text = format!("{USES}\nsegment new_one {{\n  where did checkout with \n}}\n");
    let l = labels(&complete(&mut c, 11, &text, "with \n", 5));
    assert!(
        l.contains(&"page".to_string()) && l.contains(&"amount".to_string()),
        "{l:?}"
    );
    assert!(!l.contains(&"plan".to_string()), "{l:?}");
    // After an action: what may follow a step.
    let text = format!("{USES}\nsegment new_one {{\n  where did checkout \n}}\n");
    let l = labels(&complete(&mut c, 12, &text, "checkout \n", 9));
    assert!(
        l.contains(&"at least".to_string()) && l.contains(&"with".to_string()),
        "{l:?}"
    );

    // In an action: after `=` and `or`, events and the other actions (not itself).
    let text = format!("{USES}\naction fresh = \n");
    let l = labels(&complete(&mut c, 13, &text, "= \n", 2));
    for want in ["checkout", "engaged", "\"page_viewed\"", "any event"] {
        assert!(l.contains(&want.to_string()), "{want} missing: {l:?}");
    }
    assert!(!l.contains(&"fresh".to_string()), "{l:?}");
    let text = format!("{USES}\naction fresh = \"login\" or \n");
    let l = labels(&complete(&mut c, 14, &text, "or \n", 3));
    assert!(l.contains(&"engaged".to_string()), "{l:?}");
    open(&mut c, &p, "segments/actions.seg");
    let text = ACTIONS.replace("= checkout or", "= ch or");
    change(&mut c, &p, "segments/actions.seg", 2, &text);
    let l = labels(&c.request(
        "textDocument/completion",
        at(&p, "segments/actions.seg", find(&text, "ch or", 0, 2)),
    ));
    assert!(l.contains(&"checkout".to_string()), "{l:?}");
    assert!(!l.contains(&"engaged".to_string()), "{l:?}");
    // `action NAME of |`: entities; `action NAME = "x" with |`: properties.
    let text = format!("{USES}\naction fresh of \n");
    let l = labels(&complete(&mut c, 15, &text, "of \n", 3));
    assert_eq!(l, vec!["account", "user"]);
    let text = format!("{USES}\naction fresh = \"purchase\" with \n");
    let l = labels(&complete(&mut c, 16, &text, "with \n", 5));
    assert!(l.contains(&"amount".to_string()), "{l:?}");

    // `action` is offered where an item starts.
    let text = format!("{USES}\n\n");
    let last = text.matches('\n').count() as u32;
    let items = complete_at(&mut c, 17, &text, pos(last, 0));
    assert!(labels(&items).contains(&"action".to_string()));
    c.shutdown().unwrap();
}
