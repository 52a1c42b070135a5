//! What the site is made of: every documented item of a checked project, found by
//! pairing each declaration of the parsed files with its checked form in the IR.

use segql_plan::ir::{EntityId, Program};
use segql_syntax::ast::{self, ItemKind};
use segql_syntax::{SourceMap, Span};
use std::path::Path;

/// The kinds of item that get a page, in the order the index lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Segment,
    Trait,
    Action,
    Report,
    Split,
    Priority,
    Entity,
    Events,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Segment,
        Kind::Trait,
        Kind::Action,
        Kind::Report,
        Kind::Split,
        Kind::Priority,
        Kind::Entity,
        Kind::Events,
    ];

    /// The keyword, also the directory of its pages.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Segment => "segment",
            Kind::Trait => "trait",
            Kind::Action => "action",
            Kind::Report => "report",
            Kind::Split => "split",
            Kind::Priority => "priority",
            Kind::Entity => "entity",
            Kind::Events => "events",
        }
    }

    /// How a person calls it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Segment => "segment",
            Kind::Trait => "trait",
            Kind::Action => "action",
            Kind::Report => "report",
            Kind::Split => "split",
            Kind::Priority => "priority list",
            Kind::Entity => "entity",
            Kind::Events => "events",
        }
    }

    pub fn plural_label(self) -> &'static str {
        match self {
            Kind::Segment => "segments",
            Kind::Trait => "traits",
            Kind::Action => "actions",
            Kind::Report => "reports",
            Kind::Split => "splits",
            Kind::Priority => "priority lists",
            Kind::Entity => "entities",
            Kind::Events => "events relations",
        }
    }
}

/// One documented declaration.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    pub kind: Kind,
    /// Its index in the IR's list of its kind (`Program::segments`, `Catalog::events`, ...).
    pub index: usize,
    /// As shown: the declared name; for an events relation, `NAME of ENTITY`.
    pub name: String,
    /// The entity it is of (for an entity, itself).
    pub entity: Option<EntityId>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    /// The declaration as parsed.
    pub ast: &'a ast::Item,
    /// The comments of its file (the formatter puts back those inside it).
    pub comments: &'a [ast::Comment],
    /// `file:line:col` of the declaration.
    pub location: String,
    /// The file it is declared in, as shown.
    pub file: String,
    /// Its page, relative to the site's root: `segment/paying.html`.
    pub path: String,
    /// Where the item before it in its file ends (comments after it and directly above
    /// this one are this one's).
    pub prev_end: u32,
}

impl Item<'_> {
    pub fn span(&self) -> Span {
        self.ast.span
    }
}

/// A file's name as the site shows it: relative to the project's root when it is below
/// it (the source map names files relative to the working directory).
pub fn shown_file(name: &str, root: Option<&Path>) -> String {
    let Some(root) = root else {
        return name.to_string();
    };
    let path = Path::new(name);
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        match std::env::current_dir() {
            Ok(cwd) => cwd.join(path),
            Err(_) => return name.to_string(),
        }
    };
    let (Ok(abs), Ok(root)) = (abs.canonicalize(), root.canonicalize()) else {
        return name.to_string();
    };
    match abs.strip_prefix(&root) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => name.to_string(),
    }
}

/// `file:line:col` of a span, the file as [`shown_file`] names it.
pub fn location(map: &SourceMap, span: Span, root: Option<&Path>) -> String {
    let f = map.get(span.file);
    let (line, col) = segql_syntax::span::line_col(&f.text, span.start as usize);
    format!("{}:{line}:{col}", shown_file(&f.name, root))
}

/// Every item of the project, each kind in declaration order.
pub fn items<'a>(
    program: &Program,
    files: &[&'a ast::File],
    map: &SourceMap,
    root: Option<&Path>,
) -> Vec<Item<'a>> {
    let mut out = Vec::new();
    for file in files {
        let mut prev_end = 0;
        for item in &file.items {
            if let Some(mut it) = item_of(program, file, item, map, root) {
                it.prev_end = prev_end;
                out.push(it);
            }
            prev_end = item.span.end;
        }
    }
    out.sort_by_key(|i| (i.kind, i.index));
    // An IR entry without a declaration found (never expected) is simply not documented;
    // a declaration without an IR entry (likewise) neither.
    out
}

