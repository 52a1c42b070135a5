//! Inputs that once broke the `parse` fuzz target (fuzz/fuzz_targets/parse.rs), checked
//! the way that target checks every input: parsing and rendering the diagnostics do not
//! panic; an input with errors renders every one of them; an input without errors
//! formats to text that parses to the same tree and formats to itself.
//!
//! To keep a new crash: copy the (minimised) artifact into `tests/fuzz-inputs/` under a
//! name that says what it is about.

use segql_syntax::diag::{render, render_short};
use segql_syntax::{format_file, parse, parse_bytes, FileId, RenderOptions, SourceMap};

fn check(name: &str, data: &[u8]) {
    let mut map = SourceMap::new();
    let id = map.add(name, String::from_utf8_lossy(data).into_owned());
    let parsed = parse_bytes(data, id);
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
    if parsed.diags.iter().any(|d| d.is_error()) {
        for d in &parsed.diags {
            assert!(plain.contains(d.code), "{name}: {} not rendered", d.code);
            assert!(fancy.contains(d.code), "{name}: {} not rendered", d.code);
            assert!(short.contains(d.code), "{name}: {} not rendered", d.code);
        }
        return;
    }
    let text = format_file(&parsed.file);
    let again = parse(&text, FileId(0));
    assert!(
        again.diags.is_empty(),
        "{name}: the formatted text has diagnostics: {:#?}\n--- formatted ---\n{text}",
        again.diags
    );
    assert_eq!(
        again.file, parsed.file,
        "{name}: formatting changed the tree"
    );
    assert_eq!(format_file(&again.file), text, "{name}: not idempotent");
}

#[test]
fn saved_fuzz_inputs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-inputs");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/fuzz-inputs exists") {
        let path = entry.expect("a directory entry").path();
        let data = std::fs::read(&path).expect("read a saved input");
        check(&path.display().to_string(), &data);
        n += 1;
    }
    assert!(n > 0, "no saved inputs in {}", dir.display());
}
