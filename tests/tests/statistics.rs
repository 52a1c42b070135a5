//! Statistics (`segql stats`, `segql_plan::stats`) change plans, never members.
//!
//! With statistics that call every event name rare and at most once per key, every scan's
//! list of several names gets its range, every lapse is an aggregate again and every
//! sequence alone over its relation is joins, and every sequence of a batch is tested on
//! lists of its steps' times (DuckDB's choices without statistics are the opposite): the
//! fixtures' hand-checked members and the oracle's members of random
//! segments must still be found, each segment alone and in a batch.

use segql_plan::compile::{batch_statement, statement, Options};
use segql_plan::dialect::{DistinctScan, SequenceLists};
use segql_plan::ir::{Program, Target};
use segql_plan::stats::{NameCounts, Statistics};
use segql_tests::conformance::run_all;
use segql_tests::engines;
use segql_tests::random::{self, round, Cmp, Cond, Filter, Round, Window, CI_SEEDS_AFTER};
use segql_tests::{inline_project, load_project, root};

/// Statistics in which every events relation of `p` holds each name the segments read
/// none of the time (rare: every range pays, no lapse is a set) and at most once per key
/// (so every lone sequence's joins fit).
fn all_rare(p: &Program) -> Statistics {
    let graph = segql_plan::deps::Graph::new(p);
    let used = graph.event_names((0..p.segments.len()).map(segql_plan::deps::Node::Segment));
    let mut s = Statistics::default();
    for (id, ev) in p.catalog.events.iter().enumerate() {
        let mut c = NameCounts {
            sampled: 1_000_000,
            rows: 1_000_000,
            ..NameCounts::default()
        };
        for n in used.get(&id).into_iter().flatten() {
            c.names.insert(n.clone(), 0);
            c.max_per_key.insert(n.clone(), 1);
        }
        s.relations.insert(ev.table.join("."), c);
    }
    s
}

/// How many of the segments' DuckDB statements the statistics change: (with a name
/// range, no longer with lapse sets, a sequence as joins).
fn changed(p: &Program, stats: &Statistics) -> (usize, usize, usize) {
    let d = segql_plan::dialect::by_name("duckdb").expect("duckdb");
    let as_of = segql_syntax::time::parse_instant("2026-01-01").unwrap();
    let mut with = p.clone();
    with.stats = stats.clone();
    let (mut ranges, mut lapses, mut joins) = (0, 0, 0);
    for id in 0..p.segments.len() {
        let t = Target::Segment(id);
        let (Ok(a), Ok(b)) = (
            statement(p, t, d, Options::literal(as_of)),
            statement(&with, t, d, Options::literal(as_of)),
        ) else {
            continue;
        };
        let (a, b) = (a.query.to_string(), b.query.to_string());
        if a == b {
            continue;
        }
        if b.matches(" <= '").count() > a.matches(" <= '").count() {
            ranges += 1;
        }
        if a.contains("NOT IN (SELECT") && !b.contains("NOT IN (SELECT") {
            lapses += 1;
        }
        if b.contains(" AS b ON b.k = a.k") {
            joins += 1;
        }
    }
    (ranges, lapses, joins)
}

/// A dialect's batch statements (one per entity, every segment of it, in the long form
/// `run_all` runs).
fn batch_texts(p: &Program, dialect: &str) -> Vec<String> {
    let d = segql_plan::dialect::by_name(dialect).expect("a dialect");
    let as_of = segql_syntax::time::parse_instant("2026-01-01").unwrap();
    (0..p.catalog.entities.len())
        .filter_map(|e| {
            let ids: Vec<usize> = (0..p.segments.len())
                .filter(|&i| p.segments[i].entity == e)
                .collect();
            batch_statement(p, &ids, true, d, Options::literal(as_of))
                .ok()
                .map(|st| st.query.to_string())
        })
        .collect()
}

/// How many sequences a dialect's batch statements test on lists of their steps' times
/// (each binds its first step's time once: `lambda s1 :` on DuckDB, `s1 ->` on
/// ClickHouse and Spark, an unnested `s1_list (s1)` on Postgres).
fn batch_lists(p: &Program, dialect: &str) -> usize {
    let markers = ["lambda s1", "s1 -> ", "AS s1_list (s1)"];
    batch_texts(p, dialect)
        .iter()
        .map(|t| markers.iter().map(|m| t.matches(m).count()).sum::<usize>())
        .sum()
}

