//! Bad input never panics and never hangs: the parser and the renderer must survive
//! anything a file can hold (garbage, pathological nesting, huge files) and report it in a
//! bounded number of diagnostics.
//!
//! Every input goes through [`check`], which parses it in a thread with the default
//! 2 MiB stack under a time limit, checks the invariants every result must keep, and
//! renders the diagnostics (plain, coloured, short) to prove rendering never panics.

mod robustness_harness;

use robustness_harness::*;
use segql_syntax::ast::ItemKind;
use segql_syntax::diag::{render, RenderOptions};
use segql_syntax::lexer::MAX_ERRORS;
use segql_syntax::span::line_col;
use segql_syntax::{codes, parse, parse_bytes, FileId, Parsed, SourceMap};

// ---------------------------------------------------------------------------------------
// Empty and nearly empty files
// ---------------------------------------------------------------------------------------

#[test]
fn empty_and_blank_files_are_fine() {
    for text in [
        "",
        "\n",
        "\r\n",
        "   \t  ",
        "\n\n\r\n\t\n",
        "\u{FEFF}",
        "\u{FEFF}\n",
    ] {
        let p = check("blank", text.to_string());
        assert!(p.diags.is_empty(), "{text:?}: {:?}", codes_of(&p));
        assert!(p.file.items.is_empty());
    }
}

