//! `sql "..."` predicates: parsed with sqlparser, then converted into segql's own
//! [`SqlExpr`], which is all the planner ever sees of them.
//!
//! The conversion is an allowlist. A predicate is an expression over the scope's own
//! columns (the entity's, `REFERENCE.COLUMN`, or inside `with` the event's properties)
//! and literals, built from comparisons, `and`/`or`/`not`, arithmetic, `||`, `IS [NOT]
//! NULL`, `BETWEEN`, `IN (...)`, `LIKE` with a plain pattern, `CASE`, `CAST` to a catalog
//! type, `EXTRACT(YEAR|MONTH|DAY ...)` and the functions of [`SqlFn`]. Anything else —
//! a subquery, a table, a string written in any form but single quotes, a function
//! outside the list — is refused with E0409, because segql could not promise to write it
//! safely and alike in every dialect. Strings, names and functions are written anew by
//! each dialect when the SQL is emitted: no text of the predicate is pasted.
//!
//! This module depends on the catalog only, not on the checker: it returns the
//! predicate or the diagnostics.

use crate::codes;
use crate::ir::{
    Catalog, ColRef, ColumnOwner, DatePart, EntityId, EventsId, Lit, SqlExpr, SqlFn, SqlOp,
    SqlPredicate,
};
use segql_syntax::ast::{CmpOp, StrLit, Type};
use segql_syntax::diag::Diagnostic;
use segql_syntax::parser::did_you_mean;
use segql_syntax::Span;
use sqlparser::ast::{
    BinaryOperator, CastKind, CeilFloorKind, DateTimeField, Expr, FunctionArg, FunctionArgExpr,
    FunctionArguments, ObjectNamePart, Spanned, UnaryOperator, Value,
};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

mod ops;

/// The most diagnostics one predicate reports.
const MAX_PROBLEMS: usize = 10;

/// Deeper than this, a predicate is refused before it is converted (the conversion and
/// the emission recurse once per level).
const MAX_DEPTH: usize = 64;

/// Checks a `sql "..."` predicate in the scope of `entity` (or, inside `with`, of the
/// events relation `filter`).
pub fn check(
    cat: &Catalog,
    s: &StrLit,
    entity: EntityId,
    filter: Option<EventsId>,
) -> Result<SqlPredicate, Vec<Diagnostic>> {
    let expr = parse(s).map_err(|d| vec![*d])?;
    let mut c = Conv {
        cat,
        entity,
        filter,
        lit: s,
        problems: Vec::new(),
    };
    if depth(&expr) > MAX_DEPTH {
        c.problem(
            codes::SQL_REFUSED,
            None,
            format!("this SQL predicate nests more than {MAX_DEPTH} levels deep"),
            "too deeply nested",
            "split it into several conditions joined with `and` / `or` outside the string",
        );
        return Err(c.problems);
    }
    let converted = c.expr(&expr);
    if let Some((e, ty)) = &converted {
        if let Some(t) = ty {
            if *t != Type::Bool && c.problems.is_empty() {
                c.problems.push(
                    Diagnostic::error(
                        codes::TYPE_MISMATCH,
                        s.span,
                        format!(
                            "this SQL predicate is {}, not a condition",
                            super::article(*t)
                        ),
                    )
                    .with_label("not true or false")
                    .with_hint("a sql predicate must be a condition: compare the value, e.g. sql \"length(name) > 3\""),
                );
            }
        }
        if c.problems.is_empty() {
            return Ok(SqlPredicate {
                expr: e.clone(),
                text: s.value.clone(),
            });
        }
    }
    if c.problems.is_empty() {
        // Every refusal pushes a problem; this is a safety net, never silent.
        c.problem(
            codes::SQL_REFUSED,
            None,
            "this SQL predicate cannot be used".to_string(),
            "not a predicate segql can write",
            "write one condition over the entity's columns: sql \"lower(country) = 'fr'\"",
        );
    }
    Err(c.problems)
}

