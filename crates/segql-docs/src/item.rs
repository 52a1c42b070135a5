//! A page per item: facts, the conditions in words, size, what it reads, what uses it,
//! tests, the formatted definition and its SQL in every dialect.

use crate::analysis::Analysis;
use crate::html::{self, escape, Links};
use crate::model::Kind;
use crate::pages::{ItemPage, SizesView, SqlTab, Table};
use crate::reads::Rel;
use crate::site::{item_link, thousands, Input};
use crate::words::{self, plural, Renderer, Words};
use askama::Template;
use segql_plan::compile::{self, Options};
use segql_plan::dialect;
use segql_plan::ir::AssertCheck;
use segql_syntax::ast::{self, ItemKind};
use std::collections::HashMap;

/// Pages of items live one directory below the root.
const ROOT: &str = "../";

struct PageLinks<'a, 'b> {
    a: &'a Analysis<'b>,
}

impl Links for PageLinks<'_, '_> {
    fn href(&self, kind: Kind, name: &str) -> Option<String> {
        self.a
            .named(kind, name)
            .map(|i| format!("{ROOT}{}", self.a.items[i].path))
    }
}

pub fn page(input: &Input, a: &Analysis, i: usize) -> String {
    let it = &a.items[i];
    let links = PageLinks { a };
    let mut facts: Vec<(String, String)> = Vec::new();
    if let (Some(e), false) = (it.entity, it.kind == Kind::Entity) {
        if let Some(ei) = a.ir(Kind::Entity, e) {
            facts.push(("Entity".into(), item_link(a, ROOT, ei)));
        }
    }
    if let Some(o) = &it.owner {
        facts.push(("Owner".into(), escape(o)));
    }
    if !it.tags.is_empty() {
        let tags: Vec<String> = it
            .tags
            .iter()
            .map(|t| {
                format!(
                    "<a class=\"tag\" href=\"{ROOT}index.html?tag={}\">{}</a>",
                    escape(&url_component(t)),
                    escape(t)
                )
            })
            .collect();
        facts.push(("Tags".into(), tags.join(" ")));
    }
    let mut tables = Vec::new();
    let mut notes = Vec::new();
    let words = describe(input, a, i, &links, &mut facts, &mut tables, &mut notes);
    facts.push(("Declared in".into(), escape(&it.location)));

    // What it reads, with links; relation pages list what reads them instead.
    let mut reads = Vec::new();
    let r = &a.reads[i].all;
    if !r.relations.is_empty() {
        let rels = r
            .relations
            .iter()
            .map(|rel| match a.rel(*rel) {
                Some(ri) => format!(
                    "<a class=\"ref {}\" href=\"{ROOT}{}\"><code>{}</code></a>",
                    a.items[ri].kind.word(),
                    escape(&a.items[ri].path),
                    escape(&a.table(*rel))
                ),
                None => format!("<code>{}</code>", escape(&a.table(*rel))),
            })
            .collect();
        reads.push(("Relations".to_string(), rels));
        let cols = r
            .columns
            .iter()
            .map(|(rel, c)| {
                format!(
                    "<code>{}.{}</code>",
                    escape(&a.column_table(*rel, c)),
                    escape(c)
                )
            })
            .collect();
        reads.push(("Columns".to_string(), cols));
    }
    if !r.events.is_empty() {
        let evs = r
            .events
            .iter()
            .map(|(ev, name)| {
                let rel = escape(&a.table(Rel::Events(*ev)));
                match name {
                    Some(n) => format!(
                        "<code>{}</code> <span class=\"of\">in {rel}</span>",
                        escape(n)
                    ),
                    None => format!("any event <span class=\"of\">in {rel}</span>"),
                }
            })
            .collect();
        reads.push(("Events".to_string(), evs));
    }
    let named = |kind: Kind, ids: &std::collections::BTreeSet<usize>| -> Vec<String> {
        ids.iter()
            .filter_map(|x| a.ir(kind, *x))
            .map(|x| item_link(a, ROOT, x))
            .collect()
    };
    let traits = named(Kind::Trait, &a.reads[i].direct.traits);
    if !traits.is_empty() {
        reads.push(("Traits".to_string(), traits));
    }
    let actions = named(Kind::Action, &a.reads[i].direct.actions);
    if !actions.is_empty() {
        reads.push(("Actions".to_string(), actions));
    }
    let segs = named(Kind::Segment, &a.reads[i].direct.segments);
    if !segs.is_empty() {
        reads.push(("Segments".to_string(), segs));
    }

    let used_by = a.used_by[i]
        .iter()
        .map(|u| {
            let x = &a.items[*u];
            let desc = x
                .description
                .as_ref()
                .map(|d| format!(" <span class=\"desc\">— {}</span>", escape(d)))
                .unwrap_or_default();
            format!(
                "<span class=\"badge {}\">{}</span> {}{desc}",
                x.kind.word(),
                x.kind.label(),
                item_link(a, ROOT, *u)
            )
        })
        .collect();

    let sizes = sizes_view(input, a, i);
    let definition = {
        let text = crate::source::definition(it.ast, it.comments, it.prev_end);
        let mut link_map = HashMap::new();
        let direct = &a.reads[i].direct;
        let named = direct
            .traits
            .iter()
            .filter_map(|t| a.ir(Kind::Trait, *t))
            .chain(direct.actions.iter().filter_map(|x| a.ir(Kind::Action, *x)))
            .chain(
                direct
                    .segments
                    .iter()
                    .filter_map(|s| a.ir(Kind::Segment, *s)),
            );
        for x in named {
            link_map.insert(
                a.items[x].name.clone(),
                format!("{ROOT}{}", a.items[x].path),
            );
        }
        crate::source::highlight(&text, &link_map)
    };
    let page = ItemPage {
        page: input.page(&it.name, ROOT, it.kind.word()),
        kind: it.kind.word(),
        kind_label: it.kind.label(),
        kind_plural: it.kind.plural_label(),
        name: it.name.clone(),
        description: it.description.clone(),
        facts,
        node_id: a.node_id(i),
        words,
        notes,
        sizes,
        tables,
        reads,
        used_by,
        checks: checks(a, i),
        definition,
        location: it.location.clone(),
        sql: sql(input, a, i),
    };
    page.render()
        .unwrap_or_else(|e| format!("<!doctype html><p>error: {e}</p>"))
}