#[test]
fn files_of_only_comments_are_fine() {
    let cases = [
        ("#", 1),
        ("# one", 1),
        ("# one\n# two\n", 2),
        ("# one\r\n\r\n# two\r\n", 2),
        ("#\n#\n#", 3),
        ("# ünïcödé 😀 \"quotes\" `ticks` \\ { ( [\n", 1),
        ("\u{FEFF}# after a byte-order mark\n", 1),
    ];
    for (text, n) in cases {
        let p = check("comments", text.to_string());
        assert!(p.diags.is_empty(), "{text:?}: {:?}", codes_of(&p));
        assert!(p.file.items.is_empty());
        assert_eq!(p.file.comments.len(), n, "{text:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Garbage
// ---------------------------------------------------------------------------------------

#[test]
fn binary_garbage_is_reported_as_not_utf8() {
    let mut rng = Rng(0x5E61_u64 << 20 | 1);
    let mut not_utf8 = 0;
    for i in 0..300 {
        let len = rng.below(3000);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Some with a valid prefix, so the first bad byte is not at 0.
        if i % 3 == 0 {
            let mut prefixed = b"segment s { where x = \"".to_vec();
            prefixed.extend_from_slice(&bytes);
            bytes = prefixed;
        }
        if i % 5 == 0 {
            bytes.extend_from_slice(&[0, 0xFF, 0xC3, 0]);
        }
        let lossy = String::from_utf8_lossy(&bytes).into_owned();
        let valid = std::str::from_utf8(&bytes)
            .map(|_| ())
            .map_err(|e| e.valid_up_to());
        let parsed = bounded("garbage", 60, move || {
            let parsed = parse_bytes(&bytes, FileId(0));
            check_result(&lossy, &parsed);
            parsed
        });
        if let Err(at) = valid {
            not_utf8 += 1;
            assert_eq!(codes_of(&parsed), [codes::NOT_UTF8]);
            assert_eq!(parsed.diags[0].span.start as usize, at);
            assert!(parsed.diags[0].message.contains(&format!("byte {at}")));
        }
    }
    assert!(
        not_utf8 > 250,
        "the generator should make mostly invalid UTF-8"
    );
}

#[test]
fn random_characters_never_break_the_parser() {
    // Valid UTF-8, but every odd character a file might hold.
    let alphabet: Vec<char> = "ab_zé日😀0159 \t\n\r{}()[]|,.:%=!<>-+&;'\"`\\#\0\x01\x7f\u{85}\u{a0}\u{ad}\u{200b}\u{2028}\u{feff}\u{201c}\u{201d}\u{fffd}TZ"
        .chars()
        .collect();
    let mut rng = Rng(42);
    for _ in 0..300 {
        let len = rng.below(400);
        let text: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        check("random characters", text);
    }
}

#[test]
fn random_token_soup_never_breaks_the_parser() {
    // Sequences of real tokens reach much deeper into the parser than random bytes.
    let vocab = [
        "entity",
        "events",
        "segment",
        "trait",
        "report",
        "split",
        "priority",
        "test",
        "assert",
        "of",
        "table",
        "key",
        "name",
        "event",
        "time",
        "columns",
        "properties",
        "description",
        "owner",
        "tags",
        "score",
        "where",
        "segments",
        "metric",
        "salt",
        "group",
        "as_of",
        "given",
        "expect",
        "size",
        "disjoint",
        "subset",
        "with",
        "did",
        "then",
        "within",
        "in",
        "last",
        "ever",
        "between",
        "and",
        "or",
        "not",
        "is",
        "set",
        "null",
        "true",
        "false",
        "any",
        "all",
        "no",
        "at",
        "least",
        "most",
        "exactly",
        "times",
        "stopped",
        "restarted",
        "after",
        "for",
        "ago",
        "days",
        "hours",
        "minutes",
        "sum",
        "avg",
        "count",
        "distinct",
        "first",
        "ntile",
        "if",
        "share",
        "from",
        "references",
        "as",
        "string",
        "int",
        "varchar",
        "contains",
        "starts",
        "ends",
        "matches",
        "sql",
        "user",
        "plan",
        "x",
        "`q`",
        "``",
        "\"s\"",
        "\"unterminated",
        "'single'",
        "“curly”",
        "\"\\q\"",
        "\"\\u{110000}\"",
        "7",
        "-3",
        "1.5",
        "1_000",
        "1e5",
        "30days",
        "99999999999999999999",
        "2024-02-29",
        "2023-02-29",
        "2024-1-5",
        "2024-01-01T10:00:00Z",
        "2024-01-01T25:00Z",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        "|",
        ",",
        ".",
        ":",
        "%",
        "=",
        "==",
        "!=",
        "!",
        "<",
        "<=",
        ">",
        ">=",
        "<>",
        "-",
        "&&",
        "||",
        ";",
        "#c\n",
        "\n",
        "\n",
        "\n",
        " ",
        "\t",
        "\r\n",
    ];
    let mut rng = Rng(7);
    for _ in 0..2000 {
        let len = rng.below(80);
        let mut text = String::new();
        for _ in 0..len {
            text.push_str(vocab[rng.below(vocab.len())]);
            text.push(' ');
        }
        check("token soup", text);
    }
}

#[test]
fn every_prefix_of_the_fixtures_is_handled() {
    // Files cut short anywhere (an editor saving mid-keystroke).
    for text in fixture_texts() {
        let mut ends: Vec<usize> = (0..text.len()).step_by(7).collect();
        ends.push(text.len());
        for end in ends {
            if text.is_char_boundary(end) {
                check("prefix", text[..end].to_string());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Encodings and line endings
// ---------------------------------------------------------------------------------------

#[test]
fn a_byte_order_mark_is_skipped() {
    for text in fixture_texts() {
        let plain = check("no BOM", text.clone());
        let bom = check("BOM", format!("\u{FEFF}{text}"));
        assert!(bom.diags.is_empty(), "{:?}", codes_of(&bom));
        assert_eq!(bom.file, plain.file, "a BOM must not change the tree");
    }
    // Positions after a BOM are still right, and the BOM is no column.
    let text = "\u{FEFF}segment s { where x == 1 }\n".to_string();
    let p = check("BOM with an error", text.clone());
    assert_eq!(codes_of(&p), [codes::DOUBLE_EQUALS]);
    let at = p.diags[0].span.start as usize;
    assert_eq!(&text[at..at + 2], "==");
    assert_eq!(line_col(&text, at), (1, 21));
    let mut map = SourceMap::new();
    map.add("bom.seg", text);
    let shown = render(&map, &p.diags, RenderOptions::PLAIN);
    assert!(shown.contains("bom.seg:1:21"), "{shown}");
    assert!(shown.contains(" 1 | segment s { where x == 1 }"), "{shown}");
}

#[test]
fn crlf_line_endings_parse_like_lf() {
    for text in fixture_texts() {
        let lf = text.replace("\r\n", "\n");
        let crlf = lf.replace('\n', "\r\n");
        let a = check("LF", lf);
        let b = check("CRLF", crlf);
        assert!(b.diags.is_empty(), "{:?}", codes_of(&b));
        assert_eq!(a.file, b.file, "line endings must not change the tree");
    }
}

#[test]
fn crlf_positions_are_right() {
    let text = "segment s {\r\n  description \"x\"\r\n  where plan == \"trial\"\r\n}\r\n";
    let p = check("CRLF with an error", text.to_string());
    assert_eq!(codes_of(&p), [codes::DOUBLE_EQUALS]);
    assert_eq!(line_col(text, p.diags[0].span.start as usize), (3, 14));
    let mut map = SourceMap::new();
    map.add("crlf.seg", text);
    assert_eq!(map.location(p.diags[0].span), "crlf.seg:3:14");
    let shown = render(&map, &p.diags, RenderOptions::PLAIN);
    assert!(shown.contains("crlf.seg:3:14"), "{shown}");
    assert!(shown.contains(" 3 |   where plan == \"trial\""), "{shown}");

    // Old Mac line endings (a lone CR) count as line breaks too.
    let text = "segment s {\r  where plan == \"trial\"\r}\r";
    let p = check("CR with an error", text.to_string());
    assert_eq!(codes_of(&p), [codes::DOUBLE_EQUALS]);
    assert_eq!(line_col(text, p.diags[0].span.start as usize), (2, 14));
}

#[test]
fn tabs_are_one_column_each() {
    let text = "segment s {\n\twhere\tplan == \"trial\"\n}\n";
    let p = check("tabs", text.to_string());
    assert_eq!(codes_of(&p), [codes::DOUBLE_EQUALS]);
    // `\twhere\tplan ` is 12 characters.
    assert_eq!(line_col(text, p.diags[0].span.start as usize), (2, 13));
    let mut map = SourceMap::new();
    map.add("tabs.seg", text);
    let shown = render(&map, &p.diags, RenderOptions::PLAIN);
    assert!(shown.contains("tabs.seg:2:13"), "{shown}");

    let clean = check(
        "tab layout",
        "segment s {\n\twhere\tplan = \"trial\"\tand\tage > 3\n}\n".to_string(),
    );
    assert!(clean.diags.is_empty(), "{:?}", codes_of(&clean));
}

#[test]
fn non_ascii_names_and_strings_work() {
    let text = "segment café_clients {\n  description \"Überweisung für Kunden 😀 — naïve\"\n  where ville = \"Zürich\" and 名前 = \"太郎\" and `prénom composé` starts with \"Ελ\"\n}\n";
    let p = check("non-ASCII", text.to_string());
    assert!(p.diags.is_empty(), "{:?}", codes_of(&p));
    let ItemKind::Segment(s) = &p.file.items[0].kind else {
        panic!("a segment")
    };
    assert_eq!(s.name.name, "café_clients");
    assert_eq!(
        s.meta.description.as_ref().unwrap().value,
        "Überweisung für Kunden 😀 — naïve"
    );
    let debug = format!("{:?}", s.condition);
    for part in ["ville", "Zürich", "名前", "太郎", "prénom composé", "Ελ"] {
        assert!(debug.contains(part), "{part} missing from {debug}");
    }

    // An error after multi-byte characters points at the right column (characters,
    // not bytes).
    let text = "segment s { where 名前 == \"太郎\" }";
    let p = check("non-ASCII error", text.to_string());
    assert_eq!(codes_of(&p), [codes::DOUBLE_EQUALS]);
    assert_eq!(line_col(text, p.diags[0].span.start as usize), (1, 22));
}

// ---------------------------------------------------------------------------------------
// Strings and escapes
// ---------------------------------------------------------------------------------------

#[test]
fn unterminated_strings_at_the_end_of_the_file() {
    let cases = [
        "\"",
        "`",
        "\"abc",
        "`abc",
        "\"\\",
        "\"abc\\",
        "\"\\u",
        "\"\\u{",
        "\"\\u{12",
        "segment s { where x = \"abc",
        "segment s { where x = \"abc\\\"",
        "segment s { description \"",
        "segment s { where `col",
        "segment s { where x = 'abc",
        "segment s { where x = “abc",
    ];
    for text in cases {
        let p = check("unterminated", text.to_string());
        let codes = codes_of(&p);
        assert!(
            codes.contains(&codes::UNTERMINATED_STRING) || codes.contains(&codes::WRONG_QUOTES),
            "{text:?}: {codes:?}"
        );
    }
}

#[test]
fn unknown_and_malformed_escapes_are_each_reported() {
    let p = check(
        "escapes",
        "segment s { where x = \"\\q \\d \\w\" }".to_string(),
    );
    assert_eq!(codes_of(&p), [codes::UNKNOWN_ESCAPE; 3]);
    for bad in [
        "\\u{}",
        "\\u{110000}",
        "\\u{D800}",
        "\\u{1234567}",
        "\\u{zz}",
        "\\u00e9",
        "\\u{12",
    ] {
        let p = check(
            "unicode escape",
            format!("segment s {{ where x = \"{bad}\" }}"),
        );
        assert_eq!(codes_of(&p), [codes::BAD_UNICODE_ESCAPE], "{bad}");
    }
}

// ---------------------------------------------------------------------------------------
// Nesting: a depth error, never a stack overflow
// ---------------------------------------------------------------------------------------

const DEEP: usize = 100_000;

fn assert_too_deep(what: &str, text: String) {
    let p = check(what, text);
    let codes = codes_of(&p);
    assert!(codes.contains(&codes::TOO_DEEP), "{what}: {codes:?}");
    assert_eq!(
        codes.iter().filter(|c| **c == codes::TOO_DEEP).count(),
        1,
        "{what}: one depth error is enough: {codes:?}"
    );
}

#[test]
fn deep_parentheses_give_the_depth_error() {
    let text = format!(
        "segment s {{\n  where {}x = 1{}\n}}\n",
        "(".repeat(DEEP),
        ")".repeat(DEEP)
    );
    assert_too_deep("parentheses", text);
    // Unbalanced, too.
    assert_too_deep(
        "open parentheses",
        format!("segment s {{ where {} }}", "(".repeat(DEEP)),
    );
}

#[test]
fn deep_not_gives_the_depth_error() {
    let text = format!("segment s {{\n  where {}x = 1\n}}\n", "not ".repeat(DEEP));
    assert_too_deep("not", text);
}

#[test]
fn other_deep_nestings_give_the_depth_error() {
    assert_too_deep(
        "ntile",
        format!("trait t = {}x", "ntile(2) of ".repeat(DEEP)),
    );
    assert_too_deep(
        "with",
        format!(
            "segment s {{ where {}x = 1 }}",
            "did \"e\" with ".repeat(DEEP)
        ),
    );
    assert_too_deep(
        "quantifiers",
        format!(
            "segment s {{ where {}x = 1 }}",
            "any user where ".repeat(DEEP)
        ),
    );
    assert_too_deep(
        "score in score",
        format!("trait t = {}x = 1", "score { 1 if ".repeat(DEEP)),
    );
}

#[test]
fn deep_brackets_outside_conditions_do_not_recurse() {
    for (what, text) in [
        ("braces", "{".repeat(DEEP)),
        ("closing braces", "}".repeat(DEEP)),
        ("parentheses", "(".repeat(DEEP)),
        (
            "brackets",
            format!("report r {{ segments {} }}", "[".repeat(DEEP)),
        ),
        ("blocks", format!("segment s {}", "{ where ".repeat(DEEP))),
    ] {
        check(what, text);
    }
}

// ---------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------

#[test]
fn number_limits() {
    let value =
        |text: &str| -> Parsed { check("number", format!("segment s {{ where x > {text} }}")) };
    for ok in [
        "9223372036854775807",
        "-9223372036854775808",
        "9_223_372_036_854_775_807",
        "0",
        "-0",
        "1234567890123456789012345678901234567.8",
        "-0.00000000000000000000000000000000000001",
    ] {
        let p = value(ok);
        assert!(p.diags.is_empty(), "{ok}: {:?}", codes_of(&p));
    }
    for (bad, code) in [
        ("9223372036854775808", codes::INT_TOO_LARGE),
        ("-9223372036854775809", codes::INT_TOO_LARGE),
        (
            "99999999999999999999999999999999999999999",
            codes::INT_TOO_LARGE,
        ),
        (
            "123456789012345678901234567890123456789.0",
            codes::DECIMAL_TOO_LONG,
        ),
        ("1e5", codes::BAD_NUMBER),
        ("1_", codes::BAD_NUMBER),
    ] {
        assert_eq!(codes_of(&value(bad)), [code], "{bad}");
    }
    // A number of ten thousand digits.
    let huge = "9".repeat(10_000);
    assert_eq!(codes_of(&value(&huge)), [codes::INT_TOO_LARGE]);
    let huge = format!("{}.{}", "9".repeat(5_000), "9".repeat(5_000));
    assert_eq!(codes_of(&value(&huge)), [codes::DECIMAL_TOO_LONG]);
}

#[test]
fn extreme_dates_and_timestamps() {
    for ok in [
        "0001-01-01",
        "9999-12-31",
        "2024-02-29",
        "9999-12-31T23:59:59.999999Z",
        // The extremes once converted to UTC: exactly the first and the last instant.
        "0001-01-01T23:59:00+23:59",
        "9999-12-31T00:00:59.999999-23:59",
    ] {
        let p = check("date", format!("segment s {{ where x > {ok} }}"));
        assert!(p.diags.is_empty(), "{ok}: {:?}", codes_of(&p));
    }
    for bad in [
        "0000-01-01",
        "2024-00-10",
        "2024-04-31",
        "2024-01-01T24:00:00Z",
        "2024-01-01T10:00:00+24:00",
        // In range as written, out of range in UTC (they failed on Postgres at run time).
        "0001-01-01T00:00:00+23:59",
        "0001-01-01T23:58:59+23:59",
        "9999-12-31T23:59:59-23:59",
        "9999-12-31T00:01:00-23:59",
    ] {
        let p = check("date", format!("segment s {{ where x > {bad} }}"));
        assert_eq!(codes_of(&p), [codes::INVALID_DATE], "{bad}");
    }
}

// ---------------------------------------------------------------------------------------
// The error cap
// ---------------------------------------------------------------------------------------

fn assert_capped(p: &Parsed) {
    assert_eq!(p.diags.len(), MAX_ERRORS + 1, "{:?}", codes_of(p));
    assert_eq!(p.diags.last().unwrap().code, codes::TOO_MANY_ERRORS);
    assert_eq!(
        p.diags
            .iter()
            .filter(|d| d.code == codes::TOO_MANY_ERRORS)
            .count(),
        1
    );
}

#[test]
fn thousands_of_parser_mistakes_stop_at_the_cap() {
    let text: String = (0..5000)
        .map(|i| format!("segment s{i} {{\n  whre plan = \"trial\"\n}}\n"))
        .collect();
    let p = check("parser mistakes", text);
    assert_capped(&p);
    assert!(p.diags[..MAX_ERRORS]
        .iter()
        .all(|d| d.code == codes::UNKNOWN_FIELD));
}

#[test]
fn thousands_of_lexer_mistakes_stop_at_the_cap() {
    let text = format!(
        "segment s {{\n  where plan = \"trial\"{}\n}}\n",
        ";".repeat(5000)
    );
    let p = check("lexer mistakes", text);
    assert_capped(&p);
    assert!(p.diags[..MAX_ERRORS]
        .iter()
        .all(|d| d.code == codes::UNEXPECTED_CHAR));
}

#[test]
fn lexer_and_parser_mistakes_share_one_cap() {
    // Lexer errors fill most of the budget; the parser's then stop at the same cap.
    let mut text = String::new();
    text.push_str(&format!(
        "segment s {{\n  where plan = \"\\q{}\"\n}}\n",
        "\\q".repeat(MAX_ERRORS - 11)
    ));
    for i in 0..100 {
        text.push_str(&format!("segment t{i} {{\n  whre plan = \"trial\"\n}}\n"));
    }
    let p = check("mixed mistakes", text);
    assert_capped(&p);
    let lexer = p
        .diags
        .iter()
        .filter(|d| d.code == codes::UNKNOWN_ESCAPE)
        .count();
    assert_eq!(lexer, MAX_ERRORS - 10);
}

#[test]
fn many_mistakes_in_one_huge_line_stop_at_the_cap() {
    let text = format!("segment s {{ where {} }}", "x == 1 and ".repeat(50_000));
    let p = check("one line", text.clone());
    assert_capped(&p);
    // Each diagnostic shows an excerpt of the 550 kB line, not the whole of it.
    let mut map = SourceMap::new();
    map.add("long.seg", text);
    let shown = render(&map, &p.diags, RenderOptions::PLAIN);
    assert!(shown.len() < 101 * 1000, "{} bytes rendered", shown.len());
    assert!(shown.contains("long.seg:1:1110"), "{shown}");
}

// ---------------------------------------------------------------------------------------
// A very large valid file
// ---------------------------------------------------------------------------------------

/// About 50 MB of valid items (the fixtures, repeated). Generating, parsing and
/// checking it takes about 9 s in an unoptimised build (measured while writing this),
/// well inside a debug `cargo test`, so the full size always runs.
#[test]
fn a_large_valid_file_parses_cleanly() {
    let target = 50 * 1024 * 1024;
    let unit: String = fixture_texts().join("\n");
    let unit_items = parse(&unit, FileId(0)).file.items.len();
    let copies = target / unit.len() + 1;
    let text = unit.repeat(copies);
    assert!(text.len() >= target);
    let p = check_within("large file", text, 300);
    assert!(
        p.diags.is_empty(),
        "{:?}",
        &codes_of(&p)[..p.diags.len().min(5)]
    );
    assert_eq!(p.file.items.len(), unit_items * copies);
    // The last item's spans are right, far into the file.
    let last = p.file.items.last().unwrap();
    assert!(last.span.end as usize > target - unit.len());
}
