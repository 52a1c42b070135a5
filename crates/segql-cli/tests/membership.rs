//! Membership over time, end to end: `segql snapshot`, `changes`, `history` and
//! `backtest` on a small shop whose buyers change from week to week.
//!
//! Every guarantee of docs/membership.md has a test here that fails without it: a
//! re-run changes nothing; a failure, an abort or a SIGKILL at each point of recording
//! leaves the state byte-for-byte as it was (as dumped table by table); two snapshots at
//! once never both write; an older as_of is refused unless --backfill, which recomputes
//! the next run's changes; a changed definition is recorded with cause = definition.
//! Expected members always come from `segql run` at the same instant, never from this
//! file's own reasoning.

#[macro_use]
mod common;

use common::{code, stderr, stdout, Project};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::Stdio;

const CATALOG: &str = "\
entity user {
  table app.users
  key user_id
  columns {
    plan string
  }
}

events of user {
  table app.events
  key user_id
  name event_name
  time occurred_at
}
";

const SEGMENTS: &str = "\
segment buyers {
  where did \"purchase\" in last 14 days
}

segment loyal {
  where did \"purchase\" at least 2 times in last 60 days
}

segment pro {
  where plan = \"pro\"
}
";

const USERS: &str = "\
user_id,plan
u1,pro
u2,free
u3,pro
u4,free
u5,free
u6,pro
";

const EVENTS: &str = "\
user_id,event_name,occurred_at
u1,purchase,2024-05-25 10:00:00
u1,purchase,2024-06-08 10:00:00
u2,purchase,2024-06-03 10:00:00
u3,purchase,2024-06-12 10:00:00
u3,purchase,2024-06-20 10:00:00
u4,purchase,2024-06-26 10:00:00
u5,purchase,2024-05-02 10:00:00
u6,login,2024-06-01 10:00:00
";

const T1: &str = "2024-06-01";
const T2: &str = "2024-06-15";
const T3: &str = "2024-07-01";

fn shop() -> Project {
    let p = Project::empty();
    p.write(
        "segql.toml",
        "name = \"shop\"\npaths = [\"segments\"]\n\n[bindings]\n\"app.users\" = \"data/users.csv\"\n\"app.events\" = \"data/events.csv\"\n",
    )
    .write("segments/catalog.seg", CATALOG)
    .write("segments/segments.seg", SEGMENTS)
    .write("data/users.csv", USERS)
    .write("data/events.csv", EVENTS);
    p
}

fn ok(o: &std::process::Output) {
    assert_eq!(code(o), 0, "stdout:\n{}\nstderr:\n{}", stdout(o), stderr(o));
}

fn snap(p: &Project, as_of: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["snapshot", "--as-of", as_of];
    args.extend_from_slice(extra);
    p.segql(&args).output().unwrap()
}

/// Members of `segment` by `segql run` at `as_of`.
fn members(p: &Project, segment: &str, as_of: &str) -> BTreeSet<String> {
    let o = p
        .segql(&[
            "run", "--select", segment, "--as-of", as_of, "--format", "csv",
        ])
        .output()
        .unwrap();
    ok(&o);
    stdout(&o).lines().skip(1).map(str::to_string).collect()
}

/// The state's tables, every row sorted, as text: what "exactly as before" compares.
fn dump(p: &Project) -> String {
    let path = p.path(".segql/state.duckdb");
    if !path.exists() {
        return "(no state)".to_string();
    }
    let conn = duckdb::Connection::open_with_flags(
        &path,
        duckdb::Config::default()
            .access_mode(duckdb::AccessMode::ReadOnly)
            .unwrap(),
    )
    .unwrap();
    let mut out = String::new();
    for t in ["meta", "runs", "run_segments", "changes", "current_members"] {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM {t} ORDER BY ALL"
            ))
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        out.push_str(&format!("# {t}\n"));
        while let Some(r) = rows.next().unwrap() {
            let n = r.as_ref().column_count();
            let cells: Vec<String> = (0..n)
                .map(|i| r.get::<_, Option<String>>(i).unwrap().unwrap_or_default())
                .collect();
            out.push_str(&cells.join("|"));
            out.push('\n');
        }
    }
    out
}