fn meta_strings(m: &ast::Meta) -> (Option<String>, Option<String>, Vec<String>) {
    (
        m.description.as_ref().map(|s| s.value.clone()),
        m.owner.as_ref().map(|s| s.value.clone()),
        m.tags.iter().map(|s| s.value.clone()).collect(),
    )
}

fn item_of<'a>(
    p: &Program,
    file: &'a ast::File,
    item: &'a ast::Item,
    map: &SourceMap,
    root: Option<&Path>,
) -> Option<Item<'a>> {
    let cat = &p.catalog;
    let (kind, index, name, entity, (description, owner, tags)) = match &item.kind {
        ItemKind::Entity(e) => {
            let i = cat.entities.iter().position(|x| x.name == e.name.name)?;
            let d = e.description.as_ref().map(|s| s.value.clone());
            (
                Kind::Entity,
                i,
                e.name.name.clone(),
                Some(i),
                (d, None, vec![]),
            )
        }
        ItemKind::Events(e) => {
            let ent = cat.entities.iter().position(|x| x.name == e.entity.name)?;
            let own = e.name.as_ref().map(|n| n.name.as_str()).unwrap_or("events");
            let i = cat
                .events
                .iter()
                .position(|x| x.entity == ent && x.name == own)?;
            let d = e.description.as_ref().map(|s| s.value.clone());
            let shown = format!("{own} of {}", e.entity.name);
            (Kind::Events, i, shown, Some(ent), (d, None, vec![]))
        }
        ItemKind::Segment(s) => {
            let i = p.segments.iter().position(|x| x.name == s.name.name)?;
            let ent = p.segments[i].entity;
            (
                Kind::Segment,
                i,
                s.name.name.clone(),
                Some(ent),
                meta_strings(&s.meta),
            )
        }
        ItemKind::Trait(t) => {
            let i = p.traits.iter().position(|x| x.name == t.name.name)?;
            let ent = p.traits[i].entity;
            (
                Kind::Trait,
                i,
                t.name.name.clone(),
                Some(ent),
                (None, None, vec![]),
            )
        }
        ItemKind::Action(act) => {
            let i = p.actions.iter().position(|x| x.name == act.name.name)?;
            let ent = p.actions[i].entity;
            (
                Kind::Action,
                i,
                act.name.name.clone(),
                Some(ent),
                (None, None, vec![]),
            )
        }
        ItemKind::Report(r) => {
            let i = p.reports.iter().position(|x| x.name == r.name.name)?;
            let ent = p.reports[i].entity;
            (
                Kind::Report,
                i,
                r.name.name.clone(),
                Some(ent),
                meta_strings(&r.meta),
            )
        }
        ItemKind::Split(s) => {
            let i = p.splits.iter().position(|x| x.name == s.name.name)?;
            let ent = p.segments[p.splits[i].segment].entity;
            (
                Kind::Split,
                i,
                s.name.name.clone(),
                Some(ent),
                meta_strings(&s.meta),
            )
        }
        ItemKind::Priority(s) => {
            let i = p.priorities.iter().position(|x| x.name == s.name.name)?;
            let ent = p.priorities[i].entity;
            (
                Kind::Priority,
                i,
                s.name.name.clone(),
                Some(ent),
                meta_strings(&s.meta),
            )
        }
        ItemKind::Test(_) | ItemKind::Assert(_) => return None,
    };
    let slug_name = match kind {
        Kind::Events => {
            let ev = &cat.events[index];
            format!("{}.{}", cat.entities[ev.entity].name, ev.name)
        }
        _ => name.clone(),
    };
    let path = format!("{}/{}.html", kind.word(), crate::slug::slug(&slug_name));
    Some(Item {
        kind,
        index,
        name,
        entity,
        description,
        owner,
        tags,
        ast: item,
        comments: &file.comments,
        location: location(map, item.span, root),
        file: shown_file(&map.get(item.span.file).name, root),
        path,
        prev_end: 0,
    })
}
