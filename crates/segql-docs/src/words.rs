//! Conditions in plain words: "users who did `login` at least 5 times in the last 30
//! days and whose `plan` is not `free`".
//!
//! Rendered from the syntax tree, so the words follow what was written (a trait or an
//! action by its name, a window as written), with names resolved the way the checker
//! resolves them (a name alone is a column of the entity in scope, else a trait). A
//! negation is pushed inwards (`not (a and b)` reads "not a, or not b"), and a negated
//! test of an attribute says that an unset value satisfies it, as docs/semantics.md
//! defines.

mod terms;

use crate::model::Kind;
use segql_plan::ir::{EntityId, Program};
use segql_syntax::ast::{self, CmpOp, CondKind, CountQuant, LitKind, ValueKind};
use terms::{count_words, duration, negate, predicate, times, window};

/// A piece of a phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// A name or value as written (shown in code style).
    Code(String),
    /// A name with a page of its own.
    Link(Kind, String),
}

pub type Phrase = Vec<Piece>;

/// A condition in words: one clause, or clauses that must all / any hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Words {
    Clause(Phrase),
    All(Vec<Words>),
    Any(Vec<Words>),
}

impl Words {
    /// Plain text (names in backticks), for tests and the search index.
    pub fn plain(&self) -> String {
        match self {
            Words::Clause(p) => plain(p),
            Words::All(v) => join_plain(v, "and"),
            Words::Any(v) => join_plain(v, "or"),
        }
    }

    /// Short enough to read as one sentence.
    pub fn is_simple(&self) -> bool {
        match self {
            Words::Clause(_) => true,
            Words::All(v) | Words::Any(v) => {
                v.len() <= 3 && v.iter().all(|w| matches!(w, Words::Clause(_)))
            }
        }
    }
}

fn join_plain(v: &[Words], word: &str) -> String {
    let parts: Vec<String> = v
        .iter()
        .map(|w| match w {
            Words::Clause(_) => w.plain(),
            _ => format!("({})", w.plain()),
        })
        .collect();
    join_words(&parts, word)
}

/// `a`, `a and b`, `a, b and c`.
pub fn join_words(parts: &[String], word: &str) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

/// A phrase as plain text, names in backticks.
pub fn plain(p: &[Piece]) -> String {
    p.iter()
        .map(|x| match x {
            Piece::Text(t) => t.clone(),
            Piece::Code(c) | Piece::Link(_, c) => format!("`{c}`"),
        })
        .collect()
}

/// The plural of an entity's name, for sentences: `users`, `companies`.
pub fn plural(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with('s')
        || lower.ends_with('x')
        || lower.ends_with("ch")
        || lower.ends_with("sh")
    {
        format!("{name}es")
    } else if lower.ends_with('y')
        && !matches!(
            lower.chars().rev().nth(1),
            Some('a' | 'e' | 'i' | 'o' | 'u')
        )
    {
        format!("{}ies", &name[..name.len() - 1])
    } else {
        format!("{name}s")
    }
}

fn t(s: impl Into<String>) -> Piece {
    Piece::Text(s.into())
}

fn code(s: impl Into<String>) -> Piece {
    Piece::Code(s.into())
}

/// Renders conditions of one project.
pub struct Renderer<'a> {
    pub p: &'a Program,
}

/// Where names are looked up.
#[derive(Clone, Copy)]
struct Scope {
    entity: EntityId,
    /// Inside a `with` filter: names are the events' properties.
    event: bool,
    /// The segment has a `score` block.
    score: bool,
}