/// Rows of a query on the state file.
fn query(p: &Project, sql: &str) -> Vec<Vec<String>> {
    let conn = duckdb::Connection::open_with_flags(
        p.path(".segql/state.duckdb"),
        duckdb::Config::default()
            .access_mode(duckdb::AccessMode::ReadOnly)
            .unwrap(),
    )
    .unwrap();
    let mut stmt = conn
        .prepare(&format!("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM ({sql})"))
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    let mut out = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        let n = r.as_ref().column_count();
        out.push(
            (0..n)
                .map(|i| r.get::<_, Option<String>>(i).unwrap().unwrap_or_default())
                .collect(),
        );
    }
    out
}

fn set(rows: Vec<Vec<String>>) -> BTreeSet<String> {
    rows.into_iter().map(|r| r[0].clone()).collect()
}

/// `changes` as (segment, key) -> change, from its CSV.
fn changes(p: &Project, args: &[&str]) -> BTreeMap<(String, String), String> {
    let mut a = vec!["changes", "--format", "csv"];
    a.extend_from_slice(args);
    let o = p.segql(&a).output().unwrap();
    ok(&o);
    stdout(&o)
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            ((c[0].to_string(), c[1].to_string()), c[2].to_string())
        })
        .collect()
}

/// The changes that turn `a` into `b`.
fn diff(
    segment: &str,
    a: &BTreeSet<String>,
    b: &BTreeSet<String>,
) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for k in b.difference(a) {
        out.insert((segment.to_string(), k.clone()), "entered".to_string());
    }
    for k in a.difference(b) {
        out.insert((segment.to_string(), k.clone()), "left".to_string());
    }
    out
}

const SEGS: [&str; 3] = ["buyers", "loyal", "pro"];

/// Members at a recorded as_of, from the stays view.
fn stays_at(p: &Project, segment: &str, as_of: &str) -> BTreeSet<String> {
    set(query(
        p,
        &format!(
            "SELECT key FROM stays WHERE segment = '{segment}' AND valid_from <= TIMESTAMP '{as_of}' AND (valid_to IS NULL OR valid_to > TIMESTAMP '{as_of}')"
        ),
    ))
}

#[test]
fn snapshots_record_who_entered_and_left() {
    let p = shop();
    for t in [T1, T2, T3] {
        ok(&snap(&p, t, &[]));
    }
    // The members at each as_of are a run's at that instant: current ones, and the
    // stays view at every recorded instant.
    for s in SEGS {
        let m3 = members(&p, s, T3);
        assert_eq!(
            set(query(
                &p,
                &format!("SELECT key FROM current_members WHERE segment = '{s}'")
            )),
            m3,
            "{s}"
        );
        for t in [T1, T2, T3] {
            assert_eq!(stays_at(&p, s, t), members(&p, s, t), "{s} at {t}");
        }
    }
    // The buyers move: the data set is meant to make them.
    assert_ne!(members(&p, "buyers", T1), members(&p, "buyers", T2));
    // Without --since: the last snapshot's changes; --since T1: exactly the keys that
    // turn T1's members into T3's.
    let mut last = BTreeMap::new();
    let mut since = BTreeMap::new();
    for s in SEGS {
        last.extend(diff(s, &members(&p, s, T2), &members(&p, s, T3)));
        since.extend(diff(s, &members(&p, s, T1), &members(&p, s, T3)));
    }
    assert_eq!(changes(&p, &[]), last);
    assert_eq!(changes(&p, &["--since", T1]), since);
    assert!(!since.is_empty());
    // --since a run: the run of T1, by its id.
    let run1 = query(
        &p,
        "SELECT run_id FROM runs WHERE as_of = TIMESTAMP '2024-06-01'",
    );
    assert_eq!(changes(&p, &["--since", &run1[0][0]]), since);
    // History: the size at each run, and the first run's cause.
    let o = p
        .segql(&["history", "buyers", "--format", "csv"])
        .output()
        .unwrap();
    ok(&o);
    let lines: Vec<String> = stdout(&o).lines().map(str::to_string).collect();
    assert_eq!(lines[0], "segment,as_of,run,size,entered,left,cause");
    assert_eq!(lines.len(), 4);
    for (line, t) in lines[1..].iter().zip([T1, T2, T3]) {
        let c: Vec<&str> = line.split(',').collect();
        assert!(c[1].starts_with(t), "{line}");
        assert_eq!(c[3], members(&p, "buyers", t).len().to_string(), "{line}");
    }
    assert!(lines[1].ends_with(",first run"), "{}", lines[1]);
    assert!(lines[2].ends_with(",data"), "{}", lines[2]);
}

