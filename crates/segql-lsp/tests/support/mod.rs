//! A test client: runs the server in-process on in-memory pipes and speaks JSON-RPC
//! to it with `Content-Length` framing, as an editor does over stdio.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

pub mod fixture;

/// How long a test waits for a message before it fails.
const PATIENCE: Duration = Duration::from_secs(20);

/// The writing end of an in-memory pipe.
pub struct PipeWriter(Sender<Vec<u8>>);

impl Write for PipeWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .send(buf.to_vec())
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "reader gone"))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The reading end. The client's fails a read that waits longer than [`PATIENCE`] (a
/// silent server fails the test); the server's waits as long as it takes, as on stdin.
pub struct PipeReader {
    rx: Receiver<Vec<u8>>,
    buf: VecDeque<u8>,
    patience: Option<Duration>,
}

impl Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.buf.is_empty() {
            let got = match self.patience {
                Some(p) => self.rx.recv_timeout(p),
                None => self.rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match got {
                Ok(chunk) => self.buf.extend(chunk),
                Err(RecvTimeoutError::Disconnected) => return Ok(0),
                Err(RecvTimeoutError::Timeout) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "no message from the server",
                    ))
                }
            }
        }
        let n = out.len().min(self.buf.len());
        for (o, b) in out.iter_mut().zip(self.buf.drain(..n)) {
            *o = b;
        }
        Ok(n)
    }
}

pub fn pipe(patience: Option<Duration>) -> (PipeWriter, PipeReader) {
    let (tx, rx) = channel();
    (
        PipeWriter(tx),
        PipeReader {
            rx,
            buf: VecDeque::new(),
            patience,
        },
    )
}

pub struct Client {
    to_server: Option<PipeWriter>,
    from_server: BufReader<PipeReader>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    pub notifications: Vec<Value>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
}

impl Client {
    /// Starts a server and initializes it.
    pub fn start() -> Client {
        Client::start_with(json!({}))
    }

    /// Starts a server for a client with these capabilities.
    pub fn start_with(capabilities: Value) -> Client {
        let (client_w, server_r) = pipe(None);
        let (server_w, client_r) = pipe(Some(PATIENCE));
        let server =
            std::thread::spawn(move || segql_lsp::serve(BufReader::new(server_r), server_w));
        let mut c = Client {
            to_server: Some(client_w),
            from_server: BufReader::new(client_r),
            next_id: 0,
            notifications: Vec::new(),
            server: Some(server),
        };
        let init = c.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": capabilities }),
        );
        assert!(
            init["capabilities"]["hoverProvider"].as_bool() == Some(true),
            "{init}"
        );
        c.notify("initialized", json!({}));
        c
    }

    pub fn send(&mut self, v: &Value) {
        let body = serde_json::to_string(v).unwrap();
        let w = self.to_server.as_mut().expect("the client is open");
        write!(w, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    }

    /// One message from the server.
    pub fn read(&mut self) -> Value {
        let mut len = None;
        loop {
            let mut line = String::new();
            let n = self
                .from_server
                .read_line(&mut line)
                .expect("a header line");
            assert!(n > 0, "the server closed the connection");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                len = Some(v.parse::<usize>().unwrap());
            }
        }
        let mut body = vec![0; len.expect("a Content-Length header")];
        self.from_server.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response (keeping notifications that come
    /// first). Returns the whole response: `result` or `error`.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let m = self.read();
            if m["id"] == json!(id) && m.get("method").is_none() {
                return m;
            }
            // Notifications, and requests from the server, are kept.
            if m.get("method").is_some() {
                self.notifications.push(m);
            }
        }
    }

    /// A request's result; fails the test on an error response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let r = self.call(method, params);
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    /// Waits for the next diagnostics published for `uri`.
    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        if let Some(i) = self.notifications.iter().position(|n| is_diags_for(n, uri)) {
            let n = self.notifications.remove(i);
            return n["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let m = self.read();
            if is_diags_for(&m, uri) {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.notifications.push(m);
        }
    }

    /// Shuts the server down and returns what `serve` returned.
    pub fn shutdown(mut self) -> anyhow::Result<()> {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r, Value::Null);
        self.notify("exit", Value::Null);
        self.join()
    }

    /// Closes the client's end and waits for the server.
    pub fn join(&mut self) -> anyhow::Result<()> {
        self.to_server = None;
        self.server
            .take()
            .expect("running")
            .join()
            .expect("the server panicked")
    }
}

fn is_diags_for(m: &Value, uri: &str) -> bool {
    m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
}

pub fn uri(p: &Path) -> String {
    url::Url::from_file_path(std::fs::canonicalize(p).unwrap())
        .unwrap()
        .to_string()
}

/// A project on disk: `segql.toml` and files, in a temporary directory.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new(files: &[(&str, &str)]) -> Project {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        Project { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn uri(&self, name: &str) -> String {
        uri(&self.path(name))
    }

    pub fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }
}

/// `{ "line": l, "character": c }`
pub fn pos(line: u32, character: u32) -> Value {
    json!({ "line": line, "character": character })
}

/// The position of the `n`th occurrence (from 0) of `needle` in `text`, plus `ahead`
/// characters, in UTF-16 units as LSP counts them.
pub fn find(text: &str, needle: &str, n: usize, ahead: usize) -> Value {
    let at = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("no {needle:?} #{n} in the text"))
        .0;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count();
    let col = text[line_start..at].encode_utf16().count() + ahead;
    pos(line as u32, col as u32)
}

/// Applies LSP text edits (non-overlapping) to a text.
pub fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| -> usize {
        let line = p["line"].as_u64().unwrap() as usize;
        let ch = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let l = &text[start..];
        let mut units = 0;
        for (i, c) in l.char_indices() {
            if units >= ch || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (s, e, t) in spans {
        out.replace_range(s..e, &t);
    }
    out
}
