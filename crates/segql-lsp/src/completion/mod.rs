//! Completion: what may be written at the cursor, from the project's index.

pub mod context;

use crate::index::{EventSourceInfo, Index};
use crate::lines::LineIndex;
use context::{Context, Want};
use lsp_types::{
    CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind, TextEdit,
};
use segql_syntax::ast::Type;
use segql_syntax::fmt::ident_text;
use segql_syntax::lexer::escape;
use segql_syntax::FileId;

/// Words a condition may start with, besides names.
const CONDITION_WORDS: &[&str] = &[
    "did",
    "not",
    "in",
    "stopped",
    "restarted",
    "sql",
    "any",
    "all",
    "no",
    "at least",
    "at most",
    "exactly",
    "true",
    "false",
];

/// Words a value may start with, besides names.
const VALUE_WORDS: &[&str] = &[
    "count of",
    "count distinct(",
    "sum(",
    "avg(",
    "min(",
    "max(",
    "first time of",
    "last time of",
    "first(",
    "last(",
    "ntile(",
];

const PREDICATE_WORDS: &[&str] = &[
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "not in",
    "between",
    "contains",
    "starts with",
    "ends with",
    "matches",
    "is set",
    "is not set",
    "in last",
];

const AFTER_STEP_WORDS: &[&str] = &[
    "then",
    "with",
    "from",
    "at least",
    "at most",
    "exactly",
    "in last",
    "in at least",
    "between",
    "since",
    "ever",
    "within",
];

const METRIC_WORDS: &[&str] = &[
    "count",
    "count where",
    "share where",
    "avg(",
    "sum(",
    "min(",
    "max(",
];

struct Out<'a> {
    items: Vec<CompletionItem>,
    text: &'a str,
    lines: &'a LineIndex,
    ctx: &'a Context,
}

impl Out<'_> {
    fn push(
        &mut self,
        label: String,
        insert: String,
        kind: CompletionItemKind,
        detail: Option<String>,
        doc: Option<String>,
    ) {
        if self
            .items
            .iter()
            .any(|i| i.label == label && i.kind == Some(kind))
        {
            return;
        }
        let range = self
            .lines
            .range(self.text, self.ctx.replace.0, self.ctx.replace.1);
        // Names sort before keywords.
        let sort = if kind == CompletionItemKind::KEYWORD {
            "1"
        } else {
            "0"
        };
        self.items.push(CompletionItem {
            sort_text: Some(format!("{sort}{label}")),
            filter_text: Some(insert.clone()),
            text_edit: Some(lsp_types::CompletionTextEdit::Edit(TextEdit {
                range,
                new_text: insert,
            })),
            label,
            kind: Some(kind),
            detail,
            documentation: doc.map(|d| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: d,
                })
            }),
            ..CompletionItem::default()
        });
    }

    fn name(&mut self, name: &str, kind: CompletionItemKind, detail: String, doc: Option<String>) {
        self.push(name.to_string(), ident_text(name), kind, Some(detail), doc);
    }

    fn words(&mut self, words: &[&str]) {
        if self.ctx.in_string {
            return;
        }
        for w in words {
            self.push(
                w.to_string(),
                w.to_string(),
                CompletionItemKind::KEYWORD,
                None,
                None,
            );
        }
    }
}

