//! A plan as text, for snapshots and for reading: every CTE with what it computes, the
//! joins of every block, in the order the statement defines them.

use super::{Block, Body, ChainForm, Derived, FactKey, Plan, ScanKind};
use crate::ir::*;
use segql_syntax::time::format_timestamp;
use std::fmt::Write;

fn time_point(t: &TimePoint) -> String {
    match t {
        TimePoint::AsOf => "as_of".to_string(),
        TimePoint::At(ts) => format_timestamp(*ts),
        TimePoint::Ago(d) => format!("{} {} ago", d.n, d.unit.word_for(d.n)),
    }
}

fn window(w: &TimeWindow) -> String {
    match (&w.start, &w.end) {
        (None, TimePoint::AsOf) => "ever".to_string(),
        (start, end) => format!(
            "[{}, {})",
            start.as_ref().map_or("start".to_string(), time_point),
            time_point(end)
        ),
    }
}

fn names(n: &Option<Vec<String>>) -> String {
    match n {
        None => "any event".to_string(),
        Some(v) => v
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// What an aggregate column computes, in a line.
pub fn describe(key: &FactKey) -> String {
    let kind = match key {
        FactKey::Agg(a) | FactKey::Seen(a) => Some(&a.kind),
        FactKey::Times(_) | FactKey::Matched { .. } => None,
    };
    if let FactKey::Matched { seq, first } = key {
        let steps: Vec<String> = seq.steps.iter().map(|s| names(&s.names)).collect();
        return format!(
            "whether {} matched, from their times {}",
            steps.join(" then "),
            window(&first.window)
        );
    }
    let what = match kind {
        None => "times".to_string(),
        Some(kind) => agg_kind(kind),
    };
    let seen = if matches!(key, FactKey::Seen(_)) {
        "rows with a value for "
    } else {
        ""
    };
    let f = key.filter();
    let filtered = if f.pred.is_some() {
        " with a filter"
    } else {
        ""
    };
    format!(
        "{seen}{what} of {}{filtered} {}",
        names(&f.names),
        window(&f.window)
    )
}

/// What an aggregate computes, in a word or two.
fn agg_kind(kind: &AggKind) -> String {
    match kind {
        AggKind::Count => "count".to_string(),
        AggKind::CountDistinct(c) => format!("count distinct({c})"),
        AggKind::Sum(c) => format!("sum({c})"),
        AggKind::Avg(c) => format!("avg({c})"),
        AggKind::Min(c) => format!("min({c})"),
        AggKind::Max(c) => format!("max({c})"),
        AggKind::FirstValue(c) => format!("first({c})"),
        AggKind::LastValue(c) => format!("last({c})"),
        AggKind::First => "first time".to_string(),
        AggKind::Last => "last time".to_string(),
        AggKind::ActivePeriods {
            n,
            unit,
            length,
            min_events,
        } => {
            let each = if *min_events > 1 {
                format!(" with {min_events}+ events")
            } else {
                String::new()
            };
            let unit = format!("{unit:?}").to_lowercase();
            if *length == 1 {
                format!("active {unit}s of {n}{each}")
            } else {
                format!("active of {n} periods of {length} {unit}s{each}")
            }
        }
    }
}

fn block(p: &Program, plan: &Plan, b: &Block, out: &mut String) {
    let e = &p.catalog.entities[b.entity];
    let _ = write!(out, "{} AS {}", e.table.join("."), b.alias);
    let mut joins: Vec<String> = Vec::new();
    for (ri, alias) in &b.ref_aliases {
        joins.push(format!("{} AS {alias}", e.refs[*ri].nav));
    }
    for (via, x, alias) in &b.extra_aliases {
        let (owner, prefix) = match via {
            None => (e, String::new()),
            Some(ri) => (
                &p.catalog.entities[e.refs[*ri].target],
                format!("{}.", e.refs[*ri].nav),
            ),
        };
        joins.push(format!(
            "{prefix}{} ({}) AS {alias}",
            owner.extras[*x].name,
            owner.extras[*x].table.join(".")
        ));
    }
    joins.extend(b.needs.scans.iter().map(|&s| plan.scans[s].cte.clone()));
    let mut seqs: Vec<String> = Vec::new();
    for &s in &b.needs.seqs {
        let (cte, _) = plan.sequence_column(s);
        if !seqs.contains(&cte) {
            seqs.push(cte);
        }
    }
    joins.extend(seqs);
    joins.extend(
        b.needs
            .derived
            .iter()
            .map(|&d| plan.derived[d].cte().to_string()),
    );
    if !joins.is_empty() {
        let _ = write!(out, " joining {}", joins.join(", "));
    }
    out.push('\n');
}

impl Plan {
    /// The plan as text (names resolved against the program).
    pub fn display(&self, p: &Program) -> String {
        let mut out = String::new();
        match self.at_run {
            None => {
                let _ = writeln!(out, "as of {}", format_timestamp(self.as_of));
            }
            Some(r) => {
                let _ = writeln!(
                    out,
                    "as of run time ({}), planned at {}",
                    r.describe(),
                    format_timestamp(self.as_of)
                );
            }
        }
        for (table, c) in &p.stats.relations {
            let _ = writeln!(
                out,
                "statistics of {table}: {} names in {} rows, {} with a most per key",
                c.names.len(),
                c.sampled,
                c.max_per_key.len()
            );
        }
        for s in &self.scans {
            let kind = match s.kind {
                ScanKind::Shared => "shared".to_string(),
                ScanKind::Distinct => "distinct".to_string(),
                ScanKind::Lists => "lists".to_string(),
                ScanKind::Tier(t) => format!("tier {t}"),
            };
            let ev = &p.catalog.events[s.events];
            let _ = writeln!(out, "scan {} ({kind}) of {}:", s.cte, ev.table.join("."));
            for (k, name) in &s.columns {
                let _ = writeln!(out, "  {name}: {}", describe(k));
            }
        }
        if let (true, Body::Segment(id)) = (self.lapses_as_sets, &self.body) {
            let split = super::lapses::split(p, &p.segments[*id].cond);
            if let Some(a) = split.absent {
                let f = &a.filter;
                let _ = writeln!(
                    out,
                    "absence as an anti join of {}: {} {}",
                    p.catalog.events[f.events].table.join("."),
                    names(&f.names),
                    window(&f.window)
                );
            }
            for l in split.lapses {
                let f = &l.agg.filter;
                let _ = writeln!(
                    out,
                    "lapse as key sets of {}: {} {}, before {} and none since",
                    p.catalog.events[f.events].table.join("."),
                    names(&f.names),
                    window(&f.window),
                    time_point(&l.before)
                );
            }
        }
        for c in &self.chains {
            let seqs: Vec<String> = c
                .members
                .iter()
                .enumerate()
                .map(|(m, &i)| {
                    let s = &self.sequences[i];
                    let steps: Vec<String> = s
                        .seq
                        .steps
                        .iter()
                        .map(|st| match st.within {
                            Some(d) => format!(
                                "{} within {} {}",
                                names(&st.names),
                                d.n,
                                d.unit.word_for(d.n)
                            ),
                            None => names(&st.names),
                        })
                        .collect();
                    let mut line = format!(
                        "{}: {} {}",
                        s.cte,
                        steps.join(" then "),
                        window(&s.seq.window)
                    );
                    if let ChainForm::TimeBuckets(bs) = &c.form {
                        if let Some(rows) = &bs[m].prefix_rows {
                            line.push_str(&format!(" (the keys of {rows})"));
                        } else if c.members.len() > 1 && !bs[m].ctes.is_empty() {
                            line.push_str(&format!(" ({})", bs[m].ctes.join(", ")));
                        }
                    }
                    line
                })
                .collect();
            let form = match (&c.form, c.step_ctes.as_slice()) {
                (ChainForm::TimeBuckets(bs), _) if bs.len() > 1 => "time buckets".to_string(),
                (ChainForm::TimeBuckets(bs), _) => match (bs[0].withins.len(), &bs[0].ctes) {
                    (_, ctes) if ctes.is_empty() => "time buckets".to_string(),
                    (1, ctes) => format!("time buckets, earlier bucket {}", ctes.join(", ")),
                    (_, ctes) => format!("time buckets, steps {}", ctes.join(", ")),
                },
                (ChainForm::Joins(m), _) if m.is_empty() => "joins".to_string(),
                (ChainForm::Joins(m), _) => format!("joins, steps {}", m.join(", ")),
                (ChainForm::WindowPasses, []) => "passes none".to_string(),
                (ChainForm::WindowPasses, ctes) => format!("passes {}", ctes.join(", ")),
            };
            let result = match &c.form {
                ChainForm::TimeBuckets(bs) if bs.len() > 1 => "".to_string(),
                _ => format!(" {}", c.result_cte(self)),
            };
            let _ = writeln!(
                out,
                "sequences{result} of {} (scan {}, {form}):",
                p.catalog.events[c.events].table.join("."),
                c.steps_cte,
            );
            for s in seqs {
                let _ = writeln!(out, "  {s}");
            }
        }
        for &di in &self.derived_order {
            let d = &self.derived[di];
            match d {
                Derived::Ntile { tiles, .. } => {
                    let t: Vec<String> = tiles
                        .iter()
                        .map(|t| format!("ntile({}) as {}", t.k, t.name))
                        .collect();
                    let _ = write!(out, "derived {}: {} over ", d.cte(), t.join(", "));
                }
                Derived::Quant { conds, outer, .. } => {
                    let _ = write!(
                        out,
                        "derived {}: {} condition(s), per {}, over ",
                        d.cte(),
                        conds.len(),
                        p.catalog.entities[*outer].name
                    );
                }
                Derived::Lookup {
                    alternatives,
                    looked_up,
                    ..
                } => {
                    let what = alternatives[*looked_up]
                        .did()
                        .map_or_else(String::new, |a| {
                            let f = &a.filter;
                            let filtered = if f.pred.is_some() {
                                " with a filter"
                            } else {
                                ""
                            };
                            format!("{}{filtered} {}", names(&f.names), window(&f.window))
                        });
                    let _ = write!(
                        out,
                        "derived {}: the keys with {what}, looked up where the other {} \
                         alternative(s) of its or do not hold, over ",
                        d.cte(),
                        alternatives.len() - 1
                    );
                }
            }
            block(p, self, d.block(), &mut out);
        }
        let body = match &self.body {
            Body::Segment(id) => format!("segment {}", p.segments[*id].name),
            Body::Batch {
                segments,
                traits,
                long,
            } => format!(
                "batch{} of {} segment(s) and {} trait(s)",
                if *long { " (long)" } else { "" },
                segments.len(),
                traits.len()
            ),
            Body::Report { index, base } => {
                format!("report {} (base {base})", p.reports[*index].name)
            }
            Body::Split { index, members } => {
                format!("split {} (members {members})", p.splits[*index].name)
            }
            Body::Priority(i) => format!("priority {}", p.priorities[*i].name),
        };
        let _ = write!(out, "{body} over ");
        block(p, self, &self.block, &mut out);
        out
    }
}
