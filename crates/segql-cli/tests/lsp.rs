//! `segql lsp` as an editor starts it: the binary speaking JSON-RPC on stdin and
//! stdout. The features are tested in crates/segql-lsp/tests; this checks the wiring:
//! the handshake, a diagnostic for a file with a mistake, and the exit status.

mod common;

use common::{Project, BIN};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn frame(v: &Value) -> Vec<u8> {
    let body = v.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Messages from the server, read on a thread so that a silent server fails the test
/// instead of hanging it.
fn messages(out: std::process::ChildStdout) -> mpsc::Receiver<Value> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(out);
        loop {
            let mut len = 0;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(v) = line.strip_prefix("Content-Length: ") {
                    len = v.parse().unwrap();
                }
            }
            let mut body = vec![0; len];
            if r.read_exact(&mut body).is_err() {
                return;
            }
            if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        }
    });
    rx
}

#[test]
fn segql_lsp_serves_diagnostics_over_stdio() {
    let p = Project::demo();
    p.write(
        "segments/a.seg",
        "entity user {\n  table analytics.users\n  key user_id\n  columns {\n    plan string\n  }\n}\n\nsegment s {\n  where plann = \"pro\"\n}\n",
    );
    let mut child = Command::new(BIN)
        .arg("lsp")
        .current_dir(p.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let rx = messages(child.stdout.take().unwrap());
    let next = || rx.recv_timeout(Duration::from_secs(30)).expect("a message");
    stdin
        .write_all(&frame(
            &json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": { "processId": null, "rootUri": null, "capabilities": {} } }),
        ))
        .unwrap();
    let init = next();
    assert_eq!(init["id"], 1);
    assert_eq!(init["result"]["serverInfo"]["name"], "segql");
    assert_eq!(
        init["result"]["capabilities"]["renameProvider"]["prepareProvider"],
        true
    );
    let path = std::fs::canonicalize(p.path("segments/a.seg")).unwrap();
    let uri = format!("file://{}", path.display());
    stdin
        .write_all(&frame(
            &json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
        ))
        .unwrap();
    stdin
        .write_all(&frame(
            &json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": { "textDocument": { "uri": uri, "languageId": "segql", "version": 1,
                "text": p.read("segments/a.seg") } } }),
        ))
        .unwrap();
    let d = next();
    assert_eq!(d["method"], "textDocument/publishDiagnostics");
    assert_eq!(d["params"]["uri"], json!(uri));
    let diags = d["params"]["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{d}");
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `plan`?"),
        "{d}"
    );
    assert_eq!(
        diags[0]["range"]["start"],
        json!({ "line": 9, "character": 8 })
    );
    stdin
        .write_all(&frame(
            &json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown" }),
        ))
        .unwrap();
    assert_eq!(next()["id"], 2);
    stdin
        .write_all(&frame(&json!({ "jsonrpc": "2.0", "method": "exit" })))
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn segql_lsp_exits_with_1_without_shutdown() {
    let p = Project::demo();
    let mut child = Command::new(BIN)
        .arg("lsp")
        .current_dir(p.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(&frame(
            &json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": { "processId": null, "capabilities": {} } }),
        ))
        .unwrap();
    stdin
        .write_all(&frame(
            &json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
        ))
        .unwrap();
    stdin
        .write_all(&frame(&json!({ "jsonrpc": "2.0", "method": "exit" })))
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("without `shutdown`"), "{err}");
}