/// The completions at byte `offset` of a file's text.
pub fn complete(
    ix: &Index,
    file: FileId,
    text: &str,
    lines: &LineIndex,
    offset: u32,
) -> Vec<CompletionItem> {
    let ctx = context::at(text, offset as usize);
    let mut out = Out {
        items: Vec::new(),
        text,
        lines,
        ctx: &ctx,
    };
    // Inside a string only event names are offered (`did "lo|`).
    if ctx.in_string && !matches!(ctx.want, Want::Event { .. }) {
        return Vec::new();
    }
    let entity = scope_entity(ix, &ctx);
    match &ctx.want {
        Want::Item => out.words(segql_syntax::parser::TOP_LEVEL),
        Want::Field {
            block,
            in_condition,
        } => {
            out.words(context::fields(block));
            if *in_condition {
                out.words(&["and", "or"]);
            }
        }
        Want::Entity => entities(&mut out, ix),
        Want::Type => {
            let types: Vec<&str> = Type::ALL.iter().map(|t| t.keyword()).collect();
            for t in types {
                out.push(
                    t.to_string(),
                    t.to_string(),
                    CompletionItemKind::TYPE_PARAMETER,
                    None,
                    None,
                );
            }
        }
        Want::Segment => {
            // `in SEGMENT` takes segments of the same entity; lists take any.
            let same = matches!(ctx.item, Some(("segment" | "trait", _)));
            segments(&mut out, ix, entity.as_deref().filter(|_| same));
        }
        Want::ExpectTarget => {
            segments(&mut out, ix, None);
            for s in sorted(ix.splits.keys()) {
                out.name(
                    s,
                    CompletionItemKind::ENUM,
                    "split: SPLIT.GROUP".to_string(),
                    None,
                );
            }
            for p in sorted(ix.priorities.keys()) {
                out.name(
                    p,
                    CompletionItemKind::ENUM,
                    "priority list: PRIORITY.SEGMENT".to_string(),
                    None,
                );
            }
        }
        Want::ExpectPart(first) => {
            if let Some(s) = ix.splits.get(first) {
                for (g, pct, _) in &s.parts {
                    out.name(
                        g,
                        CompletionItemKind::ENUM_MEMBER,
                        format!("group of {first}: {pct}"),
                        None,
                    );
                }
            } else if let Some(p) = ix.priorities.get(first) {
                for seg in &p.segments {
                    out.name(
                        seg,
                        CompletionItemKind::MODULE,
                        format!("listed in {first}"),
                        None,
                    );
                }
            }
        }
        Want::Relation => {
            entities(&mut out, ix);
            for e in sorted(ix.events.keys()) {
                let of = &ix.events[e].entity;
                out.name(
                    e,
                    CompletionItemKind::STRUCT,
                    format!("events of {of}"),
                    None,
                );
            }
        }
        Want::EventsRelation => {
            for ev in ix.events_of(entity.as_deref().unwrap_or("")) {
                out.name(
                    &ev.name,
                    CompletionItemKind::STRUCT,
                    format!("events: {}", ev.table),
                    None,
                );
            }
        }
        Want::Event { in_list } => {
            events(&mut out, ix, entity.as_deref(), file);
            if !in_list {
                actions(&mut out, ix, &ctx, entity.as_deref());
                out.words(&["any event", "["]);
            }
        }
        Want::Condition => {
            values(&mut out, ix, &ctx, entity.as_deref());
            out.words(CONDITION_WORDS);
            out.words(VALUE_WORDS);
        }
        Want::Value => {
            values(&mut out, ix, &ctx, entity.as_deref());
            out.words(VALUE_WORDS);
        }
        Want::Property => properties(&mut out, ix, &ctx, entity.as_deref()),
        Want::RefColumn(nav) => {
            let target = ix
                .refs_of(entity.as_deref().unwrap_or(""))
                .into_iter()
                .find(|(_, n, _)| n == nav)
                .map(|(_, _, t)| t);
            if let Some(e) = target.and_then(|t| ix.entities.get(&t)) {
                for c in &e.columns {
                    let detail = format!("{} column of {}", c.ty.keyword(), e.name);
                    out.name(&c.name, CompletionItemKind::FIELD, detail, None);
                }
                if e.column(&e.key).is_none() {
                    out.name(
                        &e.key,
                        CompletionItemKind::FIELD,
                        format!("key of {}", e.name),
                        None,
                    );
                }
            }
        }
        Want::Predicate => out.words(PREDICATE_WORDS),
        Want::AfterStep => out.words(AFTER_STEP_WORDS),
        Want::Metric => out.words(METRIC_WORDS),
        Want::Words(w) => out.words(w),
        Want::Nothing => {}
    }
    out.items
}

fn sorted<'a>(keys: impl Iterator<Item = &'a String>) -> Vec<&'a String> {
    let mut v: Vec<&String> = keys.collect();
    v.sort();
    v
}

/// The entity whose names are in scope at the cursor.
fn scope_entity(ix: &Index, ctx: &Context) -> Option<String> {
    if let Some(q) = &ctx.quantified {
        return Some(q.clone());
    }
    match &ctx.item {
        Some(("segment" | "trait" | "action", _)) => {
            ctx.of.clone().or_else(|| ix.default_entity.clone())
        }
        Some(("report", Some(name))) => ix
            .reports
            .get(name)
            .and_then(|r| {
                r.segments
                    .iter()
                    .find_map(|s| ix.segments.get(s)?.entity.clone())
            })
            .or_else(|| ix.default_entity.clone()),
        _ => ix.default_entity.clone(),
    }
}

fn entities(out: &mut Out, ix: &Index) {
    for e in sorted(ix.entities.keys()) {
        let info = &ix.entities[e];
        out.name(
            e,
            CompletionItemKind::CLASS,
            format!("entity: {}", info.table),
            info.description.clone(),
        );
    }
}

fn segments(out: &mut Out, ix: &Index, entity: Option<&str>) {
    for s in sorted(ix.segments.keys()) {
        let info = &ix.segments[s];
        if entity.is_some() && info.entity.as_deref() != entity {
            continue;
        }
        let detail = format!("segment of {}", info.entity.as_deref().unwrap_or("?"));
        out.name(
            s,
            CompletionItemKind::MODULE,
            detail,
            info.description.clone(),
        );
    }
}