#[test]
fn a_rerun_changes_nothing() {
    let p = shop();
    ok(&snap(&p, T1, &[]));
    ok(&snap(&p, T2, &[]));
    let before = dump(&p);
    let again = snap(&p, T2, &[]);
    ok(&again);
    assert!(
        stderr(&again).contains("recorded already"),
        "{}",
        stderr(&again)
    );
    assert_eq!(dump(&p), before);
    // A selection of segments already recorded at this as_of: nothing either.
    let some = snap(&p, T2, &["--select", "pro"]);
    ok(&some);
    assert_eq!(dump(&p), before);
}

#[test]
fn an_injected_failure_at_any_point_leaves_the_state_as_it_was() {
    let p = shop();
    ok(&snap(&p, T1, &[]));
    let before = dump(&p);
    for point in ["staged", "changes", "current", "run"] {
        let o = p
            .segql(&["snapshot", "--as-of", T2])
            .env("SEGQL_FAULT", format!("{point}:fail"))
            .output()
            .unwrap();
        assert_eq!(code(&o), 1, "{point}: {}", stderr(&o));
        assert!(stderr(&o).contains("error[E0713]"), "{}", stderr(&o));
        assert_eq!(dump(&p), before, "after a failure at {point}");
    }
    // Then the same snapshot records as if nothing had happened.
    ok(&snap(&p, T2, &[]));
    let q = shop();
    ok(&snap(&q, T1, &[]));
    ok(&snap(&q, T2, &[]));
    assert_eq!(without_times(&dump(&p)), without_times(&dump(&q)));
}