impl Renderer<'_> {
    /// A segment's (or a quantifier's) condition.
    pub fn cond(&self, c: &ast::Cond, entity: EntityId, has_score: bool) -> Words {
        self.words(
            c,
            Scope {
                entity,
                event: false,
                score: has_score,
            },
            false,
        )
    }

    /// A value (trait, metric): "the total `amount` of `purchase` events".
    pub fn value(&self, v: &ast::Value, entity: EntityId) -> Phrase {
        self.noun(
            v,
            Scope {
                entity,
                event: false,
                score: false,
            },
        )
    }

    /// An action's alternatives: "`page_viewed` events where `page` is `/checkout`, or
    /// `purchase` events".
    pub fn action(&self, a: &ast::Action, entity: EntityId) -> Phrase {
        let s = Scope {
            entity,
            event: false,
            score: false,
        };
        let mut out = Vec::new();
        for (i, alt) in a.alternatives.iter().enumerate() {
            if i > 0 {
                out.push(t(", or "));
            }
            out.extend(self.events_noun(alt, s));
        }
        out
    }

    /// A score rule's condition as one phrase.
    pub fn rule(&self, c: &ast::Cond, entity: EntityId) -> Words {
        self.cond(c, entity, false)
    }

    fn words(&self, c: &ast::Cond, s: Scope, neg: bool) -> Words {
        match &c.kind {
            CondKind::And(v) | CondKind::Or(v) => {
                let is_and = matches!(c.kind, CondKind::And(_));
                let parts: Vec<Words> = v.iter().map(|c| self.words(c, s, neg)).collect();
                // `not (a and b)` is `not a or not b`.
                if is_and != neg {
                    Words::All(flatten(parts, true))
                } else {
                    Words::Any(flatten(parts, false))
                }
            }
            CondKind::Not(inner) => self.words(inner, s, !neg),
            _ => Words::Clause(self.clause(c, s, neg)),
        }
    }

    /// One condition that is not `and`/`or`/`not`, as a clause starting with who,
    /// whose, where or with.
    fn clause(&self, c: &ast::Cond, s: Scope, neg: bool) -> Phrase {
        match &c.kind {
            CondKind::Const(b) => {
                let what = if *b != neg { "every one" } else { "no one" };
                vec![t(format!("({what})"))]
            }
            CondKind::Test(v, pred) => self.test(v, pred, s, neg),
            CondKind::Did(d) => self.did(d, s, neg),
            CondKind::Stopped(st) => {
                let d = duration(&st.for_);
                let within = st
                    .window
                    .as_ref()
                    .filter(|w| !matches!(w.kind, ast::WindowKind::Ever));
                let mut out = vec![t(match (neg, within) {
                    (false, _) => "who did ",
                    (true, None) => "who never did ",
                    (true, Some(_)) => "who did not do ",
                })];
                out.extend(self.step(&st.step, s));
                match (neg, within) {
                    (false, None) => out.push(t(format!(" before, but not in the last {d}"))),
                    (false, Some(w)) => {
                        out.extend(window(w));
                        out.push(t(format!(", but not in the last {d}")));
                    }
                    (true, None) => out.push(t(format!(", or did it in the last {d}"))),
                    (true, Some(w)) => {
                        out.extend(window(w));
                        out.push(t(format!(
                            " before the last {d}, or did it in the last {d}"
                        )));
                    }
                }
                out
            }
            CondKind::Restarted(r) => {
                let mut out = vec![t(if neg {
                    "who did not return to "
                } else {
                    "who returned to "
                })];
                out.extend(self.step(&r.step, s));
                out.extend(window(&r.window));
                out.push(t(format!(
                    " after {} without it, having done it before",
                    duration(&r.after)
                )));
                out
            }
            CondKind::InSegment(name) => vec![
                t(if neg {
                    "who are not in "
                } else {
                    "who are in "
                }),
                Piece::Link(Kind::Segment, name.name.clone()),
            ],
            CondKind::Quantified(q) => self.quantified(q, s, neg),
            CondKind::Sql(sql) => vec![
                t("where the SQL condition "),
                code(sql.value.clone()),
                t(if neg { " does not hold" } else { " holds" }),
            ],
            CondKind::And(_) | CondKind::Or(_) | CondKind::Not(_) => {
                // Inline form, for `with` filters and nested uses.
                self.inline(c, s, neg)
            }
        }
    }

    /// A condition in one phrase (for `with` filters): `and`/`or` inline.
    fn inline(&self, c: &ast::Cond, s: Scope, neg: bool) -> Phrase {
        match &c.kind {
            CondKind::And(v) | CondKind::Or(v) => {
                let is_and = matches!(c.kind, CondKind::And(_));
                let word = if is_and != neg { " and " } else { " or " };
                let mut out = Vec::new();
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        out.push(t(word));
                    }
                    let nested = matches!(x.kind, CondKind::And(_) | CondKind::Or(_));
                    if nested {
                        out.push(t("("));
                    }
                    out.extend(self.inline(x, s, neg));
                    if nested {
                        out.push(t(")"));
                    }
                }
                out
            }
            CondKind::Not(inner) => self.inline(inner, s, !neg),
            _ => self.clause(c, s, neg),
        }
    }

    fn is_column(&self, s: Scope, name: &str) -> bool {
        self.p.catalog.entities[s.entity].column(name).is_some()
    }

    fn trait_named(&self, s: Scope, name: &str) -> bool {
        self.p
            .traits
            .iter()
            .any(|t| t.name == name && t.entity == s.entity)
    }

    /// A value as a noun phrase.
    fn noun(&self, v: &ast::Value, s: Scope) -> Phrase {
        match &v.kind {
            ValueKind::Path(path) => {
                let parts: Vec<&str> = path.parts.iter().map(|p| p.name.as_str()).collect();
                match parts.as_slice() {
                    ["score"] if s.score => vec![t("score")],
                    [one] if !s.event && !self.is_column(s, one) && self.trait_named(s, one) => {
                        vec![Piece::Link(Kind::Trait, one.to_string())]
                    }
                    [one] => vec![code(*one)],
                    [rel, col] => vec![code(*rel), t("'s "), code(*col)],
                    _ => vec![code(path.dotted())],
                }
            }
            ValueKind::Agg(a) => {
                let mut out = vec![t(match a.func {
                    ast::AggFunc::Count => "the number of ",
                    ast::AggFunc::CountDistinct => "the number of distinct ",
                    ast::AggFunc::Sum => "the total ",
                    ast::AggFunc::Avg => "the average ",
                    ast::AggFunc::Min => "the smallest ",
                    ast::AggFunc::Max => "the largest ",
                    ast::AggFunc::First => "the first set ",
                    ast::AggFunc::Last => "the latest set ",
                })];
                if let Some(prop) = &a.prop {
                    out.push(code(prop.name.clone()));
                    out.push(t(if a.func == ast::AggFunc::CountDistinct {
                        " values of "
                    } else {
                        " of "
                    }));
                }
                out.extend(self.events_noun(&a.step, s));
                if let Some(w) = &a.window {
                    out.extend(window(w));
                }
                out
            }
            ValueKind::TimeOf(tf) => {
                let which = match tf.which {
                    ast::FirstLast::First => "the time of the first ",
                    ast::FirstLast::Last => "the time of the last ",
                };
                let mut out = vec![t(which)];
                out.extend(self.step(&tf.step, s));
                out
            }
            ValueKind::Ntile(n) => {
                let k = n.k.value;
                let (first, last) = if n.descending {
                    ("highest", "lowest")
                } else {
                    ("lowest", "highest")
                };
                let size = if n.ties_together {
                    "of about equal size, equal values together"
                } else {
                    "of equal size"
                };
                let mut out = vec![t(format!(
                    "the bucket (1 {first} to {k} {last}, {size}) of "
                ))];
                out.extend(self.noun(&n.value, s));
                if let Some(c) = &n.among {
                    out.push(t(", among those "));
                    out.extend(self.inline(c, s, false));
                }
                out
            }
            ValueKind::Score(_) => vec![t("the score")],
        }
    }

    /// `` `purchase` events ``, `` `a` or `b` events ``, `events`, with their filter.
    fn events_noun(&self, step: &ast::EventStep, s: Scope) -> Phrase {
        let mut out = match &step.event.names {
            ast::EventNames::One(n) => vec![code(n.value.clone()), t(" events")],
            ast::EventNames::Many(v) => {
                let mut out = names_or(v);
                out.push(t(" events"));
                out
            }
            ast::EventNames::Any => vec![t("all events")],
            ast::EventNames::Action(a) => {
                vec![Piece::Link(Kind::Action, a.name.clone()), t(" events")]
            }
        };
        if let Some(from) = &step.event.from {
            out.push(t(" of "));
            out.push(code(from.name.clone()));
        }
        if let Some(f) = &step.filter {
            out.push(t(" where "));
            out.extend(self.inline(f, event_scope(s), false));
        }
        out
    }

    /// `` `page_viewed` where `page` is `/pricing` ``
    fn step(&self, step: &ast::EventStep, s: Scope) -> Phrase {
        let mut out = match &step.event.names {
            ast::EventNames::One(n) => vec![code(n.value.clone())],
            ast::EventNames::Many(v) => names_or(v),
            ast::EventNames::Any => vec![t("any event")],
            ast::EventNames::Action(a) => vec![Piece::Link(Kind::Action, a.name.clone())],
        };
        if let Some(from) = &step.event.from {
            out.push(t(" (of "));
            out.push(code(from.name.clone()));
            out.push(t(")"));
        }
        if let Some(f) = &step.filter {
            out.push(t(" where "));
            out.extend(self.inline(f, event_scope(s), false));
        }
        out
    }

    fn did(&self, d: &ast::Did, s: Scope, neg: bool) -> Phrase {
        let periods = matches!(
            d.window.as_ref().map(|w| &w.kind),
            Some(ast::WindowKind::Periods { .. })
        );
        // A negation moves into the count (`fewer than 3 times`) or the periods; else
        // "did not do".
        let flip_count = neg && d.freq.is_some() && d.then.is_empty() && !periods;
        let flip_periods = neg && d.freq.is_none() && d.then.is_empty() && periods;
        let plain_not = neg && !flip_count && !flip_periods;
        let mut out = vec![t(if plain_not {
            "who did not do "
        } else {
            "who did "
        })];
        out.extend(self.step(&d.first, s));
        for then in &d.then {
            out.push(t(", then "));
            out.extend(self.step(&then.step, s));
            if let Some(w) = &then.within {
                out.push(t(format!(" within {}", duration(w))));
            }
        }
        if let Some(f) = &d.freq {
            let words = match &f.max {
                Some(m) if flip_count => {
                    format!("a number of times outside {} to {}", f.n.value, m.value)
                }
                Some(m) => format!(
                    "between {} and {} times (both included)",
                    f.n.value, m.value
                ),
                None => times(f.quant, f.n.value, flip_count),
            };
            out.push(t(format!(" {words}")));
        }
        if let Some(w) = &d.window {
            match &w.kind {
                ast::WindowKind::Periods {
                    quant,
                    k,
                    n,
                    unit,
                    length,
                } => {
                    let q = count_words(*quant, k.value, flip_periods);
                    // A count of times before periods is per period.
                    let each = if d.freq.is_some() { " each of" } else { "" };
                    out.push(t(format!(
                        " in{each} {q} of the last {}",
                        segql_syntax::fmt::periods_text(
                            n.value,
                            *unit,
                            length.as_ref().map(|l| l.value)
                        )
                    )));
                }
                _ => out.extend(window(w)),
            }
        }
        out
    }

    fn quantified(&self, q: &ast::Quantified, s: Scope, neg: bool) -> Phrase {
        let cat = &self.p.catalog;
        let inner_entity = cat
            .entities
            .iter()
            .position(|e| e.name == q.relation.name)
            .unwrap_or(s.entity);
        let inner = Scope {
            entity: inner_entity,
            event: false,
            score: false,
        };
        let rel = &q.relation.name;
        let many = plural(rel);
        let phrase = |neg_inner: bool| phrase_of(self.words(&q.cond, inner, neg_inner));
        let mut out = match (&q.quant, neg) {
            (ast::Quant::Any, false) | (ast::Quant::No, true) => {
                vec![t(format!("with at least one {rel} "))]
            }
            (ast::Quant::No, false) | (ast::Quant::Any, true) => vec![t(format!("with no {rel} "))],
            // All of them: at least one, and none that does not.
            (ast::Quant::All, false) => {
                let mut out = vec![t(format!("with at least one {rel}, and no {rel} "))];
                out.extend(phrase(true));
                return out;
            }
            (ast::Quant::All, true) => {
                let mut out = vec![t(format!("with no {many}, or with at least one {rel} "))];
                out.extend(phrase(true));
                return out;
            }
            (ast::Quant::Count(cq, n), neg) => {
                let words = count_words(*cq, n.value, neg);
                let noun = if n.value == 1 && !neg && *cq != CountQuant::AtMost {
                    rel.clone()
                } else {
                    many.clone()
                };
                vec![t(format!("with {words} {noun} "))]
            }
        };
        out.extend(phrase(false));
        out
    }

    fn test(&self, v: &ast::Value, pred: &ast::Pred, s: Scope, neg: bool) -> Phrase {
        // `ntile(10) of V = 10`: "in the highest of 10 equal buckets by V".
        if let (ValueKind::Ntile(nt), ast::Pred::Cmp(op, ast::Operand::Lit(l))) = (&v.kind, pred) {
            let (k, inner) = (&nt.k, &nt.value);
            let plain = !nt.descending && !nt.ties_together && nt.among.is_none();
            if let (LitKind::Int(n), true) = (&l.kind, plain) {
                let n = *n;
                let op = if neg { negate(*op) } else { *op };
                let k = k.value;
                let which = match (op, n) {
                    (CmpOp::Eq, n) if n == k => Some("in the highest".to_string()),
                    (CmpOp::Eq, 1) => Some("in the lowest".to_string()),
                    (CmpOp::Eq, n) => Some(format!("in bucket {n} (counting from the lowest)")),
                    (CmpOp::Ne, n) if n == k => Some("not in the highest".to_string()),
                    (CmpOp::Ne, 1) => Some("not in the lowest".to_string()),
                    (CmpOp::Ge, n) => Some(format!("in bucket {n} or higher")),
                    (CmpOp::Le, n) => Some(format!("in bucket {n} or lower")),
                    _ => None,
                };
                if let Some(which) = which {
                    let mut out = vec![t(format!("who are {which} of {k} equal buckets by "))];
                    out.extend(self.noun(inner, s));
                    return out;
                }
            }
        }
        // A value that may be unset: its negated tests hold when it is unset.
        let may_be_unset = match &v.kind {
            ValueKind::Agg(a) => !matches!(
                a.func,
                ast::AggFunc::Count | ast::AggFunc::CountDistinct | ast::AggFunc::Sum
            ),
            // Outside its population an entity has no bucket.
            ValueKind::Ntile(n) => n.among.is_some(),
            ValueKind::Score(_) => false,
            ValueKind::Path(p) => !(p.parts.len() == 1 && p.parts[0].name == "score" && s.score),
            ValueKind::TimeOf(_) => true,
        };
        let (mut out, verb) = match &v.kind {
            ValueKind::Path(_) if s.event => (self.noun(v, s), "is"),
            ValueKind::Path(_) => {
                let mut out = vec![t("whose ")];
                out.extend(self.noun(v, s));
                (out, "is")
            }
            ValueKind::TimeOf(tf) => {
                let which = match tf.which {
                    ast::FirstLast::First => "whose first ",
                    ast::FirstLast::Last => "whose last ",
                };
                let mut out = vec![t(which)];
                out.extend(self.step(&tf.step, s));
                (out, "was")
            }
            _ => {
                let mut out = vec![t("where ")];
                out.extend(self.noun(v, s));
                (out, "is")
            }
        };
        out.push(t(" "));
        out.extend(predicate(pred, neg, verb));
        if neg && may_be_unset && !matches!(pred, ast::Pred::IsSet | ast::Pred::IsNotSet) {
            out.push(t(" (or is not set)"));
        }
        out
    }
}

