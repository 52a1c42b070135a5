//! The names a statement defines: CTEs and their columns, unique within the statement
//! and never equal to an unqualified relation of the catalog (which the CTE would hide).

use crate::ir::{Duration, Program, TimePoint, TimeWindow};
use segql_syntax::ast::Unit;
use std::collections::HashSet;

/// Lowercase ASCII letters, digits and `_`, for generated names.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    match out.chars().next() {
        None => "x".to_string(),
        Some(c) if c.is_ascii_digit() => format!("x{out}"),
        _ => out,
    }
}

pub(crate) fn unit_suffix(d: Duration) -> String {
    let u = match d.unit {
        Unit::Hour => "h",
        Unit::Day => "d",
        Unit::Week => "w",
        Unit::Month => "mo",
        Unit::Year => "y",
    };
    format!("{}{u}", d.n)
}

pub(crate) fn window_suffix(w: &TimeWindow) -> String {
    match (&w.start, &w.end) {
        (None, TimePoint::AsOf) => String::new(),
        (Some(TimePoint::Ago(d)), TimePoint::AsOf) => format!("_{}", unit_suffix(*d)),
        (None, TimePoint::Ago(d)) => format!("_before_{}", unit_suffix(*d)),
        _ => "_window".to_string(),
    }
}

pub(crate) fn names_slug(names: &Option<Vec<String>>) -> String {
    match names {
        None => "any_event".to_string(),
        Some(v) if v.len() == 1 => slug(&v[0]),
        Some(v) => format!("{}_etc", slug(&v[0])),
    }
}

/// The CTE names taken so far in one statement.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    taken: HashSet<String>,
}

impl Names {
    /// A CTE named like an unqualified relation of the catalog would hide it from the
    /// statement: those names are taken from the start.
    pub(crate) fn new(p: &Program) -> Names {
        let rels = p.catalog.relations();
        let taken = rels
            .iter()
            .map(|r| p.catalog.relation_table(r))
            .filter(|t| t.len() == 1)
            .map(|t| t[0].to_lowercase())
            .collect();
        Names { taken }
    }

    /// `base` made a slug, with `_2`, `_3`, ... until it is free; then taken.
    pub(crate) fn fresh(&mut self, base: &str) -> String {
        let base = slug(base);
        let mut name = base.clone();
        let mut i = 2;
        while self.taken.contains(&name) {
            name = format!("{base}_{i}");
            i += 1;
        }
        self.taken.insert(name.clone());
        name
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}
