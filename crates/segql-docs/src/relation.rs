//! Pages of the catalog: an entity's table and an events relation, with the items that
//! read each column, property and event.

use crate::analysis::Analysis;
use crate::html::escape;
use crate::model::Kind;
use crate::pages::Table;
use crate::reads::Rel;
use crate::site::{item_link, Input};
use segql_plan::ir::EventSource;
use std::collections::{BTreeMap, BTreeSet};

const ROOT: &str = "../";

/// The items reading each column of a relation (through their traits too).
fn readers_by_column(a: &Analysis, rel: Rel) -> BTreeMap<String, BTreeSet<usize>> {
    let mut out: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (i, r) in a.reads.iter().enumerate() {
        for (x, c) in &r.all.columns {
            if *x == rel {
                out.entry(c.clone()).or_default().insert(i);
            }
        }
    }
    out
}

fn links(a: &Analysis, ids: Option<&BTreeSet<usize>>) -> String {
    match ids {
        Some(ids) if !ids.is_empty() => ids
            .iter()
            .map(|i| item_link(a, ROOT, *i))
            .collect::<Vec<_>>()
            .join(" "),
        _ => "<span class=\"empty\">—</span>".to_string(),
    }
}

pub fn entity(
    _input: &Input,
    a: &Analysis,
    i: usize,
    facts: &mut Vec<(String, String)>,
    tables: &mut Vec<Table>,
) {
    let cat = &a.program.catalog;
    let e = a.items[i].index;
    let ent = &cat.entities[e];
    facts.push((
        "Table".into(),
        format!("<code>{}</code>", escape(&ent.table.join("."))),
    ));
    facts.push(("Key".into(), format!("<code>{}</code>", escape(&ent.key))));
    let readers = readers_by_column(a, Rel::Entity(e));
    let mut rows = vec![vec![
        format!("<code>{}</code>", escape(&ent.key)),
        format!("<code>{}</code> (key)", ent.key_ty.keyword()),
        String::new(),
        links(a, readers.get(&ent.key)),
    ]];
    for c in &ent.columns {
        let reference = ent
            .refs
            .iter()
            .find(|r| r.column == c.name)
            .map(|r| {
                let target = a
                    .ir(Kind::Entity, r.target)
                    .map(|x| item_link(a, ROOT, x))
                    .unwrap_or_default();
                if r.nav == cat.entities[r.target].name {
                    format!("references {target}")
                } else {
                    format!("references {target} as <code>{}</code>", escape(&r.nav))
                }
            })
            .unwrap_or_default();
        rows.push(vec![
            format!("<code>{}</code>", escape(&c.name)),
            format!("<code>{}</code>", c.ty.keyword()),
            reference,
            links(a, readers.get(&c.name)),
        ]);
    }
    // The columns of its extra tables, with the table that holds them.
    for x in &ent.extras {
        for c in &x.columns {
            rows.push(vec![
                format!("<code>{}</code>", escape(&c.name)),
                format!("<code>{}</code>", c.ty.keyword()),
                format!(
                    "extra table <code>{}</code>: <code>{}</code>, key <code>{}</code>",
                    escape(&x.name),
                    escape(&x.table.join(".")),
                    escape(&x.key)
                ),
                links(a, readers.get(&c.name)),
            ]);
        }
    }
    tables.push(Table {
        id: "columns",
        title: "Columns".into(),
        note: None,
        headers: vec![
            "Column".into(),
            "Type".into(),
            "Reference".into(),
            "Read by".into(),
        ],
        rows,
    });
    let events: Vec<Vec<String>> = cat
        .events
        .iter()
        .enumerate()
        .filter(|(_, ev)| ev.entity == e)
        .filter_map(|(x, ev)| {
            let item = a.ir(Kind::Events, x)?;
            Some(vec![
                item_link(a, ROOT, item),
                format!("<code>{}</code>", escape(&ev.table.join("."))),
            ])
        })
        .collect();
    if !events.is_empty() {
        tables.push(Table {
            id: "events",
            title: "Events".into(),
            note: None,
            headers: vec!["Events".into(), "Table".into()],
            rows: events,
        });
    }
    let referencing: Vec<Vec<String>> = cat
        .entities
        .iter()
        .enumerate()
        .flat_map(|(x, other)| {
            other
                .refs
                .iter()
                .filter(|r| r.target == e)
                .map(move |r| (x, r.column.clone()))
        })
        .filter_map(|(x, column)| {
            Some(vec![
                item_link(a, ROOT, a.ir(Kind::Entity, x)?),
                format!("<code>{}</code>", escape(&column)),
            ])
        })
        .collect();
    if !referencing.is_empty() {
        tables.push(Table {
            id: "referenced-by",
            title: "Referenced by".into(),
            note: Some("Segments of this entity can count these through quantifiers (<code>at least 3 user did …</code>).".into()),
            headers: vec!["Entity".into(), "Column".into()],
            rows: referencing,
        });
    }
}

pub fn events(
    _input: &Input,
    a: &Analysis,
    i: usize,
    facts: &mut Vec<(String, String)>,
    tables: &mut Vec<Table>,
) {
    let cat = &a.program.catalog;
    let x = a.items[i].index;
    let ev = &cat.events[x];
    facts.push((
        "Table".into(),
        format!("<code>{}</code>", escape(&ev.table.join("."))),
    ));
    facts.push((
        "Key".into(),
        format!(
            "<code>{}</code> (the {} it is of)",
            escape(&ev.key),
            escape(&cat.entities[ev.entity].name)
        ),
    ));
    facts.push((
        "Event".into(),
        match &ev.source {
            EventSource::Column(c) => format!("named by column <code>{}</code>", escape(c)),
            EventSource::Fixed(n) => format!("every row is one <code>{}</code>", escape(n)),
        },
    ));
    facts.push(("Time".into(), format!("<code>{}</code>", escape(&ev.time))));
    let readers = readers_by_column(a, Rel::Events(x));
    let rows = ev
        .properties
        .iter()
        .map(|c| {
            vec![
                format!("<code>{}</code>", escape(&c.name)),
                format!("<code>{}</code>", c.ty.keyword()),
                links(a, readers.get(&c.name)),
            ]
        })
        .collect();
    tables.push(Table {
        id: "properties",
        title: "Properties".into(),
        note: None,
        headers: vec!["Property".into(), "Type".into(), "Read by".into()],
        rows,
    });
    // Which events the project looks at, and where.
    let mut by_event: BTreeMap<Option<String>, BTreeSet<usize>> = BTreeMap::new();
    for (item, r) in a.reads.iter().enumerate() {
        for (e, name) in &r.all.events {
            if *e == x {
                by_event.entry(name.clone()).or_default().insert(item);
            }
        }
    }
    let rows: Vec<Vec<String>> = by_event
        .iter()
        .map(|(name, ids)| {
            vec![
                match name {
                    Some(n) => format!("<code>{}</code>", escape(n)),
                    None => "any event".to_string(),
                },
                links(a, Some(ids)),
            ]
        })
        .collect();
    if !rows.is_empty() {
        tables.push(Table {
            id: "event-names",
            title: "Events the project uses".into(),
            note: None,
            headers: vec!["Event".into(), "Used by".into()],
            rows,
        });
    }
}
