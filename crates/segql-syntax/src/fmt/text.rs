//! Flat text of conditions, steps, windows, predicates and values: one line each, as
//! the formatter writes them inside a block and as messages quote them.

use super::*;

/// A condition on one line.
pub fn cond_text(c: &Cond) -> String {
    match &c.kind {
        CondKind::And(ops) => join_ops(ops, " and "),
        CondKind::Or(ops) => join_ops(ops, " or "),
        CondKind::Not(inner) => match inner.kind {
            CondKind::And(_) | CondKind::Or(_) => format!("not ({})", cond_text(inner)),
            _ => format!("not {}", cond_text(inner)),
        },
        CondKind::Const(b) => b.to_string(),
        CondKind::Test(v, p) => format!("{} {}", value_text(v), pred_text(p)),
        CondKind::Did(d) => {
            let mut s = format!("did {}", step_text(&d.first));
            for t in &d.then {
                s.push_str(" then ");
                s.push_str(&step_text(&t.step));
                if let Some(w) = &t.within {
                    s.push_str(" within ");
                    s.push_str(&duration_text(w));
                }
            }
            if let Some(f) = &d.freq {
                s.push_str(&format!(" {}", freq_text(f)));
            }
            if let Some(w) = &d.window {
                s.push(' ');
                s.push_str(&window_text(w));
            }
            s
        }
        CondKind::Stopped(st) => {
            let mut s = format!(
                "stopped {} for {}",
                step_text(&st.step),
                duration_text(&st.for_)
            );
            if let Some(w) = &st.window {
                s.push(' ');
                s.push_str(&window_text(w));
            }
            s
        }
        CondKind::Restarted(r) => format!(
            "restarted {} after {} {}",
            step_text(&r.step),
            duration_text(&r.after),
            window_text(&r.window)
        ),
        CondKind::InSegment(s) => format!("in {}", ident_text(&s.name)),
        CondKind::Quantified(q) => {
            let quant = match &q.quant {
                Quant::Any => "any".to_string(),
                Quant::All => "all".to_string(),
                Quant::No => "no".to_string(),
                Quant::Count(cq, n) => format!("{} {}", cq.words(), n.value),
            };
            let rel = ident_text(&q.relation.name);
            if matches!(q.cond.kind, CondKind::Did(_)) {
                format!("{quant} {rel} {}", cond_text(&q.cond))
            } else {
                format!("{quant} {rel} where {}", tight(&q.cond))
            }
        }
        CondKind::Sql(s) => format!("sql {}", escape(&s.value, '"')),
    }
}

pub(super) fn freq_text(f: &Freq) -> String {
    if let Some(max) = &f.max {
        return format!("between {} and {} times", f.n.value, max.value);
    }
    let times = if f.n.value == 1 { "time" } else { "times" };
    format!("{} {} {times}", f.quant.words(), f.n.value)
}

