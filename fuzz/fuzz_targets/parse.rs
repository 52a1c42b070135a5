//! Arbitrary bytes into the parser: it must not panic, its diagnostics must render, and
//! when it reports no errors the formatter's guarantees must hold: the formatted text
//! parses cleanly to the same tree (comments included), and formatting it again changes
//! nothing.
//!
//! The same checks run on saved inputs in the normal test suite:
//! crates/segql-syntax/tests/fuzz_regressions.rs.

#![no_main]

use libfuzzer_sys::fuzz_target;
use segql_syntax::diag::{render, render_short};
use segql_syntax::{format_file, parse, parse_bytes, FileId, RenderOptions, SourceMap};

fuzz_target!(|data: &[u8]| {
    let mut map = SourceMap::new();
    let id = map.add("fuzz.seg", String::from_utf8_lossy(data).into_owned());
    let parsed = parse_bytes(data, id);

    // Rendering every diagnostic, in every style, must not panic.
    let _ = render(&map, &parsed.diags, RenderOptions::PLAIN);
    let _ = render(
        &map,
        &parsed.diags,
        RenderOptions {
            color: true,
            unicode: true,
        },
    );
    let _ = render_short(&map, &parsed.diags);

    if parsed.diags.iter().any(|d| d.is_error()) {
        return;
    }
    let text = format_file(&parsed.file);
    let again = parse(&text, FileId(0));
    assert!(
        again.diags.is_empty(),
        "the formatted text has diagnostics: {:#?}\n--- formatted ---\n{text}",
        again.diags
    );
    assert_eq!(
        again.file, parsed.file,
        "formatting changed the tree\n--- formatted ---\n{text}"
    );
    assert_eq!(
        format_file(&again.file),
        text,
        "formatting is not idempotent"
    );
});