/// The item's meaning: words (HTML), and the tables and facts of its kind.
#[allow(clippy::too_many_arguments)]
fn describe(
    input: &Input,
    a: &Analysis,
    i: usize,
    links: &dyn Links,
    facts: &mut Vec<(String, String)>,
    tables: &mut Vec<Table>,
    notes: &mut Vec<String>,
) -> Option<String> {
    let it = &a.items[i];
    let p = a.program;
    let r = Renderer { p };
    let ent_name = |e: usize| p.catalog.entities[e].name.clone();
    match &it.ast.kind {
        ItemKind::Segment(s) => {
            let e = it.entity?;
            let who = plural(&ent_name(e));
            if let Some(block) = &s.score {
                tables.push(score_table(&r, block, e, links));
            }
            notes.push(WINDOW_NOTE.to_string());
            notes.push(UNSET_NOTE.to_string());
            Some(match &s.condition {
                Some(c) => html::words(&who, &r.cond(c, e, s.score.is_some()), links),
                None => format!("<p class=\"words\">Every {}.</p>", escape(&ent_name(e))),
            })
        }
        ItemKind::Trait(t) => {
            let e = it.entity?;
            let def = &p.traits[it.index];
            facts.push(("Type".into(), format!("<code>{}</code>", def.ty.keyword())));
            notes.push("A trait is computed inside the SQL of each segment, report or metric that uses it, exactly as if written there; it has no statement of its own.".to_string());
            if let ast::ValueKind::Score(block) = &t.value.kind {
                tables.push(score_table(&r, block, e, links));
                return Some(format!(
                    "<p class=\"words\">For each {}: the sum of the points of the rules below that hold (0 when none does).</p>",
                    escape(&ent_name(e))
                ));
            }
            Some(format!(
                "<p class=\"words\">For each {}: {}.</p>",
                escape(&ent_name(e)),
                html::phrase(&r.value(&t.value, e), links)
            ))
        }
        ItemKind::Action(act) => {
            let e = it.entity?;
            let def = &p.actions[it.index];
            if let Some(x) = a.ir(Kind::Events, def.events) {
                facts.push(("Events".into(), item_link(a, ROOT, x)));
            }
            notes.push(format!(
                "An action is copied into the condition of each segment, trait or report that uses it, exactly as if its events were written there; it has no statement of its own. A use can narrow it further with a filter of its own: did {} with a condition on the events' properties.",
                segql_syntax::fmt::ident_text(&it.name)
            ));
            Some(format!(
                "<p class=\"words\">The events of each {} that count as <code>{}</code>: {}.</p>",
                escape(&ent_name(e)),
                escape(&it.name),
                html::phrase(&r.action(act, e), links)
            ))
        }
        ItemKind::Report(rep) => {
            let e = it.entity?;
            let def = &p.reports[it.index];
            let rows = def
                .segments
                .iter()
                .enumerate()
                .map(|(n, s)| segment_row(a, n, *s))
                .collect();
            tables.push(Table {
                id: "report-segments",
                title: "Rows".into(),
                note: None,
                headers: vec!["#".into(), "Segment".into(), "Description".into()],
                rows,
            });
            let rows = rep
                .metrics
                .iter()
                .map(|m| {
                    vec![
                        format!("<code>{}</code>", escape(&m.name.name)),
                        metric_words(&r, &m.expr, e, links),
                    ]
                })
                .collect();
            tables.push(Table {
                id: "metrics",
                title: "Columns".into(),
                note: Some(format!(
                    "Over the members of each segment; averages, sums, minimums and maximums leave out {} whose value is not set.",
                    escape(&plural(&ent_name(e)))
                )),
                headers: vec!["Metric".into(), "Meaning".into()],
                rows,
            });
            Some(format!(
                "<p class=\"words\">Compares {} segments of {}: one row per segment, one column per metric.</p>",
                def.segments.len(),
                escape(&plural(&ent_name(e)))
            ))
        }
        ItemKind::Split(_) => {
            let def = &p.splits[it.index];
            let e = it.entity?;
            let seg = a
                .ir(Kind::Segment, def.segment)
                .map(|x| item_link(a, ROOT, x))
                .unwrap_or_default();
            facts.push(("Salt".into(), format!("<code>{}</code>", escape(&def.salt))));
            let rows = def
                .groups
                .iter()
                .map(|(g, bp)| {
                    vec![
                        format!("<code>{}</code>", escape(g)),
                        format!("{}%", percent(*bp)),
                    ]
                })
                .collect();
            tables.push(Table {
                id: "groups",
                title: "Groups".into(),
                note: None,
                headers: vec!["Group".into(), "Share".into()],
                rows,
            });
            let key = &p.catalog.entities[e].key;
            Some(format!(
                "<p class=\"words\">Each member of {seg} is put in one group by a hash of its <code>{}</code> and the salt <code>{}</code>: the same {} always lands in the same group, on every engine.</p>",
                escape(key),
                escape(&def.salt),
                escape(&ent_name(e))
            ))
        }
        ItemKind::Priority(_) => {
            let def = &p.priorities[it.index];
            let e = it.entity?;
            let rows = def
                .segments
                .iter()
                .enumerate()
                .map(|(n, s)| segment_row(a, n, *s))
                .collect();
            tables.push(Table {
                id: "order",
                title: "Order".into(),
                note: None,
                headers: vec!["#".into(), "Segment".into(), "Description".into()],
                rows,
            });
            Some(format!(
                "<p class=\"words\">Each {} is put in the first of these segments it is a member of; {} in none of them are not listed.</p>",
                escape(&ent_name(e)),
                escape(&plural(&ent_name(e)))
            ))
        }
        ItemKind::Entity(_) => {
            crate::relation::entity(input, a, i, facts, tables);
            None
        }
        ItemKind::Events(_) => {
            crate::relation::events(input, a, i, facts, tables);
            None
        }
        ItemKind::Test(_) | ItemKind::Assert(_) => None,
    }
}

