//! Every file in fixtures/errors holds exactly one realistic mistake, named by its first
//! line (`# expect: E0xxx`). Each must produce that diagnostic and nothing else (one
//! mistake, one diagnostic: no cascade of follow-on errors), with a message, a label under
//! the caret and a hint, and its rendering is snapshotted so that wording and caret
//! placement are reviewed like code.

use segql_syntax::diag::{render, Diagnostic, RenderOptions, Severity};
use segql_syntax::{codes, parse_bytes, FileId, SourceMap};
use std::collections::BTreeSet;
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/errors");

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
        .unwrap_or_else(|| panic!("{}: `{code}` is not a code in codes.rs", path.display()))
}

fn check_diagnostic(path: &Path, text: &str, d: &Diagnostic) {
    let name = path.display();
    assert!(
        matches!(d.severity, Severity::Error | Severity::Warning),
        "{name}: {d:?}"
    );
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
        "{name}: unknown code {}",
        d.code
    );
    for span in std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span)) {
        assert!(
            span.start <= span.end && span.end as usize <= text.len(),
            "{name}: span {span:?} outside the file ({} bytes)",
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
    insta::glob!("../../../fixtures/errors", "*.seg", |path| {
        let bytes = std::fs::read(path).unwrap();
        // Not-UTF-8 fixtures are shown with replacement characters, as the CLI does.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let expect = expected_code(path, &text);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut map = SourceMap::new();
        let id = map.add(name, text.clone());
        let parsed = parse_bytes(&bytes, id);

        let found: Vec<&str> = parsed.diags.iter().map(|d| d.code).collect();
        assert!(
            found.contains(&expect),
            "{}: expected {expect}, got {found:?}\n{}",
            path.display(),
            render(&map, &parsed.diags, RenderOptions::PLAIN)
        );
        assert_eq!(
            parsed.diags.len(),
            1,
            "{}: one mistake should give one diagnostic, got {found:?}\n{}",
            path.display(),
            render(&map, &parsed.diags, RenderOptions::PLAIN)
        );
        for d in &parsed.diags {
            check_diagnostic(path, &text, d);
        }

        let rendered = render(&map, &parsed.diags, RenderOptions::PLAIN);
        assert!(rendered.contains(&format!("[{expect}]")), "{rendered}");
        insta::assert_snapshot!(rendered);
    });
}

/// Each code the parser and lexer emit is shown by a fixture, so its wording is reviewed.
/// The exceptions are tested where they arise.
#[test]
fn every_syntax_code_has_a_fixture() {
    let tested_elsewhere = [
        codes::TOO_MANY_ERRORS, // tests/robustness.rs: the error cap
        codes::CONFIG_INVALID,  // segql-cli: a malformed segql.toml
    ];
    let mut covered = BTreeSet::new();
    let mut count = 0;
    for entry in std::fs::read_dir(FIXTURES).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "seg") {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            covered.insert(expected_code(&path, &text));
            count += 1;
        }
    }
    assert!(count >= 45, "only {count} error fixtures");
    let missing: Vec<&str> = codes::ALL
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| !covered.contains(c) && !tested_elsewhere.contains(c))
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

/// The valid fixtures stay valid: a diagnostics change must not reject correct files.
#[test]
fn valid_fixtures_have_no_diagnostics() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/lang");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "seg") {
            let bytes = std::fs::read(&path).unwrap();
            let parsed = parse_bytes(&bytes, FileId(0));
            let codes: Vec<&str> = parsed.diags.iter().map(|d| d.code).collect();
            assert!(codes.is_empty(), "{}: {codes:?}", path.display());
            seen += 1;
        }
    }
    assert!(seen > 0, "no fixtures found in {dir}");
}