/// Event names of the entity's relations, as strings; not the one being typed (a name
/// the project uses only at the cursor).
fn events(out: &mut Out, ix: &Index, entity: Option<&str>, file: FileId) {
    let (from, to) = out.ctx.replace;
    for ev in ix.events_of(entity.unwrap_or("")) {
        let names = ix.event_names.get(&ev.name).cloned().unwrap_or_default();
        for n in names {
            let sym = crate::index::Symbol::Event {
                events: ev.name.clone(),
                name: n.clone(),
            };
            let elsewhere = ix
                .occurrences_of(&sym)
                .any(|o| o.span.file != file || o.span.end <= from || o.span.start >= to);
            if !elsewhere {
                continue;
            }
            let detail = match &ev.source {
                EventSourceInfo::Fixed(..) => format!("every row of {}", ev.name),
                EventSourceInfo::Column(..) => format!("event in {}", ev.name),
            };
            out.push(
                format!("\"{n}\""),
                escape(&n, '"'),
                CompletionItemKind::EVENT,
                Some(detail),
                None,
            );
        }
    }
}

/// The entity's actions, where an event goes (not inside a string, and not the action
/// being declared: an action cannot name itself).
fn actions(out: &mut Out, ix: &Index, ctx: &Context, entity: Option<&str>) {
    if ctx.in_string {
        return;
    }
    let declaring = match &ctx.item {
        Some(("action", Some(name))) => Some(name.as_str()),
        _ => None,
    };
    for a in ix.actions_of(entity.unwrap_or("")) {
        if Some(a.name.as_str()) == declaring {
            continue;
        }
        let doc = format!("```segql\n{}\n```", a.definition);
        out.name(
            &a.name,
            CompletionItemKind::EVENT,
            "action".to_string(),
            Some(doc),
        );
    }
}

/// Columns, references and traits of the entity (and `score` in a scored segment).
fn values(out: &mut Out, ix: &Index, ctx: &Context, entity: Option<&str>) {
    let Some(e) = entity.and_then(|e| ix.entities.get(e)) else {
        return;
    };
    for c in &e.columns {
        let detail = format!("{} column of {}", c.ty.keyword(), e.name);
        out.name(&c.name, CompletionItemKind::FIELD, detail, None);
        if let Some((target, nav)) = &c.references {
            let detail = format!("reference to {target} (through {})", c.name);
            out.push(
                format!("{nav}."),
                format!("{}.", ident_text(nav)),
                CompletionItemKind::REFERENCE,
                Some(detail),
                None,
            );
        }
    }
    if !e.columns.iter().any(|c| c.name == e.key) {
        out.name(
            &e.key,
            CompletionItemKind::FIELD,
            format!("key of {}", e.name),
            None,
        );
    }
    for t in sorted(ix.traits.keys()) {
        let info = &ix.traits[t];
        if info.entity.as_deref() == Some(e.name.as_str()) {
            let doc = format!("```segql\n{}\n```", info.definition);
            out.name(
                t,
                CompletionItemKind::FUNCTION,
                format!("trait of {}", e.name),
                Some(doc),
            );
        }
    }
    let scored = match &ctx.item {
        Some(("segment", Some(name))) => ix.segments.get(name).is_some_and(|s| s.has_score),
        _ => false,
    };
    if scored && ctx.quantified.is_none() {
        out.push(
            "score".to_string(),
            "score".to_string(),
            CompletionItemKind::VARIABLE,
            Some("this segment's score".to_string()),
            None,
        );
    }
}

/// The properties of the filtered step's relation; without a filter (`sum(`), of
/// every events relation of the entity.
fn properties(out: &mut Out, ix: &Index, ctx: &Context, entity: Option<&str>) {
    let entity = entity.unwrap_or("");
    let rels: Vec<&crate::index::EventsInfo> = match &ctx.filter {
        Some(step) => {
            let rel = match (&step.action, &step.from) {
                (Some(a), _) => ix
                    .actions
                    .get(a)
                    .and_then(|a| a.events.as_ref())
                    .and_then(|e| ix.events.get(e)),
                (None, Some(f)) => ix.events.get(f),
                (None, None) if step.any => ix.implied_events(entity, None),
                (None, None) => ix.implied_events(entity, Some(&step.names)),
            };
            match rel {
                Some(r) => vec![r],
                None => ix.events_of(entity),
            }
        }
        None => ix.events_of(entity),
    };
    for ev in rels {
        for p in &ev.properties {
            let detail = format!("{} property of {}", p.ty.keyword(), ev.name);
            out.name(&p.name, CompletionItemKind::PROPERTY, detail, None);
        }
        if ctx.filter.is_some() {
            out.name(
                &ev.time,
                CompletionItemKind::PROPERTY,
                format!("timestamp: the time of {}", ev.name),
                None,
            );
        }
    }
}
