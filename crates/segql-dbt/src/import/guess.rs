//! The guesses of the import: what each relation is (an entity or events of one), its
//! name, key, time and event-name columns, and which columns reference other entities.
//!
//! - **Key**: a column named `id`, `<singular name>_id` or `<name>_id` (of type string or
//!   int); otherwise the first string or int column, with a `check` note.
//! - **Events**: a relation with a timestamp column and a column holding another
//!   relation's key (`user_id` when `users` is keyed by `user_id`, or by `id`) is events
//!   of that entity, unless it has a key of its own by name and nothing says "event"
//!   (an `event`, `event_name` or `event_type` column, or "event" in its name): `users`
//!   with `account_id` and `signup_at` stays an entity.
//! - **References**: an entity's column holding another entity's key is written
//!   `references` it, when the types agree.

use super::manifest::Relation;
use super::seg_type;
use segql_syntax::ast::Type;

#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The entity's or events relation's name in the draft.
    pub name: String,
    /// The key column (an entity's own; an events relation's column holding its
    /// entity's key).
    pub key: String,
    /// Why the key needs a look, when it does.
    pub key_note: Option<String>,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Entity {
        /// Columns referencing another entity: (column, the entity's relation index).
        refs: Vec<(String, usize)>,
    },
    Events {
        /// The relation index of the entity it is of.
        of: usize,
        time: String,
        time_note: Option<String>,
        /// The column holding the event name.
        name: Option<String>,
    },
}

/// Column names that say which timestamp is an event's time, best first.
const TIME_NAMES: [&str; 8] = [
    "occurred_at",
    "event_time",
    "event_timestamp",
    "event_at",
    "timestamp",
    "time",
    "ts",
    "created_at",
];
const EVENT_NAME_COLUMNS: [&str; 4] = ["event", "event_name", "event_type", "name"];

/// `users` → `user`, `categories` → `category`, `addresses` → `address`: English
/// plurals as table names use them; anything else is kept.
pub(crate) fn singular(name: &str) -> String {
    let n = name.to_lowercase();
    if let Some(stem) = n.strip_suffix("ies").filter(|s| !s.is_empty()) {
        return format!("{stem}y");
    }
    for end in ["sses", "xes", "ches", "shes"] {
        if let Some(stem) = n.strip_suffix(end) {
            return format!("{stem}{}", &end[..end.len() - 2]);
        }
    }
    match n.strip_suffix('s') {
        Some(stem) if !stem.is_empty() && !n.ends_with("ss") && !n.ends_with("us") => {
            stem.to_string()
        }
        _ => n,
    }
}

fn column_type(r: &Relation, name: &str) -> Option<Type> {
    r.columns
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.data_type.as_deref())
        .and_then(seg_type)
}

fn keyable(t: Option<Type>) -> bool {
    matches!(t, Some(Type::String | Type::Int))
}

/// A relation's own key: (column, found by name?, why to check it).
fn own_key(r: &Relation) -> (String, bool, Option<String>) {
    let one = singular(&r.name);
    let named = [
        "id".to_string(),
        format!("{one}_id"),
        format!("{}_id", r.name.to_lowercase()),
    ];
    for n in &named {
        if let Some(c) = r.columns.iter().find(|c| c.name.to_lowercase() == *n) {
            if keyable(column_type(r, &c.name)) {
                return (c.name.clone(), true, None);
            }
        }
    }
    if r.columns.is_empty() {
        return (
            format!("{one}_id"),
            false,
            Some(format!(
                "the manifest lists no columns: the key `{one}_id` is a guess; declare the columns"
            )),
        );
    }
    let first = r
        .columns
        .iter()
        .find(|c| keyable(column_type(r, &c.name)))
        .unwrap_or(&r.columns[0]);
    let mut why = format!(
        "no string or int column is named id or {one}_id: the key is `{}`, its first such column",
        first.name
    );
    if !keyable(column_type(r, &first.name)) {
        why = format!(
            "no column is a string or an int: `{}` is a placeholder key",
            first.name
        );
    }
    (first.name.clone(), false, Some(why))
}

/// Whether column `c` of `r` holds the key of relation `s` (keyed `s_key`, by name).
fn holds_key(r: &Relation, c: &str, s: &Relation, s_key: &str) -> bool {
    let matches = if s_key == "id" {
        c.to_lowercase() == format!("{}_id", singular(&s.name))
    } else {
        c == s_key
    };
    matches && {
        let t = column_type(r, c);
        keyable(t) && t == column_type(s, s_key)
    }
}