/// Statistics in which `frequent` is most of every events relation's rows and the other
/// names the segments read are rare: DuckDB's batches look it up for the rest of an `or`
/// (`plan::lookups`).
fn one_frequent(p: &Program, frequent: &str) -> Statistics {
    let mut s = all_rare(p);
    for c in s.relations.values_mut() {
        c.names.insert(frequent.to_string(), 600_000);
    }
    s
}

/// How many of the segments' DuckDB batch statements (each segment alone in a batch, and
/// every segment of a test together, as `run_all` runs them) look an event up.
fn lookups(p: &Program) -> usize {
    let d = segql_plan::dialect::by_name("duckdb").expect("duckdb");
    let as_of = segql_syntax::time::parse_instant("2026-01-01").unwrap();
    let batches = (0..p.segments.len())
        .map(|i| vec![i])
        .chain(p.tests.iter().map(|t| {
            let mut ids: Vec<usize> = t
                .expects
                .iter()
                .filter_map(|e| match e.target {
                    Target::Segment(id) => Some(id),
                    _ => None,
                })
                .collect();
            ids.dedup();
            ids
        }));
    batches
        .filter(|ids| !ids.is_empty())
        .filter(|ids| {
            batch_statement(p, ids, true, d, Options::literal(as_of))
                .is_ok_and(|st| st.query.to_string().contains("_looked_up"))
        })
        .count()
}

/// The round with each user segment's condition `C` made `(C) or did "a" in last 365
/// days`, in its text and in what the oracle reads.
fn or_a_year_of_a(mut rd: Round) -> Round {
    for (i, c) in rd.conds.iter_mut().enumerate() {
        let start = format!("\nsegment s{i} {{\n  where ");
        let at = rd.text.find(&start).expect("the segment") + start.len();
        let end = at + rd.text[at..].find("\n}\n").expect("its end");
        let condition = rd.text[at..end].to_string();
        rd.text.replace_range(
            at..end,
            &format!("({condition}) or did \"a\" in last 365 days"),
        );
        let year_of_a = Cond::Did {
            names: Some(vec!["a"]),
            window: Window::Days(365),
            times: (Cmp::Ge, 1),
            filter: Filter::None,
        };
        *c = Cond::Or(Box::new(c.clone()), Box::new(year_of_a));
    }
    rd
}

fn duckdb() -> Box<dyn engines::Engine> {
    engines::start("duckdb").expect("DuckDB is built in")
}

