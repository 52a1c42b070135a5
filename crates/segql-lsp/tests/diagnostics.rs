//! Diagnostics as an editor sees them: published as files are opened and edited, with
//! what `segql check` reports, for the project's files, segql.toml and loose files; and
//! the protocol's edges (bad requests, exit without shutdown).
//! The server runs in-process and is driven with JSON-RPC over in-memory pipes, as an
//! editor drives it over stdio (tests/support).

mod support;

use serde_json::{json, Value};
use support::fixture::*;
use support::{find, Client, Project};

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
fn ranged_changes_are_applied_too() {
    // The server asks for whole texts, but follows a client that sends ranges.
    let p = project();
    let mut c = Client::start();
    open(&mut c, &p, "segments/a.seg");
    let start = find(A, "plan in", 0, 0);
    let end = find(A, "plan in", 0, 4);
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": p.uri("segments/a.seg"), "version": 2 },
            "contentChanges": [{ "range": { "start": start, "end": end }, "text": "plam" }],
        }),
    );
    let d = c.diagnostics(&p.uri("segments/a.seg"));
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0]["message"].as_str().unwrap().contains("`plam`"),
        "{d:#?}"
    );
    assert_eq!(d[0]["range"]["start"], start);
    c.shutdown().unwrap();
}

#[test]
fn the_server_asks_to_hear_of_file_changes() {
    let mut c = Client::start_with(json!({
        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
    }));
    // Any request: the registration comes before its answer.
    c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "untitled:x" }, "position": { "line": 0, "character": 0 } }),
    );
    let reg = c
        .notifications
        .iter()
        .find(|m| m["method"] == "client/registerCapability")
        .expect("a registration");
    let r = &reg["params"]["registrations"][0];
    assert_eq!(r["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = r["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert_eq!(globs, vec!["**/*.seg", "**/segql.toml"]);
    c.shutdown().unwrap();
}

#[test]
fn targets_problems_are_shown_on_segql_toml() {
    // The same E0801 as `segql check`: an unknown setting and a secret in a file.
    let p = Project::new(&[
        (
            "segql.toml",
            "name = \"t\"\npaths = [\"catalog.seg\", \"segments\"]\n\n[targets.pg]\ntyp = \"postgres\"\n\n[targets.wh]\ntype = \"postgres\"\npassword = \"hunter2\"\n",
        ),
        ("catalog.seg", CATALOG),
        ("segments/a.seg", A),
    ]);
    let mut c = Client::start();
    open(&mut c, &p, "segments/a.seg");
    let d = c.diagnostics(&p.uri("segql.toml"));
    let codes: Vec<&str> = d.iter().map(|x| x["code"].as_str().unwrap()).collect();
    assert!(codes.iter().all(|c| *c == "E0801"), "{d:#?}");
    let messages: Vec<&str> = d.iter().map(|x| x["message"].as_str().unwrap()).collect();
    assert!(
        messages.iter().any(|m| m.contains("unknown setting `typ`")),
        "{messages:?}"
    );
    assert!(
        d.iter()
            .any(|x| x["range"]["start"] == find(&p.text("segql.toml"), "typ", 0, 0)),
        "{d:#?}"
    );
    assert!(
        messages.iter().all(|m| !m.contains("hunter2")),
        "a secret is never repeated: {messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("password")),
        "{messages:?}"
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
