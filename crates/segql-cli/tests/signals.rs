//! Stopping `segql run --output` with a signal, on a generated data set big enough that
//! the run cannot finish before the signal lands: Ctrl-C and SIGTERM stop it (exit
//! 130) with no partial file left; SIGKILL leaves its temporary file, which the next
//! run writing the same output removes. DuckDB's spill directory (segql's own, in the
//! temporary directory) goes in every case: at once on a signal, with the next run
//! after SIGKILL. Sending signals takes `kill`: Unix only (the
//! workspace forbids the unsafe code libc would need).
#![cfg(unix)]

#[macro_use]
mod common;

use common::Project;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

const AS_OF: &str = "2024-06-01";

/// Users in the generated data set, each with `EVENTS_PER_USER` events.
const BIG_USERS: u64 = 1_000_000;
const EVENTS_PER_USER: u64 = 10;

/// A segment costly enough to take seconds (a sequence over all history, and a bucket
/// of a count over every user), and one of every user, so that writing the output
/// takes long enough to be caught in the act.
const BIG_SEG: &str = "\
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

trait logins = count of \"login\"

segment active {
  where did \"login\" then \"purchase\" within 30 days and ntile(4) of logins = 1
}

segment everyone {
  where plan in [\"free\", \"pro\"]
}
";

fn quoted(p: &std::path::Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "''"))
}

