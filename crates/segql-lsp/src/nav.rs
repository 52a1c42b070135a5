//! Go to definition, find references, rename and the outline: all read the index.

use crate::convert::{location, range};
use crate::index::Symbol;
use crate::workspace::Analysis;
use lsp_types::{DocumentSymbol, Location, SymbolKind, TextEdit, Uri, WorkspaceEdit};
use segql_syntax::ast::ItemKind;
use segql_syntax::fmt::ident_text;
use segql_syntax::FileId;
use std::collections::HashMap;

pub fn definition(a: &Analysis, file: FileId, offset: u32) -> Option<Location> {
    let ix = a.index();
    let occ = ix.at(file, offset)?;
    location(a, ix.definition(&occ.symbol)?)
}

pub fn references(a: &Analysis, file: FileId, offset: u32, with_decl: bool) -> Vec<Location> {
    let ix = a.index();
    let Some(occ) = ix.at(file, offset) else {
        return Vec::new();
    };
    ix.occurrences_of(&occ.symbol)
        .filter(|o| with_decl || !o.def)
        .filter_map(|o| location(a, o.span))
        .collect()
}

/// Why a spot cannot be renamed, as shown to the user.
#[derive(Debug)]
pub struct Refusal(pub String);

/// The segment or action under the cursor and the range of its name, if it can be
/// renamed.
pub fn prepare_rename(
    a: &Analysis,
    file: FileId,
    offset: u32,
) -> Result<(String, lsp_types::Range), Refusal> {
    let (_, name, r) = renamed(a, file, offset)?;
    Ok((name, r))
}

/// The symbol to rename under the cursor (a segment or an action), its name and range.
fn renamed(
    a: &Analysis,
    file: FileId,
    offset: u32,
) -> Result<(Symbol, String, lsp_types::Range), Refusal> {
    let ix = a.index();
    let Some(occ) = ix.at(file, offset) else {
        return Err(Refusal(
            "only a segment's or an action's name can be renamed; the cursor is not on a name"
                .to_string(),
        ));
    };
    let name = match &occ.symbol {
        Symbol::Segment(name) | Symbol::Action(name) => name.clone(),
        other => {
            return Err(Refusal(format!(
                "only segments and actions can be renamed; this is {}",
                what(other)
            )))
        }
    };
    if a.syntax_errors {
        return Err(Refusal(format!(
            "the project has syntax errors: fix them first, so that no use of the {} is missed",
            kind_word(&occ.symbol)
        )));
    }
    let r = range(a, occ.span).ok_or_else(|| Refusal("the file has no URI".to_string()))?;
    Ok((occ.symbol.clone(), name, r))
}

fn kind_word(s: &Symbol) -> &'static str {
    match s {
        Symbol::Action(_) => "action",
        _ => "segment",
    }
}

/// Every use and the declaration of a segment or an action, renamed, across the
/// project's files.
// lsp-types' `Uri` caches its parsed parts inside; its hash and equality are
// those of its text, so it is a sound key (rust-analyzer allows the lint too).
#[allow(clippy::mutable_key_type)]
pub fn rename(
    a: &Analysis,
    file: FileId,
    offset: u32,
    new_name: &str,
) -> Result<WorkspaceEdit, Refusal> {
    let (symbol, old, _) = renamed(a, file, offset)?;
    let new_name = new_name.trim();
    // A name typed in backticks, as it would be written in a file.
    let unquoted;
    let new_name = if new_name.len() >= 2 && new_name.starts_with('`') && new_name.ends_with('`') {
        unquoted = segql_syntax::lexer::unescape(new_name);
        unquoted.as_str()
    } else {
        new_name
    };
    if new_name.is_empty() {
        return Err(Refusal(format!("a {} needs a name", kind_word(&symbol))));
    }
    if new_name.contains('\0') {
        return Err(Refusal("a name cannot hold a NUL character".to_string()));
    }
    let ix = a.index();
    let taken = match &symbol {
        _ if new_name == old => None,
        // Actions have names of their own.
        Symbol::Action(_) if ix.actions.contains_key(new_name) => Some("an action"),
        Symbol::Segment(_)
            if ix.segments.contains_key(new_name)
                || ix.reports.contains_key(new_name)
                || ix.splits.contains_key(new_name)
                || ix.priorities.contains_key(new_name) =>
        {
            Some("a segment, report, split or priority list (they share one set of names)")
        }
        _ => None,
    };
    if let Some(what) = taken {
        return Err(Refusal(format!(
            "`{new_name}` is already the name of {what}"
        )));
    }
    // Written as the formatter writes names: in backticks when not a plain word.
    let text = ident_text(new_name);
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for o in ix.occurrences_of(&symbol) {
        if let Some(l) = location(a, o.span) {
            changes.entry(l.uri).or_default().push(TextEdit {
                range: l.range,
                new_text: text.clone(),
            });
        }
    }
    Ok(WorkspaceEdit {
        changes: Some(changes),
        document_changes: None,
        change_annotations: None,
    })
}

