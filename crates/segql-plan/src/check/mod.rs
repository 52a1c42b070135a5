//! Name resolution and type checking: ASTs of a project's files to a [`Program`].
//!
//! Every problem becomes a diagnostic with the span of the offending name; a broken
//! declaration is left out of the program and does not cause follow-on errors where it
//! is used.

mod actions;
mod behaviour;
mod catalog;
mod conditions;
mod items;
mod lapses;
mod outputs;
mod periods;
mod sql_predicate;
mod test_blocks;
mod text;
mod values;
mod warnings;

use crate::codes;
use crate::ir::*;
use actions::Step;
use segql_syntax::ast::{self, CmpOp, LitKind, Type, Unit};
use segql_syntax::diag::Diagnostic;
use segql_syntax::fmt::{cond_text, value_text};
use segql_syntax::parser::did_you_mean;
use segql_syntax::time::MICROS_PER_DAY;
use segql_syntax::Span;
use std::collections::{HashMap, HashSet};

/// Checks every file of a project together.
pub fn check(files: &[&ast::File]) -> (Program, Vec<Diagnostic>) {
    let mut c = Checker::default();
    let items: Vec<&ast::Item> = files.iter().flat_map(|f| f.items.iter()).collect();
    c.catalog(&items);
    c.collect_names(&items);
    c.check_items(&items);
    // A declaration used only by a segment that failed to check would be reported as
    // unused, a second diagnostic for one mistake: unused declarations are reported for
    // projects without errors.
    if !c.diags.iter().any(Diagnostic::is_error) {
        c.unused(&items);
    }
    let mut diags = c.diags;
    diags.sort_by_key(|d| (d.span.file, d.span.start));
    (c.program, diags)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State<T> {
    Visiting,
    Done(Option<T>),
}

/// The scope a condition is checked in.
#[derive(Clone)]
pub(crate) struct Ctx {
    entity: EntityId,
    /// The segment's `score`, when it has one.
    score: Option<Scalar>,
    /// Inside `with ...`: the events relation whose properties are in scope.
    filter: Option<EventsId>,
}

#[derive(Default)]
pub(crate) struct Checker<'a> {
    diags: Vec<Diagnostic>,
    program: Program,
    entity_ids: HashMap<String, EntityId>,
    /// Extra tables by name: the entity and the extra's number.
    extra_ids: HashMap<String, (EntityId, usize)>,
    events_ids: HashMap<String, EventsId>,
    segment_asts: HashMap<String, &'a ast::Segment>,
    trait_asts: HashMap<String, &'a ast::Trait>,
    action_asts: HashMap<String, &'a ast::Action>,
    split_names: HashMap<String, usize>,
    priority_names: HashMap<String, usize>,
    segment_state: HashMap<String, State<SegmentId>>,
    trait_state: HashMap<String, State<usize>>,
    action_state: HashMap<String, State<ActionId>>,
    /// The chain of segments/traits being checked, for cycle messages.
    /// With each, the span of the reference that led to it (`None` at the top).
    stack: Vec<(String, Option<Span>)>,
    used_traits: HashSet<String>,
    used_actions: HashSet<String>,
    used_events: HashSet<EventsId>,
    used_entities: HashSet<EntityId>,
    /// `(entity, navigation name)` of references that were declared but rejected: uses
    /// of them are not reported again. An empty name: a reference to an unknown entity,
    /// which may be used by the name of the entity meant.
    broken_refs: HashSet<(String, String)>,
    /// Events relations that were declared but rejected (their entity is unknown):
    /// events they might hold are not reported missing.
    broken_events: HashSet<String>,
    /// Splits, priority lists and reports, declared (whether or not they check), with
    /// what each is.
    declared_lists: HashMap<String, &'static str>,
}

/// Names for a hint: `` `a`, `b`, `c` ``; a long list is cut after the first few (a
/// project may have a thousand segments).
fn list_names<'n>(names: impl IntoIterator<Item = &'n str>) -> String {
    const SHOWN: usize = 12;
    let all: Vec<&str> = names.into_iter().collect();
    let mut v: Vec<String> = all.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    if all.len() > SHOWN {
        v.push(format!("… ({} in all)", all.len()));
    }
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

/// `a string`, `an int`.
pub(crate) fn article(t: Type) -> String {
    let w = t.keyword();
    if w.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {w}")
    } else {
        format!("a {w}")
    }
}

fn numeric(t: Type) -> bool {
    matches!(t, Type::Int | Type::Decimal | Type::Float)
}

fn timeish(t: Type) -> bool {
    matches!(t, Type::Date | Type::Timestamp)
}

/// Whether values of these types can be compared.
fn comparable(a: Type, b: Type) -> bool {
    a == b || (numeric(a) && numeric(b)) || (timeish(a) && timeish(b))
}

fn orderable(t: Type) -> bool {
    t != Type::Bool
}

pub fn duration(d: &ast::Duration) -> Duration {
    Duration {
        n: d.n,
        unit: d.unit,
    }
}

pub fn lit(l: &LitKind) -> Option<Lit> {
    Some(match l {
        LitKind::Str(s) => Lit::Str(s.clone()),
        LitKind::Int(v) => Lit::Int(*v),
        LitKind::Decimal(d) => Lit::Decimal(d.clone()),
        LitKind::Bool(b) => Lit::Bool(*b),
        LitKind::Date(d) => Lit::Date(*d),
        LitKind::Timestamp(t) => Lit::Timestamp(*t),
        LitKind::Null => return None,
    })
}

