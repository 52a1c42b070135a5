//! Name resolution and type checking: ASTs of a project's files to a [`Program`].
//!
//! Every problem becomes a diagnostic with the span of the offending name; a broken
//! declaration is left out of the program and does not cause follow-on errors where it
//! is used.

use crate::codes;
use crate::ir::*;
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
    events_ids: HashMap<String, EventsId>,
    segment_asts: HashMap<String, &'a ast::Segment>,
    trait_asts: HashMap<String, &'a ast::Trait>,
    split_names: HashMap<String, usize>,
    priority_names: HashMap<String, usize>,
    segment_state: HashMap<String, State<SegmentId>>,
    trait_state: HashMap<String, State<usize>>,
    /// The chain of segments/traits being checked, for cycle messages.
    /// With each, the span of the reference that led to it (`None` at the top).
    stack: Vec<(String, Option<Span>)>,
    used_traits: HashSet<String>,
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

    // -----------------------------------------------------------------------------------
    // Catalog
    // -----------------------------------------------------------------------------------

    fn catalog(&mut self, items: &[&'a ast::Item]) {
        let mut first_span: HashMap<String, Span> = HashMap::new();
        // Entities first (events and references point at them).
        for item in items {
            let ast::ItemKind::Entity(e) = &item.kind else {
                continue;
            };
            if let Some(first) = first_span.get(&e.name.name) {
                let d = Diagnostic::error(
                    codes::DUPLICATE_NAME,
                    e.name.span,
                    format!("`{}` is declared twice", e.name.name),
                )
                .with_label("declared again here")
                .with_secondary(*first, "first declared here")
                .with_hint("entities and events relations share one set of names");
                self.err(d);
                continue;
            }
            first_span.insert(e.name.name.clone(), e.name.span);
            let mut columns: Vec<Column> = Vec::new();
            let mut seen: HashMap<&str, Span> = HashMap::new();
            for col in &e.columns {
                if let Some(first) = seen.get(col.name.name.as_str()) {
                    let d = Diagnostic::error(
                        codes::DUPLICATE_COLUMN,
                        col.name.span,
                        format!(
                            "column `{}` is declared twice in `{}`",
                            col.name.name, e.name.name
                        ),
                    )
                    .with_label("declared again here")
                    .with_secondary(*first, "first declared here")
                    .with_hint("remove one of them, or rename it if it is another column");
                    self.err(d);
                    continue;
                }
                seen.insert(&col.name.name, col.name.span);
                columns.push(Column {
                    name: col.name.name.clone(),
                    ty: col.ty.ty,
                });
            }
            let key_ty = columns
                .iter()
                .find(|c| c.name == e.key.name)
                .map(|c| c.ty)
                .unwrap_or(Type::String);
            if !columns.iter().any(|c| c.name == e.key.name) {
                columns.insert(
                    0,
                    Column {
                        name: e.key.name.clone(),
                        ty: key_ty,
                    },
                );
            }
            if matches!(
                key_ty,
                Type::Bool | Type::Float | Type::Decimal | Type::Date | Type::Timestamp
            ) {
                let d = Diagnostic::error(
                    codes::TYPE_MISMATCH,
                    e.key.span,
                    format!("the key `{}` is {}", e.key.name, article(key_ty)),
                )
                .with_label(format!("{} key", article(key_ty)))
                .with_hint(format!(
                    "keys are strings or integers: declare `{} string` or `{} int`",
                    e.key.name, e.key.name
                ));
                self.err(d);
            }
            let id = self.program.catalog.entities.len();
            self.entity_ids.insert(e.name.name.clone(), id);
            self.program.catalog.entities.push(Entity {
                name: e.name.name.clone(),
                table: e.table.parts.iter().map(|p| p.name.clone()).collect(),
                key: e.key.name.clone(),
                key_ty,
                columns,
                refs: Vec::new(),
                span: e.name.span,
            });
        }
        // References, now that every entity has an id.
        for item in items {
            let ast::ItemKind::Entity(e) = &item.kind else {
                continue;
            };
            let Some(&id) = self.entity_ids.get(&e.name.name) else {
                continue;
            };
            if !self.program.catalog.entities[id].span.same_as(e.name.span) {
                continue;
            }
            let mut refs = Vec::new();
            for col in &e.columns {
                let Some(r) = &col.references else { continue };
                let nav = r.alias.as_ref().unwrap_or(&r.entity);
                let Some(target) = self.entity(&r.entity) else {
                    // The name it is used by may be the entity meant, not the one written.
                    self.broken_refs
                        .insert((e.name.name.clone(), nav.name.clone()));
                    self.broken_refs
                        .insert((e.name.name.clone(), String::new()));
                    continue;
                };
                self.used_entities.insert(target);
                let target_key_ty = self.program.catalog.entities[target].key_ty;
                if !comparable(col.ty.ty, target_key_ty) {
                    let d = Diagnostic::error(
                        codes::TYPE_MISMATCH,
                        col.ty.span,
                        format!(
                            "`{}` is {}, but `{}`'s key is {}",
                            col.name.name,
                            article(col.ty.ty),
                            r.entity.name,
                            article(target_key_ty)
                        ),
                    )
                    .with_label(article(col.ty.ty))
                    .with_hint(format!(
                        "a reference column has the type of the key it points at: {} {} references {}",
                        segql_syntax::fmt::ident_text(&col.name.name),
                        target_key_ty.keyword(),
                        segql_syntax::fmt::ident_text(&r.entity.name),
                    ));
                    self.err(d);
                    self.broken_refs
                        .insert((e.name.name.clone(), nav.name.clone()));
                    continue;
                }
                let ent = &self.program.catalog.entities[id];
                if ent.column(&nav.name).is_some() {
                    let d = Diagnostic::error(
                        codes::AMBIGUOUS,
                        nav.span,
                        format!(
                            "`{}` is both a column and a reference of `{}`",
                            nav.name, e.name.name
                        ),
                    )
                    .with_label("also a column")
                    .with_hint(format!(
                        "name the reference with `as`: references {} as {}_ref",
                        segql_syntax::fmt::ident_text(&r.entity.name),
                        nav.name
                    ));
                    self.err(d);
                    self.broken_refs
                        .insert((e.name.name.clone(), nav.name.clone()));
                    continue;
                }
                if refs.iter().any(|x: &Ref| x.nav == nav.name) {
                    let d = Diagnostic::error(
                        codes::AMBIGUOUS,
                        nav.span,
                        format!(
                            "two references of `{}` are both called `{}`",
                            e.name.name, nav.name
                        ),
                    )
                    .with_label("a second reference by this name")
                    .with_hint("give one of them another name with `as`");
                    self.err(d);
                    continue;
                }
                refs.push(Ref {
                    nav: nav.name.clone(),
                    column: col.name.name.clone(),
                    target,
                });
            }
            self.program.catalog.entities[id].refs = refs;
        }
        // Events relations.
        for item in items {
            let ast::ItemKind::Events(ev) = &item.kind else {
                continue;
            };
            let name = ev
                .name
                .as_ref()
                .map(|n| n.name.clone())
                .unwrap_or_else(|| "events".to_string());
            let span = ev.name.as_ref().map(|n| n.span).unwrap_or(item.span);
            // An unnamed relation is shown by the entity it is of, not the whole block.
            let name_span = ev.name.as_ref().map(|n| n.span).unwrap_or(ev.entity.span);
            if let Some(first) = first_span.get(&name) {
                let d = Diagnostic::error(
                    codes::DUPLICATE_NAME,
                    name_span,
                    format!("`{name}` is declared twice"),
                )
                .with_label("declared again here")
                .with_secondary(*first, "first declared here")
                .with_hint("name each events relation: events orders of user { ... }");
                self.err(d);
                continue;
            }
            first_span.insert(name.clone(), name_span);
            let Some(entity) = self.entity(&ev.entity) else {
                self.broken_events.insert(name);
                continue;
            };
            let mut properties: Vec<Column> = Vec::new();
            let mut seen: HashMap<&str, Span> = HashMap::new();
            for p in &ev.properties {
                if let Some(first) = seen.get(p.name.name.as_str()) {
                    let d = Diagnostic::error(
                        codes::DUPLICATE_COLUMN,
                        p.name.span,
                        format!("property `{}` is declared twice in `{name}`", p.name.name),
                    )
                    .with_label("declared again here")
                    .with_secondary(*first, "first declared here")
                    .with_hint("remove one of them, or rename it if it is another property");
                    self.err(d);
                    continue;
                }
                seen.insert(&p.name.name, p.name.span);
                properties.push(Column {
                    name: p.name.name.clone(),
                    ty: p.ty.ty,
                });
            }
            let source = match &ev.event {
                ast::EventSource::Column(c) => EventSource::Column(c.name.clone()),
                ast::EventSource::Fixed(s) => EventSource::Fixed(s.value.clone()),
            };
            let id = self.program.catalog.events.len();
            self.events_ids.insert(name.clone(), id);
            self.program.catalog.events.push(Events {
                name,
                entity,
                table: ev.table.parts.iter().map(|p| p.name.clone()).collect(),
                key: ev.key.name.clone(),
                source,
                time: ev.time.name.clone(),
                properties,
                span,
            });
        }
    }

    fn entity(&mut self, name: &ast::Ident) -> Option<EntityId> {
        if let Some(&id) = self.entity_ids.get(&name.name) {
            return Some(id);
        }
        let mut d = Diagnostic::error(
            codes::UNKNOWN_ENTITY,
            name.span,
            format!("there is no entity `{}`", name.name),
        )
        .with_label("not a declared entity");
        let names: Vec<&str> = self
            .program
            .catalog
            .entities
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        d = match did_you_mean(&name.name, names.iter().copied()) {
            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
            None => d.with_hint(format!(
                "the entities are {}",
                list_names(names.iter().copied())
            )),
        };
        self.err(d);
        None
    }

    // -----------------------------------------------------------------------------------
    // Names of segments, traits, splits, priority lists
    // -----------------------------------------------------------------------------------

    fn collect_names(&mut self, items: &[&'a ast::Item]) {
        // Segments, splits, priority lists and reports share one namespace; traits have
        // their own (they are values, not audiences).
        let mut audiences: HashMap<String, Span> = HashMap::new();
        let mut traits: HashMap<String, Span> = HashMap::new();
        for item in items {
            let (name, is_trait) = match &item.kind {
                ast::ItemKind::Segment(s) => (&s.name, false),
                ast::ItemKind::Split(s) => (&s.name, false),
                ast::ItemKind::Priority(p) => (&p.name, false),
                ast::ItemKind::Report(r) => (&r.name, false),
                ast::ItemKind::Trait(t) => (&t.name, true),
                _ => continue,
            };
            let table = if is_trait {
                &mut traits
            } else {
                &mut audiences
            };
            if let Some(first) = table.get(&name.name) {
                let d = Diagnostic::error(
                    codes::DUPLICATE_NAME,
                    name.span,
                    format!("`{}` is declared twice", name.name),
                )
                .with_label("declared again here")
                .with_secondary(*first, "first declared here")
                .with_hint(if is_trait {
                    "rename one of the traits"
                } else {
                    "segments, splits, priority lists and reports share one set of names"
                });
                self.err(d);
                continue;
            }
            table.insert(name.name.clone(), name.span);
            let kind = match item.kind {
                ast::ItemKind::Split(_) => Some("split"),
                ast::ItemKind::Priority(_) => Some("priority list"),
                ast::ItemKind::Report(_) => Some("report"),
                _ => None,
            };
            if let Some(kind) = kind {
                self.declared_lists.insert(name.name.clone(), kind);
            }
            match &item.kind {
                ast::ItemKind::Segment(s) => {
                    self.segment_asts.insert(s.name.name.clone(), s);
                }
                ast::ItemKind::Trait(t) => {
                    self.trait_asts.insert(t.name.name.clone(), t);
                }
                _ => {}
            }
        }
    }

    /// The entity a segment or trait is of: as written, else `user` if declared, else
    /// the only entity.
    fn owner_entity(
        &mut self,
        of: Option<&ast::Ident>,
        name: &ast::Ident,
        what: &str,
    ) -> Option<EntityId> {
        if let Some(of) = of {
            return self.entity(of);
        }
        if let Some(&id) = self.entity_ids.get("user") {
            return Some(id);
        }
        if self.program.catalog.entities.len() == 1 {
            return Some(0);
        }
        let names: Vec<&str> = self
            .program
            .catalog
            .entities
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        let d = Diagnostic::error(
            codes::NO_DEFAULT_ENTITY,
            name.span,
            format!("which entity is {what} `{}` of?", name.name),
        )
        .with_label("no `of ENTITY`, and there is no entity `user`")
        .with_hint(if names.is_empty() {
            "declare an entity first: entity user { table analytics.users  key user_id }".to_string()
        } else {
            format!(
                "write `{what} {} of ENTITY`; the entities are {} (without `of`, `user` is assumed)",
                name.name,
                list_names(names.iter().copied())
            )
        });
        self.err(d);
        None
    }

    // -----------------------------------------------------------------------------------
    // Items
    // -----------------------------------------------------------------------------------

    fn check_items(&mut self, items: &[&'a ast::Item]) {
        for item in items {
            match &item.kind {
                ast::ItemKind::Segment(s) => {
                    self.segment_by_name(&s.name.name, None);
                }
                ast::ItemKind::Trait(t) => {
                    self.trait_by_name(&t.name.name, None);
                }
                _ => {}
            }
        }
        for item in items {
            match &item.kind {
                ast::ItemKind::Report(r) => self.report(r, item.span),
                ast::ItemKind::Split(s) => self.split(s, item.span),
                ast::ItemKind::Priority(p) => self.priority(p, item.span),
                _ => {}
            }
        }
        for item in items {
            match &item.kind {
                ast::ItemKind::Test(t) => self.test(t, item.span),
                ast::ItemKind::Assert(a) => self.assert(a, item.span),
                _ => {}
            }
        }
    }

    fn cycle_error(&mut self, name: &str, at: Span, kind: &str) {
        let start = self.stack.iter().position(|(n, _)| n == name).unwrap_or(0);
        let chain = &self.stack[start..];
        let last = chain.last().map(|(n, _)| n.clone()).unwrap_or_default();
        let mut d = if chain.len() <= 1 {
            Diagnostic::error(
                codes::CYCLE,
                at,
                format!("{kind} `{name}` refers to itself"),
            )
            .with_label(format!("`{name}` is the {kind} being defined"))
            .with_hint(format!(
                "a {kind} cannot depend on itself; remove this reference"
            ))
        } else {
            let mut path: Vec<&str> = chain.iter().map(|(n, _)| n.as_str()).collect();
            path.push(name);
            Diagnostic::error(
                codes::CYCLE,
                at,
                format!("{kind} `{name}` refers to itself: {}", path.join(" → ")),
            )
            .with_label(format!("`{last}` refers to `{name}`, closing the cycle"))
            .with_hint(
                "a segment or trait cannot depend on itself through others: remove one of these references",
            )
        };
        // The other references of the cycle, each where it is written.
        for pair in chain.windows(2) {
            if let (Some(span), (from, _)) = (pair[1].1, &pair[0]) {
                d = d.with_secondary(span, format!("`{from}` refers to `{}`", pair[1].0));
            }
        }
        self.err(d);
    }

    /// Checks a segment (once) and returns its id. `at`: the span of the reference that
    /// asked for it, for cycle messages.
    fn segment_by_name(&mut self, name: &str, at: Option<Span>) -> Option<SegmentId> {
        match self.segment_state.get(name) {
            Some(State::Done(id)) => return *id,
            Some(State::Visiting) => {
                self.cycle_error(name, at.unwrap_or_default(), "segment");
                return None;
            }
            None => {}
        }
        let s = *self.segment_asts.get(name)?;
        self.segment_state.insert(name.to_string(), State::Visiting);
        self.stack.push((name.to_string(), at));
        let result = self.segment(s);
        self.stack.pop();
        let id = result.map(|def| {
            self.program.segments.push(def);
            self.program.segments.len() - 1
        });
        self.segment_state.insert(name.to_string(), State::Done(id));
        id
    }

    fn segment(&mut self, s: &'a ast::Segment) -> Option<SegmentDef> {
        let entity = self.owner_entity(s.entity.as_ref(), &s.name, "segment")?;
        self.used_entities.insert(entity);
        let mut ctx = Ctx {
            entity,
            score: None,
            filter: None,
        };
        if let Some(sb) = &s.score {
            ctx.score = Some(self.score_block(sb, &ctx)?.0);
        }
        let cond = self.cond(s.condition.as_ref()?, &ctx)?;
        Some(SegmentDef {
            name: s.name.name.clone(),
            entity,
            description: s.meta.description.as_ref().map(|d| d.value.clone()),
            owner: s.meta.owner.as_ref().map(|d| d.value.clone()),
            tags: s.meta.tags.iter().map(|t| t.value.clone()).collect(),
            cond,
            span: s.name.span,
        })
    }

    fn trait_by_name(&mut self, name: &str, at: Option<Span>) -> Option<usize> {
        match self.trait_state.get(name) {
            Some(State::Done(id)) => return *id,
            Some(State::Visiting) => {
                self.cycle_error(name, at.unwrap_or_default(), "trait");
                return None;
            }
            None => {}
        }
        let t = *self.trait_asts.get(name)?;
        self.trait_state.insert(name.to_string(), State::Visiting);
        self.stack.push((name.to_string(), at));
        let result = self.trait_(t);
        self.stack.pop();
        let id = result.map(|def| {
            self.program.traits.push(def);
            self.program.traits.len() - 1
        });
        self.trait_state.insert(name.to_string(), State::Done(id));
        id
    }

    fn trait_(&mut self, t: &'a ast::Trait) -> Option<TraitDef> {
        let entity = self.owner_entity(t.entity.as_ref(), &t.name, "trait")?;
        self.used_entities.insert(entity);
        let ctx = Ctx {
            entity,
            score: None,
            filter: None,
        };
        let (value, ty) = self.value(&t.value, &ctx)?;
        Some(TraitDef {
            name: t.name.name.clone(),
            entity,
            value,
            ty,
            span: t.name.span,
        })
    }

    fn score_block(&mut self, sb: &ast::ScoreBlock, ctx: &Ctx) -> Option<(Scalar, Type)> {
        let mut rules = Vec::new();
        let mut ok = true;
        let mut ty = Type::Int;
        for r in &sb.rules {
            let weight = lit(&r.weight.kind)?;
            if weight.ty() == Type::Decimal {
                ty = Type::Decimal;
            }
            match self.cond(&r.cond, ctx) {
                Some(c) => rules.push((weight, c)),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        Some((Scalar::Score(rules), ty))
    }

    /// A segment named by a reference (`in X`, report lists, ...): must exist and be of
    /// `entity` when given.
    ///
    /// `quantifier_hint`: whether a condition is being checked, where a segment of a
    /// related entity can be reached with a quantifier.
    fn segment_ref(
        &mut self,
        name: &ast::Ident,
        entity: Option<EntityId>,
        quantifier_hint: bool,
    ) -> Option<SegmentId> {
        if !self.segment_asts.contains_key(&name.name) {
            let mut d = Diagnostic::error(
                codes::UNKNOWN_SEGMENT,
                name.span,
                format!("there is no segment `{}`", name.name),
            )
            .with_label("not a segment");
            let mut names: Vec<&str> = self.segment_asts.keys().map(|s| s.as_str()).collect();
            names.sort();
            if let Some(s) = did_you_mean(&name.name, names.iter().copied()) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            } else if self.trait_asts.contains_key(&name.name) {
                d = d.with_hint(format!(
                    "`{}` is a trait; compare it with a value: {} >= 10",
                    name.name, name.name
                ));
            } else if let Some(&kind) = self.declared_lists.get(&name.name) {
                d = d.with_hint(match kind {
                    "split" => format!(
                        "`{}` is a split, not a segment; name its groups in a test: expect {}.GROUP = [...]",
                        name.name, name.name
                    ),
                    _ => format!(
                        "`{}` is a {kind}, not a segment; name one of the segments it lists",
                        name.name
                    ),
                });
            } else {
                d = d.with_hint(format!(
                    "the segments are {}",
                    list_names(names.iter().copied())
                ));
            }
            self.err(d);
            return None;
        }
        let id = self.segment_by_name(&name.name, Some(name.span))?;
        if let Some(e) = entity {
            let seg = &self.program.segments[id];
            if seg.entity != e {
                let cat = &self.program.catalog;
                let (of, here) = (&cat.entities[seg.entity].name, &cat.entities[e].name);
                let related = cat.entities[seg.entity]
                    .refs
                    .iter()
                    .filter(|r| r.target == e)
                    .count()
                    == 1;
                let hint = if related && quantifier_hint {
                    format!(
                        "a segment of {here} uses segments of {here}; to ask about the {of}s of {an} {here}, use a quantifier: any {of} where in {}",
                        name.name,
                        an = if here.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" },
                    )
                } else {
                    format!("segments of {here} can only be combined with segments of {here}")
                };
                let d = Diagnostic::error(
                    codes::ENTITY_MISMATCH,
                    name.span,
                    format!("`{}` is a segment of {of}, not of {here}", name.name),
                )
                .with_label(format!("a segment of {of}"))
                .with_hint(hint);
                self.err(d);
                return None;
            }
        }
        Some(id)
    }

    // -----------------------------------------------------------------------------------
    // Conditions
    // -----------------------------------------------------------------------------------

    fn cond(&mut self, c: &ast::Cond, ctx: &Ctx) -> Option<Cond> {
        use ast::CondKind as K;
        match &c.kind {
            K::And(ops) | K::Or(ops) => {
                let mut out = Vec::new();
                let mut ok = true;
                for op in ops {
                    match self.cond(op, ctx) {
                        Some(x) => out.push(x),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                Some(if matches!(c.kind, K::And(_)) {
                    Cond::And(out)
                } else {
                    Cond::Or(out)
                })
            }
            K::Not(inner) => Some(Cond::Not(Box::new(self.cond(inner, ctx)?))),
            K::Const(b) => Some(Cond::Const(*b)),
            K::Test(v, p) => {
                let (value, ty) = self.value(v, ctx)?;
                self.pred(value, ty, v, p, c.span)
            }
            K::Did(d) => {
                self.no_filter(ctx, c.span, "`did`")?;
                self.did(d, ctx)
            }
            K::Stopped(st) => {
                self.no_filter(ctx, c.span, "`stopped`")?;
                self.stopped(st, ctx)
            }
            K::InSegment(name) => {
                self.no_filter(ctx, c.span, "`in SEGMENT`")?;
                Some(Cond::Segment(self.segment_ref(
                    name,
                    Some(ctx.entity),
                    true,
                )?))
            }
            K::Quantified(q) => {
                self.no_filter(ctx, c.span, "a quantifier")?;
                self.quantified(q, ctx)
            }
            K::Sql(s) => {
                match crate::sqlpred::check(&self.program.catalog, s, ctx.entity, ctx.filter) {
                    Ok(p) => Some(Cond::Sql(Box::new(p))),
                    Err(diags) => {
                        diags.into_iter().for_each(|d| self.err(d));
                        None
                    }
                }
            }
        }
    }

    /// Behaviour cannot nest inside a property filter.
    fn no_filter(&mut self, ctx: &Ctx, span: Span, what: &str) -> Option<()> {
        if let Some(events) = ctx.filter {
            let ev = &self.program.catalog.events[events];
            let props = list_names(ev.properties.iter().map(|c| c.name.as_str()));
            let d = Diagnostic::error(
                codes::WRONG_PLACE,
                span,
                format!("{what} cannot be used inside a `with` filter"),
            )
            .with_label("not a test of the event's properties")
            .with_hint(format!(
                "a `with` filter tests each event's own properties (of `{}`: {props}); to combine behaviours, join two conditions with `and` outside the filter",
                ev.name
            ));
            self.err(d);
            return None;
        }
        Some(())
    }

    fn pred(
        &mut self,
        value: Scalar,
        ty: Type,
        v: &ast::Value,
        p: &ast::Pred,
        span: Span,
    ) -> Option<Cond> {
        use ast::Pred as P;
        let vspan = v.span;
        match p {
            P::Cmp(op, operand) => {
                let (rhs, rty, rspan) = self.operand(operand);
                let rhs = rhs?;
                if !comparable(ty, rty) {
                    self.mismatch(vspan, ty, Rhs::operand(operand, rspan, rty), v);
                    return None;
                }
                if ty == Type::Bool && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    let vt = value_text(v);
                    self.err(
                        Diagnostic::error(codes::NOT_ORDERABLE, span, "booleans have no order")
                            .with_label(format!("`{}` on a bool", op.symbol()))
                            .with_hint(format!(
                                "compare booleans with = or !=: {vt} = true, {vt} = false"
                            )),
                    );
                    return None;
                }
                Some(self.compare(value, ty, *op, rhs))
            }
            P::In(list) | P::NotIn(list) => {
                let mut lits = Vec::new();
                for l in list {
                    let x = lit(&l.kind)?;
                    if !comparable(ty, x.ty()) {
                        let rhs = Rhs {
                            span: l.span,
                            ty: x.ty(),
                            text: segql_syntax::fmt::literal_text(&l.kind),
                            is_ago: false,
                        };
                        self.mismatch(vspan, ty, rhs, v);
                        return None;
                    }
                    lits.push(x);
                }
                // A list of days for a timestamp: each day whole.
                let cond =
                    if ty == Type::Timestamp && lits.iter().any(|l| matches!(l, Lit::Date(_))) {
                        Cond::Or(
                            lits.into_iter()
                                .map(|l| self.compare(value.clone(), ty, CmpOp::Eq, Scalar::Lit(l)))
                                .collect(),
                        )
                    } else {
                        Cond::In {
                            value: value.clone(),
                            list: lits,
                        }
                    };
                Some(if matches!(p, P::NotIn(_)) {
                    // NULL makes the comparison false: `not in` needs a value.
                    Cond::And(vec![Cond::IsSet(value), Cond::Not(Box::new(cond))])
                } else {
                    cond
                })
            }
            P::Between(a, b) => {
                let (lo, lty, lspan) = self.operand(a);
                let (hi, hty, hspan) = self.operand(b);
                let (lo, hi) = (lo?, hi?);
                for (t, s, o) in [(lty, lspan, a), (hty, hspan, b)] {
                    if !comparable(ty, t) {
                        self.mismatch(vspan, ty, Rhs::operand(o, s, t), v);
                        return None;
                    }
                }
                if ty == Type::Bool {
                    let vt = value_text(v);
                    self.err(
                        Diagnostic::error(codes::NOT_ORDERABLE, span, "booleans have no order")
                            .with_label("`between` on a bool")
                            .with_hint(format!(
                                "compare booleans with = or !=: {vt} = true, {vt} = false"
                            )),
                    );
                    return None;
                }
                if let (Some(x), Some(y)) = (order_key(&lo), order_key(&hi)) {
                    if x.0 == y.0 && x.1 > y.1 {
                        let (at, bt) = (operand_text(a), operand_text(b));
                        let (msg, label, hint) = if timeish(ty) {
                            (
                                "this range starts after it ends",
                                format!("`{at}` is later than `{bt}`"),
                                format!("write the earlier point first: between {bt} and {at}"),
                            )
                        } else {
                            (
                                "this range starts after it ends",
                                format!("{at} is more than {bt}"),
                                format!("write the smaller bound first: between {bt} and {at}"),
                            )
                        };
                        self.err(
                            Diagnostic::error(codes::BAD_RANGE, lspan.to(hspan), msg)
                                .with_label(label)
                                .with_hint(hint),
                        );
                        return None;
                    }
                }
                if timeish(ty) {
                    // [lo, hi): a date as the upper bound includes that whole day.
                    Some(Cond::And(vec![
                        self.compare(value.clone(), ty, CmpOp::Ge, lo),
                        self.compare(value, ty, CmpOp::Le, hi),
                    ]))
                    .map(|c| match (c, &hi_is_point(b)) {
                        (Cond::And(mut parts), true) => {
                            // A point in time (timestamp or `ago`) ends the range
                            // exclusively: half-open like every window.
                            if let Some(Cond::Cmp(v, CmpOp::Le, h)) = parts.pop() {
                                parts.push(Cond::Cmp(v, CmpOp::Lt, h));
                            }
                            Cond::And(parts)
                        }
                        (c, _) => c,
                    })
                } else {
                    Some(Cond::And(vec![
                        Cond::Cmp(value.clone(), CmpOp::Ge, lo),
                        Cond::Cmp(value, CmpOp::Le, hi),
                    ]))
                }
            }
            P::Contains(s) | P::StartsWith(s) | P::EndsWith(s) => {
                self.need_string(ty, vspan, v, p)?;
                let op = match p {
                    P::Contains(_) => TextOp::Contains,
                    P::StartsWith(_) => TextOp::StartsWith,
                    _ => TextOp::EndsWith,
                };
                Some(Cond::Text {
                    value,
                    op,
                    pattern: s.value.clone(),
                })
            }
            P::Matches(s) => {
                self.need_string(ty, vspan, v, p)?;
                if let Err(e) = regex_syntax::Parser::new().parse(&s.value) {
                    // The problem and where in the pattern it is.
                    let (what, at) = match &e {
                        regex_syntax::Error::Parse(e) => (e.kind().to_string(), Some(*e.span())),
                        regex_syntax::Error::Translate(e) => {
                            (e.kind().to_string(), Some(*e.span()))
                        }
                        _ => (e.to_string(), None),
                    };
                    let span = at
                        .and_then(|a| inside_string(s, a.start.offset, a.end.offset))
                        .unwrap_or(s.span);
                    self.err(
                        Diagnostic::error(codes::BAD_REGEX, span, format!("invalid regular expression: {what}"))
                            .with_label(what)
                            .with_hint("patterns use the RE2 syntax every engine shares; write \\\\ for a backslash in the string"),
                    );
                    return None;
                }
                Some(Cond::Regex {
                    value,
                    pattern: s.value.clone(),
                })
            }
            P::IsSet => Some(Cond::IsSet(value)),
            P::IsNotSet => Some(Cond::Not(Box::new(Cond::IsSet(value)))),
            P::InLast(d) => {
                if !timeish(ty) {
                    self.err(
                        Diagnostic::error(
                            codes::NOT_TIME,
                            vspan,
                            format!("`{}` is {}, not a date or timestamp", value_text(v), article(ty)),
                        )
                        .with_label("`in last` needs a time")
                        .with_hint("`in last N days` tests a date or timestamp column; for events write did \"...\" in last N days"),
                    );
                    return None;
                }
                self.positive_duration(d)?;
                Some(Cond::And(vec![
                    self.compare(
                        value.clone(),
                        ty,
                        CmpOp::Ge,
                        Scalar::Time(TimePoint::Ago(duration(d))),
                    ),
                    self.compare(value, ty, CmpOp::Lt, Scalar::Time(TimePoint::AsOf)),
                ]))
            }
        }
    }

    /// A comparison, with "a date is a day" when a timestamp meets a date literal.
    fn compare(&mut self, value: Scalar, ty: Type, op: CmpOp, rhs: Scalar) -> Cond {
        if ty == Type::Timestamp {
            if let Scalar::Lit(Lit::Date(d)) = rhs {
                let start = Scalar::Lit(Lit::Timestamp(day_start(d)));
                let next = Scalar::Lit(Lit::Timestamp(day_start(d + 1)));
                return match op {
                    CmpOp::Lt => Cond::Cmp(value, CmpOp::Lt, start),
                    CmpOp::Le => Cond::Cmp(value, CmpOp::Lt, next),
                    CmpOp::Gt => Cond::Cmp(value, CmpOp::Ge, next),
                    CmpOp::Ge => Cond::Cmp(value, CmpOp::Ge, start),
                    CmpOp::Eq => Cond::And(vec![
                        Cond::Cmp(value.clone(), CmpOp::Ge, start),
                        Cond::Cmp(value, CmpOp::Lt, next),
                    ]),
                    CmpOp::Ne => Cond::And(vec![
                        Cond::IsSet(value.clone()),
                        Cond::Not(Box::new(Cond::And(vec![
                            Cond::Cmp(value.clone(), CmpOp::Ge, start),
                            Cond::Cmp(value, CmpOp::Lt, next),
                        ]))),
                    ]),
                };
            }
        }
        Cond::Cmp(value, op, rhs)
    }

    fn need_string(&mut self, ty: Type, vspan: Span, v: &ast::Value, p: &ast::Pred) -> Option<()> {
        if ty != Type::String {
            let word = match p {
                ast::Pred::Contains(_) => "contains",
                ast::Pred::StartsWith(_) => "starts with",
                ast::Pred::EndsWith(_) => "ends with",
                _ => "matches",
            };
            self.err(
                Diagnostic::error(
                    codes::NOT_STRING,
                    vspan,
                    format!(
                        "`{}` is {}, but `{word}` works on strings",
                        value_text(v),
                        article(ty)
                    ),
                )
                .with_label(article(ty))
                .with_hint(if numeric(ty) {
                    "`contains`, `starts with`, `ends with` and `matches` test text; compare numbers with =, <, >, `in [...]` or `between`"
                } else {
                    "`contains`, `starts with`, `ends with` and `matches` test text; compare other values with =, <, >, `in [...]` or `between`"
                }),
            );
            return None;
        }
        Some(())
    }

    /// `v` (of type `ty`) compared with a literal or `N units ago` of type `rty`, written
    /// `rtext`.
    fn mismatch(&mut self, vspan: Span, ty: Type, rhs: Rhs, v: &ast::Value) {
        let Rhs {
            span: rspan,
            ty: rty,
            text: rtext,
            is_ago,
        } = rhs;
        let vt = value_text(v);
        let rdesc = if is_ago {
            "a point in time".to_string()
        } else {
            article(rty)
        };
        let hint = match (ty, rty) {
            (Type::String, t) if numeric(t) && !is_ago => {
                format!("if `{vt}` holds text, write the value in quotes: \"{rtext}\"")
            }
            (t, Type::String) if numeric(t) => {
                let unquoted = rtext.trim_matches('"');
                if unquoted.parse::<f64>().is_ok() {
                    format!("write the number without quotes: {unquoted}")
                } else {
                    format!(
                        "`{vt}` holds numbers: compare it with a number, as in {}",
                        example(ty)
                    )
                }
            }
            (t, Type::String) if timeish(t) => {
                "dates and timestamps are written without quotes: 2024-01-31, 2024-01-31T09:30:00Z"
                    .to_string()
            }
            _ if is_ago => format!(
                "`N days ago` is for date and timestamp columns; compare `{vt}` with {}, as in {}",
                article(ty),
                example(ty)
            ),
            _ => format!(
                "`{vt}` holds {}s: compare it with one, as in {}",
                ty.keyword(),
                example(ty)
            ),
        };
        self.err(
            Diagnostic::error(
                codes::TYPE_MISMATCH,
                rspan,
                format!("`{vt}` is {}, but `{rtext}` is {rdesc}", article(ty)),
            )
            .with_label(rdesc)
            .with_secondary(vspan, article(ty))
            .with_hint(hint),
        );
    }

    /// The right-hand side of a predicate: its value, type and span.
    fn operand(&mut self, o: &ast::Operand) -> (Option<Scalar>, Type, Span) {
        match o {
            ast::Operand::Lit(l) => match lit(&l.kind) {
                Some(x) => {
                    let t = x.ty();
                    (Some(Scalar::Lit(x)), t, l.span)
                }
                None => (None, Type::String, l.span),
            },
            ast::Operand::Ago(d) => {
                if self.positive_duration(d).is_none() {
                    return (None, Type::Timestamp, d.span);
                }
                (
                    Some(Scalar::Time(TimePoint::Ago(duration(d)))),
                    Type::Timestamp,
                    d.span,
                )
            }
        }
    }

    fn positive_duration(&mut self, d: &ast::Duration) -> Option<()> {
        if d.n <= 0 {
            self.err(
                Diagnostic::error(
                    codes::EMPTY_WINDOW,
                    d.span,
                    format!("a duration of {} {} is empty", d.n, d.unit.plural()),
                )
                .with_label("an empty duration")
                .with_hint(format!(
                    "durations are at least 1: `1 {}`",
                    d.unit.word_for(1)
                )),
            );
            return None;
        }
        if d.n > 100_000 {
            self.err(
                Diagnostic::error(
                    codes::BAD_COUNT,
                    d.span,
                    "a duration longer than 100000 units",
                )
                .with_label("too long")
                .with_hint("write `ever` for all of history"),
            );
            return None;
        }
        Some(())
    }

    fn time_point(&mut self, t: &ast::TimePoint) -> Option<(TimePoint, Option<i64>, bool)> {
        // (point, absolute micros when known, whether it is a whole day)
        match t {
            ast::TimePoint::Lit(l) => match l.kind {
                LitKind::Date(d) => Some((TimePoint::At(day_start(d)), Some(day_start(d)), true)),
                LitKind::Timestamp(ts) => Some((TimePoint::At(ts), Some(ts), false)),
                _ => None,
            },
            ast::TimePoint::Ago(d) => {
                self.positive_duration(d)?;
                Some((TimePoint::Ago(duration(d)), None, false))
            }
        }
    }

    /// A window written after an event. `Err(())` after an error; `Ok(None)` for
    /// `in at least K of last N` (handled by the caller).
    fn window(&mut self, w: Option<&ast::Window>) -> Result<TimeWindow, ()> {
        let Some(w) = w else {
            return Ok(TimeWindow::EVER);
        };
        match &w.kind {
            ast::WindowKind::Ever => Ok(TimeWindow::EVER),
            ast::WindowKind::Last(d) => {
                self.positive_duration(d).ok_or(())?;
                Ok(TimeWindow {
                    start: Some(TimePoint::Ago(duration(d))),
                    end: TimePoint::AsOf,
                })
            }
            ast::WindowKind::Between(a, b) => {
                let (start, sa, _) = self.time_point(a).ok_or(())?;
                let (mut end, sb, whole_day) = self.time_point(b).ok_or(())?;
                if whole_day {
                    if let TimePoint::At(t) = end {
                        end = TimePoint::At(t + MICROS_PER_DAY);
                    }
                }
                let rel = |p: &ast::TimePoint| match p {
                    ast::TimePoint::Ago(d) => Some(duration(d)),
                    _ => None,
                };
                let backwards = match (sa, sb, rel(a), rel(b)) {
                    (Some(x), Some(y), _, _) => x > y,
                    (_, _, Some(x), Some(y)) if x.unit == y.unit => x.n < y.n,
                    _ => false,
                };
                if backwards {
                    let (at, bt) = (time_point_text(a), time_point_text(b));
                    self.err(
                        Diagnostic::error(
                            codes::BAD_RANGE,
                            w.span,
                            "this window starts after it ends",
                        )
                        .with_label(format!("`{at}` is later than `{bt}`"))
                        .with_hint(format!(
                            "write the earlier point first: between {bt} and {at}"
                        )),
                    );
                    return Err(());
                }
                Ok(TimeWindow {
                    start: Some(start),
                    end,
                })
            }
            ast::WindowKind::Periods { .. } => unreachable!("handled by the caller"),
        }
    }

    /// Resolves an event selection to its relation, checking names against fixed-event
    /// relations.
    fn events_of(
        &mut self,
        sel: &ast::EventSel,
        ctx: &Ctx,
    ) -> Option<(EventsId, Option<Vec<String>>)> {
        let names: Option<Vec<String>> = match &sel.names {
            ast::EventNames::One(s) => Some(vec![s.value.clone()]),
            ast::EventNames::Many(v) => Some(v.iter().map(|s| s.value.clone()).collect()),
            ast::EventNames::Any => None,
        };
        let cat = &self.program.catalog;
        let of_entity: Vec<EventsId> = (0..cat.events.len())
            .filter(|&i| cat.events[i].entity == ctx.entity)
            .collect();
        let entity_name = cat.entities[ctx.entity].name.clone();
        let id = if let Some(from) = &sel.from {
            match of_entity.iter().find(|&&i| cat.events[i].name == from.name) {
                Some(&i) => i,
                None => {
                    if self.broken_events.contains(&from.name) {
                        return None; // already reported where it is declared
                    }
                    let cands: Vec<&str> = of_entity
                        .iter()
                        .map(|&i| cat.events[i].name.as_str())
                        .collect();
                    let mut d = Diagnostic::error(
                        codes::UNKNOWN_EVENTS,
                        from.span,
                        format!("`{entity_name}` has no events relation `{}`", from.name),
                    )
                    .with_label(format!("not an events relation of `{entity_name}`"));
                    if let Some(other) = cat.events.iter().find(|e| e.name == from.name) {
                        let of = &cat.entities[other.entity].name;
                        d = d.with_secondary(
                            other.span,
                            format!("`{}` holds events of `{of}`", other.name),
                        );
                    }
                    d = match did_you_mean(&from.name, cands.iter().copied()) {
                        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                        None => d.with_hint(format!(
                            "its events relations are {}",
                            list_names(cands.iter().copied())
                        )),
                    };
                    self.err(d);
                    return None;
                }
            }
        } else {
            if of_entity.is_empty() {
                if !self.broken_events.is_empty() {
                    return None; // a relation that might hold them was rejected
                }
                self.err(
                    Diagnostic::error(
                        codes::UNKNOWN_EVENTS,
                        sel.span,
                        format!("`{entity_name}` has no events"),
                    )
                    .with_label(format!("no events relation of `{entity_name}` is declared"))
                    .with_hint(format!(
                        "declare them: events of {entity_name} {{ table ...  key ...  name ...  time ... }}"
                    )),
                );
                return None;
            }
            // A fixed-event relation whose event is named wins; else the one relation with
            // a name column.
            let fixed: Vec<EventsId> = of_entity
                .iter()
                .copied()
                .filter(|&i| match (&cat.events[i].source, &names) {
                    (EventSource::Fixed(e), Some(ns)) => ns.iter().all(|n| n == e),
                    _ => false,
                })
                .collect();
            let named: Vec<EventsId> = of_entity
                .iter()
                .copied()
                .filter(|&i| matches!(cat.events[i].source, EventSource::Column(_)))
                .collect();
            match (fixed.as_slice(), named.as_slice()) {
                ([one], _) => *one,
                ([], [one]) => *one,
                ([], []) => {
                    if !self.broken_events.is_empty() {
                        return None; // a relation that might hold it was rejected
                    }
                    let fixed_names: Vec<String> = of_entity
                        .iter()
                        .filter_map(|&i| match &cat.events[i].source {
                            EventSource::Fixed(e) => {
                                Some(format!("`{}` holds \"{e}\"", cat.events[i].name))
                            }
                            _ => None,
                        })
                        .collect();
                    let wanted = match &names {
                        Some(ns) => ns
                            .iter()
                            .filter(|n| {
                                !of_entity.iter().any(|&i| {
                                    matches!(&cat.events[i].source, EventSource::Fixed(e) if e == *n)
                                })
                            })
                            .map(|n| format!("\"{n}\""))
                            .collect::<Vec<_>>()
                            .join(", "),
                        None => "this event".to_string(),
                    };
                    self.err(
                        Diagnostic::error(
                            codes::UNKNOWN_EVENTS,
                            sel.span,
                            format!("no events relation of `{entity_name}` holds {wanted}"),
                        )
                        .with_label("no relation holds this")
                        .with_hint(format!(
                            "each relation of `{entity_name}` holds one event ({}); declare one with a `name` column for others",
                            fixed_names.join(", ")
                        )),
                    );
                    return None;
                }
                (many, others) => {
                    let mut cands: Vec<&str> =
                        many.iter().map(|&i| cat.events[i].name.as_str()).collect();
                    if many.is_empty() {
                        cands = others
                            .iter()
                            .map(|&i| cat.events[i].name.as_str())
                            .collect();
                    }
                    self.err(
                        Diagnostic::error(
                            codes::AMBIGUOUS,
                            sel.span,
                            format!("more than one events relation of `{entity_name}` could hold this event"),
                        )
                        .with_label(format!("in {}?", cands.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" or ")))
                        .with_hint(format!(
                            "say which with `from`: {}",
                            cands.iter().map(|c| format!("from {c}")).collect::<Vec<_>>().join(", ")
                        )),
                    );
                    return None;
                }
            }
        };
        if let (EventSource::Fixed(e), Some(ns)) = (&self.program.catalog.events[id].source, &names)
        {
            if let Some(bad) = ns.iter().find(|n| *n != e) {
                let rel = self.program.catalog.events[id].name.clone();
                self.err(
                    Diagnostic::error(
                        codes::UNKNOWN_EVENTS,
                        sel.span,
                        format!("`{rel}` holds only \"{e}\" events, not \"{bad}\""),
                    )
                    .with_label(format!("not an event of `{rel}`"))
                    .with_hint(format!(
                        "every row of `{rel}` is one \"{e}\"; for \"{bad}\", name the relation that holds it, or leave out `from`"
                    )),
                );
                return None;
            }
        }
        self.used_events.insert(id);
        // Names are redundant for a fixed-event relation: every row matches.
        let names = match &self.program.catalog.events[id].source {
            EventSource::Fixed(_) => None,
            EventSource::Column(_) => names,
        };
        Some((id, names))
    }

    /// An event step: relation, names and property condition.
    fn step(
        &mut self,
        s: &ast::EventStep,
        ctx: &Ctx,
    ) -> Option<(EventsId, Option<Vec<String>>, Option<Cond>)> {
        let (events, names) = self.events_of(&s.event, ctx)?;
        let pred = match &s.filter {
            Some(f) => {
                let fctx = Ctx {
                    entity: ctx.entity,
                    score: None,
                    filter: Some(events),
                };
                Some(self.cond(f, &fctx)?)
            }
            None => None,
        };
        Some((events, names, pred))
    }

    fn did(&mut self, d: &ast::Did, ctx: &Ctx) -> Option<Cond> {
        let (events, names, pred) = self.step(&d.first, ctx)?;
        if !d.then.is_empty() {
            if let Some(f) = &d.freq {
                self.err(
                    Diagnostic::error(
                        codes::SEQUENCE_SHAPE,
                        f.span,
                        "a sequence cannot be counted",
                    )
                    .with_label("a count of a sequence")
                    .with_hint("counts apply to one event (did \"login\" at least 3 times); for a sequence, remove the count"),
                );
                return None;
            }
            if let Some(w) = &d.window {
                if matches!(w.kind, ast::WindowKind::Periods { .. }) {
                    self.err(
                        Diagnostic::error(
                            codes::SEQUENCE_SHAPE,
                            w.span,
                            "a sequence cannot be counted by periods",
                        )
                        .with_label("periods counted for a sequence")
                        .with_hint("write the window as `in last N days`"),
                    );
                    return None;
                }
            }
            let window = self.window(d.window.as_ref()).ok()?;
            let mut steps = vec![SeqStep {
                names,
                pred,
                within: None,
            }];
            for t in &d.then {
                let (ev, names, pred) = self.step(&t.step, ctx)?;
                if ev != events {
                    let cat = &self.program.catalog;
                    let (this, first) = (&cat.events[ev].name, &cat.events[events].name);
                    self.err(
                        Diagnostic::error(
                            codes::SEQUENCE_SHAPE,
                            t.step.span,
                            format!("this step is in `{this}`, the first in `{first}`"),
                        )
                        .with_label(format!("an event of `{this}`"))
                        .with_secondary(d.first.span, format!("an event of `{first}`"))
                        .with_hint(format!(
                            "the steps of a sequence come from one events relation; this sequence can only use events of `{first}`"
                        )),
                    );
                    return None;
                }
                let within = match &t.within {
                    Some(w) => {
                        self.positive_duration(w)?;
                        Some(duration(w))
                    }
                    None => None,
                };
                steps.push(SeqStep {
                    names,
                    pred,
                    within,
                });
            }
            return Some(Cond::Sequence(Box::new(Sequence {
                events,
                steps,
                window,
            })));
        }
        if let Some(ast::Window {
            kind: ast::WindowKind::Periods { quant, k, n, unit },
            ..
        }) = &d.window
        {
            if let Some(f) = &d.freq {
                self.err(
                    Diagnostic::error(codes::SEQUENCE_SHAPE, f.span, "counting times and periods together")
                        .with_label("a count of times, with a count of periods after it")
                        .with_hint("choose one: `at least 3 times in last 4 weeks`, or `in at least 3 of last 4 weeks`"),
                );
                return None;
            }
            if n.value < 1 || n.value > 1000 {
                self.err(
                    Diagnostic::error(
                        codes::BAD_COUNT,
                        n.span,
                        "the number of periods must be between 1 and 1000",
                    )
                    .with_label(format!("{} periods", n.value))
                    .with_hint("for example: in at least 3 of last 4 weeks"),
                );
                return None;
            }
            if k.value < 0 || k.value > n.value {
                let periods = format!("{} {}", n.value, unit.word_for(n.value));
                let written = format!("in {} {} of last {periods}", quant.words(), k.value);
                let (message, label) = if k.value < 0 {
                    (
                        format!("`{written}` counts a negative number of periods"),
                        "a negative count".to_string(),
                    )
                } else {
                    let outcome = if *quant == ast::CountQuant::AtMost {
                        "always holds"
                    } else {
                        "can never hold"
                    };
                    (
                        format!("`{written}` {outcome}: the window has only {periods}"),
                        format!("more than the {periods} in the window"),
                    )
                };
                self.err(
                    Diagnostic::error(codes::BAD_COUNT, k.span, message)
                        .with_label(label)
                        .with_hint(format!(
                            "count between 0 and {} periods: in {} {} of last {periods}",
                            n.value,
                            quant.words(),
                            k.value.clamp(0, n.value)
                        )),
                );
                return None;
            }
            let agg = Scalar::Agg(Box::new(EventAgg {
                kind: AggKind::ActivePeriods {
                    n: n.value,
                    unit: *unit,
                },
                filter: EventFilter {
                    events,
                    names,
                    pred,
                    window: TimeWindow {
                        start: Some(TimePoint::Ago(Duration {
                            n: n.value,
                            unit: *unit,
                        })),
                        end: TimePoint::AsOf,
                    },
                },
            }));
            return Some(count_cond(agg, *quant, k.value));
        }
        let window = self.window(d.window.as_ref()).ok()?;
        let agg = Scalar::Agg(Box::new(EventAgg {
            kind: AggKind::Count,
            filter: EventFilter {
                events,
                names,
                pred,
                window,
            },
        }));
        match &d.freq {
            None => Some(Cond::Cmp(agg, CmpOp::Ge, Scalar::Lit(Lit::Int(1)))),
            Some(f) => {
                if f.n.value < 0 {
                    self.err(
                        Diagnostic::error(codes::BAD_COUNT, f.n.span, "a negative count")
                            .with_label("below 0")
                            .with_hint("counts are 0 or more: at most 0 times, at least 1 time"),
                    );
                    return None;
                }
                if f.n.value == 0 && f.quant == ast::CountQuant::AtLeast {
                    self.err(
                        Diagnostic::warning(
                            codes::ALWAYS,
                            f.span,
                            "`at least 0 times` is always true",
                        )
                        .with_label("true for everyone")
                        .with_hint("did you mean `at least 1 time`?"),
                    );
                }
                Some(count_cond(agg, f.quant, f.n.value))
            }
        }
    }

    fn stopped(&mut self, st: &ast::Stopped, ctx: &Ctx) -> Option<Cond> {
        let (events, names, pred) = self.step(&st.step, ctx)?;
        self.positive_duration(&st.for_)?;
        let d = duration(&st.for_);
        let agg = |window| {
            Scalar::Agg(Box::new(EventAgg {
                kind: AggKind::Count,
                filter: EventFilter {
                    events,
                    names: names.clone(),
                    pred: pred.clone(),
                    window,
                },
            }))
        };
        // Did it before the last D, and not within it.
        Some(Cond::And(vec![
            Cond::Cmp(
                agg(TimeWindow {
                    start: None,
                    end: TimePoint::Ago(d),
                }),
                CmpOp::Ge,
                Scalar::Lit(Lit::Int(1)),
            ),
            Cond::Cmp(
                agg(TimeWindow {
                    start: Some(TimePoint::Ago(d)),
                    end: TimePoint::AsOf,
                }),
                CmpOp::Eq,
                Scalar::Lit(Lit::Int(0)),
            ),
        ]))
    }

    fn quantified(&mut self, q: &ast::Quantified, ctx: &Ctx) -> Option<Cond> {
        let cat = &self.program.catalog;
        let here = ctx.entity;
        // Entities with references to this one.
        let mut related: Vec<(EntityId, usize)> = Vec::new();
        for (eid, e) in cat.entities.iter().enumerate() {
            for (ri, r) in e.refs.iter().enumerate() {
                if r.target == here {
                    related.push((eid, ri));
                }
            }
        }
        let matching: Vec<(EntityId, usize)> = related
            .iter()
            .copied()
            .filter(|(eid, _)| cat.entities[*eid].name == q.relation.name)
            .collect();
        let (entity, via_ref) = match matching.as_slice() {
            [one] => *one,
            [] => {
                if self.broken_refs.iter().any(|(e, _)| e == &q.relation.name) {
                    return None; // its reference was rejected where it is declared
                }
                let here_ent = &cat.entities[here];
                let here_name = here_ent.name.clone();
                let mut names: Vec<&str> = related
                    .iter()
                    .map(|(e, _)| cat.entities[*e].name.as_str())
                    .collect();
                names.dedup();
                let other = cat.entities.iter().find(|e| e.name == q.relation.name);
                let mut d = Diagnostic::error(
                    codes::UNKNOWN_RELATION,
                    q.relation.span,
                    format!(
                        "no entity called `{}` references `{here_name}`",
                        q.relation.name
                    ),
                )
                .with_label(match other {
                    Some(_) => format!("`{}` has no reference to `{here_name}`", q.relation.name),
                    None => "not an entity".to_string(),
                });
                let suggestion = if other.is_none() {
                    did_you_mean(&q.relation.name, names.iter().copied())
                } else {
                    None
                };
                d = match (suggestion, other) {
                    (Some(s), _) => d.with_hint(format!("did you mean `{s}`?")),
                    // The other entity has a column named like this one's key: it is
                    // probably the reference, undeclared.
                    (None, Some(o)) if o.column(&here_ent.key).is_some() => d.with_hint(format!(
                        "declare `{}`'s column as a reference: {} {} references {}",
                        o.name,
                        segql_syntax::fmt::ident_text(&here_ent.key),
                        here_ent.key_ty.keyword(),
                        segql_syntax::fmt::ident_text(&here_name),
                    )),
                    (None, _) if names.is_empty() => d.with_hint(format!(
                        "a quantifier counts the entities that reference this one; declare the reference on the other entity: {} {} references {}",
                        segql_syntax::fmt::ident_text(&here_ent.key),
                        here_ent.key_ty.keyword(),
                        segql_syntax::fmt::ident_text(&here_name),
                    )),
                    (None, _) => d.with_hint(format!(
                        "the entities that reference `{here_name}` are {}",
                        list_names(names.iter().copied())
                    )),
                };
                self.err(d);
                return None;
            }
            _ => {
                let here_name = cat.entities[here].name.clone();
                self.err(
                    Diagnostic::error(
                        codes::AMBIGUOUS,
                        q.relation.span,
                        format!(
                            "`{}` references `{here_name}` in more than one column",
                            q.relation.name
                        ),
                    )
                    .with_label("which reference?")
                    .with_hint("quantifiers need exactly one reference between the two entities"),
                );
                return None;
            }
        };
        let inner = Ctx {
            entity,
            score: None,
            filter: None,
        };
        self.used_entities.insert(entity);
        let cond = self.cond(&q.cond, &inner)?;
        let quant = match &q.quant {
            ast::Quant::Any => Quant::Any,
            ast::Quant::All => Quant::All,
            ast::Quant::No => Quant::No,
            ast::Quant::Count(cq, n) => {
                if n.value < 0 {
                    self.err(
                        Diagnostic::error(codes::BAD_COUNT, n.span, "a negative count")
                            .with_label("below 0")
                            .with_hint(format!(
                                "counts are 0 or more: at least 1 {} where ...",
                                q.relation.name
                            )),
                    );
                    return None;
                }
                match cq {
                    ast::CountQuant::AtLeast => Quant::AtLeast(n.value),
                    ast::CountQuant::AtMost => Quant::AtMost(n.value),
                    ast::CountQuant::Exactly => Quant::Exactly(n.value),
                }
            }
        };
        Some(Cond::Quantified {
            quant,
            entity,
            via_ref,
            cond: Box::new(cond),
        })
    }

    // -----------------------------------------------------------------------------------
    // Values
    // -----------------------------------------------------------------------------------

    pub(crate) fn value(&mut self, v: &ast::Value, ctx: &Ctx) -> Option<(Scalar, Type)> {
        use ast::ValueKind as V;
        match &v.kind {
            V::Path(p) => self.path(p, ctx),
            V::Agg(a) => {
                self.no_filter(ctx, v.span, "an aggregate")?;
                let (events, names, pred) = self.step(&a.step, ctx)?;
                if let Some(ast::Window {
                    kind: ast::WindowKind::Periods { .. },
                    span,
                }) = &a.window
                {
                    self.err(
                        Diagnostic::error(
                            codes::WRONG_PLACE,
                            *span,
                            "an aggregate's window is `in last ..`, `between ..` or `ever`",
                        )
                        .with_label("a count of periods")
                        .with_hint("`in at least K of last N weeks` belongs to `did`"),
                    );
                    return None;
                }
                let window = self.window(a.window.as_ref()).ok()?;
                let (kind, ty) = match (&a.func, &a.prop) {
                    (ast::AggFunc::Count, _) => (AggKind::Count, Type::Int),
                    (f, Some(prop)) => {
                        let col = self.property(events, prop)?;
                        match f {
                            ast::AggFunc::CountDistinct => {
                                (AggKind::CountDistinct(col.name), Type::Int)
                            }
                            ast::AggFunc::Sum | ast::AggFunc::Avg => {
                                if !numeric(col.ty) {
                                    self.err(
                                        Diagnostic::error(
                                            codes::NOT_NUMERIC,
                                            prop.span,
                                            format!(
                                                "`{}` is {}; {} needs numbers",
                                                prop.name,
                                                article(col.ty),
                                                f.keyword()
                                            ),
                                        )
                                        .with_label(article(col.ty))
                                        .with_hint(
                                            "sum and avg work on int, decimal and float properties; count distinct(..) counts the different values of any property",
                                        ),
                                    );
                                    return None;
                                }
                                if *f == ast::AggFunc::Sum {
                                    (AggKind::Sum(col.name), col.ty)
                                } else {
                                    (
                                        AggKind::Avg(col.name),
                                        if col.ty == Type::Float {
                                            Type::Float
                                        } else {
                                            Type::Decimal
                                        },
                                    )
                                }
                            }
                            ast::AggFunc::Min | ast::AggFunc::Max => {
                                if !orderable(col.ty) {
                                    self.err(
                                        Diagnostic::error(
                                            codes::NOT_ORDERABLE,
                                            prop.span,
                                            format!(
                                                "`{}` is a bool; min and max need an order",
                                                prop.name
                                            ),
                                        )
                                        .with_label("a bool")
                                        .with_hint(format!(
                                            "count the events where it is true instead: count of ... with {} = true",
                                            prop.name
                                        )),
                                    );
                                    return None;
                                }
                                if *f == ast::AggFunc::Min {
                                    (AggKind::Min(col.name), col.ty)
                                } else {
                                    (AggKind::Max(col.name), col.ty)
                                }
                            }
                            ast::AggFunc::Count => unreachable!(),
                        }
                    }
                    (_, None) => return None,
                };
                Some((
                    Scalar::Agg(Box::new(EventAgg {
                        kind,
                        filter: EventFilter {
                            events,
                            names,
                            pred,
                            window,
                        },
                    })),
                    ty,
                ))
            }
            V::TimeOf(t) => {
                self.no_filter(ctx, v.span, "`first time of` / `last time of`")?;
                let (events, names, pred) = self.step(&t.step, ctx)?;
                let kind = match t.which {
                    ast::FirstLast::First => AggKind::First,
                    ast::FirstLast::Last => AggKind::Last,
                };
                Some((
                    Scalar::Agg(Box::new(EventAgg {
                        kind,
                        filter: EventFilter {
                            events,
                            names,
                            pred,
                            window: TimeWindow::EVER,
                        },
                    })),
                    Type::Timestamp,
                ))
            }
            V::Ntile(k, inner) => {
                self.no_filter(ctx, v.span, "`ntile`")?;
                if k.value < 1 || k.value > 1000 {
                    self.err(
                        Diagnostic::error(
                            codes::BAD_COUNT,
                            k.span,
                            "ntile needs between 1 and 1000 buckets",
                        )
                        .with_label(format!("{} buckets", k.value))
                        .with_hint("ntile(5) makes quintiles, ntile(10) deciles"),
                    );
                    return None;
                }
                let (value, ty) = self.value(inner, ctx)?;
                if !orderable(ty) {
                    self.err(
                        Diagnostic::error(
                            codes::NOT_ORDERABLE,
                            inner.span,
                            format!("`{}` is a bool and cannot be ranked", value_text(inner)),
                        )
                        .with_label("a bool")
                        .with_hint("ntile ranks numbers, dates, timestamps or strings; test a bool with = true"),
                    );
                    return None;
                }
                Some((
                    Scalar::Ntile {
                        k: k.value,
                        value: Box::new(value),
                    },
                    Type::Int,
                ))
            }
            V::Score(sb) => {
                self.no_filter(ctx, v.span, "a score")?;
                self.score_block(sb, ctx)
            }
        }
    }

    fn property(&mut self, events: EventsId, prop: &ast::Ident) -> Option<Column> {
        let ev = &self.program.catalog.events[events];
        if let Some(c) = ev.property(&prop.name) {
            return Some(c.clone());
        }
        if prop.name == ev.time {
            return Some(Column {
                name: ev.time.clone(),
                ty: Type::Timestamp,
            });
        }
        let names: Vec<&str> = ev.properties.iter().map(|c| c.name.as_str()).collect();
        let mut d = Diagnostic::error(
            codes::UNKNOWN_PROPERTY,
            prop.span,
            format!("`{}` is not a property of `{}`", prop.name, ev.name),
        )
        .with_label("unknown property");
        let entity = &self.program.catalog.entities[ev.entity];
        d = match did_you_mean(&prop.name, names.iter().copied()) {
            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
            None if entity.column(&prop.name).is_some() => d.with_hint(format!(
                "`{}` is a column of `{}`, not of its events: test it outside the `with` filter",
                prop.name, entity.name
            )),
            None => d.with_hint(format!(
                "the properties of `{}` are {}; declare others in its `properties` block",
                ev.name,
                list_names(names.iter().copied())
            )),
        };
        self.err(d);
        None
    }

    fn path(&mut self, p: &ast::Path, ctx: &Ctx) -> Option<(Scalar, Type)> {
        if let Some(events) = ctx.filter {
            if p.parts.len() != 1 {
                self.err(
                    Diagnostic::error(
                        codes::UNKNOWN_PROPERTY,
                        p.span,
                        "a `with` filter tests the event's own properties",
                    )
                    .with_label("not a property of the event")
                    .with_hint("name a property of the event, without a dot; test the entity's columns outside the filter"),
                );
                return None;
            }
            let col = self.property(events, &p.parts[0])?;
            return Some((
                Scalar::Column(ColRef {
                    owner: ColumnOwner::Event,
                    name: col.name,
                    ty: col.ty,
                }),
                col.ty,
            ));
        }
        let ent = self.program.catalog.entities[ctx.entity].clone();
        let first = &p.parts[0];
        if p.parts.len() == 1 {
            if first.name == "score" {
                if let Some(s) = &ctx.score {
                    let ty = match s {
                        Scalar::Score(rules)
                            if rules.iter().any(|(w, _)| w.ty() == Type::Decimal) =>
                        {
                            Type::Decimal
                        }
                        _ => Type::Int,
                    };
                    return Some((s.clone(), ty));
                }
            }
            if let Some(c) = ent.column(&first.name) {
                return Some((
                    Scalar::Column(ColRef {
                        owner: ColumnOwner::Entity,
                        name: c.name.clone(),
                        ty: c.ty,
                    }),
                    c.ty,
                ));
            }
            if self.trait_asts.contains_key(&first.name) {
                self.used_traits.insert(first.name.clone());
                let id = self.trait_by_name(&first.name, Some(first.span))?;
                let t = self.program.traits[id].clone();
                if t.entity != ctx.entity {
                    let cat = &self.program.catalog;
                    self.err(
                        Diagnostic::error(
                            codes::ENTITY_MISMATCH,
                            first.span,
                            format!(
                                "`{}` is a trait of {}, not of {}",
                                first.name, cat.entities[t.entity].name, ent.name
                            ),
                        )
                        .with_label(format!("a trait of {}", cat.entities[t.entity].name))
                        .with_hint(format!(
                            "a segment of {} can use only traits of {}",
                            ent.name, ent.name
                        )),
                    );
                    return None;
                }
                return Some((t.value, t.ty));
            }
            if self
                .broken_refs
                .contains(&(ent.name.clone(), first.name.clone()))
            {
                return None; // the reference was rejected where it is declared
            }
            let mut d = Diagnostic::error(
                codes::UNKNOWN_NAME,
                first.span,
                format!(
                    "`{}` is not a column of `{}` or a trait",
                    first.name, ent.name
                ),
            )
            .with_label("unknown name");
            let holder = self
                .program
                .catalog
                .events
                .iter()
                .find(|e| e.entity == ctx.entity && e.property(&first.name).is_some());
            if ent.refs.iter().any(|r| r.nav == first.name) {
                d = d.with_hint(format!(
                    "`{}` is a related entity; name one of its columns: {}.COLUMN",
                    first.name, first.name
                ));
            } else if first.name == "score" {
                d = d
                    .with_hint("`score` is defined by a `score { ... }` block in the same segment");
            } else if self.segment_asts.contains_key(&first.name) {
                d = d.with_hint(format!(
                    "`{}` is a segment; test membership with `in {}`",
                    first.name, first.name
                ));
            } else if let Some(ev) = holder {
                d = d.with_hint(format!(
                    "`{}` is a property of the events in `{}`; test it in a filter: did \"...\" with {} ...",
                    first.name, ev.name, first.name
                ));
            } else {
                let mut cands: Vec<&str> = ent.columns.iter().map(|c| c.name.as_str()).collect();
                let mut traits: Vec<&str> = self.trait_asts.keys().map(|s| s.as_str()).collect();
                traits.sort();
                cands.extend(traits);
                d = match did_you_mean(&first.name, cands.iter().copied()) {
                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                    None => d.with_hint(format!(
                        "the columns of `{}` are {}",
                        ent.name,
                        list_names(ent.columns.iter().map(|c| c.name.as_str()))
                    )),
                };
            }
            self.err(d);
            return None;
        }
        if p.parts.len() > 2 {
            self.err(
                Diagnostic::error(
                    codes::UNKNOWN_NAME,
                    p.span,
                    "names go at most one reference deep",
                )
                .with_label("more than one reference deep")
                .with_hint("write REFERENCE.COLUMN, as in account.industry"),
            );
            return None;
        }
        let Some(ri) = ent.refs.iter().position(|r| r.nav == first.name) else {
            if self
                .broken_refs
                .contains(&(ent.name.clone(), first.name.clone()))
                || self
                    .broken_refs
                    .contains(&(ent.name.clone(), String::new()))
            {
                return None; // the reference was rejected where it is declared
            }
            let navs: Vec<&str> = ent.refs.iter().map(|r| r.nav.as_str()).collect();
            let mut d = Diagnostic::error(
                codes::UNKNOWN_RELATION,
                first.span,
                format!("`{}` has no reference called `{}`", ent.name, first.name),
            )
            .with_label(format!("not a reference of `{}`", ent.name));
            let cat = &self.program.catalog;
            let entity_named = cat.entities.iter().find(|e| e.name == first.name);
            let events_named = cat.events.iter().any(|e| e.name == first.name);
            d = match (did_you_mean(&first.name, navs.iter().copied()), entity_named) {
                (Some(s), _) => d.with_hint(format!("did you mean `{s}`?")),
                (None, Some(t)) => {
                    d.with_hint(format!(
                        "`{}` is an entity, but `{}` does not reference it; declare a reference on a column of `{}`: {} {} references {}",
                        t.name,
                        ent.name,
                        ent.name,
                        segql_syntax::fmt::ident_text(&t.key),
                        t.key_ty.keyword(),
                        segql_syntax::fmt::ident_text(&t.name),
                    ))
                }
                (None, None) if events_named => d.with_hint(format!(
                    "`{}` is an events relation; test its properties in a filter: did \"...\" with {} ...",
                    first.name, second_name(p)
                )),
                (None, None) if navs.is_empty() => d.with_hint(format!(
                    "declare one on a column of `{}`: account_id string references account",
                    ent.name
                )),
                (None, None) => d.with_hint(format!(
                    "its references are {}",
                    list_names(navs.iter().copied())
                )),
            };
            self.err(d);
            return None;
        };
        let target = &self.program.catalog.entities[ent.refs[ri].target];
        let second = &p.parts[1];
        match target.column(&second.name) {
            Some(c) => Some((
                Scalar::Column(ColRef {
                    owner: ColumnOwner::Ref(ri),
                    name: c.name.clone(),
                    ty: c.ty,
                }),
                c.ty,
            )),
            None => {
                let names: Vec<&str> = target.columns.iter().map(|c| c.name.as_str()).collect();
                let mut d = Diagnostic::error(
                    codes::UNKNOWN_COLUMN,
                    second.span,
                    format!("`{}` is not a column of `{}`", second.name, target.name),
                )
                .with_label(format!("not a column of `{}`", target.name));
                d = match did_you_mean(&second.name, names.iter().copied()) {
                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                    None => d.with_hint(format!(
                        "its columns are {}",
                        list_names(names.iter().copied())
                    )),
                };
                if self.trait_asts.contains_key(&second.name) {
                    d = d.with_hint("traits of related entities cannot be used yet; use the trait in a segment of that entity");
                }
                self.err(d);
                None
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // Reports, splits, priority lists, tests, asserts
    // -----------------------------------------------------------------------------------

    fn same_entity_segments(
        &mut self,
        names: &[ast::Ident],
        what: &str,
    ) -> Option<(EntityId, Vec<SegmentId>)> {
        let mut ids = Vec::new();
        let mut entity: Option<(EntityId, &ast::Ident)> = None;
        let mut ok = true;
        for n in names {
            let Some(id) = self.segment_ref(n, None, false) else {
                ok = false;
                continue;
            };
            let e = self.program.segments[id].entity;
            match entity {
                None => entity = Some((e, n)),
                Some((first, first_name)) if first != e => {
                    let cat = &self.program.catalog;
                    self.err(
                        Diagnostic::error(
                            codes::ENTITY_MISMATCH,
                            n.span,
                            format!(
                                "`{}` is of {}, but `{}` is of {}",
                                n.name,
                                cat.entities[e].name,
                                first_name.name,
                                cat.entities[first].name
                            ),
                        )
                        .with_label(format!("of {}", cat.entities[e].name))
                        .with_secondary(first_name.span, format!("of {}", cat.entities[first].name))
                        .with_hint(format!(
                            "the segments of one {what} are all of one entity; list the segments of {} in another {what}",
                            cat.entities[e].name
                        )),
                    );
                    ok = false;
                }
                _ => {}
            }
            if ids.contains(&id) {
                let first = names
                    .iter()
                    .find(|m| m.name == n.name)
                    .map_or(n.span, |m| m.span);
                self.err(
                    Diagnostic::error(
                        codes::DUPLICATE_NAME,
                        n.span,
                        format!("`{}` is listed twice", n.name),
                    )
                    .with_label("listed again here")
                    .with_secondary(first, "first listed here")
                    .with_hint("list each segment once"),
                );
                ok = false;
            }
            ids.push(id);
        }
        if !ok {
            return None;
        }
        Some((entity?.0, ids))
    }

    fn report(&mut self, r: &ast::Report, _span: Span) {
        if r.segments.is_empty() {
            self.err(
                Diagnostic::error(
                    codes::BAD_COUNT,
                    r.name.span,
                    format!("report `{}` lists no segments", r.name.name),
                )
                .with_label("no segments")
                .with_hint("a report has a row per segment: segments [paying, trial_idle]"),
            );
            return;
        }
        let Some((entity, segments)) = self.same_entity_segments(&r.segments, "report") else {
            return;
        };
        let ctx = Ctx {
            entity,
            score: None,
            filter: None,
        };
        let mut metrics = Vec::new();
        let mut names: HashMap<&str, Span> = HashMap::new();
        let mut ok = true;
        for m in &r.metrics {
            if let Some(first) = names.get(m.name.name.as_str()) {
                self.err(
                    Diagnostic::error(
                        codes::DUPLICATE_NAME,
                        m.name.span,
                        format!("metric `{}` is defined twice", m.name.name),
                    )
                    .with_label("defined again here")
                    .with_secondary(*first, "first defined here")
                    .with_hint("give each metric its own name"),
                );
                ok = false;
                continue;
            }
            names.insert(&m.name.name, m.name.span);
            let kind = match &m.expr {
                ast::MetricExpr::Count(None) => Some(MetricKind::Count(None)),
                ast::MetricExpr::Count(Some(c)) => {
                    self.cond(c, &ctx).map(|c| MetricKind::Count(Some(c)))
                }
                ast::MetricExpr::Share(c) => self.cond(c, &ctx).map(MetricKind::Share),
                ast::MetricExpr::Agg(f, v) => self.value(v, &ctx).and_then(|(s, ty)| {
                    let needs_number = matches!(f, ast::AggFunc::Avg | ast::AggFunc::Sum);
                    if (needs_number && !numeric(ty)) || !orderable(ty) {
                        let needs = if needs_number { "numbers" } else { "values with an order" };
                        self.err(
                            Diagnostic::error(
                                codes::NOT_NUMERIC,
                                v.span,
                                format!(
                                    "`{}` is {}; {} needs {needs}",
                                    value_text(v),
                                    article(ty),
                                    f.keyword()
                                ),
                            )
                            .with_label(article(ty))
                            .with_hint(if needs_number {
                                "sum and avg take an int, decimal or float value; for other values, count the members with `count where ...`"
                            } else {
                                "min and max take a value with an order; for a bool, count the members with `count where ... = true`"
                            }),
                        );
                        return None;
                    }
                    Some(match f {
                        ast::AggFunc::Avg => MetricKind::Avg(s),
                        ast::AggFunc::Sum => MetricKind::Sum(s),
                        ast::AggFunc::Min => MetricKind::Min(s),
                        _ => MetricKind::Max(s),
                    })
                }),
            };
            match kind {
                Some(kind) => metrics.push(MetricDef {
                    name: m.name.name.clone(),
                    kind,
                }),
                None => ok = false,
            }
        }
        if ok {
            self.program.reports.push(ReportDef {
                name: r.name.name.clone(),
                entity,
                description: r.meta.description.as_ref().map(|d| d.value.clone()),
                segments,
                metrics,
                span: r.name.span,
            });
        }
    }

    fn split(&mut self, s: &ast::Split, _span: Span) {
        let Some(segment) = self.segment_ref(&s.segment, None, false) else {
            return;
        };
        if s.salt.value.is_empty() {
            self.err(
                Diagnostic::error(codes::BAD_SPLIT, s.salt.span, "the salt is empty")
                    .with_label("an empty salt")
                    .with_hint("a salt makes this split's groups independent of other splits: salt \"onboarding-2024\""),
            );
            return;
        }
        if s.groups.is_empty() {
            self.err(
                Diagnostic::error(
                    codes::BAD_SPLIT,
                    s.name.span,
                    format!("split `{}` has no groups", s.name.name),
                )
                .with_label("no groups")
                .with_hint("group control 50%\n  group variant 50%"),
            );
            return;
        }
        let mut groups = Vec::new();
        let mut total: u64 = 0;
        let mut names: HashMap<&str, Span> = HashMap::new();
        for g in &s.groups {
            if let Some(first) = names.get(g.name.name.as_str()) {
                self.err(
                    Diagnostic::error(
                        codes::DUPLICATE_NAME,
                        g.name.span,
                        format!("group `{}` is listed twice", g.name.name),
                    )
                    .with_label("listed again here")
                    .with_secondary(*first, "first listed here")
                    .with_hint("give each group its own name"),
                );
                return;
            }
            names.insert(&g.name.name, g.name.span);
            let bp = match &g.percent.kind {
                LitKind::Int(v) if *v > 0 && *v <= 100 => Some(*v as u64 * 100),
                LitKind::Decimal(d) if !d.starts_with('-') => {
                    let (int, frac) = d.split_once('.').unwrap_or((d, ""));
                    if frac.len() > 2 {
                        None
                    } else {
                        let frac = format!("{frac:0<2}");
                        int.parse::<u64>()
                            .ok()
                            .and_then(|i| frac.parse::<u64>().ok().map(|f| i * 100 + f))
                    }
                    .filter(|v| *v > 0 && *v <= 10_000)
                }
                _ => None,
            };
            let Some(bp) = bp else {
                let text = segql_syntax::fmt::literal_text(&g.percent.kind);
                let decimals = text.split_once('.').map_or(0, |(_, f)| f.len());
                let (message, label) = if decimals > 2 {
                    (
                        "a group's share has at most two decimals".to_string(),
                        format!("{decimals} decimals"),
                    )
                } else {
                    (
                        "a group's share is a percentage above 0 and at most 100".to_string(),
                        "out of range".to_string(),
                    )
                };
                self.err(
                    Diagnostic::error(codes::BAD_SPLIT, g.percent.span, message)
                        .with_label(label)
                        .with_hint("shares go to 0.01%, and the groups add up to 100%: group a 33.33%  group b 33.33%  group c 33.34%"),
                );
                return;
            };
            total += bp;
            groups.push((g.name.name.clone(), bp as u32));
        }
        if total != 10_000 {
            let shown = format!("{}.{:02}", total / 100, total % 100);
            let shown = shown
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string();
            self.err(
                Diagnostic::error(
                    codes::BAD_SPLIT,
                    s.name.span,
                    format!(
                        "the groups of `{}` add up to {shown}%, not 100%",
                        s.name.name
                    ),
                )
                .with_label(format!("{shown}% in all"))
                .with_hint(
                    "every member lands in exactly one group: make the shares add up to 100%",
                ),
            );
            return;
        }
        self.split_names
            .insert(s.name.name.clone(), self.program.splits.len());
        self.program.splits.push(SplitDef {
            name: s.name.name.clone(),
            segment,
            salt: s.salt.value.clone(),
            groups,
            span: s.name.span,
        });
    }

    fn priority(&mut self, p: &ast::Priority, _span: Span) {
        if p.segments.is_empty() {
            self.err(
                Diagnostic::error(
                    codes::BAD_COUNT,
                    p.name.span,
                    format!("priority list `{}` lists no segments", p.name.name),
                )
                .with_label("no segments")
                .with_hint("list segments in order of priority: segments [champions, at_risk]"),
            );
            return;
        }
        let Some((entity, segments)) = self.same_entity_segments(&p.segments, "priority list")
        else {
            return;
        };
        self.priority_names
            .insert(p.name.name.clone(), self.program.priorities.len());
        self.program.priorities.push(PriorityDef {
            name: p.name.name.clone(),
            entity,
            segments,
            span: p.name.span,
        });
    }

    fn relation_columns(&self, rel: &Relation) -> (String, Vec<Column>, Vec<String>) {
        // (name, columns, required columns)
        let cat = &self.program.catalog;
        match rel {
            Relation::Entity(e) => {
                let e = &cat.entities[*e];
                (e.name.clone(), e.columns.clone(), vec![e.key.clone()])
            }
            Relation::Events(i) => {
                let ev = &cat.events[*i];
                let key_ty = cat.entities[ev.entity].key_ty;
                let mut cols = vec![
                    Column {
                        name: ev.key.clone(),
                        ty: key_ty,
                    },
                    Column {
                        name: ev.time.clone(),
                        ty: Type::Timestamp,
                    },
                ];
                let mut required = vec![ev.key.clone(), ev.time.clone()];
                if let EventSource::Column(c) = &ev.source {
                    cols.push(Column {
                        name: c.clone(),
                        ty: Type::String,
                    });
                    required.push(c.clone());
                }
                cols.extend(ev.properties.iter().cloned());
                (ev.name.clone(), cols, required)
            }
        }
    }

    fn test(&mut self, t: &ast::Test, _span: Span) {
        let as_of = match t.as_of.kind {
            LitKind::Date(d) => day_start(d),
            LitKind::Timestamp(ts) => ts,
            _ => return,
        };
        let mut ok = true;
        let mut givens = Vec::new();
        for g in &t.givens {
            let relation = if let Some(&e) = self.entity_ids.get(&g.relation.name) {
                Relation::Entity(e)
            } else if let Some(&i) = self.events_ids.get(&g.relation.name) {
                Relation::Events(i)
            } else {
                ok = false;
                if self.broken_events.contains(&g.relation.name) {
                    continue; // already reported where it is declared
                }
                let mut cands: Vec<&str> = self.entity_ids.keys().map(|s| s.as_str()).collect();
                cands.extend(self.events_ids.keys().map(|s| s.as_str()));
                cands.sort();
                let mut d = Diagnostic::error(
                    codes::BAD_TEST,
                    g.relation.span,
                    format!("`{}` is not an entity or events relation", g.relation.name),
                )
                .with_label("rows for an unknown relation");
                d = match did_you_mean(&g.relation.name, cands.iter().copied()) {
                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                    None => d.with_hint(format!(
                        "rows are given for {}",
                        list_names(cands.iter().copied())
                    )),
                };
                self.err(d);
                continue;
            };
            let source = match &g.source {
                ast::GivenSource::File(f) => GivenSourceDef::File(f.value.clone()),
                ast::GivenSource::Rows(table) => {
                    let (rel_name, cols, required) = self.relation_columns(&relation);
                    // The type of each column of the table; `None` for an unknown one
                    // (reported once, its cells not checked).
                    let mut types: Vec<Option<Type>> = Vec::new();
                    for c in &table.columns {
                        match cols.iter().find(|x| x.name == c.name) {
                            Some(col) => types.push(Some(col.ty)),
                            None => {
                                let names: Vec<&str> =
                                    cols.iter().map(|c| c.name.as_str()).collect();
                                let mut d = Diagnostic::error(
                                    codes::BAD_TEST,
                                    c.span,
                                    format!("`{}` is not a column of `{rel_name}`", c.name),
                                )
                                .with_label(format!("not a column of `{rel_name}`"));
                                d = match did_you_mean(&c.name, names.iter().copied()) {
                                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                                    None => d.with_hint(format!(
                                        "its columns are {}",
                                        list_names(names.iter().copied())
                                    )),
                                };
                                self.err(d);
                                ok = false;
                                types.push(None);
                            }
                        }
                    }
                    let missing: Vec<&String> = required
                        .iter()
                        .filter(|r| !table.columns.iter().any(|c| &c.name == *r))
                        .collect();
                    if !missing.is_empty() {
                        let header = match (table.columns.first(), table.columns.last()) {
                            (Some(a), Some(b)) => a.span.to(b.span),
                            _ => table.span,
                        };
                        let names = list_names(missing.iter().map(|r| r.as_str()));
                        let cells: Vec<String> =
                            missing.iter().map(|r| format!("| {r} ")).collect();
                        self.err(
                            Diagnostic::error(
                                codes::BAD_TEST,
                                header,
                                if missing.len() == 1 {
                                    format!("rows of `{rel_name}` need a {names} column")
                                } else {
                                    format!("rows of `{rel_name}` need the columns {names}")
                                },
                            )
                            .with_label(format!("no {names} in this header"))
                            .with_hint(format!("add {}| to the header", cells.concat())),
                        );
                        ok = false;
                    }
                    let mut rows = Vec::new();
                    // Per column: the first cell that does not fit, and how many do not.
                    let mut misfits: Vec<Option<(usize, Span, Type, String)>> =
                        vec![None; types.len()];
                    for row in &table.rows {
                        let mut out = Vec::new();
                        for (i, (cell, ty)) in row.iter().zip(&types).enumerate() {
                            match lit(&cell.kind) {
                                None => out.push(None),
                                Some(l) => {
                                    if let Some(ty) = *ty {
                                        let fits = comparable(ty, l.ty())
                                            && !(ty == Type::Int && l.ty() != Type::Int);
                                        if !fits {
                                            let text = segql_syntax::fmt::literal_text(&cell.kind);
                                            match &mut misfits[i] {
                                                Some((n, ..)) => *n += 1,
                                                slot => *slot = Some((1, cell.span, l.ty(), text)),
                                            }
                                        }
                                    }
                                    out.push(Some(l));
                                }
                            }
                        }
                        rows.push(out);
                    }
                    for (i, misfit) in misfits.into_iter().enumerate() {
                        let (Some((n, span, lty, text)), Some(ty)) = (misfit, types[i]) else {
                            continue;
                        };
                        let col = &table.columns[i].name;
                        let more = if n > 1 {
                            format!(" ({} more cells of this column do not fit either)", n - 1)
                        } else {
                            String::new()
                        };
                        let unquoted = text.trim_matches('"');
                        let hint = if lty == Type::String
                            && ((ty == Type::Int && unquoted.parse::<i64>().is_ok())
                                || (numeric(ty) && unquoted.parse::<f64>().is_ok()))
                        {
                            format!("write the number without quotes: {unquoted}; write null for a missing value")
                        } else {
                            format!(
                                "write {} here, as in {}, or null for a missing value",
                                article(ty),
                                example(ty)
                            )
                        };
                        self.err(
                            Diagnostic::error(
                                codes::BAD_TEST,
                                span,
                                format!(
                                    "`{col}` is {}, but `{text}` is {}{more}",
                                    article(ty),
                                    article(lty)
                                ),
                            )
                            .with_label(article(lty))
                            .with_secondary(table.columns[i].span, article(ty))
                            .with_hint(hint),
                        );
                        ok = false;
                    }
                    GivenSourceDef::Rows {
                        columns: table.columns.iter().map(|c| c.name.clone()).collect(),
                        rows,
                    }
                }
            };
            givens.push(GivenDef {
                relation,
                source,
                span: g.span,
            });
        }
        let mut expects = Vec::new();
        for e in &t.expects {
            let Some((target, entity)) = self.target(&e.target) else {
                ok = false;
                continue;
            };
            let key_ty = self.program.catalog.entities[entity].key_ty;
            let mut members = Vec::new();
            for m in &e.members {
                let Some(l) = lit(&m.kind) else { continue };
                if !(l.ty() == key_ty || (key_ty == Type::Int && l.ty() == Type::Int)) {
                    self.err(
                        Diagnostic::error(
                            codes::BAD_TEST,
                            m.span,
                            format!(
                                "keys of `{}` are {}s, but `{}` is {}",
                                self.program.catalog.entities[entity].name,
                                key_ty.keyword(),
                                segql_syntax::fmt::literal_text(&m.kind),
                                article(l.ty())
                            ),
                        )
                        .with_label(article(l.ty()))
                        .with_hint(if key_ty == Type::String {
                            "write keys in quotes: [\"u1\", \"u2\"]"
                        } else {
                            "write integer keys without quotes: [1, 2]"
                        }),
                    );
                    ok = false;
                    continue;
                }
                members.push(l);
            }
            expects.push(ExpectDef {
                target,
                members,
                span: e.span,
            });
        }
        if ok {
            self.program.tests.push(TestDef {
                name: t.name.name.clone(),
                description: t.description.as_ref().map(|d| d.value.clone()),
                as_of,
                givens,
                expects,
                span: t.name.span,
            });
        }
    }

    /// What `expect` names: a segment, `split.group` or `priority.segment`.
    fn target(&mut self, p: &ast::Path) -> Option<(Target, EntityId)> {
        let first = &p.parts[0];
        if p.parts.len() == 1 {
            let id = self.segment_ref(first, None, false)?;
            return Some((Target::Segment(id), self.program.segments[id].entity));
        }
        let second = &p.parts[1];
        if p.parts.len() == 2 {
            if let Some(&si) = self.split_names.get(&first.name) {
                let split = &self.program.splits[si];
                if split.groups.iter().any(|(g, _)| g == &second.name) {
                    let entity = self.program.segments[split.segment].entity;
                    return Some((Target::SplitGroup(si, second.name.clone()), entity));
                }
                let groups: Vec<&str> = split.groups.iter().map(|(g, _)| g.as_str()).collect();
                let d = Diagnostic::error(
                    codes::BAD_TEST,
                    second.span,
                    format!("split `{}` has no group `{}`", first.name, second.name),
                )
                .with_label(format!("not a group of `{}`", first.name))
                .with_hint(
                    match did_you_mean(&second.name, groups.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("its groups are {}", list_names(groups.iter().copied())),
                    },
                );
                self.err(d);
                return None;
            }
            if let Some(&pi) = self.priority_names.get(&first.name) {
                let pr = self.program.priorities[pi].clone();
                if let Some(&sid) = pr
                    .segments
                    .iter()
                    .find(|&&s| self.program.segments[s].name == second.name)
                {
                    return Some((Target::PriorityStage(pi, sid), pr.entity));
                }
                let listed: Vec<&str> = pr
                    .segments
                    .iter()
                    .map(|&s| self.program.segments[s].name.as_str())
                    .collect();
                let d = Diagnostic::error(
                    codes::BAD_TEST,
                    second.span,
                    format!(
                        "priority list `{}` does not list `{}`",
                        first.name, second.name
                    ),
                )
                .with_label(format!("not in `{}`", first.name))
                .with_hint(
                    match did_you_mean(&second.name, listed.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("it lists {}", list_names(listed.iter().copied())),
                    },
                );
                self.err(d);
                return None;
            }
        }
        if matches!(
            self.declared_lists.get(&first.name),
            Some(&"split" | &"priority list")
        ) {
            return None; // the split or priority list was rejected where it is declared
        }
        let mut lists: Vec<&str> = self
            .split_names
            .keys()
            .chain(self.priority_names.keys())
            .map(|s| s.as_str())
            .collect();
        lists.sort();
        self.err(
            Diagnostic::error(
                codes::BAD_TEST,
                p.span,
                format!("`{}` is not a split or a priority list", first.name),
            )
            .with_label(if p.parts.len() == 2 {
                format!("no split or priority list `{}`", first.name)
            } else {
                "at most one dot".to_string()
            })
            .with_hint(match did_you_mean(&first.name, lists.iter().copied()) {
                Some(s) if p.parts.len() == 2 => format!("did you mean `{s}`?"),
                _ => "expect SEGMENT = [...], SPLIT.GROUP = [...] or PRIORITY.SEGMENT = [...]"
                    .to_string(),
            }),
        );
        None
    }

    fn assert(&mut self, a: &ast::Assert, span: Span) {
        let Some(segment) = self.segment_ref(&a.target, None, false) else {
            return;
        };
        let entity = self.program.segments[segment].entity;
        let mut checks = Vec::new();
        let mut ok = true;
        for c in &a.checks {
            match &c.kind {
                ast::CheckKind::Size(p) => {
                    let int = |o: &ast::Operand| match o {
                        ast::Operand::Lit(ast::Literal {
                            kind: LitKind::Int(v),
                            ..
                        }) if *v >= 0 => Some(*v),
                        _ => None,
                    };
                    let parts = match p {
                        ast::Pred::Cmp(op, o) => int(o).map(|n| vec![(*op, n)]),
                        ast::Pred::Between(lo, hi) => match (int(lo), int(hi)) {
                            (Some(l), Some(h)) if l <= h => {
                                Some(vec![(CmpOp::Ge, l), (CmpOp::Le, h)])
                            }
                            _ => None,
                        },
                        _ => None,
                    };
                    match parts {
                        Some(parts) => checks.push(AssertCheck::Size(parts, c.span)),
                        None => {
                            let backwards = match p {
                                ast::Pred::Between(lo, hi) => match (int(lo), int(hi)) {
                                    (Some(l), Some(h)) if l > h => Some((l, h)),
                                    _ => None,
                                },
                                _ => None,
                            };
                            let d = if let Some((l, h)) = backwards {
                                Diagnostic::error(
                                    codes::BAD_RANGE,
                                    c.span,
                                    "this range starts after it ends",
                                )
                                .with_label(format!("{l} is more than {h}"))
                                .with_hint(format!(
                                    "write the smaller bound first: size between {h} and {l}"
                                ))
                            } else {
                                Diagnostic::error(
                                    codes::BAD_TEST,
                                    c.span,
                                    "a size is compared with whole numbers",
                                )
                                .with_label("not a comparison with a whole number")
                                .with_hint("size >= 100, size between 100 and 5000")
                            };
                            self.err(d);
                            ok = false;
                        }
                    }
                }
                ast::CheckKind::DisjointWith(o) | ast::CheckKind::SubsetOf(o) => {
                    let Some(other) = self.segment_ref(o, Some(entity), false) else {
                        ok = false;
                        continue;
                    };
                    checks.push(if matches!(c.kind, ast::CheckKind::DisjointWith(_)) {
                        AssertCheck::DisjointWith(other, c.span)
                    } else {
                        AssertCheck::SubsetOf(other, c.span)
                    });
                }
            }
        }
        if ok {
            self.program.asserts.push(AssertDef {
                segment,
                checks,
                span,
            });
        }
    }

    // -----------------------------------------------------------------------------------
    // Warnings
    // -----------------------------------------------------------------------------------

    fn unused(&mut self, items: &[&'a ast::Item]) {
        for item in items {
            match &item.kind {
                ast::ItemKind::Trait(t) if !self.used_traits.contains(&t.name.name) => {
                    self.err(
                        Diagnostic::warning(
                            codes::UNUSED,
                            t.name.span,
                            format!("trait `{}` is never used", t.name.name),
                        )
                        .with_label("declared here, used nowhere")
                        .with_hint("use it in a segment or a report, or remove it"),
                    );
                }
                ast::ItemKind::Events(ev) => {
                    let name = ev
                        .name
                        .as_ref()
                        .map(|n| n.name.as_str())
                        .unwrap_or("events");
                    if let Some(&id) = self.events_ids.get(name) {
                        if !self.used_events.contains(&id) {
                            let span = ev.name.as_ref().map(|n| n.span).unwrap_or(ev.entity.span);
                            self.err(
                                Diagnostic::warning(
                                    codes::UNUSED,
                                    span,
                                    format!("events relation `{name}` is never used"),
                                )
                                .with_label("declared here, used nowhere")
                                .with_hint("no segment or trait reads these events"),
                            );
                        }
                    }
                }
                ast::ItemKind::Entity(e) => {
                    if let Some(&id) = self.entity_ids.get(&e.name.name) {
                        let has_events =
                            self.program.catalog.events.iter().any(|ev| ev.entity == id);
                        if !self.used_entities.contains(&id) && !has_events {
                            self.err(
                                Diagnostic::warning(
                                    codes::UNUSED,
                                    e.name.span,
                                    format!("entity `{}` is never used", e.name.name),
                                )
                                .with_label("declared here, used nowhere")
                                .with_hint("no segment, trait or reference uses it"),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        let _ = cond_text;
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
