//! Each engine's rules for quoted strings and names, and a statement's tokens with
//! its literals decoded by them: what the escaping suites compare.

use segql_plan::dialect::Dialect;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

// ---------------------------------------------------------------------------------------
// The engines' escape rules
// ---------------------------------------------------------------------------------------

fn hex_digits(chars: &[char], i: &mut usize, min: usize, max: usize) -> Result<u32, String> {
    let mut v = 0u32;
    let mut n = 0;
    while n < max && *i < chars.len() && chars[*i].is_ascii_hexdigit() {
        v = v * 16 + chars[*i].to_digit(16).expect("hex");
        *i += 1;
        n += 1;
    }
    if n < min {
        return Err(format!("a hex escape needs {min} digits"));
    }
    Ok(v)
}

fn octal_digits(chars: &[char], i: &mut usize, max: usize) -> u32 {
    let mut v = 0u32;
    let mut n = 0;
    while n < max && *i < chars.len() && ('0'..='7').contains(&chars[*i]) {
        v = v * 8 + chars[*i].to_digit(8).expect("octal");
        *i += 1;
        n += 1;
    }
    v
}

fn ch(v: u32) -> Result<char, String> {
    char::from_u32(v).ok_or_else(|| format!("U+{v:X} is not a character"))
}

/// One backslash escape after the `\`, by the engine's rules.
fn unescape(engine: &str, chars: &[char], i: &mut usize, out: &mut String) -> Result<(), String> {
    let Some(&c) = chars.get(*i) else {
        return Err("a backslash at the end".into());
    };
    let three_octal = |i: usize, first: std::ops::RangeInclusive<char>| {
        chars.len() >= i + 3
            && first.contains(&chars[i])
            && ('0'..='7').contains(&chars[i + 1])
            && ('0'..='7').contains(&chars[i + 2])
    };
    match engine {
        "redshift" => {
            // Postgres before standard_conforming_strings.
            *i += 1;
            match c {
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '0'..='7' => {
                    *i -= 1;
                    out.push(ch(octal_digits(chars, i, 3))?);
                }
                'x' if chars.get(*i).is_some_and(|c| c.is_ascii_hexdigit()) => {
                    out.push(ch(hex_digits(chars, i, 1, 2)?)?)
                }
                c => out.push(c),
            }
        }
        "snowflake" => {
            if three_octal(*i, '0'..='7') {
                out.push(ch(octal_digits(chars, i, 3))?);
                return Ok(());
            }
            *i += 1;
            match c {
                '0' => out.push('\0'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'x' => out.push(ch(hex_digits(chars, i, 2, 2)?)?),
                'u' => out.push(ch(hex_digits(chars, i, 4, 4)?)?),
                c => out.push(c),
            }
        }
        "bigquery" => {
            if three_octal(*i, '0'..='7') {
                out.push(ch(octal_digits(chars, i, 3))?);
                return Ok(());
            }
            *i += 1;
            match c {
                'a' => out.push('\u{7}'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'v' => out.push('\u{b}'),
                '\\' | '?' | '"' | '\'' | '`' => out.push(c),
                'x' | 'X' => out.push(ch(hex_digits(chars, i, 2, 2)?)?),
                'u' => out.push(ch(hex_digits(chars, i, 4, 4)?)?),
                'U' => out.push(ch(hex_digits(chars, i, 8, 8)?)?),
                c => return Err(format!("BigQuery has no escape \\{c}")),
            }
        }
        "databricks" => {
            // Spark's ParserUtils.unescapeSQLString.
            if c == 'u'
                && chars.len() >= *i + 5
                && chars[*i + 1..*i + 5].iter().all(char::is_ascii_hexdigit)
            {
                *i += 1;
                out.push(ch(hex_digits(chars, i, 4, 4)?)?);
                return Ok(());
            }
            if three_octal(*i, '0'..='3') {
                out.push(ch(octal_digits(chars, i, 3))?);
                return Ok(());
            }
            *i += 1;
            match c {
                '0' => out.push('\0'),
                'b' => out.push('\u{8}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'Z' => out.push('\u{1a}'),
                '%' | '_' => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
        "clickhouse" => {
            *i += 1;
            match c {
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '0' => out.push('\0'),
                'a' => out.push('\u{7}'),
                'v' => out.push('\u{b}'),
                'x' => out.push(ch(hex_digits(chars, i, 2, 2)?)?),
                c => out.push(c),
            }
        }
        other => return Err(format!("{other} has no backslash escapes")),
    }
    Ok(())
}

/// The value of one quoted token (`raw` includes its quotes), by the engine's rules;
/// an error if the text is not exactly one such token there.
pub fn decode_quoted(engine: &str, raw: &str, quote: char) -> Result<String, String> {
    let chars: Vec<char> = raw.chars().collect();
    if chars.len() < 2 || chars[0] != quote {
        return Err(format!("not a quoted token: {raw:?}"));
    }
    let backslash = match (engine, quote) {
        ("duckdb" | "postgres" | "trino", _) => false,
        ("redshift" | "snowflake", '\'') => true,
        ("redshift" | "snowflake", _) => false,
        ("databricks", '`') => false,
        ("bigquery" | "databricks" | "clickhouse", _) => true,
        (other, _) => return Err(format!("unknown engine {other}")),
    };
    // Whether a doubled quote stands for one quote inside the token.
    let doubling = !matches!((engine, quote), ("bigquery", _) | ("databricks", '\''));
    let mut out = String::new();
    let mut i = 1;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(format!("unterminated: {raw:?}"));
        };
        i += 1;
        if c == quote {
            if doubling && chars.get(i) == Some(&quote) {
                out.push(quote);
                i += 1;
                continue;
            }
            if i != chars.len() {
                return Err(format!(
                    "the quote at {} ends the token early: {raw:?}",
                    i - 1
                ));
            }
            return Ok(out);
        }
        if c == '\\' && backslash {
            unescape(engine, &chars, &mut i, &mut out)?;
            continue;
        }
        out.push(c);
    }
}

// ---------------------------------------------------------------------------------------
// Token shapes
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    Token(String),
    Str(String),
    Name(String),
    Comment(String),
}

/// The statement's tokens (without white space), with literals and quoted names decoded
/// by the engine's rules.
pub fn shapes(d: &dyn Dialect, sql: &str) -> Result<Vec<Shape>, String> {
    let parser = d.parser();
    let tokens = Tokenizer::new(&*parser, sql)
        .tokenize_with_location()
        .map_err(|e| format!("does not tokenize: {e}"))?;
    // (line, column) of every char, the way the tokenizer counts them.
    let chars: Vec<char> = sql.chars().collect();
    let mut index = std::collections::HashMap::new();
    let (mut line, mut col) = (1u64, 1u64);
    for (i, c) in chars.iter().enumerate() {
        index.insert((line, col), i);
        if *c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    index.insert((line, col), chars.len());
    let raw = |t: &sqlparser::tokenizer::TokenWithSpan| -> Result<String, String> {
        let at = |l: sqlparser::tokenizer::Location| {
            index
                .get(&(l.line, l.column))
                .copied()
                .ok_or_else(|| format!("no char at {l:?}"))
        };
        let (a, b) = (at(t.span.start)?, at(t.span.end)?);
        Ok(chars[a..b].iter().collect())
    };
    let mut out = Vec::new();
    for t in &tokens {
        let shape = match &t.token {
            Token::Whitespace(Whitespace::Space | Whitespace::Newline | Whitespace::Tab) => {
                continue
            }
            Token::Whitespace(w) => Shape::Comment(w.to_string()),
            Token::SingleQuotedString(_) => Shape::Str(decode_quoted(d.name(), &raw(t)?, '\'')?),
            Token::Word(w) => match w.quote_style {
                Some(q) => Shape::Name(decode_quoted(d.name(), &raw(t)?, q)?),
                None if w.value.ends_with("_7d") => Shape::Token("<feature>_7d".into()),
                None => Shape::Token(w.value.clone()),
            },
            other => Shape::Token(other.to_string()),
        };
        out.push(shape);
    }
    Ok(out)
}
