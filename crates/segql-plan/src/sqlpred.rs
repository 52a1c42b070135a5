//! `sql "..."` predicates: parsed with sqlparser, their columns checked against the
//! catalog, re-emitted per dialect (never pasted as text).

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
            c.push(
                Diagnostic::error(codes::BAD_SQL, s.span, format!("this SQL predicate does not parse: {e}"))
                    .with_hint("write one boolean SQL expression over the entity's columns: sql \"lower(country) = 'fr'\""),
            );
            return None;
        }
    };
    let mut problems: Vec<String> = Vec::new();
    let mut hint: Option<String> = None;
    let cat: &Catalog = c.catalog_ref();
    let _ = visit_expressions(&expr, |e| {
        match e {
            Expr::Identifier(id) if !column_exists(cat, entity, filter, None, &id.value) => {
                problems.push(format!("`{}` is not a column", id.value));
                hint = suggestion(cat, entity, filter, &id.value);
            }
            Expr::CompoundIdentifier(parts) => {
                let ok = parts.len() == 2
                    && filter.is_none()
                    && column_exists(cat, entity, None, Some(&parts[0].value), &parts[1].value);
                if !ok {
                    let name: Vec<&str> = parts.iter().map(|p| p.value.as_str()).collect();
                    problems.push(format!(
                        "`{}` is not a column of a reference",
                        name.join(".")
                    ));
                }
            }
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => {
                problems.push("subqueries are not allowed".to_string());
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    if !problems.is_empty() {
        let mut d = Diagnostic::error(
            codes::BAD_SQL,
            s.span,
            format!("in this SQL predicate: {}", problems.join("; ")),
        );
        d = d.with_hint(hint.unwrap_or_else(|| {
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