/// A project over generated parquet data.
fn big_project() -> Project {
    let p = Project::empty();
    p.write(
        "segql.toml",
        "name = \"big\"\npaths = [\"segments\"]\n\n[bindings]\n\"app.users\" = \"data/users.parquet\"\n\"app.events\" = \"data/events.parquet\"\n",
    )
    .write("segments/big.seg", BIG_SEG);
    std::fs::create_dir(p.path("data")).unwrap();
    std::fs::create_dir(p.path("tmp")).unwrap();
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let n = BIG_USERS;
    conn.execute_batch(&format!(
        "COPY (SELECT 'u' || i AS user_id, CASE WHEN i % 3 = 0 THEN 'pro' ELSE 'free' END AS plan \
           FROM range({n}) AS t(i)) TO {} (FORMAT parquet);
         COPY (SELECT 'u' || (i % {n}) AS user_id,
                      CASE WHEN (i // {n}) % 2 = 0 THEN 'login' ELSE 'purchase' END AS event_name,
                      TIMESTAMP '2024-01-01' + to_minutes((i * 7919) % 200000) AS occurred_at
           FROM range({}) AS t(i)) TO {} (FORMAT parquet);",
        quoted(&p.path("data/users.parquet")),
        EVENTS_PER_USER * n,
        quoted(&p.path("data/events.parquet")),
    ))
    .unwrap();
    p
}

fn spawn(p: &Project) -> Child {
    p.segql(&[
        "run",
        "--output",
        "big.parquet",
        "--as-of",
        AS_OF,
        "--color",
        "never",
    ])
    .env("TMPDIR", p.path("tmp"))
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap()
}

fn kill(child: &Child, signal: &str) {
    // The child has not been waited for, so its pid is still its own.
    let ok = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

/// Waits for the child, sending `signal` once `when` says so; returns its status,
/// stderr and when the signal was sent.
fn run_until(
    p: &Project,
    signal: &str,
    when: impl Fn(&Project, Duration) -> bool,
) -> (ExitStatus, String, Option<Duration>) {
    let mut child = spawn(p);
    let started = Instant::now();
    let mut sent = None;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if sent.is_none() && when(p, started.elapsed()) {
            kill(&child, signal);
            sent = Some(started.elapsed());
        }
        if started.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            panic!("segql run neither finished nor stopped in 300 s");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    eprintln!(
        "{status} after {:?}, {signal} sent after {sent:?}",
        started.elapsed()
    );
    (status, err, sent)
}

fn temporary_files(p: &Project) -> Vec<String> {
    p.listing()
        .into_iter()
        .filter(|f| f.contains(".segql-") || f.ends_with(".tmp"))
        .collect()
}

/// What segql left in its temporary directory (DuckDB's spill directories).
fn spill_dirs(p: &Project) -> Vec<String> {
    std::fs::read_dir(p.path("tmp"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn writing(p: &Project) -> bool {
    std::fs::read_dir(p.dir.path()).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".big.parquet.segql-")
    })
}

/// The whole run, for the time it takes and the size of its output.
fn complete_run(p: &Project) -> Duration {
    let started = Instant::now();
    let out = spawn(p).wait_with_output().unwrap();
    let took = started.elapsed();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(p.path("big.parquet").is_file());
    assert!(temporary_files(p).is_empty());
    assert_eq!(spill_dirs(p), Vec::<String>::new());
    std::fs::remove_file(p.path("big.parquet")).unwrap();
    took
}

/// A signal while the segment is computed stops the run (exit 130, "interrupted") and
/// leaves nothing; one while the output is written removes the partial file. The
/// signal handler is installed before any work, so 0.3 s in (well within a run that
/// takes over a second: 10M events, the DuckDB of the dev profile optimized) segql
/// itself handles the signal.
fn stops_cleanly(signal: &str) {
    let p = big_project();
    let took = complete_run(&p);
    assert!(
        took > Duration::from_millis(1000),
        "the data set is too small to interrupt reliably: a whole run took {took:?}"
    );
    let before = p.listing();
    let (status, err, sent) = run_until(&p, signal, |_, t| t >= Duration::from_millis(300));
    assert!(sent.is_some(), "the run finished before the signal: {err}");
    assert_eq!(status.code(), Some(130), "{status:?}: {err}");
    assert!(err.ends_with("interrupted\n"), "{err}");
    assert_eq!(
        p.listing(),
        before,
        "nothing written, not even part of a file"
    );
    assert_eq!(
        spill_dirs(&p),
        Vec::<String>::new(),
        "the spill directory goes"
    );

    // While the output is written: either the signal lands during the write (no file
    // at all) or just after the rename (the whole file); never a partial file.
    let (status, err, _) = run_until(&p, signal, |p, _| writing(p));
    assert!(temporary_files(&p).is_empty(), "{:?}", temporary_files(&p));
    assert_eq!(
        spill_dirs(&p),
        Vec::<String>::new(),
        "the spill directory goes"
    );
    match status.code() {
        Some(130) => assert_eq!(p.listing(), before, "{err}"),
        Some(0) => assert!(p.path("big.parquet").is_file()),
        other => panic!("{other:?}: {err}"),
    }
}

#[test]
fn ctrl_c_stops_the_run_and_leaves_no_partial_output() {
    stops_cleanly("-INT");
}

#[test]
fn sigterm_stops_the_run_and_leaves_no_partial_output() {
    stops_cleanly("-TERM");
}

#[test]
fn sigkill_leaves_a_temporary_file_the_next_run_removes() {
    let p = big_project();
    let (status, err, sent) = run_until(&p, "-KILL", |p, _| writing(p));
    assert!(
        sent.is_some(),
        "the run finished before its output was written: {err}"
    );
    assert_eq!(status.signal(), Some(9));
    let spills = spill_dirs(&p);
    assert_eq!(
        spills.len(),
        1,
        "killed outright, it cannot clean up: {spills:?}"
    );
    let left = temporary_files(&p);
    if left.is_empty() {
        // The COPY had not created its file yet when the signal landed: nothing to
        // clean up, which the next run must also handle.
        eprintln!("note: killed before the temporary file was created");
    } else {
        assert_eq!(left.len(), 1, "{left:?}");
        assert!(left[0].starts_with(".big.parquet.segql-") && left[0].ends_with(".tmp"));
    }
    complete_run(&p);
    assert!(temporary_files(&p).is_empty(), "the stale file is gone");
    assert_eq!(
        spill_dirs(&p),
        Vec::<String>::new(),
        "so is the spill directory"
    );
}