/// sqlparser's parse of the string: exactly one expression.
fn parse(s: &StrLit) -> Result<Expr, Box<Diagnostic>> {
    let parsed = Parser::new(&GenericDialect {})
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
        });
    let e = match parsed {
        Ok(e) => return Ok(e),
        Err(e) => e,
    };
    // "sql parser error: Expected: X, found: Y at Line: 1, Column: 18": the problem, and
    // where in the string it is.
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
        .and_then(|o| super::inside_string(s, o, o))
        .unwrap_or(s.span);
    let label = if span.same_as(s.span) {
        "not one SQL expression".to_string()
    } else {
        what.clone()
    };
    Err(Box::new(
        Diagnostic::error(
            codes::BAD_SQL,
            span,
            format!("this SQL predicate does not parse: {what}"),
        )
        .with_label(label)
        .with_hint(
            "write one boolean SQL expression over the entity's columns: sql \"lower(country) = 'fr'\"",
        ),
    ))
}

/// How deeply an expression nests, counted without recursion on its spine (so that a
/// hostile depth cannot overflow the stack here either).
fn depth(e: &Expr) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(&Expr, usize)> = vec![(e, 1)];
    while let Some((e, d)) = stack.pop() {
        deepest = deepest.max(d);
        if d > MAX_DEPTH {
            break;
        }
        for child in children(e) {
            stack.push((child, d + 1));
        }
    }
    deepest
}

/// The sub-expressions of the node kinds the conversion accepts (others have none here:
/// they are refused before their children matter).
fn children(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::BinaryOp { left, right, .. } => vec![left, right],
        Expr::UnaryOp { expr, .. }
        | Expr::Nested(expr)
        | Expr::IsNull(expr)
        | Expr::IsNotNull(expr)
        | Expr::Cast { expr, .. }
        | Expr::Extract { expr, .. }
        | Expr::Ceil { expr, .. }
        | Expr::Floor { expr, .. }
        | Expr::Trim { expr, .. } => vec![expr],
        Expr::Between {
            expr, low, high, ..
        } => vec![expr, low, high],
        Expr::InList { expr, list, .. } => std::iter::once(&**expr).chain(list).collect(),
        Expr::Like { expr, pattern, .. } => vec![expr, pattern],
        Expr::Case {
            operand,
            conditions,
            else_result,
            ..
        } => operand
            .iter()
            .map(|b| &**b)
            .chain(conditions.iter().flat_map(|c| [&c.condition, &c.result]))
            .chain(else_result.iter().map(|b| &**b))
            .collect(),
        Expr::Function(f) => match &f.args {
            FunctionArguments::List(l) => l
                .args
                .iter()
                .filter_map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                    _ => None,
                })
                .collect(),
            _ => vec![],
        },
        _ => vec![],
    }
}

struct Conv<'c> {
    cat: &'c Catalog,
    entity: EntityId,
    filter: Option<EventsId>,
    lit: &'c StrLit,
    problems: Vec<Diagnostic>,
}

/// A converted node and its type (`None` for NULL, which fits any type).
type Typed = (SqlExpr, Option<Type>);

fn numeric(t: Type) -> bool {
    matches!(t, Type::Int | Type::Decimal | Type::Float)
}

fn timeish(t: Type) -> bool {
    matches!(t, Type::Date | Type::Timestamp)
}

/// Whether values of the two types can be compared.
fn comparable(a: Option<Type>, b: Option<Type>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b || (numeric(a) && numeric(b)) || (timeish(a) && timeish(b)),
        _ => true,
    }
}

/// The type of arithmetic on two numbers.
fn wider(a: Option<Type>, b: Option<Type>) -> Option<Type> {
    match (a, b) {
        (Some(Type::Float), _) | (_, Some(Type::Float)) => Some(Type::Float),
        (Some(Type::Decimal), _) | (_, Some(Type::Decimal)) => Some(Type::Decimal),
        (Some(Type::Int), _) | (_, Some(Type::Int)) => Some(Type::Int),
        _ => None,
    }
}

fn type_name(t: Option<Type>) -> String {
    match t {
        Some(t) => super::article(t),
        None => "NULL".to_string(),
    }
}

