//! `segql diff --base REV`: what a change does to the segments' members. The project
//! as it was at a git revision ([`segql_project::revision`]) and as it is now run on the
//! data bound now; every segment whose definition differs (by its manifest checksum),
//! is new or is gone is listed with its members gained and lost, with examples, and so
//! is every segment built on a changed segment, trait or action (its own text the same).
//! `size change within` asserts on the listed segments are checked here: exit 1 beyond.

use crate::diff_base::{self, members, Base};
use crate::output;
use crate::project;
use anyhow::Result;
use segql_plan::compile::Options;
use segql_plan::deps::Node;
use segql_plan::ir::AssertCheck;
use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

pub use crate::args::Diff as Args;
use crate::args::DiffFormat;

/// How many members gained or lost are shown per segment.
const EXAMPLES: usize = 5;

/// What changed about one segment.
enum Change {
    Changed,
    New,
    Removed,
    /// Its own definition is the same; these segments, traits or actions it is built on
    /// changed (`segment paying`).
    Upstream(Vec<String>),
}

pub fn run(args: Args, color: bool) -> Result<ExitCode> {
    let ws = project::workspace(&args.paths)?;
    output::print_diagnostics(&ws.map, &ws.diags, color);
    let Some(program) = ws.program.as_ref().filter(|_| !ws.has_errors()) else {
        eprintln!("not compared: {}", output::count_summary(&ws.diags));
        return Ok(ExitCode::from(1));
    };
    let Some(root) = ws.inputs.root.clone() else {
        return Err(output::Usage(
            "diff compares a project with its past: run it in a project (a directory with a segql.toml)".into(),
        )
        .into());
    };
    let base = match Base::open(&root, &args.base, color)? {
        Ok(b) => b,
        Err(code) => return Ok(ExitCode::from(code)),
    };
    // A manifest's SQL is as of its own instant: both sides are computed then.
    let as_of = match (base.as_of()?, &args.as_of.value) {
        (Some(at), None) => at,
        (Some(at), Some(_)) if args.as_of.instant()? != at => {
            return Err(output::Usage(format!(
                "--as-of differs from the base manifest's instant ({}): its SQL was compiled as of that instant\n  hint: leave out --as-of (both sides are then computed as of the manifest's), or write the base's manifest again",
                segql_syntax::time::format_timestamp(at)
            ))
            .into())
        }
        _ => args.as_of.instant()?,
    };
    // Segments by name, now and at the base, with their checksums.
    let defs_now = diff_base::nodes(&ws, program);
    let now: BTreeMap<String, (usize, String)> = defs_now
        .iter()
        .filter_map(|(n, (_, name), sum)| match n {
            Node::Segment(i) => Some((name.clone(), (*i, sum.clone()))),
            _ => None,
        })
        .collect();
    let defs_then = base.definitions();
    let then: BTreeMap<&String, &String> = defs_then
        .iter()
        .filter(|((kind, _), _)| kind == "segment")
        .map(|((_, name), sum)| (name, sum))
        .collect();
    let mut changes: Vec<(String, Change)> = Vec::new();
    for (name, (_, sum)) in &now {
        match then.get(name) {
            None => changes.push((name.clone(), Change::New)),
            Some(old) if *old != sum => changes.push((name.clone(), Change::Changed)),
            Some(_) => {}
        }
    }
    // Segments whose own text is the same but that are built on a definition that
    // changed: their members may move all the same.
    let graph = segql_plan::deps::Graph::new(program);
    let mut upstream: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (n, key, sum) in &defs_now {
        if defs_then.get(key) == Some(sum) {
            continue;
        }
        for d in graph.descendants(*n, None) {
            if let Node::Segment(i) = d {
                upstream
                    .entry(program.segments[i].name.clone())
                    .or_default()
                    .push(format!("{} {}", key.0, key.1));
            }
        }
    }
    for (name, why) in upstream {
        if then.contains_key(&name) && !changes.iter().any(|(n, _)| *n == name) {
            changes.push((name, Change::Upstream(why)));
        }
    }
    for name in then.keys().filter(|n| !now.contains_key(**n)) {
        changes.push(((*name).clone(), Change::Removed));
    }
    let json = args.format == DiffFormat::Json;
    if changes.is_empty() {
        if json {
            outln!(
                "{}",
                serde_json::to_string_pretty(&report(&args.base, as_of, Vec::new()))?
            );
        } else {
            outln!("no segment changed since {}", args.base);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let wanted_now: Vec<usize> = changes
        .iter()
        .filter(|(_, c)| !matches!(c, Change::Removed))
        .map(|(n, _)| now[n].0)
        .collect();
    let wanted_then: Vec<String> = changes
        .iter()
        .filter(|(_, c)| !matches!(c, Change::New))
        .map(|(n, _)| n.clone())
        .collect();
    let target = args.target.as_deref();
    let members_now = members(
        &ws,
        program,
        &wanted_now,
        Options::literal(as_of),
        target,
        color,
    )?;
    let members_then = base.members(&ws, &wanted_then, as_of, target, color)?;
    let (Some(members_now), Some(members_then)) = (members_now, members_then) else {
        return Ok(ExitCode::from(1));
    };
    let empty = BTreeSet::new();
    let mut listed = Vec::new();
    let mut beyond = 0;
    for (name, change) in &changes {
        let after = members_now.get(name).unwrap_or(&empty);
        let before = members_then.get(name).unwrap_or(&empty);
        let gained: Vec<&String> = after.difference(before).collect();
        let lost: Vec<&String> = before.difference(after).collect();
        let what = match change {
            Change::Changed => "changed",
            Change::New => "new",
            Change::Removed => "removed",
            Change::Upstream(_) => "changed upstream",
        };
        let via: Vec<&str> = match change {
            Change::Upstream(why) => why.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        // Its `size change within` asserts, with a size before and after.
        let checks: Vec<(String, bool)> = match (change, now.get(name)) {
            (Change::Changed | Change::Upstream(_), Some((i, _))) => program
                .asserts
                .iter()
                .filter(|a| a.segment == *i)
                .flat_map(|a| &a.checks)
                .filter_map(|c| match c {
                    AssertCheck::SizeChange(limit, _) => Some((
                        limit.to_string(),
                        limit.holds(before.len() as u64, after.len() as u64),
                    )),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        beyond += checks.iter().filter(|(_, ok)| !ok).count();
        if json {
            let examples = |keys: &[&String]| -> Vec<String> {
                keys.iter().take(EXAMPLES).map(|k| k.to_string()).collect()
            };
            let asserts: Vec<serde_json::Value> = checks
                .iter()
                .map(|(check, passed)| serde_json::json!({"check": check, "passed": passed}))
                .collect();
            listed.push(serde_json::json!({
                "segment": name,
                "change": what,
                "upstream": via,
                "before": before.len(),
                "after": after.len(),
                "gained": gained.len(),
                "lost": lost.len(),
                "gained_examples": examples(&gained),
                "lost_examples": examples(&lost),
                "asserts": asserts,
            }));
            continue;
        }
        let via_text = if via.is_empty() {
            String::new()
        } else {
            format!(": {}", via.join(", "))
        };
        outln!(
            "segment {name} ({what}{via_text}): {} -> {} members (+{} gained, -{} lost)",
            before.len(),
            after.len(),
            gained.len(),
            lost.len()
        );
        for (label, keys) in [("gained", &gained), ("lost", &lost)] {
            if keys.is_empty() {
                continue;
            }
            let shown: Vec<&str> = keys.iter().take(EXAMPLES).map(|k| k.as_str()).collect();
            let more = keys.len().saturating_sub(EXAMPLES);
            outln!(
                "  {label:<6} {}{}",
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
        }
        for (check, passed) in &checks {
            outln!(
                "  {} assert {check}: {}",
                if *passed { "ok  " } else { "FAIL" },
                change_text(before.len(), after.len())
            );
        }
    }
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&report(&args.base, as_of, listed))?
        );
    }
    eprintln!(
        "{} segment{} changed since {}, as of {}",
        changes.len(),
        if changes.len() == 1 { "" } else { "s" },
        args.base,
        segql_syntax::time::format_timestamp(as_of)
    );
    if beyond > 0 {
        eprintln!(
            "{beyond} size change assert{} failed",
            if beyond == 1 { "" } else { "s" }
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// `120 -> 150 members (+25.0%)`.
fn change_text(before: usize, after: usize) -> String {
    let pct = if before == 0 {
        String::new()
    } else {
        format!(
            " ({:+.1}%)",
            (after as f64 - before as f64) * 100.0 / before as f64
        )
    };
    format!("{before} -> {after} members{pct}")
}

/// `--format json`: the base, the instant and each segment that changed.
fn report(base: &str, as_of: i64, segments: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({
        "base": base,
        "as_of": segql_syntax::time::format_timestamp(as_of),
        "segments": segments,
    })
}
