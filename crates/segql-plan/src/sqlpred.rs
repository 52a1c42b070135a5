//! `sql "..."` predicates: parsed with sqlparser, their columns checked against the
//! catalog, re-emitted per dialect (never pasted as text).

use crate::check::inside_string;
use crate::codes;
use crate::ir::{Catalog, EntityId, EventsId, SqlPredicate};
use segql_syntax::ast::StrLit;
use segql_syntax::diag::Diagnostic;
use segql_syntax::parser::did_you_mean;
use sqlparser::ast::{visit_expressions, Expr};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// What a column name in a predicate refers to, once checked.
pub fn check(
    c: &mut crate::check::Checker<'_>,
    s: &StrLit,
    entity: EntityId,
    filter: Option<EventsId>,
) -> Option<SqlPredicate> {
    let expr = match Parser::new(&GenericDialect {})
        .try_with_sql(&s.value)
        .and_then(|mut p| {
            let e = p.parse_expr()?;
            if p.peek_token().token != sqlparser::tokenizer::Token::EOF {
                return Err(sqlparser::parser::ParserError::ParserError(format!(
                    "unexpected {} after the expression",
                    p.peek_token().token
                )));
            }
            Ok(e)
        }) {
        Ok(e) => e,
        Err(e) => {
            // "sql parser error: Expected: X, found: Y at Line: 1, Column: 18": the
            // problem, and where in the string it is.
            let text = match &e {
                sqlparser::parser::ParserError::ParserError(m)
                | sqlparser::parser::ParserError::TokenizerError(m) => m.clone(),
                other => other.to_string(),
            };
            let (what, at) = match text.rsplit_once(" at Line: ") {
                Some((what, pos)) => {
                    let mut nums = pos
                        .split(", Column: ")
                        .map(|n| n.trim().parse::<u64>().ok());
                    match (nums.next().flatten(), nums.next().flatten()) {
                        (Some(line), Some(col)) => (what.to_string(), Some((line, col))),
                        _ => (text.clone(), None),
                    }
                }
                None => (text.clone(), None),
            };
            // sqlparser capitalises ("Expected: ..."); the message continues a sentence.
            let what = match what.chars().next() {
                Some(c) if c.is_ascii_uppercase() => {
                    format!("{}{}", c.to_ascii_lowercase(), &what[1..])
                }
                _ => what,
            };
            let span = at
                .and_then(|(line, col)| char_offset(&s.value, line, col))
                .and_then(|o| inside_string(s, o, o))
                .unwrap_or(s.span);
            let label = if span.same_as(s.span) {
                "not one SQL expression".to_string()
            } else {
                what.clone()
            };
            c.push(
                Diagnostic::error(codes::BAD_SQL, span, format!("this SQL predicate does not parse: {what}"))
                    .with_label(label)
                    .with_hint("write one boolean SQL expression over the entity's columns: sql \"lower(country) = 'fr'\""),
            );
            return None;
        }
    };
    // Each problem, with where in the string it is when known.
    // (message, label, span)
    let mut problems: Vec<(String, String, Option<sqlparser::tokenizer::Span>)> = Vec::new();
    let mut hint: Option<String> = None;
    let cat: &Catalog = c.catalog_ref();
    let scope = match filter {
        Some(ev) => format!("`{}`", cat.events[ev].name),
        None => format!("`{}`", cat.entities[entity].name),
    };
    let _ = visit_expressions(&expr, |e| {
        match e {
            Expr::Identifier(id) if !column_exists(cat, entity, filter, None, &id.value) => {
                problems.push((
                    format!("`{}` is not a column of {scope}", id.value),
                    format!("not a column of {scope}"),
                    Some(id.span),
                ));
                if hint.is_none() {
                    hint = suggestion(cat, entity, filter, &id.value);
                }
            }
            Expr::CompoundIdentifier(parts) => {
                let ok = parts.len() == 2
                    && filter.is_none()
                    && column_exists(cat, entity, None, Some(&parts[0].value), &parts[1].value);
                if !ok {
                    let name: Vec<&str> = parts.iter().map(|p| p.value.as_str()).collect();
                    let span = parts
                        .first()
                        .zip(parts.last())
                        .map(|(a, b)| a.span.union(&b.span));
                    problems.push((
                        format!("`{}` is not a column of a reference", name.join(".")),
                        "not REFERENCE.COLUMN".to_string(),
                        span,
                    ));
                }
            }
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => {
                problems.push((
                    "subqueries are not allowed".to_string(),
                    "a subquery".to_string(),
                    None,
                ));
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    if let Some((_, label, at)) = problems.first() {
        // The caret on the first problem, when the string has no escapes to shift it.
        let span = at
            .filter(|sp| sp.start.line == 1 && sp.end.line == 1)
            .and_then(|sp| {
                let start = char_offset(&s.value, 1, sp.start.column)?;
                let end = char_offset(&s.value, 1, sp.end.column).unwrap_or(s.value.len());
                inside_string(s, start, end)
            })
            .unwrap_or(s.span);
        let label = label.clone();
        let all: Vec<&str> = problems.iter().map(|(p, _, _)| p.as_str()).collect();
        let d = Diagnostic::error(
            codes::BAD_SQL,
            span,
            format!("in this SQL predicate: {}", all.join("; ")),
        )
        .with_label(label)
        .with_hint(hint.unwrap_or_else(|| {
            "a sql predicate may use the entity's columns and REFERENCE.COLUMN".to_string()
        }));
        c.push(d);
        return None;
    }
    Some(SqlPredicate {
        expr,
        text: s.value.clone(),
    })
}

fn column_exists(
    cat: &Catalog,
    entity: EntityId,
    filter: Option<EventsId>,
    via: Option<&str>,
    name: &str,
) -> bool {
    if let Some(ev) = filter {
        let ev = &cat.events[ev];
        return ev.property(name).is_some() || ev.time == name;
    }
    let e = &cat.entities[entity];
    match via {
        None => e.column(name).is_some(),
        Some(nav) => e
            .refs
            .iter()
            .find(|r| r.nav == nav)
            .is_some_and(|r| cat.entities[r.target].column(name).is_some()),
    }
}

fn suggestion(
    cat: &Catalog,
    entity: EntityId,
    filter: Option<EventsId>,
    name: &str,
) -> Option<String> {
    let names: Vec<&str> = match filter {
        Some(ev) => cat.events[ev]
            .properties
            .iter()
            .map(|c| c.name.as_str())
            .collect(),
        None => cat.entities[entity]
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect(),
    };
    did_you_mean(name, names.iter().copied()).map(|s| format!("did you mean `{s}`?"))
}

/// The byte offset of 1-based `line` and character `column` in `text` (sqlparser's
/// positions); `None` past the end or on a line after the first.
fn char_offset(text: &str, line: u64, column: u64) -> Option<usize> {
    if line != 1 || column == 0 {
        return None;
    }
    let n = usize::try_from(column - 1).ok()?;
    match text.char_indices().nth(n) {
        Some((o, _)) => Some(o),
        None if n == text.chars().count() => Some(text.len()),
        None => None,
    }
}
