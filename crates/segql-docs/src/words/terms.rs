//! The small phrases of conditions: durations, windows, counts, literals and the
//! predicate after a value (`is at least 5`, `is before 30 days ago`).

use super::{code, t, Phrase};
use segql_syntax::ast::{self, CmpOp, CountQuant, LitKind};
use segql_syntax::fmt::periods_text;

pub(super) fn duration(d: &ast::Duration) -> String {
    format!("{} {}", d.n, d.unit.word_for(d.n))
}

fn time_point(p: &ast::TimePoint) -> Phrase {
    match p {
        ast::TimePoint::Ago(d) => vec![t(format!("{} ago", duration(d)))],
        ast::TimePoint::Lit(l) => literal(&l.kind),
        ast::TimePoint::Now => vec![t("now")],
    }
}

pub(super) fn window(w: &ast::Window) -> Phrase {
    match &w.kind {
        ast::WindowKind::Last(d) if d.n == 1 => {
            vec![t(format!(" in the last {}", d.unit.singular()))]
        }
        ast::WindowKind::Last(d) => vec![t(format!(" in the last {}", duration(d)))],
        ast::WindowKind::Ever => vec![t(" at any time")],
        ast::WindowKind::Since(a) => {
            let mut out = vec![t(" since ")];
            out.extend(time_point(a));
            out
        }
        ast::WindowKind::Between(a, b) => {
            let mut out = vec![t(" between ")];
            out.extend(time_point(a));
            out.push(t(" and "));
            out.extend(time_point(b));
            out
        }
        ast::WindowKind::Periods {
            quant,
            k,
            n,
            unit,
            length,
        } => vec![t(format!(
            " in {} of the last {}",
            count_words(*quant, k.value, false),
            periods_text(n.value, *unit, length.as_ref().map(|l| l.value))
        ))],
    }
}

/// `at least 3`, or negated `fewer than 3`.
pub(super) fn count_words(q: CountQuant, n: i64, neg: bool) -> String {
    match (q, neg) {
        (CountQuant::AtLeast, false) => format!("at least {n}"),
        (CountQuant::AtMost, false) => format!("at most {n}"),
        (CountQuant::Exactly, false) => format!("exactly {n}"),
        (CountQuant::AtLeast, true) => format!("fewer than {n}"),
        (CountQuant::AtMost, true) => format!("more than {n}"),
        (CountQuant::Exactly, true) => format!("a number other than {n} of"),
    }
}

pub(super) fn times(q: CountQuant, n: i64, neg: bool) -> String {
    match (q, neg) {
        (CountQuant::Exactly, true) => format!("a number of times other than {n}"),
        _ => {
            let word = if n == 1 && !(neg && q == CountQuant::AtMost) {
                "time"
            } else {
                "times"
            };
            format!("{} {word}", count_words(q, n, neg))
        }
    }
}

fn literal(l: &LitKind) -> Phrase {
    match l {
        LitKind::Str(s) => vec![code(s.clone())],
        LitKind::Bool(b) => vec![code(b.to_string())],
        LitKind::Null => vec![code("null")],
        other => vec![t(segql_syntax::fmt::literal_text(other))],
    }
}

fn operand(o: &ast::Operand) -> (Phrase, bool) {
    match o {
        ast::Operand::Ago(d) => (vec![t(format!("{} ago", duration(d)))], true),
        ast::Operand::Lit(l) => (
            literal(&l.kind),
            matches!(l.kind, LitKind::Date(_) | LitKind::Timestamp(_)),
        ),
    }
}

pub(super) fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Ge => CmpOp::Lt,
    }
}

fn list(v: &[ast::Literal]) -> Phrase {
    let mut out = Vec::new();
    for (i, l) in v.iter().enumerate() {
        if i > 0 {
            out.push(t(if i + 1 == v.len() { " or " } else { ", " }));
        }
        out.extend(literal(&l.kind));
    }
    out
}

/// The predicate after its subject: `is at least 5`, `is before 30 days ago`.
pub(super) fn predicate(pred: &ast::Pred, neg: bool, verb: &str) -> Phrase {
    use ast::Pred;
    let not = if neg { " not" } else { "" };
    match pred {
        Pred::Cmp(op, o) => {
            let op = if neg { negate(*op) } else { *op };
            let (rhs, time) = operand(o);
            let words = match (op, time) {
                (CmpOp::Eq, _) => format!("{verb} "),
                (CmpOp::Ne, _) => format!("{verb} not "),
                (CmpOp::Lt, false) => format!("{verb} less than "),
                (CmpOp::Le, false) => format!("{verb} at most "),
                (CmpOp::Gt, false) => format!("{verb} more than "),
                (CmpOp::Ge, false) => format!("{verb} at least "),
                (CmpOp::Lt, true) => format!("{verb} before "),
                (CmpOp::Le, true) => format!("{verb} at or before "),
                (CmpOp::Gt, true) => format!("{verb} after "),
                (CmpOp::Ge, true) => format!("{verb} at or after "),
            };
            let mut out = vec![t(words)];
            out.extend(rhs);
            out
        }
        Pred::In(v) | Pred::NotIn(v) => {
            let is_in = matches!(pred, Pred::In(_)) != neg;
            let mut out = vec![t(if is_in {
                format!("{verb} one of ")
            } else {
                format!("{verb} none of ")
            })];
            out.extend(list(v));
            out
        }
        Pred::Between(a, b) => {
            let mut out = vec![t(format!("{verb}{not} between "))];
            out.extend(operand(a).0);
            out.push(t(" and "));
            out.extend(operand(b).0);
            out.push(t(" (both included)"));
            out
        }
        Pred::Contains(s) | Pred::StartsWith(s) | Pred::EndsWith(s) | Pred::Matches(s) => {
            let what = match (pred, neg) {
                (Pred::Contains(_), false) => "contains ",
                (Pred::Contains(_), true) => "does not contain ",
                (Pred::StartsWith(_), false) => "starts with ",
                (Pred::StartsWith(_), true) => "does not start with ",
                (Pred::EndsWith(_), false) => "ends with ",
                (Pred::EndsWith(_), true) => "does not end with ",
                (_, false) => "matches the regular expression ",
                (_, true) => "does not match the regular expression ",
            };
            vec![t(what), code(s.value.clone())]
        }
        Pred::IsSet => vec![t(format!("{verb}{not} set"))],
        Pred::IsNotSet => vec![t(if neg {
            format!("{verb} set")
        } else {
            format!("{verb} not set")
        })],
        Pred::InLast(d) if d.n == 1 => {
            vec![t(format!("{verb}{not} in the last {}", d.unit.singular()))]
        }
        Pred::InLast(d) => vec![t(format!("{verb}{not} in the last {}", duration(d)))],
        Pred::IgnoringCase(p) => {
            let mut out = predicate(p, neg, verb);
            out.push(t(" (ignoring case)"));
            out
        }
    }
}
