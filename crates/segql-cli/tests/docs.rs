//! `segql docs generate` and `segql docs serve` through the binary. What the site holds is
//! tested in crates/segql-docs (tests/site.rs without a browser, tests/browser.rs in
//! Chromium); this checks the wiring: where the site goes, what is refused, the sizes
//! file's diagnostics, and serving on 127.0.0.1.

mod common;

use common::{Project, BIN};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The example project. Its tests pass `--no-state`: `scripts/example` records snapshots
/// there, which the site would otherwise show.
fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/saas")
        .display()
        .to_string()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn generate_writes_the_example_s_site_and_regenerates_in_place() {
    let p = Project::empty();
    let out = p.path("site");
    let o = Command::new(BIN)
        .args([
            "docs",
            "generate",
            &example(),
            "--no-state",
            "--as-of",
            "2026-01-01",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.starts_with("wrote "), "{err}");
    assert!(err.contains("index.html"), "{err}");
    for page in [
        "index.html",
        "lineage.html",
        "search-index.js",
        "assets/site.js",
        "segment/paying.html",
        "trait/lead_score.html",
        ".segql-docs",
    ] {
        assert!(out.join(page).is_file(), "no {page}");
    }
    let paying = std::fs::read_to_string(out.join("segment/paying.html")).unwrap();
    assert!(paying.contains("-- segment paying, duckdb, as of 2026-01-01T00:00:00Z"));
    // Again into the same directory: allowed (it wrote it), a page no item has is removed.
    std::fs::write(out.join("segment/gone.html"), "old").unwrap();
    let listing = std::fs::read_to_string(out.join(".segql-docs")).unwrap();
    std::fs::write(
        out.join(".segql-docs"),
        format!("{listing}segment/gone.html\n"),
    )
    .unwrap();
    let o = Command::new(BIN)
        .args(["docs", "generate", &example(), "--no-state", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("(1 stale removed)"), "{}", stderr(&o));
    assert!(!out.join("segment/gone.html").exists());
}

#[test]
fn generate_defaults_to_target_docs_in_the_project() {
    let p = Project::demo();
    p.write(
        "segments/a.seg",
        "entity user {\n  table t.users\n  key user_id\n  columns {\n    plan string\n  }\n}\n\nsegment pro {\n  where plan = \"pro\"\n}\n",
    );
    p.write("segments/sub/.keep", "");
    let o = p
        .segql_in("segments/sub", &["docs", "generate"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(p.path("target/docs/segment/pro.html").is_file());
    let index = p.read("target/docs/index.html");
    assert!(index.contains("<title>Index · demo</title>"), "{index}");
}

#[test]
fn generate_refuses_a_directory_it_did_not_write() {
    let p = Project::empty();
    p.write("mine/notes.txt", "keep me");
    let o = Command::new(BIN)
        .args(["docs", "generate", &example(), "--no-state", "--out"])
        .arg(p.path("mine"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("error[E0903]"), "{err}");
    assert!(err.contains("was not written by segql docs"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    assert_eq!(p.listing(), ["mine/notes.txt"]);
    assert_eq!(p.read("mine/notes.txt"), "keep me");
}

#[test]
fn a_project_with_errors_gets_its_diagnostics_and_no_site() {
    let p = Project::demo();
    p.write(
        "segments/a.seg",
        "entity user {\n  table t.users\n  key user_id\n  columns {\n    plan string\n  }\n}\n\nsegment pro {\n  where plann = \"pro\"\n}\n",
    );
    let o = p
        .segql(&["--color", "never", "docs", "generate", "--out", "site"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("plann"), "{err}");
    assert!(err.contains("segments/a.seg:10:"), "{err}");
    assert!(err.contains("no docs:"), "{err}");
    assert!(!p.path("site").exists());
}

#[test]
fn a_bad_sizes_file_is_a_coded_error_pointing_into_it() {
    let p = Project::empty();
    p.write(
        "sizes.json",
        "{\n  \"segments\": {\n    \"paying\": {\"size\": -1}\n  }\n}\n",
    );
    let o = p
        .segql(&[
            "--color",
            "never",
            "docs",
            "generate",
            &example(),
            "--sizes",
            "sizes.json",
            "--out",
            "site",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("E0901"), "{err}");
    assert!(err.contains("sizes.json:3:"), "{err}");
    assert!(!p.path("site").exists());
    // An unknown segment is a warning: the site is written without its figures.
    p.write(
        "sizes.json",
        "{\"segments\": {\"payng\": {\"size\": 3}, \"paying\": {\"size\": 12, \"population\": 2000}}}",
    );
    let o = p
        .segql(&[
            "--color",
            "never",
            "docs",
            "generate",
            &example(),
            "--sizes",
            "sizes.json",
            "--out",
            "site",
        ])
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("W0902"), "{err}");
    assert!(err.contains("did you mean `paying`?"), "{err}");
    let paying = p.read("site/segment/paying.html");
    assert!(paying.contains("<span class=\"big\">12</span> members"));
}

/// `GET path` on 127.0.0.1:port: the status line, the headers and the body.
fn get(port: u16, path: &str) -> (String, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let (status, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    (status.to_string(), headers.to_lowercase(), body.to_string())
}

#[test]
fn serve_answers_on_loopback_with_the_site_only() {
    let mut child = Command::new(BIN)
        .args(["docs", "serve", &example(), "--no-state", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The address is printed once the site is built; read it on a thread so that a
    // server that never says it fails the test instead of hanging it.
    let (tx, rx) = mpsc::channel();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let line = rx.recv_timeout(Duration::from_secs(120));
    let result = std::panic::catch_unwind(|| {
        let line = line.expect("serve printed its address");
        let url = line
            .strip_prefix("serving the docs at ")
            .and_then(|l| l.strip_suffix(" (Ctrl-C to stop)"))
            .unwrap_or_else(|| panic!("{line}"));
        let port: u16 = url
            .strip_prefix("http://127.0.0.1:")
            .and_then(|u| u.strip_suffix('/'))
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("{url}"));
        let (status, headers, body) = get(port, "/");
        assert!(status.ends_with("200 OK"), "{status}");
        assert!(headers.contains("content-security-policy: default-src 'none'"));
        assert!(body.contains("pricing_lurkers"));
        let (status, _, body) = get(port, "/segment/paying.html");
        assert!(status.ends_with("200 OK"), "{status}");
        assert!(body.contains("paying"));
        for outside in ["/../Cargo.toml", "/%2e%2e/%2e%2e/Cargo.toml", "/etc/passwd"] {
            let (status, _, _) = get(port, outside);
            assert!(
                status.contains(" 404 ") || status.contains(" 400 "),
                "{outside}: {status}"
            );
        }
    });
    // The server runs until stopped: end it (the child this test started).
    let _ = child.kill();
    let _ = child.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn serve_on_a_taken_port_is_a_coded_error() {
    let taken = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let o = Command::new(BIN)
        .args(["docs", "serve", &example(), "--no-state", "--port", &port])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("error[E0904]"), "{err}");
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(err.contains("--port"), "{err}");
}

#[test]
fn generate_shows_the_recorded_snapshots_as_sizes_and_history() {
    let p = Project::demo();
    p.write(
        "segql.toml",
        "name = \"demo\"\npaths = [\"segments\"]\n\n[bindings]\n\"t.users\" = \"data/users.csv\"\n",
    )
    .write(
        "segments/a.seg",
        "entity user {\n  table t.users\n  key user_id\n  columns {\n    plan string\n  }\n}\n\nsegment pro {\n  where plan = \"pro\"\n}\n",
    )
    .write("data/users.csv", "user_id,plan\nu1,pro\nu2,free\nu3,pro\n");
    // Before any snapshot: no size section, and no complaint.
    let o = p.segql(&["docs", "generate"]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!p
        .read("target/docs/segment/pro.html")
        .contains("id=\"size\""));
    let snapshot = |as_of: &str| {
        let o = p.segql(&["snapshot", "--as-of", as_of]).output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    };
    snapshot("2026-01-01");
    p.write(
        "data/users.csv",
        "user_id,plan\nu1,pro\nu2,pro\nu3,free\nu4,pro\n",
    );
    snapshot("2026-02-01");
    let o = p.segql(&["docs", "generate"]).output().unwrap();
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(
            "sizes and history of 1 segment from the recorded snapshots (.segql/state.duckdb)"
        ),
        "{err}"
    );
    let page = p.read("target/docs/segment/pro.html");
    // The latest size, the current members as the sample, and one history row per run:
    // 2 members, then 3 (u2 and u4 entered, u3 left).
    assert!(
        page.contains("<span class=\"big\">3</span> members"),
        "{page}"
    );
    assert!(page.contains("as of 2026-02-01T00:00:00Z"), "{page}");
    for k in ["u1", "u2", "u4"] {
        assert!(
            page.contains(&format!("<code class=\"key\">{k}</code>")),
            "{page}"
        );
    }
    assert!(!page.contains("<code class=\"key\">u3</code>"), "{page}");
    assert!(page.contains("Size over time"), "{page}");
    assert!(
        page.contains("<tr><td>2026-01-01T00:00:00Z</td><td class=\"num\">2</td>"),
        "{page}"
    );
    assert!(
        page.contains("<tr><td>2026-02-01T00:00:00Z</td><td class=\"num\">3</td><td class=\"num\">2</td><td class=\"num\">1</td></tr>"),
        "{page}"
    );
    // --no-state leaves them out; --sizes and --no-state together are a usage error.
    let o = p
        .segql(&["docs", "generate", "--no-state"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!p
        .read("target/docs/segment/pro.html")
        .contains("id=\"size\""));
    let o = p
        .segql(&["docs", "generate", "--no-state", "--sizes", "x.json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