/// Midnight (UTC) of a day number, in microseconds.
pub fn day_start(days: i32) -> i64 {
    i64::from(days) * MICROS_PER_DAY
}

impl<'a> Checker<'a> {
    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }
}

/// `count QUANT n`
fn count_cond(agg: Scalar, quant: ast::CountQuant, n: i64) -> Cond {
    let op = match quant {
        ast::CountQuant::AtLeast => CmpOp::Ge,
        ast::CountQuant::AtMost => CmpOp::Le,
        ast::CountQuant::Exactly => CmpOp::Eq,
    };
    Cond::Cmp(agg, op, Scalar::Lit(Lit::Int(n)))
}

/// Whether the upper bound of a `between` is a point in time (exclusive) rather than a
/// date (a whole day, inclusive).
fn hi_is_point(o: &ast::Operand) -> bool {
    match o {
        ast::Operand::Ago(_) => true,
        ast::Operand::Lit(l) => matches!(l.kind, LitKind::Timestamp(_)),
    }
}

/// An order key for literal bounds, to catch `between 10 and 1`: keys of the same kind
/// compare.
fn order_key(s: &Scalar) -> Option<(u8, f64)> {
    match s {
        Scalar::Lit(Lit::Int(v)) => Some((0, *v as f64)),
        Scalar::Lit(Lit::Decimal(d)) => d.parse().ok().map(|v| (0, v)),
        Scalar::Lit(Lit::Date(d)) => Some((1, day_start(*d) as f64)),
        Scalar::Lit(Lit::Timestamp(t)) => Some((1, *t as f64)),
        Scalar::Lit(Lit::Str(_)) => None,
        Scalar::Time(TimePoint::Ago(d)) => {
            let unit = match d.unit {
                Unit::Hour => 1.0,
                Unit::Day => 24.0,
                Unit::Week => 168.0,
                Unit::Month => 730.0,
                Unit::Year => 8766.0,
            };
            Some((2, -(d.n as f64) * unit))
        }
        _ => None,
    }
}

/// What a value is compared with, for type-mismatch messages.
struct Rhs {
    span: Span,
    ty: Type,
    /// As written (normalised): `42`, `"FR"`, `30 days ago`.
    text: String,
    /// `N units ago`: a point in time rather than a literal.
    is_ago: bool,
}

impl Rhs {
    fn operand(o: &ast::Operand, span: Span, ty: Type) -> Rhs {
        Rhs {
            span,
            ty,
            text: operand_text(o),
            is_ago: matches!(o, ast::Operand::Ago(_)),
        }
    }
}

/// An operand as written (normalised): `42`, `"FR"`, `30 days ago`.
fn operand_text(o: &ast::Operand) -> String {
    match o {
        ast::Operand::Lit(l) => segql_syntax::fmt::literal_text(&l.kind),
        ast::Operand::Ago(d) => format!("{} ago", segql_syntax::fmt::duration_text(d)),
    }
}

/// A literal of a type, for hints.
fn example(t: Type) -> &'static str {
    match t {
        Type::String => "\"FR\"",
        Type::Int => "42",
        Type::Decimal | Type::Float => "49.99",
        Type::Bool => "true",
        Type::Date => "2024-01-31",
        Type::Timestamp => "2024-01-31T09:30:00Z",
    }
}

/// The span of bytes `start..end` of a string literal's value, when the literal is
/// written without escapes (so that value offsets are source offsets); at least one
/// character wide.
pub(crate) fn inside_string(s: &ast::StrLit, start: usize, end: usize) -> Option<Span> {
    let raw_len = (s.span.end - s.span.start) as usize;
    if raw_len != s.value.len() + 2 || start > s.value.len() {
        return None;
    }
    let mut end = end.clamp(start, s.value.len());
    if end == start {
        // An empty range (the end of the pattern, say): one character, or the quote.
        end = s.value[start..]
            .chars()
            .next()
            .map_or(start + 1, |c| start + c.len_utf8());
    }
    let base = s.span.start + 1;
    Some(Span::new(
        s.span.file,
        base + start as u32,
        base + end as u32,
    ))
}

/// A point of a window as written (normalised): `2024-01-31`, `30 days ago`.
fn time_point_text(t: &ast::TimePoint) -> String {
    match t {
        ast::TimePoint::Lit(l) => segql_syntax::fmt::literal_text(&l.kind),
        ast::TimePoint::Ago(d) => format!("{} ago", segql_syntax::fmt::duration_text(d)),
        ast::TimePoint::Now => "now".to_string(),
    }
}

/// The part after the dot of `a.b`, for hints.
fn second_name(p: &ast::Path) -> &str {
    p.parts.get(1).map_or("", |i| i.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::list_names;

    #[test]
    fn long_name_lists_are_cut() {
        assert_eq!(list_names([]), "none");
        assert_eq!(list_names(["a", "b"]), "`a`, `b`");
        let many: Vec<String> = (0..40).map(|i| format!("s{i}")).collect();
        let text = list_names(many.iter().map(|s| s.as_str()));
        assert!(text.starts_with("`s0`, `s1`, "), "{text}");
        assert!(text.contains("`s11`") && !text.contains("`s12`"), "{text}");
        assert!(text.ends_with("… (40 in all)"), "{text}");
    }
}
