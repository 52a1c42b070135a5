//! Shrunk failures of the properties, kept as unit tests.

use crate::layout::comments_moved;
use segql_syntax::{format_file, parse, FileId};

/// Parses `text` (cleanly), formats it, and checks the result reparses to the same tree,
/// keeps every comment where it was written and is a fixed point. Returns the formatted
/// text.
fn format_checked(text: &str) -> String {
    let p = parse(text, FileId(0));
    assert!(p.diags.is_empty(), "{:#?}", p.diags);
    let f1 = format_file(&p.file);
    let p2 = parse(&f1, FileId(0));
    assert!(p2.diags.is_empty(), "{:#?}\n{f1}", p2.diags);
    assert_eq!(p2.file, p.file, "\n{f1}");
    if let Err(e) = comments_moved(text, &f1, &|_| true) {
        panic!("{e}\n--- input ---\n{text}\n--- formatted ---\n{f1}");
    }
    assert_eq!(format_file(&p2.file), f1, "not idempotent");
    f1
}

/// A column named `references` (or `as`) after another column read as that column's
/// reference clause once formatted bare.
#[test]
fn regression_column_named_references() {
    let f = format_checked(
        "entity _ { table a key a columns { a string `references` string b int references c `as` bool } }",
    );
    assert!(f.contains("`references` string"), "{f}");
    assert!(f.contains("`as`         bool"), "{f}");
}

/// A comment after the `(` of a broken group moved to the next nested `(` on every
/// format.
#[test]
fn regression_comment_after_open_paren_stays() {
    let text = "\
segment _ {
  score {
    0 if false
      and (  # B
        (  # C
          false and x = 1
        )
        and false
      )
  }
  where false
}
";
    let f = format_checked(text);
    assert_eq!(f, text);
}

/// With an empty `segments []`, comments between the item keyword and its name were
/// placed by the name's position, differently on every format; and a comment after the
/// empty list went above it.
#[test]
fn regression_comments_around_empty_segments() {
    let f = format_checked("report # a\n# b\n\na {\n segments [ ]\n }\n");
    assert_eq!(f, "report a {  # a\n  # b\n\n  segments []\n}\n");
    let f = format_checked("priority p { # a\n segments [] # b\n }\n");
    // The field's span places the comments around an empty list (a comment after it
    // once went above it).
    assert_eq!(f, "priority p {  # a\n  segments []  # b\n}\n");
}

/// A comment inside the last operand of `and`/`or`, or inside the last step of a
/// sequence, broke the condition over lines; formatted, the comment ends up after the
/// condition, which then went back on one line: formatting was not idempotent.
#[test]
fn regression_comment_in_last_part_of_condition() {
    let f = format_checked(
        "segment _ {\n where did any event then \"\"  # c\nat least 0 times and false\n}\n",
    );
    assert_eq!(
        f,
        "segment _ {\n  where did any event then \"\" at least 0 times  # c\n    and false\n}\n"
    );
    let f = format_checked("segment _ {\n where a = 1 and b # c\n = 1\n}\n");
    assert_eq!(f, "segment _ {\n  where a = 1 and b = 1  # c\n}\n");
    // A comment between the parts still breaks the condition there.
    let f = format_checked("segment _ {\n where a = 1 # c\n and b = 1\n}\n");
    assert_eq!(f, "segment _ {\n  where a = 1  # c\n    and b = 1\n}\n");
}

/// A timestamp whose UTC offset moves it out of years 1 to 9999 was read, then written
/// with a `±23:59` offset (it has no UTC form), and failed on Postgres at run time. The
/// parser now refuses it (E0114); every timestamp it reads is written in UTC.
#[test]
fn regression_timestamp_offset_out_of_years() {
    for (ts, canonical) in [
        ("0001-01-01T01:30:00+01:00", "0001-01-01T00:30:00Z"),
        ("0001-01-01T23:59:00+23:59", "0001-01-01T00:00:00Z"),
        ("9999-12-31T22:30:00.5-01:00", "9999-12-31T23:30:00.5Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
        ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"),
    ] {
        let f = format_checked(&format!("test t {{ as_of {ts} }}"));
        assert_eq!(f, format!("test t {{\n  as_of {canonical}\n}}\n"), "{ts}");
    }
    for out_of_range in [
        "0001-01-01T00:30:00+01:00",
        "0001-01-01T00:00:00+23:59",
        "9999-12-31T23:30:00-01:00",
        "9999-12-31T23:59:59.999999-23:59",
    ] {
        let p = segql_syntax::parse(
            &format!("test t {{ as_of {out_of_range} }}"),
            segql_syntax::FileId(0),
        );
        let codes: Vec<&str> = p.diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["E0114"], "{out_of_range}");
    }
}

/// A comment after `where` (the condition on the next line) went to the end of the line
/// before, where it read as a comment on the description; one on its own line after
/// `where` moved above it. Found by checking where comments sit.
#[test]
fn regression_comment_after_where_stays_on_its_line() {
    let f = format_checked(
        "segment a {\n  description \"x\"\n  where  # why\n    plan = \"trial\"\n}\n",
    );
    assert_eq!(
        f,
        "segment a {\n  description \"x\"\n  where plan = \"trial\"  # why\n}\n"
    );
    let f = format_checked("segment b {\n  where\n    # own\n    plan = \"trial\"\n}\n");
    // Comments before a `}` take its indentation.
    assert_eq!(f, "segment b {\n  where plan = \"trial\"\n# own\n}\n");
    let f = format_checked(
        "segment c {\n  score  # s\n  {\n    10 if true\n  }\n  where score > 0\n}\n",
    );
    assert_eq!(
        f,
        "segment c {\n  score {  # s\n    10 if true\n  }\n  where score > 0\n}\n"
    );
}

/// A comment inside an action's only event broke its line once, and the second format
/// joined it again.
#[test]
fn regression_comment_inside_an_actions_last_event() {
    let f = format_checked("action `0` = \"\" with ( any a where  # c9\nfalse )\n");
    assert_eq!(f, "action `0` = \"\" with (any a where false)  # c9\n");
    // Between two events, it keeps the events on lines of their own.
    let f = format_checked("action b = \"x\"  # why\n  or \"y\"\n");
    assert_eq!(f, "action b =\n  \"x\"  # why\n  or \"y\"\n");
}