/// A catalog type named by a SQL type name (`VARCHAR(20)`, `numeric(10, 2)`, `int8`).
fn sql_type(name: &str) -> Option<Type> {
    let base = name
        .split('(')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    Some(match base.as_str() {
        "string" | "text" | "varchar" | "char" | "character varying" | "character" => Type::String,
        "int" | "integer" | "bigint" | "smallint" | "int2" | "int4" | "int8" | "int64" => Type::Int,
        "decimal" | "numeric" | "number" => Type::Decimal,
        "double" | "double precision" | "float" | "float8" | "float64" | "real" => Type::Float,
        "bool" | "boolean" => Type::Bool,
        "date" => Type::Date,
        "timestamp" | "timestamp without time zone" | "datetime" => Type::Timestamp,
        _ => return None,
    })
}

/// What a string literal other than `'...'` is called, for messages.
fn string_form(v: &Value) -> Option<&'static str> {
    Some(match v {
        Value::SingleQuotedString(_) | Value::Number(..) | Value::Boolean(_) | Value::Null => {
            return None
        }
        Value::DollarQuotedString(_) => "a dollar-quoted string",
        Value::TripleSingleQuotedString(_) | Value::TripleDoubleQuotedString(_) => {
            "a triple-quoted string"
        }
        Value::EscapedStringLiteral(_) => "an E'...' string",
        Value::UnicodeStringLiteral(_) => "a U&'...' string",
        Value::SingleQuotedByteStringLiteral(_)
        | Value::DoubleQuotedByteStringLiteral(_)
        | Value::TripleSingleQuotedByteStringLiteral(_)
        | Value::TripleDoubleQuotedByteStringLiteral(_) => "a byte string",
        Value::SingleQuotedRawStringLiteral(_)
        | Value::DoubleQuotedRawStringLiteral(_)
        | Value::TripleSingleQuotedRawStringLiteral(_)
        | Value::TripleDoubleQuotedRawStringLiteral(_) => "a raw string",
        Value::NationalStringLiteral(_) => "an N'...' string",
        Value::QuoteDelimitedStringLiteral(_) | Value::NationalQuoteDelimitedStringLiteral(_) => {
            "a quote-delimited string"
        }
        Value::HexStringLiteral(_) => "a hex string",
        Value::DoubleQuotedString(_) => "a double-quoted string",
        Value::Placeholder(_) => "a parameter placeholder",
    })
}

const STRING_HINT: &str =
    "write strings in single quotes, doubling a quote inside: sql \"name = 'it''s'\"";

