//! Completion and formatting.
//! The server runs in-process and is driven with JSON-RPC over in-memory pipes, as an
//! editor drives it over stdio (tests/support).

mod support;

use serde_json::json;
use support::fixture::*;
use support::{apply, find, Client, Project};

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
        "rep",
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

    // Names the catalog declares are offered before any segment uses them.
    open(&mut c, &p, "catalog.seg");
    let catalog = CATALOG.replace(
        "  time occurred_at\n",
        "  time occurred_at\n  names [\"page_viewed\", \"purchase\", \"pause_requested\"]\n",
    );
    change(&mut c, &p, "catalog.seg", 2, &catalog);
    change(&mut c, &p, "segments/b.seg", 9, &text);
    let items = c.request(
        "textDocument/completion",
        at(&p, "segments/b.seg", find(&text, "\"pa\"", 0, 3)),
    );
    assert_eq!(
        labels(&items),
        vec!["\"page_viewed\"", "\"pause_requested\"", "\"purchase\""]
    );
    change(&mut c, &p, "catalog.seg", 3, CATALOG);

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