fn join_ops(ops: &[Cond], sep: &str) -> String {
    ops.iter()
        .map(|o| match o.kind {
            CondKind::And(_) | CondKind::Or(_) => format!("({})", cond_text(o)),
            _ => cond_text(o),
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// Whether a condition's text can be followed by more words without them being read as
/// part of it (a `did` could take a following window; `and` could extend a list).
fn is_closed(c: &Cond) -> bool {
    match &c.kind {
        CondKind::Const(_) | CondKind::Test(..) | CondKind::InSegment(_) | CondKind::Sql(_) => true,
        // A window written after `stopped E for D` would be read as its own.
        CondKind::Stopped(st) => st.window.is_some(),
        CondKind::Restarted(_) => true,
        CondKind::Not(inner) => is_closed(inner),
        CondKind::And(_) | CondKind::Or(_) | CondKind::Did(_) | CondKind::Quantified(_) => false,
    }
}

/// A condition in a position that takes a single unit (`not X`, `with X`, `where X` of a
/// quantifier): parenthesized unless it is closed.
fn tight(c: &Cond) -> String {
    if is_closed(c) {
        cond_text(c)
    } else {
        format!("({})", cond_text(c))
    }
}

pub fn step_text(s: &EventStep) -> String {
    let mut out = match &s.event.names {
        EventNames::One(n) => escape(&n.value, '"'),
        EventNames::Many(ns) => {
            let v: Vec<String> = ns.iter().map(|n| escape(&n.value, '"')).collect();
            format!("[{}]", v.join(", "))
        }
        EventNames::Any => "any event".to_string(),
        EventNames::Action(a) => ident_text(&a.name),
    };
    if let Some(f) = &s.event.from {
        out.push_str(" from ");
        out.push_str(&ident_text(&f.name));
    }
    if let Some(f) = &s.filter {
        out.push_str(" with ");
        out.push_str(&tight(f));
    }
    out
}

/// `4 weeks`, or `4 periods of 3 days` (a window of periods, after `of last`).
pub fn periods_text(n: i64, unit: Unit, length: Option<i64>) -> String {
    match length {
        None => format!("{n} {}", unit.word_for(n)),
        Some(l) => format!(
            "{n} {} of {l} {}",
            if n == 1 { "period" } else { "periods" },
            unit.word_for(l)
        ),
    }
}

pub fn window_text(w: &Window) -> String {
    match &w.kind {
        WindowKind::Last(d) => format!("in last {}", duration_text(d)),
        WindowKind::Between(a, b) => {
            format!("between {} and {}", time_point_text(a), time_point_text(b))
        }
        WindowKind::Ever => "ever".to_string(),
        WindowKind::Since(a) => format!("since {}", time_point_text(a)),
        WindowKind::Periods {
            quant,
            k,
            n,
            unit,
            length,
        } => format!(
            "in {} {} of last {}",
            quant.words(),
            k.value,
            periods_text(n.value, *unit, length.as_ref().map(|l| l.value))
        ),
    }
}

fn time_point_text(t: &TimePoint) -> String {
    match t {
        TimePoint::Lit(l) => literal_text(&l.kind),
        TimePoint::Ago(d) => format!("{} ago", duration_text(d)),
        TimePoint::Now => "now".to_string(),
    }
}

fn operand_text(o: &Operand) -> String {
    match o {
        Operand::Lit(l) => literal_text(&l.kind),
        Operand::Ago(d) => format!("{} ago", duration_text(d)),
    }
}

fn lits_text(ls: &[Literal]) -> String {
    let v: Vec<String> = ls.iter().map(|l| literal_text(&l.kind)).collect();
    format!("[{}]", v.join(", "))
}

pub fn pred_text(p: &Pred) -> String {
    match p {
        Pred::Cmp(op, o) => format!("{} {}", op.symbol(), operand_text(o)),
        Pred::In(ls) => format!("in {}", lits_text(ls)),
        Pred::NotIn(ls) => format!("not in {}", lits_text(ls)),
        Pred::Between(a, b) => format!("between {} and {}", operand_text(a), operand_text(b)),
        Pred::Contains(s) => format!("contains {}", escape(&s.value, '"')),
        Pred::StartsWith(s) => format!("starts with {}", escape(&s.value, '"')),
        Pred::EndsWith(s) => format!("ends with {}", escape(&s.value, '"')),
        Pred::Matches(s) => format!("matches {}", escape(&s.value, '"')),
        Pred::IsSet => "is set".to_string(),
        Pred::IsNotSet => "is not set".to_string(),
        Pred::InLast(d) => format!("in last {}", duration_text(d)),
        Pred::IgnoringCase(p) => format!("{} ignoring case", pred_text(p)),
    }
}

/// A value on one line.
pub fn value_text(v: &Value) -> String {
    match &v.kind {
        ValueKind::Path(p) => path_text(p),
        ValueKind::Agg(a) => {
            let mut s = match (&a.func, &a.prop) {
                (AggFunc::Count, None) => "count".to_string(),
                (f, Some(p)) => format!("{}({})", f.keyword(), ident_text(&p.name)),
                (f, None) => format!("{}()", f.keyword()),
            };
            s.push_str(" of ");
            s.push_str(&step_text(&a.step));
            if let Some(w) = &a.window {
                s.push(' ');
                s.push_str(&window_text(w));
            }
            s
        }
        ValueKind::TimeOf(t) => {
            let which = match t.which {
                FirstLast::First => "first",
                FirstLast::Last => "last",
            };
            format!("{which} time of {}", step_text(&t.step))
        }
        ValueKind::Ntile(n) => {
            let mut out = format!("ntile({}) of {}", n.k.value, value_text(&n.value));
            if n.descending {
                out.push_str(" descending");
            }
            if n.ties_together {
                out.push_str(" ties together");
            }
            match &n.among {
                Some(Cond {
                    kind: CondKind::InSegment(s),
                    ..
                }) => out.push_str(&format!(" among {}", ident_text(&s.name))),
                // Always in parentheses: a bare name after `among` is a segment.
                Some(c) => out.push_str(&format!(" among ({})", cond_text(c))),
                None => {}
            }
            out
        }
        ValueKind::Score(sb) => {
            let rules: Vec<String> = sb
                .rules
                .iter()
                .map(|r| format!("{} if {}", literal_text(&r.weight.kind), cond_text(&r.cond)))
                .collect();
            format!("score {{ {} }}", rules.join(" "))
        }
    }
}