impl Conv<'_> {
    fn problem(
        &mut self,
        code: &'static str,
        at: Option<sqlparser::tokenizer::Span>,
        message: String,
        label: &str,
        hint: &str,
    ) {
        if self.problems.len() >= MAX_PROBLEMS {
            return;
        }
        let span = at.and_then(|sp| self.span_of(sp)).unwrap_or(self.lit.span);
        self.problems.push(
            Diagnostic::error(code, span, format!("in this SQL predicate: {message}"))
                .with_label(label.to_string())
                .with_hint(hint.to_string()),
        );
    }

    /// The source span of a part of the string, when the string has no escapes that
    /// would shift it and the part is on its first line.
    fn span_of(&self, sp: sqlparser::tokenizer::Span) -> Option<Span> {
        if sp.start.line != 1 || sp.end.line != 1 {
            return None;
        }
        let start = char_offset(&self.lit.value, 1, sp.start.column)?;
        let end = char_offset(&self.lit.value, 1, sp.end.column).unwrap_or(self.lit.value.len());
        super::inside_string(self.lit, start, end)
    }

    fn refuse(&mut self, e: &Expr, what: &str, hint: &str) -> Option<Typed> {
        let label = format!("{what} is not allowed here");
        self.problem(
            codes::SQL_REFUSED,
            Some(e.span()),
            format!("{what} is not allowed"),
            &label,
            hint,
        );
        None
    }

    fn scope_name(&self) -> String {
        match self.filter {
            Some(ev) => format!("`{}`", self.cat.events[ev].name),
            None => format!("`{}`", self.cat.entities[self.entity].name),
        }
    }

    fn column(&mut self, id: &sqlparser::ast::Ident) -> Option<Typed> {
        let name = id.value.as_str();
        let found = match self.filter {
            Some(ev) => {
                let ev = &self.cat.events[ev];
                if let Some(p) = ev.property(name) {
                    Some((ColumnOwner::Event, p.ty))
                } else if ev.time == name {
                    Some((ColumnOwner::Event, Type::Timestamp))
                } else {
                    None
                }
            }
            None => self.cat.entities[self.entity]
                .column(name)
                .map(|c| (ColumnOwner::Entity, c.ty)),
        };
        match found {
            Some((owner, ty)) => Some((
                SqlExpr::Column(ColRef {
                    owner,
                    name: name.to_string(),
                    ty,
                }),
                Some(ty),
            )),
            None => {
                let scope = self.scope_name();
                let names: Vec<&str> = match self.filter {
                    Some(ev) => self.cat.events[ev]
                        .properties
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect(),
                    None => self.cat.entities[self.entity]
                        .columns
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect(),
                };
                let hint = did_you_mean(name, names.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| {
                        "a sql predicate may use the entity's columns and REFERENCE.COLUMN"
                            .to_string()
                    });
                self.problem(
                    codes::BAD_SQL,
                    Some(id.span),
                    format!("`{name}` is not a column of {scope}"),
                    &format!("not a column of {scope}"),
                    &hint,
                );
                None
            }
        }
    }

    fn ref_column(&mut self, parts: &[sqlparser::ast::Ident], e: &Expr) -> Option<Typed> {
        if let ([nav, col], None) = (parts, self.filter) {
            let entity = &self.cat.entities[self.entity];
            if let Some(ri) = entity.refs.iter().position(|r| r.nav == nav.value) {
                let target = &self.cat.entities[entity.refs[ri].target];
                if let Some(c) = target.column(&col.value) {
                    return Some((
                        SqlExpr::Column(ColRef {
                            owner: ColumnOwner::Ref(ri),
                            name: c.name.clone(),
                            ty: c.ty,
                        }),
                        Some(c.ty),
                    ));
                }
            }
        }
        let name: Vec<&str> = parts.iter().map(|p| p.value.as_str()).collect();
        self.problem(
            codes::BAD_SQL,
            Some(e.span()),
            format!("`{}` is not a column of a reference", name.join(".")),
            "not REFERENCE.COLUMN",
            "a sql predicate may use the entity's columns and REFERENCE.COLUMN; it cannot name tables",
        );
        None
    }

    fn value(&mut self, v: &Value, e: &Expr) -> Option<Typed> {
        match v {
            Value::SingleQuotedString(s) => {
                Some((SqlExpr::Lit(Lit::Str(s.clone())), Some(Type::String)))
            }
            Value::Boolean(b) => Some((SqlExpr::Lit(Lit::Bool(*b)), Some(Type::Bool))),
            Value::Null => Some((SqlExpr::Null, None)),
            Value::Number(text, _) => {
                if let Ok(i) = text.parse::<i64>() {
                    return Some((SqlExpr::Lit(Lit::Int(i)), Some(Type::Int)));
                }
                let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
                match text.split_once('.') {
                    Some((int, frac)) if (digits(int) || int.is_empty()) && digits(frac) => {
                        let int = if int.is_empty() { "0" } else { int };
                        Some((
                            SqlExpr::Lit(Lit::Decimal(format!("{int}.{frac}"))),
                            Some(Type::Decimal),
                        ))
                    }
                    _ => self.refuse(
                        e,
                        &format!("the number `{text}`"),
                        "write numbers as digits with an optional decimal point (12, 0.5); integers fit in 64 bits",
                    ),
                }
            }
            other => {
                let form = string_form(other).unwrap_or("this literal");
                self.refuse(e, form, STRING_HINT)
            }
        }
    }

    fn expr(&mut self, e: &Expr) -> Option<Typed> {
        match e {
            Expr::Identifier(id) => self.column(id),
            Expr::CompoundIdentifier(parts) => self.ref_column(parts, e),
            Expr::Value(v) => self.value(&v.value, e),
            Expr::Nested(inner) => self.expr(inner),
            Expr::TypedString(ts) => self.typed_string(e, ts),
            Expr::BinaryOp { left, op, right } => self.binary(e, left, op, right),
            Expr::UnaryOp { op, expr } => self.unary(e, op, expr),
            Expr::IsNull(x) | Expr::IsNotNull(x) => {
                let (x, _) = self.expr(x)?;
                Some((
                    SqlExpr::IsNull {
                        expr: Box::new(x),
                        negated: matches!(e, Expr::IsNotNull(_)),
                    },
                    Some(Type::Bool),
                ))
            }
            Expr::Between {
                expr,
                negated,
                low,
                high,
            } => self.between(expr, low, high, *negated),
            Expr::InList {
                expr,
                list,
                negated,
            } => self.in_list(expr, list, *negated),
            Expr::Like {
                negated,
                any,
                expr,
                pattern,
                escape_char,
            } => self.like(e, expr, pattern, *negated, *any || escape_char.is_some()),
            Expr::ILike { .. } => self.refuse(
                e,
                "`ILIKE`",
                "engines fold case differently; write lower(x) LIKE 'pattern'",
            ),
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => self.case(operand.as_deref(), conditions, else_result.as_deref()),
            Expr::Cast {
                kind,
                expr,
                data_type,
                format,
            } => self.cast(e, kind, expr, data_type, format.is_some()),
            Expr::Extract { field, expr, .. } => self.extract(e, field, expr),
            Expr::Ceil { expr, field } | Expr::Floor { expr, field } => {
                if !matches!(field, CeilFloorKind::DateTimeField(DateTimeField::NoDateTime)) {
                    return self.refuse(e, "this form of CEIL/FLOOR", "write ceil(x) or floor(x)");
                }
                let f = if matches!(e, Expr::Ceil { .. }) {
                    SqlFn::Ceil
                } else {
                    SqlFn::Floor
                };
                self.call(e, f, std::slice::from_ref(&**expr))
            }
            Expr::Trim {
                trim_where,
                trim_what,
                expr,
                trim_characters,
            } => {
                if trim_where.is_some() || trim_what.is_some() || trim_characters.is_some() {
                    return self.refuse(
                        e,
                        "this form of TRIM",
                        "write trim(x): it removes spaces at both ends",
                    );
                }
                self.call(e, SqlFn::Trim, std::slice::from_ref(&**expr))
            }
            Expr::Function(f) => self.function(e, f),
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => self.refuse(
                e,
                "a subquery",
                "a sql predicate tests the entity's own columns; to use another relation, declare it in the catalog",
            ),
            other => {
                let text: String = other.to_string().chars().take(40).collect();
                self.refuse(
                    e,
                    &format!("`{text}`"),
                    "a sql predicate may use columns, single-quoted strings, numbers, comparisons, AND/OR/NOT, + - * % ||, IS NULL, BETWEEN, IN (...), LIKE, CASE, CAST, EXTRACT and the functions listed in docs/language.md",
                )
            }
        }
    }

    /// `DATE '…'`, `TIMESTAMP '…'` (UTC) and `TEXT '…'`, as literals.
    fn typed_string(&mut self, e: &Expr, ts: &sqlparser::ast::TypedString) -> Option<Typed> {
        let name = ts.data_type.to_string();
        let Value::SingleQuotedString(text) = &ts.value.value else {
            let form = string_form(&ts.value.value).unwrap_or("this literal");
            return self.refuse(e, form, STRING_HINT);
        };
        match sql_type(&name) {
            Some(Type::String) => Some((SqlExpr::Lit(Lit::Str(text.clone())), Some(Type::String))),
            Some(t @ (Type::Date | Type::Timestamp)) => {
                match segql_syntax::time::parse_instant(text) {
                    Ok(us) if t == Type::Date && text.trim().len() == 10 => Some((
                        SqlExpr::Lit(Lit::Date(
                            i32::try_from(us.div_euclid(segql_syntax::time::MICROS_PER_DAY))
                                .ok()?,
                        )),
                        Some(Type::Date),
                    )),
                    Ok(us) if t == Type::Timestamp => {
                        Some((SqlExpr::Lit(Lit::Timestamp(us)), Some(Type::Timestamp)))
                    }
                    Ok(_) | Err(_) => self.refuse(
                        e,
                        &format!("`{name} '{text}'`"),
                        "write DATE '2024-01-31' or TIMESTAMP '2024-01-31 09:30:00' (UTC)",
                    ),
                }
            }
            _ => self.refuse(
                e,
                &format!("a `{name}` literal"),
                "typed literals may be DATE '…', TIMESTAMP '…' or TEXT '…'",
            ),
        }
    }
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
