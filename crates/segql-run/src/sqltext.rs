//! The runner's own SQL text: names and strings quoted with DuckDB's rules, and the
//! check every statement passes before DuckDB sees it.
//!
//! The duckdb crate's `prepare` (and so every query API of it) splits its text into
//! statements and *executes* all but the last: a `;` inside text segql runs would start
//! a second statement. [`one_statement`] refuses any text that could hold more than
//! one: a `;` outside a quoted string or name, and every lexical form whose extent this
//! scan might judge differently from DuckDB's scanner (comments, dollar-quoted strings,
//! strings with a prefix such as `E'...'`, `$n` parameters). segql writes none of them:
//! its strings are plain `'...'` with `''` for a quote, its names `"..."` with `""`.

/// A name as DuckDB text, always quoted (`"values"`, `"a""b"`). DuckDB matches names
/// case-insensitively, quoted or not, so quoting never changes which object is meant;
/// it only keeps reserved words (`values`, `pivot`, `at`) and odd characters from
/// being read as SQL.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A dotted name (`schema.table`), each part quoted.
pub fn dotted(parts: &[String]) -> String {
    parts.iter().map(|p| ident(p)).collect::<Vec<_>>().join(".")
}

/// A string literal (`'it''s'`): DuckDB's standard strings take no backslash escapes.
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Why a text was refused by [`one_statement`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// Byte offset of the offending character.
    pub at: usize,
    pub what: &'static str,
}

/// Checks that `sql` is at most one statement in the plain forms segql writes (see the
/// module's documentation); a trailing `;` and spaces after it are allowed.
pub fn one_statement(sql: &str) -> Result<(), Refused> {
    #[derive(PartialEq)]
    enum State {
        Code,
        Str,
        Name,
    }
    let b = sql.as_bytes();
    let mut state = State::Code;
    let mut i = 0;
    let refuse = |at: usize, what: &'static str| Err(Refused { at, what });
    while i < b.len() {
        let c = b[i];
        match state {
            State::Str => {
                if c == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        i += 1;
                    } else {
                        state = State::Code;
                    }
                }
            }
            State::Name => {
                if c == b'"' {
                    if b.get(i + 1) == Some(&b'"') {
                        i += 1;
                    } else {
                        state = State::Code;
                    }
                }
            }
            State::Code => match c {
                b'\'' => {
                    // `E'..'`, `X'..'`, `U&'..'`: a prefixed string, whose escapes this scan
                    // does not follow. Anything that continues a word counts as a prefix.
                    if i > 0
                        && (b[i - 1].is_ascii_alphanumeric()
                            || b[i - 1] == b'_'
                            || b[i - 1] == b'&'
                            || b[i - 1] >= 0x80)
                    {
                        return refuse(i, "a string with a prefix");
                    }
                    state = State::Str;
                }
                b'"' => state = State::Name,
                b';' => {
                    if sql[i + 1..].trim().is_empty() {
                        return Ok(());
                    }
                    return refuse(i, "a `;` between statements");
                }
                b'$' => return refuse(i, "a `$` (dollar quoting or a parameter)"),
                b'-' if b.get(i + 1) == Some(&b'-') => return refuse(i, "a `--` comment"),
                b'/' if b.get(i + 1) == Some(&b'*') => return refuse(i, "a `/*` comment"),
                b'`' => return refuse(i, "a backquote"),
                0 => return refuse(i, "a NUL character"),
                _ => {}
            },
        }
        i += 1;
    }
    match state {
        State::Code => Ok(()),
        State::Str => refuse(b.len(), "a string without its closing quote"),
        State::Name => refuse(b.len(), "a name without its closing quote"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_strings_are_always_quoted() {
        assert_eq!(ident("values"), "\"values\"");
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(dotted(&["app".into(), "pivot".into()]), "\"app\".\"pivot\"");
        assert_eq!(literal("it's; DROP"), "'it''s; DROP'");
        assert_eq!(literal("a\\'b"), "'a\\''b'");
    }

    #[test]
    fn one_statement_accepts_what_segql_writes() {
        for ok in [
            "SELECT 1",
            "SELECT 1;",
            "SELECT 1;  \n",
            "SELECT 'a;b' AS \"x;y\"",
            "SELECT 'it''s -- not a comment /* nor this */ $1'",
            "SELECT \"a\"\"; b\" FROM t",
            "SELECT 'a\\' FROM t",
            "SELECT a - -1, a / 2 FROM t",
            "CREATE VIEW \"v\" AS SELECT * FROM read_csv('/data/x;y.csv')",
        ] {
            assert_eq!(one_statement(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn one_statement_refuses_more_than_one_and_what_it_cannot_follow() {
        for (bad, what) in [
            ("SELECT 1; SELECT 2", "a `;` between statements"),
            (
                "SELECT 1; COPY (SELECT 1) TO 'x.csv'",
                "a `;` between statements",
            ),
            (
                "SELECT E'\\''; COPY t TO 'x'; --'",
                "a string with a prefix",
            ),
            (
                "SELECT $$';$$; COPY t TO 'x'",
                "a `$` (dollar quoting or a parameter)",
            ),
            ("SELECT 1 -- ';\n; COPY t TO 'x'", "a `--` comment"),
            ("SELECT 1 /* '; */; COPY t TO 'x'", "a `/*` comment"),
            ("SELECT 'open", "a string without its closing quote"),
            ("SELECT \"open", "a name without its closing quote"),
            ("SELECT N'x'", "a string with a prefix"),
            ("SELECT U&'x'", "a string with a prefix"),
            ("SELECT `x`", "a backquote"),
            ("SELECT 1\0; SELECT 2", "a NUL character"),
        ] {
            assert_eq!(one_statement(bad).map_err(|r| r.what), Err(what), "{bad}");
        }
    }
}
