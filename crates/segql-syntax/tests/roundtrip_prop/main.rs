//! Property tests of the formatter: for random syntax trees the parser could have
//! produced, the formatted text parses back, without diagnostics, to the same tree, and
//! formatting it again changes nothing. Two more properties check comments: one adds
//! comments and blank lines at the ends of the formatted lines, the other lays the
//! tokens out anew with comments, line breaks, tabs and CRLF wherever the language
//! allows them; formatting must keep every comment where it was written (a comment
//! after code stays at the end of that code's line, one on its own line stays on its
//! own line), and stay a fixed point.
//!
//! The generators cover every construct in `ast.rs`, names that need backticks, strings
//! that need escapes, negative numbers, decimals, dates and timestamps. They only build
//! trees the parser can produce: `and`/`or` have two operands or more, lists the parser
//! rejects when empty are not empty, names hold no NUL, counts and durations are not
//! negative, dates fall in years 1 to 9999 (timestamps too, give or take a UTC offset),
//! table rows match their header, and a value ending in an aggregate without a window
//! is not followed by a predicate that starts like a window (`in`, `between`): the
//! parser would read those words as the aggregate's window.
//!
//! Runs 256 cases per property by default; set `PROPTEST_CASES` for more.
//!
//! `leaves.rs` holds the generators of the leaves (names, literals, predicates, windows),
//! `gen.rs` the rest, `layout.rs` the other layouts and where comments sit,
//! `regressions.rs` the shrunk failures.

mod gen;
mod layout;
mod leaves;
mod regressions;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use segql_syntax::ast::File;
use segql_syntax::{format_file, parse, FileId};

use gen::file;
use layout::{comments_moved, relayout, sprinkle};
use leaves::comment_text;

// ---------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------

fn config() -> ProptestConfig {
    ProptestConfig {
        // Shrunk failures are kept as unit tests (regressions.rs), not in a persistence
        // file.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Formats `file`, checks the output parses cleanly to `file` and is a fixed point.
fn check_round_trip(file: &File) -> Result<(), TestCaseError> {
    let text = format_file(file);
    let parsed = parse(&text, FileId(0));
    prop_assert!(
        parsed.diags.is_empty(),
        "the formatted text has diagnostics: {:#?}\n--- text ---\n{}",
        parsed.diags,
        text
    );
    prop_assert_eq!(&parsed.file, file, "--- text ---\n{}", text);
    let again = format_file(&parsed.file);
    prop_assert_eq!(&again, &text, "formatting is not idempotent");
    Ok(())
}

/// `text` is `file`'s canonical text laid out another way, with comments: it must parse
/// cleanly to `file`'s items; formatting it must keep every comment (by text and order),
/// those `placed` accepts where they were written, and stay a fixed point.
fn check_layout(
    file: &File,
    text: &str,
    placed: &dyn Fn(&str) -> bool,
) -> Result<(), TestCaseError> {
    let p1 = parse(text, FileId(0));
    prop_assert!(
        p1.diags.is_empty(),
        "diagnostics: {:#?}\n--- text ---\n{}",
        p1.diags,
        text
    );
    prop_assert_eq!(&p1.file.items, &file.items, "--- text ---\n{}", text);
    let f1 = format_file(&p1.file);
    let p2 = parse(&f1, FileId(0));
    prop_assert!(
        p2.diags.is_empty(),
        "the formatted text has diagnostics: {:#?}\n--- input ---\n{}\n--- formatted ---\n{}",
        p2.diags,
        text,
        f1
    );
    // Equality of files compares the comments' texts, in order.
    prop_assert_eq!(
        &p2.file,
        &p1.file,
        "--- input ---\n{}\n--- formatted ---\n{}",
        text,
        f1
    );
    if let Err(e) = comments_moved(text, &f1, placed) {
        return Err(TestCaseError::fail(format!(
            "{e}\n--- input ---\n{text}\n--- formatted ---\n{f1}"
        )));
    }
    let f2 = format_file(&p2.file);
    prop_assert_eq!(
        &f2,
        &f1,
        "formatting is not idempotent\n--- input ---\n{}",
        text
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn formatted_trees_parse_back(file in file()) {
        check_round_trip(&file)?;
    }

    #[test]
    fn any_layout_formats_the_same(
        file in file(),
        seps in vec(0u8..12, 1..40),
    ) {
        // Comments inside a line of the canonical text cannot all stay: that line is
        // joined again, and only one comment fits at its end. Those written where the
        // canonical text breaks the line (`# k..`) keep their place.
        check_layout(&file, &relayout(&format_file(&file), &seps), &|c| c.starts_with("# k"))?;
    }

    #[test]
    fn formatting_keeps_comments(
        file in file(),
        plan in vec((option::of(comment_text()), prop::bool::weighted(0.15), option::of(comment_text())), 1..12),
    ) {
        // Every comment is at a line's end or on a line of its own: all keep their place.
        check_layout(&file, &sprinkle(&format_file(&file), &plan), &|_| true)?;
    }
}