const WINDOW_NOTE: &str = "Times are measured back from the run's as_of instant: “in the last 30 days” is from 30 days before as_of up to as_of, excluded.";
const UNSET_NOTE: &str = "A test of an attribute that is not set is false (a user without a plan is not on “plan is not free”); its negation is true.";

fn percent(bp: u32) -> String {
    if bp % 100 == 0 {
        (bp / 100).to_string()
    } else {
        format!("{}.{:02}", bp / 100, bp % 100)
            .trim_end_matches('0')
            .to_string()
    }
}

fn segment_row(a: &Analysis, n: usize, s: usize) -> Vec<String> {
    let x = a.ir(Kind::Segment, s);
    vec![
        (n + 1).to_string(),
        x.map(|x| item_link(a, ROOT, x)).unwrap_or_default(),
        x.and_then(|x| a.items[x].description.as_deref())
            .map(escape)
            .unwrap_or_default(),
    ]
}

fn score_table(r: &Renderer, block: &ast::ScoreBlock, e: usize, links: &dyn Links) -> Table {
    let rows = block
        .rules
        .iter()
        .map(|rule| {
            let w = segql_syntax::fmt::literal_text(&rule.weight.kind);
            let sign = if w.starts_with('-') { "" } else { "+" };
            let body = match r.rule(&rule.cond, e) {
                Words::Clause(p) => html::phrase(&p, links),
                other => crate::html::words("those", &other, links),
            };
            vec![format!("{sign}{}", escape(&w)), body]
        })
        .collect();
    Table {
        id: "score",
        title: "Score".into(),
        note: Some(
            "The score is the sum of the points of the rules that hold; 0 when none does.".into(),
        ),
        headers: vec!["Points".into(), "For those".into()],
        rows,
    }
}

