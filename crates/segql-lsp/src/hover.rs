//! Hover: what the name under the cursor is, in a few lines of Markdown.

use crate::index::{EventSourceInfo, Index, Occurrence, Symbol};
use crate::workspace::Analysis;
use segql_syntax::ast::Type;
use segql_syntax::fmt::ident_text;

/// The Markdown shown for an occurrence.
pub fn text(a: &Analysis, occ: &Occurrence) -> Option<String> {
    let ix = a.index();
    let mut out = match &occ.symbol {
        Symbol::Entity(name) => entity(ix, name)?,
        Symbol::Column { entity, name } => column(ix, entity, name)?,
        Symbol::Events(name) => events(ix, name)?,
        Symbol::Property { events, name } => property(ix, events, name)?,
        Symbol::Event { events, name } => event(ix, events, name)?,
        Symbol::Segment(name) => segment(ix, name)?,
        Symbol::Trait(name) => trait_(a, ix, name)?,
        Symbol::Action(name) => action(ix, name)?,
        Symbol::Report(name) => {
            let r = ix.reports.get(name)?;
            let mut s = format!("**report** `{}`", r.name);
            described(&mut s, &r.description);
            listed(&mut s, "segments", &r.segments);
            for (m, expr, _) in &r.parts {
                s.push_str(&format!("\n- metric `{m}` = `{expr}`"));
            }
            s
        }
        Symbol::Metric { report, name } => {
            let r = ix.reports.get(report)?;
            let (_, expr, _) = r.parts.iter().find(|(m, ..)| m == name)?;
            format!(
                "**metric** `{name}` of report `{report}`\n\n```segql\nmetric {} = {expr}\n```",
                ident_text(name)
            )
        }
        Symbol::Split(name) => {
            let s = ix.splits.get(name)?;
            let mut out = format!(
                "**split** `{}` of segment `{}`",
                s.name,
                s.segments.join("")
            );
            described(&mut out, &s.description);
            for (g, pct, _) in &s.parts {
                out.push_str(&format!("\n- group `{g}` {pct}"));
            }
            out
        }
        Symbol::Group { split, name } => {
            let s = ix.splits.get(split)?;
            let (_, pct, _) = s.parts.iter().find(|(g, ..)| g == name)?;
            format!(
                "**group** `{name}` of split `{split}`: {pct} of `{}`",
                s.segments.join("")
            )
        }
        Symbol::Priority(name) => {
            let p = ix.priorities.get(name)?;
            let mut s = format!("**priority list** `{}`", p.name);
            described(&mut s, &p.description);
            s.push_str("\n\neach entity lands in the first of these it belongs to:");
            for (i, seg) in p.segments.iter().enumerate() {
                s.push_str(&format!("\n{}. `{seg}`", i + 1));
            }
            s
        }
        Symbol::Test(name) => {
            let t = ix.tests.get(name)?;
            let mut s = format!("**test** `{}`", t.name);
            described(&mut s, &t.description);
            s
        }
    };
    if let Some(v) = &occ.via {
        let target = ix.entities.get(&v.target)?;
        out = if v.target == v.entity || occ.symbol != Symbol::Entity(v.entity.clone()) {
            format!(
                "**reference** `{}` of `{}`: column `{}` → entity `{}` (table `{}`, key `{}`)\n\n---\n\n{out}",
                v.nav, v.entity, v.column, v.target, target.table, target.key
            )
        } else {
            format!(
                "**related entities** `{}`: the rows of `{}` whose `{}` is this `{}`\n\n---\n\n{out}",
                v.entity, v.entity, v.column, v.target
            )
        };
    }
    Some(out)
}

fn described(out: &mut String, d: &Option<String>) {
    if let Some(d) = d {
        out.push_str("\n\n");
        out.push_str(d);
    }
}

fn listed(out: &mut String, what: &str, names: &[String]) {
    if !names.is_empty() {
        let v: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        out.push_str(&format!("\n\n{what}: {}", v.join(", ")));
    }
}

fn entity(ix: &Index, name: &str) -> Option<String> {
    let e = ix.entities.get(name)?;
    let mut s = format!(
        "**entity** `{}`: table `{}`, key `{}` ({})",
        e.name,
        e.table,
        e.key,
        e.key_type().keyword()
    );
    described(&mut s, &e.description);
    let cols: Vec<String> = e
        .columns
        .iter()
        .map(|c| format!("`{}` {}", c.name, c.ty.keyword()))
        .collect();
    if !cols.is_empty() {
        s.push_str(&format!("\n\ncolumns: {}", cols.join(", ")));
    }
    let events: Vec<String> = ix
        .events_of(name)
        .iter()
        .map(|e| format!("`{}`", e.name))
        .collect();
    if !events.is_empty() {
        s.push_str(&format!("\n\nevents: {}", events.join(", ")));
    }
    Some(s)
}