fn event_scope(s: Scope) -> Scope {
    Scope {
        event: true,
        score: false,
        ..s
    }
}

/// And inside and (or inside or) is one list.
fn flatten(parts: Vec<Words>, and: bool) -> Vec<Words> {
    let mut out = Vec::new();
    for w in parts {
        match w {
            Words::All(v) if and => out.extend(v),
            Words::Any(v) if !and => out.extend(v),
            other => out.push(other),
        }
    }
    out
}

/// A condition inside a quantifier, as one phrase.
fn phrase_of(w: Words) -> Phrase {
    let (v, word) = match w {
        Words::Clause(p) => return p,
        Words::All(v) => (v, " and "),
        Words::Any(v) => (v, " or "),
    };
    let mut out = Vec::new();
    let n = v.len();
    for (i, x) in v.into_iter().enumerate() {
        if i > 0 {
            out.push(t(if i + 1 == n { word } else { ", " }));
        }
        let nested = !matches!(x, Words::Clause(_));
        if nested {
            out.push(t("("));
        }
        out.extend(phrase_of(x));
        if nested {
            out.push(t(")"));
        }
    }
    out
}

fn names_or(v: &[ast::StrLit]) -> Phrase {
    let mut out = Vec::new();
    for (i, n) in v.iter().enumerate() {
        if i > 0 {
            out.push(t(if i + 1 == v.len() { " or " } else { ", " }));
        }
        out.push(code(n.value.clone()));
    }
    out
}