fn metric_words(r: &Renderer, m: &ast::MetricExpr, e: usize, links: &dyn Links) -> String {
    let clause = |c: &ast::Cond| -> String {
        match r.cond(c, e, false) {
            Words::Clause(p) => html::phrase(&p, links),
            other => escape(&other.plain()),
        }
    };
    match m {
        ast::MetricExpr::Count(None) => "the number of members".into(),
        ast::MetricExpr::Count(Some(c)) => format!("the number of members {}", clause(c)),
        ast::MetricExpr::Share(c) => format!(
            "the share of members {} (unset for an empty segment)",
            clause(c)
        ),
        ast::MetricExpr::Agg(f, v) => {
            let what = match f {
                ast::AggFunc::Count => "the number of values of",
                ast::AggFunc::CountDistinct => "the number of distinct values of",
                ast::AggFunc::Sum => "the total of",
                ast::AggFunc::Avg => "the average of",
                ast::AggFunc::Min => "the smallest",
                ast::AggFunc::Max => "the largest",
                ast::AggFunc::First => "the first",
                ast::AggFunc::Last => "the latest",
            };
            format!("{what} {}", html::phrase(&r.value(v, e), links))
        }
    }
}

/// The item's conditions as plain text (for the search index).
pub fn words_plain(_input: &Input, a: &Analysis, i: usize) -> String {
    let it = &a.items[i];
    let r = Renderer { p: a.program };
    let Some(e) = it.entity else {
        return String::new();
    };
    match &it.ast.kind {
        ItemKind::Segment(s) => s
            .condition
            .as_ref()
            .map(|c| r.cond(c, e, s.score.is_some()).plain())
            .unwrap_or_default(),
        ItemKind::Trait(t) => words::plain(&r.value(&t.value, e)),
        ItemKind::Action(act) => words::plain(&r.action(act, e)),
        _ => String::new(),
    }
}

fn sizes_view(input: &Input, a: &Analysis, i: usize) -> Option<SizesView> {
    let it = &a.items[i];
    if it.kind != Kind::Segment {
        return None;
    }
    let s = input.sizes?.segments.get(&it.name)?;
    let share = match (s.size, s.population) {
        (Some(n), Some(p)) if p > 0 => Some(format!("{:.1}%", n as f64 * 100.0 / p as f64)),
        _ => None,
    };
    Some(SizesView {
        size: s.size.map(thousands),
        share,
        population: s.population.map(thousands).unwrap_or_default(),
        as_of: input.sizes.and_then(|x| x.as_of.clone()),
        sample: s.sample.iter().map(|k| k.to_string()).collect(),
        chart: crate::sizes::chart(&s.history),
        history: s
            .history
            .iter()
            .map(|h| {
                (
                    h.as_of.clone(),
                    thousands(h.size),
                    h.entered.map(thousands).unwrap_or_default(),
                    h.left.map(thousands).unwrap_or_default(),
                )
            })
            .collect(),
    })
}

