//! `segql diff --base REV`: what a change does to the segments' members. The project
//! as it was at a git revision ([`segql_project::revision`]) and as it is now run on the
//! data bound now; every segment whose definition differs (by its manifest checksum),
//! is new or is gone is listed with its members gained and lost, with examples, and so
//! is every segment built on a changed segment, trait or action (its own text the same).
//! `size change within` asserts on the listed segments are checked here: exit 1 beyond.

use crate::data;
use crate::output;
use crate::project::{self, Workspace};
use anyhow::{anyhow, Result};
use segql_plan::compile::Options;
use segql_plan::deps::Node;
use segql_plan::ir::{AssertCheck, Program, Target};
use segql_project::manifest::checksum;
use segql_run::run;
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

/// The definitions a diff compares, by kind and name: segments, and what segments are
/// built from (traits, actions).
fn definitions(ws: &Workspace, p: &Program) -> BTreeMap<(&'static str, String), (Node, String)> {
    Node::all(p)
        .into_iter()
        .filter(|n| matches!(n, Node::Segment(_) | Node::Trait(_) | Node::Action(_)))
        .map(|n| ((n.kind(), n.name(p).to_string()), (n, checksum(ws, p, n))))
        .collect()
}

pub fn run(args: Args, color: bool) -> Result<ExitCode> {
    let as_of = args.as_of.instant()?;
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
    let checkout = segql_project::revision::checkout(&root, &args.base)?;
    let base = project::workspace(std::slice::from_ref(&checkout.root))?;
    let Some(base_program) = base.program.as_ref().filter(|_| !base.has_errors()) else {
        output::print_diagnostics(&base.map, &base.diags, color);
        eprintln!(
            "not compared: the project at {} does not check ({})",
            args.base,
            output::count_summary(&base.diags)
        );
        return Ok(ExitCode::from(1));
    };
    // Segments by name, now and at the base, with their checksums.
    let sums = |ws: &Workspace, p: &Program| -> BTreeMap<String, (usize, String)> {
        (0..p.segments.len())
            .map(|i| {
                (
                    p.segments[i].name.clone(),
                    (i, checksum(ws, p, Node::Segment(i))),
                )
            })
            .collect()
    };
    let now = sums(&ws, program);
    let then = sums(&base, base_program);
    let mut changes: Vec<(String, Change)> = Vec::new();
    for (name, (_, sum)) in &now {
        match then.get(name) {
            None => changes.push((name.clone(), Change::New)),
            Some((_, old)) if old != sum => changes.push((name.clone(), Change::Changed)),
            Some(_) => {}
        }
    }
    // Segments whose own text is the same but that are built on a definition that
    // changed: their members may move all the same.
    let defs_then = definitions(&base, base_program);
    let changed_defs: Vec<(Node, String)> = definitions(&ws, program)
        .into_iter()
        .filter(|(k, (_, sum))| defs_then.get(k).is_none_or(|(_, old)| old != sum))
        .map(|((kind, name), (n, _))| (n, format!("{kind} {name}")))
        .collect();
    let graph = segql_plan::deps::Graph::new(program);
    let mut upstream: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (n, label) in &changed_defs {
        for d in graph.descendants(*n, None) {
            if let Node::Segment(i) = d {
                upstream
                    .entry(program.segments[i].name.clone())
                    .or_default()
                    .push(label.clone());
            }
        }
    }
    for (name, why) in upstream {
        if then.contains_key(&name) && !changes.iter().any(|(n, _)| *n == name) {
            changes.push((name, Change::Upstream(why)));
        }
    }
    for name in then.keys().filter(|n| !now.contains_key(*n)) {
        changes.push((name.clone(), Change::Removed));
    }
    let json = args.format == DiffFormat::Json;
    if changes.is_empty() {
        if json {
            println!(
                "{}",
                serde_json::to_string_pretty(&report(&args.base, as_of, Vec::new()))?
            );
        } else {
            println!("no segment changed since {}", args.base);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let opts = Options::literal(as_of);
    let wanted_now: Vec<usize> = changes
        .iter()
        .filter(|(_, c)| !matches!(c, Change::Removed))
        .map(|(n, _)| now[n].0)
        .collect();
    let wanted_then: Vec<usize> = changes
        .iter()
        .filter(|(_, c)| !matches!(c, Change::New))
        .map(|(n, _)| then[n].0)
        .collect();
    let target = args.target.as_deref();
    let members_now = members(&ws, program, &wanted_now, opts, target, color)?;
    // The base's segments read the data bound now (its catalog, this segql.toml).
    let members_then = members(&ws, base_program, &wanted_then, opts, target, color)?;
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
        println!(
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
            println!(
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
            println!(
                "  {} assert {check}: {}",
                if *passed { "ok  " } else { "FAIL" },
                change_text(before.len(), after.len())
            );
        }
    }
    if json {
        println!(
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

/// The members (keys) of segments `ids` of `program`, run on the data `bound` binds
/// (or on `target`); `None` when the data could not be bound (the problems are
/// printed).
fn members(
    bound: &Workspace,
    program: &Program,
    ids: &[usize],
    opts: Options,
    target: Option<&str>,
    color: bool,
) -> Result<Option<BTreeMap<String, BTreeSet<String>>>> {
    let mut out = BTreeMap::new();
    if ids.is_empty() {
        return Ok(Some(out));
    }
    let graph = segql_plan::deps::Graph::new(program);
    let relations = graph.relations(ids.iter().map(|&i| Node::Segment(i)));
    let Some((engine, mapped)) =
        crate::target_cmd::backend(bound, program, target, Some(&relations), &[], color)?
    else {
        eprintln!("not compared");
        return Ok(None);
    };
    let on = mapped.as_ref().unwrap_or(program);
    let targets: Vec<Target> = ids.iter().map(|&i| Target::Segment(i)).collect();
    let settings = run::Settings {
        opts,
        with_traits: false,
        fetch_rows: true,
    };
    struct Quiet;
    impl run::Observer for Quiet {
        fn start(&mut self, _: String) {}
        fn finish(&mut self) {}
    }
    let done = run::run(engine.as_ref(), on, &targets, settings, &mut Quiet).map_err(|f| {
        match f.cause {
            run::Cause::Unsupported(u) => anyhow!("{u}"),
            run::Cause::Query(e) => anyhow::Error::new(data::query_error(&e)),
        }
        .context(f.doing)
    })?;
    for o in done.outputs {
        let keys = o
            .rows
            .into_iter()
            .map(|r| r.into_iter().next().flatten().unwrap_or_default())
            .collect();
        out.insert(o.target.name(program).to_string(), keys);
    }
    Ok(Some(out))
}