fn what(s: &Symbol) -> &'static str {
    match s {
        Symbol::Entity(_) => "an entity",
        Symbol::Column { .. } => "a column",
        Symbol::Events(_) => "an events relation",
        Symbol::Property { .. } => "a property",
        Symbol::Event { .. } => "an event name",
        Symbol::Segment(_) => "a segment",
        Symbol::Trait(_) => "a trait",
        Symbol::Action(_) => "an action",
        Symbol::Report(_) => "a report",
        Symbol::Metric { .. } => "a metric",
        Symbol::Split(_) => "a split",
        Symbol::Group { .. } => "a split's group",
        Symbol::Priority(_) => "a priority list",
        Symbol::Test(_) => "a test",
    }
}

/// The outline of one file: its items, with an entity's columns and an events
/// relation's properties below them.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be given.
pub fn outline(a: &Analysis, file: FileId) -> Vec<DocumentSymbol> {
    let Some(f) = a.file(file) else {
        return Vec::new();
    };
    let r = |s: segql_syntax::Span| f.lines.range(&f.text, s.start, s.end);
    let sym = |name: String, detail: Option<String>, kind, full, sel, children| DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: r(full),
        selection_range: r(sel),
        children,
    };
    let mut out = Vec::new();
    for item in &f.parsed.file.items {
        let (name, span, kind, children) = match &item.kind {
            ItemKind::Entity(e) => {
                let cols = e
                    .columns
                    .iter()
                    .map(|c| {
                        let detail = Some(c.ty.ty.keyword().to_string());
                        sym(
                            c.name.name.clone(),
                            detail,
                            SymbolKind::FIELD,
                            c.span,
                            c.name.span,
                            None,
                        )
                    })
                    .collect();
                (
                    e.name.name.clone(),
                    e.name.span,
                    SymbolKind::CLASS,
                    Some(cols),
                )
            }
            ItemKind::Events(ev) => {
                let props = ev
                    .properties
                    .iter()
                    .map(|c| {
                        let detail = Some(c.ty.ty.keyword().to_string());
                        sym(
                            c.name.name.clone(),
                            detail,
                            SymbolKind::FIELD,
                            c.span,
                            c.name.span,
                            None,
                        )
                    })
                    .collect();
                let name = ev
                    .name
                    .as_ref()
                    .map_or("events".to_string(), |n| n.name.clone());
                let span = ev.name.as_ref().map_or(item.span, |n| n.span);
                (name, span, SymbolKind::EVENT, Some(props))
            }
            ItemKind::Segment(s) => (s.name.name.clone(), s.name.span, SymbolKind::OBJECT, None),
            ItemKind::Trait(t) => (t.name.name.clone(), t.name.span, SymbolKind::FUNCTION, None),
            ItemKind::Action(a) => (a.name.name.clone(), a.name.span, SymbolKind::EVENT, None),
            ItemKind::Report(x) => (x.name.name.clone(), x.name.span, SymbolKind::STRUCT, None),
            ItemKind::Split(x) => (x.name.name.clone(), x.name.span, SymbolKind::ENUM, None),
            ItemKind::Priority(x) => (x.name.name.clone(), x.name.span, SymbolKind::ARRAY, None),
            ItemKind::Test(x) => (x.name.name.clone(), x.name.span, SymbolKind::METHOD, None),
            ItemKind::Assert(x) => (
                x.target.name.clone(),
                x.target.span,
                SymbolKind::METHOD,
                None,
            ),
        };
        let detail = Some(item.kind.keyword().to_string());
        out.push(sym(name, detail, kind, item.span, span, children));
    }
    out
}
