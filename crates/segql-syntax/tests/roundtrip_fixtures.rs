//! The formatter's guarantees, checked on every valid fixture in `fixtures/lang`.
//!
//! For each file: it parses without diagnostics; its formatted text is snapshotted; the
//! formatted text parses to the same tree (spans aside, comments included); formatting
//! is idempotent; every comment is kept exactly as often as it was written; and the
//! committed fixture is already in canonical form.

use std::collections::BTreeMap;
use std::path::Path;

use segql_syntax::ast::File;
use segql_syntax::{format_file, parse, FileId};

fn parse_clean(text: &str, what: &str) -> File {
    let parsed = parse(text, FileId(0));
    assert!(
        parsed.diags.is_empty(),
        "{what} has diagnostics: {:#?}\n--- text ---\n{text}",
        parsed.diags
    );
    parsed.file
}

fn comment_counts(file: &File) -> BTreeMap<&str, usize> {
    let mut m = BTreeMap::new();
    for c in &file.comments {
        *m.entry(c.text.as_str()).or_insert(0) += 1;
    }
    m
}

fn fixture_name(path: &Path) -> String {
    path.file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn fixtures_round_trip() {
    insta::glob!("../../../fixtures/lang", "*.seg", |path| {
        let name = fixture_name(path);
        let input = std::fs::read_to_string(path).expect("read the fixture");
        let ast = parse_clean(&input, &name);
        assert!(!ast.items.is_empty(), "{name} has no items");

        let formatted = format_file(&ast);
        insta::assert_snapshot!(formatted);

        let reparsed = parse_clean(&formatted, &format!("formatted {name}"));
        assert_eq!(reparsed, ast, "{name}: formatting changed the tree");
        assert_eq!(
            format_file(&reparsed),
            formatted,
            "{name}: formatting is not idempotent"
        );

        // Every comment of the input, by text, exactly as many times in the output, and
        // each written out verbatim where the reparsed tree says it is.
        assert_eq!(
            comment_counts(&reparsed),
            comment_counts(&ast),
            "{name}: comments were lost or duplicated"
        );
        for c in &reparsed.comments {
            assert_eq!(
                formatted[c.span.range()].trim_end(),
                format!("#{}", c.text),
                "{name}: comment text altered"
            );
        }
    });
}

#[test]
fn fixtures_are_canonical() {
    insta::glob!("../../../fixtures/lang", "*.seg", |path| {
        let name = fixture_name(path);
        let input = std::fs::read_to_string(path).expect("read the fixture");
        let formatted = format_file(&parse_clean(&input, &name));
        assert!(
            formatted == input,
            "{name} is not in canonical form; run `segql fmt fixtures/lang`\n--- committed ---\n{input}\n--- formatted ---\n{formatted}"
        );
    });
}

/// The fixtures are committed in canonical form, so the layouts they no longer show
/// (one-line blocks, offsets in timestamps, `1 times`, digit separators, needless
/// backticks, aligned trailing comments, CRLF line ends) are checked here.
#[test]
fn non_canonical_layouts_format_to_canonical() {
    let input = concat!(
        "# head comment\n",
        "\n",
        "\n",
        "segment `select` { where   `plan`=\"a\"  and signup_at < 2024-03-01T12:00:00.250+02:00 }\n",
        "segment s2 {\n",
        "  where did \"x\" at least 1 times in last 1 days and n > 1_000 and d >= 10.50\n",
        "}\n",
        "entity user { table t  key k  columns { a string, `b c`   int   # why\n",
        " d bool references account as owner } }\n",
        "trait t = score { 1 if true 2 if false }\n",
        "segment crlf {\r\n  where true # c\r\n}\r\n",
    );
    let expected = "\
# head comment

segment select {
  where plan = \"a\" and signup_at < 2024-03-01T10:00:00.25Z
}

segment s2 {
  where did \"x\" at least 1 time in last 1 day and n > 1000 and d >= 10.50
}

entity user {
  table t
  key k
  columns {
    a     string
    `b c` int  # why
    d     bool references account as owner
  }
}

trait t = score {
  1 if true
  2 if false
}

segment crlf {
  where true  # c
}
";
    let ast = parse_clean(input, "the non-canonical input");
    let formatted = format_file(&ast);
    assert_eq!(formatted, expected);
    let reparsed = parse_clean(&formatted, "the formatted input");
    assert_eq!(reparsed, ast);
    assert_eq!(format_file(&reparsed), formatted);
}