fn checks(a: &Analysis, i: usize) -> Vec<String> {
    let p = a.program;
    let it = &a.items[i];
    let mut out = Vec::new();
    for (ti, ei) in a.tests_of(i) {
        let t = &p.tests[ti];
        let e = &t.expects[ei];
        let what = match &e.rows {
            segql_plan::ir::Rows::Group(g) => {
                format!(" in group <code>{}</code>", escape(g))
            }
            segql_plan::ir::Rows::Stage(s) => {
                format!(" in <code>{}</code>", escape(&p.segments[*s].name))
            }
            segql_plan::ir::Rows::All => String::new(),
        };
        let n = e.members.len();
        let desc = t
            .description
            .as_ref()
            .map(|d| format!(" — {}", escape(d)))
            .unwrap_or_default();
        // `entered`/`left`: between the test's since and as_of.
        let change = match (e.change, t.since) {
            (Some(c), Some(since)) => format!(
                " {} between {} and {}",
                c.keyword(),
                segql_syntax::time::format_timestamp(since),
                segql_syntax::time::format_timestamp(t.as_of)
            ),
            _ => String::new(),
        };
        out.push(format!(
            "test <code>{}</code> expects {n} member{}{what}{change} <span class=\"where\">({})</span>{desc}",
            escape(&t.name),
            if n == 1 { "" } else { "s" },
            escape(&a.location(e.span)),
        ));
    }
    if it.kind == Kind::Segment {
        for asrt in p.asserts.iter().filter(|x| x.segment == it.index) {
            for c in &asrt.checks {
                let text = match c {
                    AssertCheck::Size(bounds, _) => {
                        let parts: Vec<String> = bounds
                            .iter()
                            .map(|(op, n)| format!("{} {}", op.symbol(), thousands(*n as u64)))
                            .collect();
                        format!("size {}", escape(&parts.join(" and ")))
                    }
                    AssertCheck::DisjointWith(s, _) => format!(
                        "disjoint with {}",
                        a.ir(Kind::Segment, *s)
                            .map(|x| item_link(a, ROOT, x))
                            .unwrap_or_default()
                    ),
                    AssertCheck::SubsetOf(s, _) => format!(
                        "subset of {}",
                        a.ir(Kind::Segment, *s)
                            .map(|x| item_link(a, ROOT, x))
                            .unwrap_or_default()
                    ),
                    AssertCheck::SizeChange(limit, _) => {
                        format!("{} (checked by segql diff)", escape(&limit.to_string()))
                    }
                };
                out.push(format!(
                    "assert on the bound data: {text} <span class=\"where\">({})</span>",
                    escape(&a.location(asrt.span))
                ));
            }
        }
    }
    out
}

fn sql(input: &Input, a: &Analysis, i: usize) -> Vec<SqlTab> {
    let it = &a.items[i];
    let p = a.program;
    let o = Options::literal(input.as_of);
    let request = match it.kind {
        Kind::Segment => compile::Request::Segment(it.index),
        Kind::Report => compile::Request::Report(it.index),
        Kind::Split => compile::Request::Split(it.index),
        Kind::Priority => compile::Request::Priority(it.index),
        _ => return Vec::new(),
    };
    let as_of = segql_syntax::time::format_timestamp(input.as_of);
    let shown = segql_syntax::fmt::ident_text(&it.name);
    let mut out = Vec::new();
    for d in dialect::all() {
        let tab = match compile::compile(p, &request, d, o) {
            Ok(q) => SqlTab {
                dialect: d.name(),
                support: d.support().label(),
                text: Some(format!(
                    "-- {} {shown}, {}, as of {as_of}\n{};\n",
                    it.kind.word(),
                    d.name(),
                    compile::to_sql(&q)
                )),
                error: None,
            },
            Err(e) => SqlTab {
                dialect: d.name(),
                support: d.support().label(),
                text: None,
                error: Some(format!(
                    "error[E0601]: `{}` cannot be compiled for {}: {e}",
                    it.name,
                    d.name()
                )),
            },
        };
        out.push(tab);
    }
    out
}

/// Percent-encodes a query parameter value.
pub fn url_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