fn column(ix: &Index, entity: &str, name: &str) -> Option<String> {
    let e = ix.entities.get(entity)?;
    let (ty, refs, extra) = match e.column(name) {
        Some(c) => (c.ty, c.references.clone(), c.extra.clone()),
        None if e.key == name => (Type::String, None, None),
        None => return None,
    };
    let mut s = match &extra {
        Some((x, table)) => format!(
            "**column** `{name}`: {} of entity `{entity}` (extra table `{x}`: `{table}`)\n\n\
             one row per `{entity}` or none: unset without a row",
            ty.keyword()
        ),
        None => format!(
            "**column** `{name}`: {} of entity `{entity}` (table `{}`)",
            ty.keyword(),
            e.table
        ),
    };
    if e.key == name {
        s.push_str("\n\nthe entity's key");
    }
    if let Some((target, nav)) = refs {
        s.push_str(&format!(
            "\n\nreferences `{target}`, navigated as `{nav}.COLUMN`"
        ));
    }
    Some(s)
}

fn events(ix: &Index, name: &str) -> Option<String> {
    let ev = ix.events.get(name)?;
    let mut s = format!(
        "**events** `{}` of entity `{}`: table `{}`, key `{}`, time `{}`",
        ev.name, ev.entity, ev.table, ev.key, ev.time
    );
    match &ev.source {
        EventSourceInfo::Column(c, _) => s.push_str(&format!(", event name in `{c}`")),
        EventSourceInfo::Fixed(e, _) => s.push_str(&format!(", every row is a \"{e}\"")),
    }
    described(&mut s, &ev.description);
    properties(&mut s, ix, name);
    Some(s)
}

fn properties(out: &mut String, ix: &Index, events: &str) {
    let Some(ev) = ix.events.get(events) else {
        return;
    };
    if ev.properties.is_empty() {
        out.push_str("\n\nno properties");
        return;
    }
    out.push_str("\n\nproperties:");
    for p in &ev.properties {
        out.push_str(&format!("\n- `{}` {}", p.name, p.ty.keyword()));
    }
}

fn property(ix: &Index, events: &str, name: &str) -> Option<String> {
    let ev = ix.events.get(events)?;
    let key_ty = ix
        .entities
        .get(&ev.entity)
        .map_or(Type::String, |e| e.key_type());
    let (ty, _) = ev.column(name, key_ty)?;
    let what = if name == ev.time {
        "the event time"
    } else if name == ev.key {
        "the key of the entity each event is of"
    } else if matches!(&ev.source, EventSourceInfo::Column(c, _) if c == name) {
        "the event name"
    } else {
        "a property"
    };
    Some(format!(
        "**property** `{name}`: {} of events `{events}` (table `{}`)\n\n{what}",
        ty.keyword(),
        ev.table
    ))
}

fn event(ix: &Index, events: &str, name: &str) -> Option<String> {
    let ev = ix.events.get(events)?;
    let mut s = format!(
        "**event** \"{name}\" in `{}` of entity `{}` (table `{}`)",
        ev.name, ev.entity, ev.table
    );
    properties(&mut s, ix, events);
    Some(s)
}

fn segment(ix: &Index, name: &str) -> Option<String> {
    let seg = ix.segments.get(name)?;
    let mut s = format!(
        "**segment** `{}` of `{}`",
        seg.name,
        seg.entity.as_deref().unwrap_or("?")
    );
    described(&mut s, &seg.description);
    if let Some(o) = &seg.owner {
        s.push_str(&format!("\n\nowner: {o}"));
    }
    if !seg.tags.is_empty() {
        s.push_str(&format!("\n\ntags: {}", seg.tags.join(", ")));
    }
    if let Some(c) = &seg.condition {
        s.push_str(&format!("\n\n```segql\nwhere {c}\n```"));
    }
    Some(s)
}

fn trait_(a: &Analysis, ix: &Index, name: &str) -> Option<String> {
    let t = ix.traits.get(name)?;
    let ty = a
        .program
        .as_ref()
        .and_then(|p| p.traits.iter().find(|x| x.name == name))
        .map(|x| format!(": {}", x.ty.keyword()))
        .unwrap_or_default();
    Some(format!(
        "**trait** `{}` of `{}`{ty}\n\n```segql\n{}\n```",
        t.name,
        t.entity.as_deref().unwrap_or("?"),
        t.definition
    ))
}

fn action(ix: &Index, name: &str) -> Option<String> {
    let act = ix.actions.get(name)?;
    let events = act
        .events
        .as_ref()
        .map(|e| format!(", events of `{e}`"))
        .unwrap_or_default();
    Some(format!(
        "**action** `{}` of `{}`{events}\n\n```segql\n{}\n```",
        act.name,
        act.entity.as_deref().unwrap_or("?"),
        act.definition
    ))
}