/// The dump without the columns that hold wall-clock times and timings.
fn without_times(dump: &str) -> String {
    dump.lines()
        .map(|l| {
            // runs: seq|run_id|as_of|observed_at|status|backfill|started_at|compute_ms|publish_ms|version
            // changes: ...|as_of|observed_at|cause
            let c: Vec<&str> = l.split('|').collect();
            match c.len() {
                10 => format!("{}|{}|{}|{}|{}", c[0], c[1], c[2], c[4], c[5]),
                8 => format!(
                    "{}|{}|{}|{}|{}|{}|{}",
                    c[0], c[1], c[2], c[3], c[4], c[5], c[7]
                ),
                _ => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Starts a snapshot that stops at `point` and returns once it says so.
#[cfg(unix)]
fn paused(p: &Project, as_of: &str, point: &str) -> std::process::Child {
    let mut child = p
        .segql(&["snapshot", "--as-of", as_of])
        .env("SEGQL_FAULT", format!("{point}:pause"))
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let err = child.stderr.take().unwrap();
    let mut lines = BufReader::new(err).lines();
    loop {
        match lines.next() {
            Some(Ok(l)) if l == format!("paused at {point}") => break,
            Some(Ok(_)) => continue,
            _ => panic!("the snapshot ended before pausing at {point}"),
        }
    }
    child
}

#[cfg(unix)]
fn kill(child: &mut std::process::Child) {
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

#[test]
#[cfg(unix)]
fn a_snapshot_killed_at_any_point_leaves_the_state_as_it_was() {
    let p = shop();
    ok(&snap(&p, T1, &[]));
    let before = dump(&p);
    for point in ["staged", "changes", "current", "run"] {
        let mut child = paused(&p, T2, point);
        kill(&mut child);
        assert_eq!(dump(&p), before, "after SIGKILL at {point}");
        // The state opens and records again.
        let o = snap(&p, T1, &[]);
        ok(&o);
        assert!(stderr(&o).contains("recorded already"), "{}", stderr(&o));
    }
    // Aborted (a crash) inside the transaction: as before; after the commit: recorded.
    let o = p
        .segql(&["snapshot", "--as-of", T2])
        .env("SEGQL_FAULT", "run:abort")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_eq!(dump(&p), before);
    let o = p
        .segql(&["snapshot", "--as-of", T2])
        .env("SEGQL_FAULT", "committed:abort")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_ne!(dump(&p), before);
    let q = shop();
    ok(&snap(&q, T1, &[]));
    ok(&snap(&q, T2, &[]));
    assert_eq!(without_times(&dump(&p)), without_times(&dump(&q)));
}

#[test]
#[cfg(unix)]
fn two_snapshots_at_once_one_records_the_other_fails_clearly() {
    let p = shop();
    ok(&snap(&p, T1, &[]));
    let before = dump(&p);
    // One holds the state mid-transaction; the other fails at once, naming it.
    let mut first = paused(&p, T2, "changes");
    let second = snap(&p, T3, &[]);
    assert_eq!(code(&second), 1);
    let err = stderr(&second);
    assert!(err.contains("error[E0712]"), "{err}");
    assert!(err.contains(&format!("process {}", first.id())), "{err}");
    // Readers wait too, with the same message.
    let o = p.segql(&["history"]).output().unwrap();
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("error[E0712]"), "{}", stderr(&o));
    kill(&mut first);
    assert_eq!(dump(&p), before);
    // Racing for real: every outcome is a recorded run or E0712, and no key is ever
    // current twice.
    let children: Vec<_> = [T2, T3, "2024-07-15"]
        .iter()
        .map(|t| {
            p.segql(&["snapshot", "--as-of", t])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut recorded = 0;
    for c in children {
        let o = c.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        if o.status.success() {
            recorded += 1;
        } else {
            assert!(
                err.contains("error[E0712]") || err.contains("error[E0715]"),
                "{err}"
            );
        }
    }
    assert!(recorded >= 1);
    let twice = query(
        &p,
        "SELECT segment, key FROM current_members GROUP BY ALL HAVING count(*) > 1",
    );
    assert!(twice.is_empty(), "{twice:?}");
}

#[test]
fn an_older_snapshot_is_refused_unless_backfilled() {
    let p = shop();
    ok(&snap(&p, T1, &[]));
    ok(&snap(&p, T3, &[]));
    let before = dump(&p);
    let o = snap(&p, T2, &[]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("error[E0715]"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--backfill"), "{}", stderr(&o));
    assert_eq!(dump(&p), before);
    ok(&snap(&p, T2, &["--backfill"]));
    // In order: history lists T1, T2, T3, and every run's members and changes are what
    // snapshots taken in order would have recorded.
    let q = shop();
    for t in [T1, T2, T3] {
        ok(&snap(&q, t, &[]));
    }
    let figures = |p: &Project| {
        query(
            p,
            "SELECT segment, as_of, size, entered, left_count, cause FROM run_segments ORDER BY ALL",
        )
    };
    assert_eq!(figures(&p), figures(&q));
    let keys = |p: &Project| {
        query(
            p,
            "SELECT segment, key, change, as_of, cause FROM changes ORDER BY ALL",
        )
    };
    assert_eq!(keys(&p), keys(&q));
    for s in SEGS {
        for t in [T1, T2, T3] {
            assert_eq!(stays_at(&p, s, t), members(&p, s, t), "{s} at {t}");
        }
    }
    // Backfilling before the first run: the old first run's changes become data.
    let r = shop();
    ok(&snap(&r, T2, &[]));
    ok(&snap(&r, T1, &["--backfill"]));
    let causes = query(
        &r,
        "SELECT DISTINCT strftime(as_of, '%Y-%m-%d'), cause FROM run_segments ORDER BY ALL",
    );
    assert_eq!(
        causes,
        vec![
            vec!["2024-06-01".to_string(), "first run".to_string()],
            vec!["2024-06-15".to_string(), "data".to_string()]
        ]
    );
}

#[test]
fn a_changed_definition_is_recorded_as_such() {
    let p = shop();
    ok(&snap(&p, T1, &[]));
    // Layout and comments are not a change of definition.
    p.write(
        "segments/segments.seg",
        &format!(
            "# the same segments, laid out anew\n\n{}",
            SEGMENTS.replace("  where", "    where")
        ),
    );
    let o = snap(&p, T1, &[]);
    ok(&o);
    assert!(stderr(&o).contains("recorded already"), "{}", stderr(&o));
    // A wider window, at the same instant: every change is the definition's.
    p.write(
        "segments/segments.seg",
        &SEGMENTS.replace("in last 14 days", "in last 45 days"),
    );
    ok(&snap(&p, T1, &[]));
    let causes = query(&p, "SELECT DISTINCT cause FROM changes WHERE segment = 'buyers' AND run_id <> (SELECT min_by(run_id, seq) FROM runs)");
    assert_eq!(causes, vec![vec!["definition".to_string()]]);
    assert_eq!(
        stays_at(&p, "buyers", T1),
        members(&p, "buyers", T1),
        "the new definition's members"
    );
    // The other segments did not change: they are not recorded again.
    let runs = query(&p, "SELECT segment FROM run_segments WHERE seq = 2");
    assert_eq!(runs, vec![vec!["buyers".to_string()]]);
    // Next time, with the data moving, the cause is data again.
    ok(&snap(&p, T2, &[]));
    let o = p
        .segql(&["history", "buyers", "--format", "json"])
        .output()
        .unwrap();
    ok(&o);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let causes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cause"].as_str().unwrap())
        .collect();
    assert_eq!(causes, ["first run", "definition", "data"]);
    assert!(v[0]["size"].is_i64());
}

#[test]
fn each_backtest_step_equals_a_run_at_that_instant() {
    let p = shop();
    let o = p
        .segql(&[
            "backtest",
            "buyers",
            "loyal",
            "--from",
            "2024-05-20",
            "--to",
            "2024-07-10",
            "--every",
            "1",
            "week",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    ok(&o);
    let out = stdout(&o);
    let mut n = 0;
    let mut prev: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in out.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let (seg, at) = (c[0], &c[1][..10]);
        let m = members(&p, seg, at);
        assert_eq!(c[2], m.len().to_string(), "{line}");
        match prev.get(seg) {
            None => assert_eq!((c[3], c[4]), ("", ""), "{line}"),
            Some(before) => {
                assert_eq!(c[3], m.difference(before).count().to_string(), "{line}");
                assert_eq!(c[4], before.difference(&m).count().to_string(), "{line}");
            }
        }
        prev.insert(seg.to_string(), m);
        n += 1;
    }
    assert_eq!(n, 2 * 8, "{out}");
    // Nothing recorded.
    assert!(!p.path(".segql").exists());
    // A chart and a sparkline.
    let o = p
        .segql(&[
            "backtest",
            "buyers",
            "--from",
            "2024-05-20",
            "--to",
            "2024-07-10",
            "--every",
            "1 week",
            "--chart",
            "buyers.svg",
        ])
        .output()
        .unwrap();
    ok(&o);
    assert!(p.read("buyers.svg").starts_with("<svg"));
    assert!(p.read("buyers.svg").contains("buyers"));
    assert!(
        stdout(&o).contains('▁') || stdout(&o).contains('█'),
        "{}",
        stdout(&o)
    );
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

#[test]
fn bad_input_is_refused_with_a_code_and_nothing_written() {
    let p = shop();
    // No state yet.
    for args in [&["changes"][..], &["history"][..]] {
        let o = p.segql(args).output().unwrap();
        assert_eq!(code(&o), 1);
        assert!(stderr(&o).contains("error[E0718]"), "{}", stderr(&o));
    }
    assert!(!p.path(".segql").exists());
    // A series that is none.
    for (from, to, every) in [
        ("2024-07-01", "2024-06-01", "1 week"),
        ("2024-06-01", "2024-07-01", "0 days"),
        ("2024-06-01", "2024-07-01", "=-1 week"),
        ("2000-01-01", "2010-01-01", "1 day"),
        ("2024-06-01", "2024-07-01", "1 fortnight"),
    ] {
        let o = p
            .segql(&match every.strip_prefix('=') {
                // `--every=-1 week`: one argument, or clap reads `-1` as an option.
                Some(v) => vec![
                    "backtest",
                    "--from",
                    from,
                    "--to",
                    to,
                    leak(format!("--every={v}")),
                ],
                None => vec!["backtest", "--from", from, "--to", to, "--every", every],
            })
            .output()
            .unwrap();
        assert_eq!(code(&o), 1, "{every}");
        assert!(stderr(&o).contains("error[E0717]"), "{}", stderr(&o));
    }
    ok(&snap(&p, T1, &[]));
    // An unknown run.
    let o = p
        .segql(&["changes", "--since", "ffffffff"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("error[E0716]"), "{}", stderr(&o));
    // A newer state: refused, and left byte for byte.
    let state = p.path(".segql/state.duckdb");
    {
        let conn = duckdb::Connection::open(&state).unwrap();
        conn.execute_batch(
            "UPDATE meta SET value = '99' WHERE name = 'schema_version'; CHECKPOINT;",
        )
        .unwrap();
    }
    let bytes = std::fs::read(&state).unwrap();
    for args in [
        &["snapshot", "--as-of", T2][..],
        &["history"][..],
        &["changes"][..],
    ] {
        let o = p.segql(args).output().unwrap();
        assert_eq!(code(&o), 1);
        assert!(stderr(&o).contains("error[E0710]"), "{}", stderr(&o));
        assert!(stderr(&o).contains("schema version 99"), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(&state).unwrap(), bytes);
    // A damaged one: not a database, or a database that is not segql's.
    std::fs::write(&state, b"this is not a database").unwrap();
    let o = snap(&p, T2, &[]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("error[E0711]"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&state).unwrap(), b"this is not a database");
    std::fs::remove_file(&state).unwrap();
    {
        let conn = duckdb::Connection::open(&state).unwrap();
        conn.execute_batch("CREATE TABLE orders (id INT); CHECKPOINT;")
            .unwrap();
    }
    let o = snap(&p, T2, &[]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("error[E0711]"), "{}", stderr(&o));
    // A state where a source is read.
    let q = shop();
    q.write(
        "segql.toml",
        "name = \"shop\"\npaths = [\"segments\"]\nstate = \"data/users.csv\"\n\n[bindings]\n\"app.users\" = \"data/users.csv\"\n\"app.events\" = \"data/events.csv\"\n",
    );
    let o = snap(&q, T1, &[]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("E0704"), "{}", stderr(&o));
    assert_eq!(q.read("data/users.csv"), USERS);
    // A target whose engine cannot hold the state (Spark: no transactions): refused
    // before connecting, for every command; the local state is untouched.
    let r = shop();
    r.write(
        "segql.toml",
        "name = \"shop\"\npaths = [\"segments\"]\n\n[bindings]\n\"app.users\" = \"data/users.csv\"\n\"app.events\" = \"data/events.csv\"\n\n[targets.sp]\ntype = \"spark\"\nuri = \"sc://127.0.0.1:1\"\n",
    );
    for args in [
        &["snapshot", "--as-of", T1, "--target", "sp"][..],
        &["history", "--target", "sp"][..],
        &["changes", "--target", "sp"][..],
    ] {
        let o = r
            .segql(args)
            .env("SEGQL_TARGETS_FILE", r.path("none.toml"))
            .output()
            .unwrap();
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        assert!(stderr(&o).contains("error[E0719]"), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("target `sp` cannot hold segql's state"),
            "{}",
            stderr(&o)
        );
    }
    assert!(!r.path(".segql").exists());
}
