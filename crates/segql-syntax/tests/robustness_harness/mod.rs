//! The harness of the robustness tests: [`check`] and its variants (parse in a thread
//! with a 2 MiB stack under a time limit, then check the invariants of the result and
//! render its diagnostics), a small deterministic RNG, and the fixture texts.

use segql_syntax::diag::{render, render_short, RenderOptions};
use segql_syntax::lexer::MAX_ERRORS;
use segql_syntax::span::line_col;
use segql_syntax::{codes, parse, FileId, Parsed, SourceMap};
use std::sync::mpsc;
use std::time::Duration;

/// The stack a spawned thread gets by default, and the one the CLI parses on.
pub const STACK: usize = 2 * 1024 * 1024;

/// Runs `f` in a thread with a 2 MiB stack; fails if it takes longer than `secs` (a hang)
/// and re-raises its panic if it panics. A stack overflow aborts the test binary, so a
/// passing run also proves the stack was enough.
pub fn bounded<T: Send + 'static>(
    what: &str,
    secs: u64,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name(what.to_string())
        .stack_size(STACK)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("spawn a thread");
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(v) => {
            handle.join().expect("the thread finished");
            v
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: no result after {secs} s: the parser hangs")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the thread sends before it ends"),
        },
    }
}

/// Invariants of any parse result, then rendering in every style.
pub fn check_result(text: &str, parsed: &Parsed) {
    assert!(
        parsed.diags.len() <= MAX_ERRORS + 1,
        "{} diagnostics; the cap is {MAX_ERRORS} and one E0010",
        parsed.diags.len()
    );
    let capped = parsed
        .diags
        .iter()
        .filter(|d| d.code == codes::TOO_MANY_ERRORS)
        .count();
    assert!(capped <= 1, "E0010 given {capped} times");
    for d in &parsed.diags {
        assert!(!d.message.trim().is_empty(), "empty message: {d:?}");
        assert!(codes::ALL.iter().any(|(c, _)| *c == d.code), "{d:?}");
        for span in std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span)) {
            assert!(
                span.start <= span.end && span.end as usize <= text.len(),
                "span {span:?} outside the text ({} bytes): {d:?}",
                text.len()
            );
            let (line, col) = line_col(text, span.start as usize);
            assert!(line >= 1 && col >= 1);
        }
    }
    let mut map = SourceMap::new();
    map.add("input.seg", text);
    let plain = render(&map, &parsed.diags, RenderOptions::PLAIN);
    let fancy = render(
        &map,
        &parsed.diags,
        RenderOptions {
            color: true,
            unicode: true,
        },
    );
    let short = render_short(&map, &parsed.diags);
    for d in &parsed.diags {
        let tag = format!("[{}]", d.code);
        assert!(plain.contains(&tag), "{tag} missing from:\n{plain}");
        assert!(fancy.contains(&tag) && short.contains(&tag));
        // The drawn header and the JSON/short position agree.
        let at = map.location(d.span);
        assert!(
            plain.contains(&format!("[ {at} ]")),
            "{at} missing from:\n{plain}"
        );
    }
    assert!(!plain.contains('\0'), "a NUL byte reached the rendering");
}

/// Parses `text` under the time limit and checks the result.
pub fn check(what: &str, text: String) -> Parsed {
    check_within(what, text, 60)
}

pub fn check_within(what: &str, text: String, secs: u64) -> Parsed {
    bounded(what, secs, move || {
        let parsed = parse(&text, FileId(0));
        check_result(&text, &parsed);
        parsed
    })
}

pub fn codes_of(p: &Parsed) -> Vec<&'static str> {
    p.diags.iter().map(|d| d.code).collect()
}

/// A small deterministic generator (xorshift64*): the same inputs on every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub fn fixture_texts() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/lang");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "seg"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {dir}");
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}
