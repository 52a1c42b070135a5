//! Every file in fixtures/check-errors is a small, complete project (a catalog and the
//! segments, traits, reports or tests built on it) holding exactly one semantic mistake,
//! named by its first line (`# expect: E02xx`). Each must parse cleanly, and the checker
//! must report that code and nothing else: one mistake, one diagnostic (no follow-on
//! errors, no warning the mistake caused), with a message, a label under the caret and a
//! hint. The rendering is snapshotted so that wording and caret placement are reviewed
//! like code, as the syntax crate's fixtures/errors suite does.
//!
//! After an intended change to a message:
//!
//! ```sh
//! INSTA_UPDATE=always cargo test -p segql-plan --test check_errors
//! git diff crates/segql-plan/tests/snapshots   # read every changed snapshot
//! ```

use segql_plan::codes;
use segql_syntax::diag::{render, Diagnostic, RenderOptions, Severity};
use segql_syntax::{parse, SourceMap};
use std::collections::BTreeSet;
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/check-errors");

/// The code named by a fixture's first line.
fn expected_code(path: &Path, text: &str) -> &'static str {
    let first = text.lines().next().unwrap_or_default();
    let code = first
        .strip_prefix("# expect:")
        .map(str::trim)
        .unwrap_or_else(|| {
            panic!(
                "{}: the first line must be `# expect: E0xxx`",
                path.display()
            )
        });
    codes::ALL
        .iter()
        .map(|(c, _)| *c)
        .find(|c| *c == code)
        .unwrap_or_else(|| {
            panic!(
                "{}: `{code}` is not a code in segql-plan's codes.rs",
                path.display()
            )
        })
}

fn check_diagnostic(path: &Path, text: &str, d: &Diagnostic) {
    let name = path.display();
    assert!(!d.message.trim().is_empty(), "{name}: empty message: {d:?}");
    assert!(
        !d.label.trim().is_empty(),
        "{name}: no label under the caret: {d:?}"
    );
    assert!(
        d.hint.as_deref().is_some_and(|h| !h.trim().is_empty()),
        "{name}: no hint: {d:?}"
    );
    assert!(
        codes::ALL.iter().any(|(c, _)| *c == d.code),
        "{name}: {} is not a segql-plan code",
        d.code
    );
    let expected_severity = if d.code.starts_with('W') {
        Severity::Warning
    } else {
        Severity::Error
    };
    assert_eq!(d.severity, expected_severity, "{name}: {d:?}");
    for span in std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span)) {
        assert!(
            span.start < span.end && span.end as usize <= text.len(),
            "{name}: span {span:?} empty or outside the file ({} bytes)",
            text.len()
        );
    }
    for l in &d.labels {
        assert!(
            !l.message.trim().is_empty(),
            "{name}: empty secondary label"
        );
    }
}

#[test]
fn mistake() {
    insta::glob!("../../../fixtures/check-errors", "*.seg", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let expect = expected_code(path, &text);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut map = SourceMap::new();
        let id = map.add(name, text.clone());
        let parsed = parse(&text, id);
        assert!(
            parsed.diags.is_empty(),
            "{}: the fixture must parse cleanly\n{}",
            path.display(),
            render(&map, &parsed.diags, RenderOptions::PLAIN)
        );

        let (_, diags) = segql_plan::check(&[&parsed.file]);
        let rendered = render(&map, &diags, RenderOptions::PLAIN);
        let found: Vec<&str> = diags.iter().map(|d| d.code).collect();
        assert!(
            found.contains(&expect),
            "{}: expected {expect}, got {found:?}\n{rendered}",
            path.display(),
        );
        // Exactly one error (or, for a warning fixture, none) and no other warning.
        assert_eq!(
            diags.len(),
            1,
            "{}: one mistake should give one diagnostic, got {found:?}\n{rendered}",
            path.display(),
        );
        for d in &diags {
            check_diagnostic(path, &text, d);
        }
        assert!(rendered.contains(&format!("[{expect}]")), "{rendered}");
        insta::assert_snapshot!(rendered);
    });
}

/// Each code the checker emits is shown by a fixture, so its wording is reviewed.
#[test]
fn every_check_code_has_a_fixture() {
    let tested_elsewhere = [
        codes::UNSUPPORTED, // E0601: SQL generation, per dialect (crates/segql-cli/tests/unsupported.rs)
    ];
    let mut covered = BTreeSet::new();
    let mut count = 0;
    for entry in std::fs::read_dir(FIXTURES).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "seg") {
            let text = std::fs::read_to_string(&path).unwrap();
            covered.insert(expected_code(&path, &text));
            count += 1;
        }
    }
    assert!(count >= 35, "only {count} check-error fixtures");
    let missing: Vec<&str> = codes::ALL
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| !covered.contains(c) && !tested_elsewhere.contains(c))
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

/// The valid fixtures stay valid: fixtures/lang, checked as one project, gives no
/// diagnostic at all (no error, and no warning), so a diagnostics change cannot start
/// rejecting or nagging about correct projects unnoticed.
#[test]
fn valid_fixtures_check_cleanly() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/lang");
    let mut map = SourceMap::new();
    let mut files = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "seg"))
        .collect();
    paths.sort();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let id = map.add(path.display().to_string(), text.clone());
        let parsed = parse(&text, id);
        assert!(parsed.diags.is_empty(), "{}", path.display());
        files.push(parsed.file);
    }
    assert!(files.len() >= 5, "fixtures/lang went missing");
    let refs: Vec<_> = files.iter().collect();
    let (_, diags) = segql_plan::check(&refs);
    assert!(
        diags.is_empty(),
        "{}",
        render(&map, &diags, RenderOptions::PLAIN)
    );
}