/// Every fixture expectation is found on DuckDB, alone and batched, as `program` plans it.
fn assert_members(map: &segql_syntax::SourceMap, program: &Program) {
    let labels = segql_tests::conformance::labels(map, program);
    let mut e = duckdb();
    let mut failures = Vec::new();
    for run in run_all(e.as_mut(), program, &labels) {
        failures.extend(run.problems());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_fixtures_have_their_members_planned_with_statistics() {
    let (map, mut program) = load_project(&root().join("fixtures/results"));
    let stats = all_rare(&program);
    let (ranges, lapses, joins) = changed(&program, &stats);
    assert!(
        ranges >= 3 && lapses >= 3 && joins >= 3,
        "the statistics change too few fixture statements to test them: \
         {ranges} with a range, {lapses} lapses, {joins} sequences as joins"
    );
    program.stats = stats;
    let lists = batch_lists(&program, "duckdb");
    assert!(
        lists >= 3,
        "only {lists} fixture sequences take lists in a batch"
    );
    assert_members(&map, &program);
}

#[test]
fn the_fixtures_have_their_members_with_a_frequent_event_looked_up() {
    let (map, mut program) = load_project(&root().join("fixtures/results"));
    program.stats = one_frequent(&program, "page_viewed");
    let looked_up = lookups(&program);
    assert!(
        looked_up >= 3,
        "only {looked_up} fixture batches look page views up"
    );
    assert_members(&map, &program);
}

#[test]
fn random_segments_have_the_oracles_members_planned_with_statistics() {
    let mut e = duckdb();
    let mut failures = Vec::new();
    let (mut ranges, mut lapses, mut joins, mut lists) = (0, 0, 0, 0);
    for seed in 1..=random::rounds(6) {
        let rd = round(CI_SEEDS_AFTER + 100 + seed, 20, 20);
        let text = random::with_expectations(&rd, &format!("stats_{seed}"));
        let (_, mut p) = inline_project(&format!("round {seed}"), &text);
        let stats = all_rare(&p);
        let (r, l, j) = changed(&p, &stats);
        ranges += r;
        lapses += l;
        joins += j;
        p.stats = stats;
        lists += batch_lists(&p, "duckdb");
        for run in run_all(e.as_mut(), &p, &[format!("stats_{seed}")]) {
            failures.extend(run.problems().into_iter().map(|f| format!("{f}\n{text}")));
        }
    }
    println!(
        "statistics changed {ranges} statements' ranges, {lapses} lapses and {joins} sequences; \
         {lists} sequences of batches took lists"
    );
    assert!(ranges > 0, "no random statement got a range");
    assert!(joins > 0, "no random sequence became joins");
    assert!(lists > 0, "no random batch's sequence took lists");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Random conditions as the rest of an `or` whose other alternative, a year of the
/// frequent "a", a batch looks up (`plan::lookups`): the rest's columns, sequences and
/// unset values read in the lookup's own block, and the oracle's members found. One
/// segment a round, so that its batch is the segment's own.
#[test]
fn random_segments_keep_the_oracles_members_with_a_frequent_event_looked_up() {
    let mut e = duckdb();
    let mut failures = Vec::new();
    let mut looked_up = 0;
    let rounds = random::rounds(40);
    for seed in 1..=rounds {
        let rd = or_a_year_of_a(round(CI_SEEDS_AFTER + 300 + seed, 1, 20));
        let text = random::with_expectations(&rd, &format!("lookup_{seed}"));
        let (_, mut p) = inline_project(&format!("round {seed}"), &text);
        p.stats = one_frequent(&p, "a");
        looked_up += lookups(&p).min(1) as u64;
        for run in run_all(e.as_mut(), &p, &[format!("lookup_{seed}")]) {
            failures.extend(run.problems().into_iter().map(|f| format!("{f}\n{text}")));
        }
    }
    println!("{looked_up} of {rounds} rounds' batches looked \"a\" up");
    assert!(
        looked_up * 2 >= rounds,
        "only {looked_up} of {rounds} rounds looked \"a\" up"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The other engines whose dialects test a batch's sequences on lists of their steps'
/// times (ClickHouse in its shared aggregate, Postgres and Spark in an aggregate of their
/// own, with Postgres's rare columns and Spark's distinct counts): with every sequence's
/// pairs bounded, the fixtures' hand-checked members and random rounds' oracle members,
/// each segment alone and batched, on each such engine (skipped with the reason locally,
/// a failure in CI).
#[test]
fn other_engines_find_the_members_with_sequences_on_lists() {
    let mut tested = 0;
    for &name in engines::ENGINES.iter().filter(|&&n| n != "duckdb") {
        let dialect = engines::dialect_name(name);
        let d = segql_plan::dialect::by_name(dialect).expect("a dialect");
        if d.capabilities().sequence_lists == SequenceLists::Never {
            continue;
        }
        tested += 1;
        let Some(mut e) = engines::start_or_skip("statistics", name) else {
            continue;
        };
        let mut failures = Vec::new();
        let (map, mut program) = load_project(&root().join("fixtures/results"));
        program.stats = all_rare(&program);
        let lists = batch_lists(&program, dialect);
        assert!(
            lists >= 3,
            "only {lists} fixture sequences take lists in a {dialect} batch"
        );
        if d.capabilities().distinct == DistinctScan::OwnScanOrLists {
            // Spark: distinct counts as the sizes of sets in the lists' aggregate.
            let sets: usize = batch_texts(&program, dialect)
                .iter()
                .map(|t| t.matches("size(collect_set(").count())
                .sum();
            assert!(
                sets >= 1,
                "no fixture distinct count joins the {dialect} lists"
            );
        }
        let labels = segql_tests::conformance::labels(&map, &program);
        for run in run_all(e.as_mut(), &program, &labels) {
            failures.extend(run.problems());
        }
        let mut random_lists = 0;
        for seed in 1..=random::rounds(3) {
            let rd = round(CI_SEEDS_AFTER + 100 + seed, 20, 20);
            let text = random::with_expectations(&rd, &format!("stats_{seed}"));
            let (_, mut p) = inline_project(&format!("round {seed}"), &text);
            p.stats = all_rare(&p);
            random_lists += batch_lists(&p, dialect);
            for run in run_all(e.as_mut(), &p, &[format!("stats_{seed}")]) {
                failures.extend(run.problems().into_iter().map(|f| format!("{f}\n{text}")));
            }
        }
        println!("{name}: {lists} fixture and {random_lists} random sequences on lists");
        assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
    }
    assert!(tested > 0, "no other dialect tests sequences on lists");
}