pub(crate) fn plan(rels: &[Relation]) -> Vec<Plan> {
    let keys: Vec<(String, bool, Option<String>)> = rels.iter().map(own_key).collect();
    // The relations each column of each relation points at (by key).
    let foreign = |i: usize| -> Vec<(String, usize)> {
        let r = &rels[i];
        let mut out = Vec::new();
        for c in &r.columns {
            if keys[i].1 && c.name == keys[i].0 {
                continue;
            }
            for (j, s) in rels.iter().enumerate() {
                if j != i && keys[j].1 && holds_key(r, &c.name, s, &keys[j].0) {
                    out.push((c.name.clone(), j));
                    break;
                }
            }
        }
        out
    };
    let timestamps = |r: &Relation| -> Vec<String> {
        r.columns
            .iter()
            .filter(|c| column_type(r, &c.name) == Some(Type::Timestamp))
            .map(|c| c.name.clone())
            .collect()
    };
    let says_event = |r: &Relation| {
        r.name.to_lowercase().contains("event")
            || r.columns
                .iter()
                .any(|c| EVENT_NAME_COLUMNS[..3].contains(&c.name.to_lowercase().as_str()))
    };
    let events_like: Vec<bool> = (0..rels.len())
        .map(|i| {
            !timestamps(&rels[i]).is_empty()
                && !foreign(i).is_empty()
                && (!keys[i].1 || says_event(&rels[i]))
        })
        .collect();
    let mut taken: Vec<String> = Vec::new();
    let mut unique = |base: String| {
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        taken.push(name.clone());
        name
    };
    // Names: entities are named first (their singular), then events (their own name).
    let mut kinds: Vec<Option<(usize, String)>> = vec![None; rels.len()];
    for i in 0..rels.len() {
        if events_like[i] {
            kinds[i] = foreign(i)
                .into_iter()
                .find(|(_, j)| !events_like[*j])
                .map(|(c, j)| (j, c));
        }
    }
    let mut names = vec![String::new(); rels.len()];
    for i in (0..rels.len()).filter(|&i| kinds[i].is_none()) {
        names[i] = unique(singular(&rels[i].name));
    }
    for i in (0..rels.len()).filter(|&i| kinds[i].is_some()) {
        names[i] = unique(rels[i].name.to_lowercase());
    }
    (0..rels.len())
        .map(|i| {
            let r = &rels[i];
            match &kinds[i] {
                None => {
                    let mut refs: Vec<(String, usize)> = Vec::new();
                    for (c, j) in foreign(i) {
                        // Navigated by the entity's name: not when a column has that name,
                        // nor twice.
                        let nav = &names[j];
                        if kinds[j].is_none()
                            && !r.columns.iter().any(|x| &x.name == nav)
                            && !refs.iter().any(|(_, k)| *k == j)
                        {
                            refs.push((c, j));
                        }
                    }
                    Plan {
                        name: names[i].clone(),
                        key: keys[i].0.clone(),
                        key_note: keys[i].2.clone(),
                        kind: Kind::Entity { refs },
                    }
                }
                Some((of, key)) => {
                    let ts = timestamps(r);
                    let preferred = TIME_NAMES
                        .iter()
                        .find_map(|n| ts.iter().find(|t| t.to_lowercase() == *n));
                    let time = preferred.unwrap_or(&ts[0]).clone();
                    let time_note = (preferred.is_none() && ts.len() > 1).then(|| {
                        format!(
                            "the time is `{time}`, the first of {} timestamp columns",
                            ts.len()
                        )
                    });
                    let name = EVENT_NAME_COLUMNS.iter().find_map(|n| {
                        r.columns
                            .iter()
                            .find(|c| {
                                c.name.to_lowercase() == *n
                                    && column_type(r, &c.name) == Some(Type::String)
                            })
                            .map(|c| c.name.clone())
                    });
                    Plan {
                        name: names[i].clone(),
                        key: key.clone(),
                        key_note: None,
                        kind: Kind::Events {
                            of: *of,
                            time,
                            time_note,
                            name,
                        },
                    }
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::singular;

    #[test]
    fn plurals() {
        for (p, s) in [
            ("users", "user"),
            ("categories", "category"),
            ("addresses", "address"),
            ("boxes", "box"),
            ("matches", "match"),
            ("status", "status"),
            ("class", "class"),
            ("person", "person"),
            ("s", "s"),
        ] {
            assert_eq!(singular(p), s, "{p}");
        }
    }
}
