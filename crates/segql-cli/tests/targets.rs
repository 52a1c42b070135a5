//! `--target`, `segql seed` and `segql doctor` on a real PostgreSQL server: the example
//! project (examples/saas) seeded into it, then every segment, report, split and
//! priority list run there equals the embedded DuckDB's result, and `segql test
//! --target` passes the example's tests and asserts; the faults (an unreachable host, a
//! refused connection, a wrong password, a missing driver, a relation or column missing
//! on the target, a column of another type, a statement failing midway, seeding over
//! existing tables, a seed failing midway) give coded messages that name the target and
//! never the secret, with the README's exit status, and leave nothing half-written.
//!
//! The server is started once per test run by scripts/target-servers (scripts/test does
//! it and exports SEGQL_TEST_PG_URI, SEGQL_TEST_PG_PASSWORD and SEGQL_TEST_PG_BIN).
//! Without it the tests print why and pass locally; in CI (CI set and not false/0) they
//! fail. Each test works in schemas of its own.

#[macro_use]
mod common;
#[path = "common/targets.rs"]
mod targets_common;

use common::{code, stderr, stdout};
use std::process::Command;
use targets_common::{example, seed_once, Targets, AS_OF};

struct Server {
    uri: String,
    password: String,
    bin: String,
}

fn postgres() -> Option<Server> {
    let v = targets_common::server(
        &[
            "SEGQL_TEST_PG_URI",
            "SEGQL_TEST_PG_PASSWORD",
            "SEGQL_TEST_PG_BIN",
        ],
        "scripts/test starts a PostgreSQL server with scripts/target-servers",
    )?;
    Some(Server {
        uri: v[0].clone(),
        password: v[1].clone(),
        bin: v[2].clone(),
    })
}

impl Server {
    /// Runs `sql` with psql as the test's user; its output, unaligned.
    fn psql(&self, sql: &str) -> String {
        let out = Command::new(format!("{}/psql", self.bin))
            .args(["-X", "-At", "-v", "ON_ERROR_STOP=1", &self.uri, "-c", sql])
            .env("PGPASSWORD", &self.password)
            .output()
            .unwrap();
        assert!(out.status.success(), "psql: {}", stderr(&out));
        stdout(&out).trim().to_string()
    }
}

/// The targets of the tests: `pg` (the example's relations in schemas of their own,
/// `t_analytics`, `t_billing` and `t_sales`, to prove the mapping) with environments for the fault
/// tests, and the faulty targets.
fn targets(s: &Server) -> Targets {
    Targets::new(&format!(
        r#"
[targets.pg]
type = "postgres"
uri = "{uri}"
password = {{ env = "SEGQL_TEST_PG_PASSWORD" }}
schemas = {{ analytics = "t_analytics", billing = "t_billing", sales = "t_sales" }}

[targets.pg.environments.empty]
schemas = {{ analytics = "t_nothing_here", billing = "t_nothing_here", sales = "t_nothing_here" }}

[targets.pg.environments.broken]
schemas = {{ analytics = "t_broken", billing = "t_broken", sales = "t_sales" }}

[targets.pg.environments.midway]
schemas = {{ analytics = "t_midway", billing = "t_midway", sales = "t_midway" }}

[targets.pg.environments.snap]
state = "t_segql_state"

[targets.wrongpw]
type = "postgres"
uri = "{uri}"
password = {{ env = "SEGQL_TEST_WRONG_PASSWORD" }}

[targets.refused]
type = "postgres"
uri = "postgresql://segql@127.0.0.1:1/analytics"
password = {{ env = "SEGQL_TEST_PG_PASSWORD" }}

[targets.unreachable]
type = "postgres"
uri = "postgresql://segql@no-such-host.invalid:5432/analytics"
password = {{ env = "SEGQL_TEST_PG_PASSWORD" }}

[targets.nodriver]
type = "postgres"
uri = "{uri}"
password = {{ env = "SEGQL_TEST_PG_PASSWORD" }}
driver = "/nonexistent/libadbc_driver_postgresql.so"
"#,
        uri = s.uri
    ))
}

#[test]
fn every_result_on_postgres_equals_duckdbs() {
    let Some(s) = postgres() else { return };
    let t = targets(&s);
    seed_once(&t, "pg");
    targets_common::every_result_equals_duckdbs(&t, "pg", &[&s.password]);
}

#[test]
fn preview_on_postgres_equals_duckdbs() {
    let Some(s) = postgres() else { return };
    let t = targets(&s);
    seed_once(&t, "pg");
    let ex = example();
    let ex = ex.to_str().unwrap();
    let keep = |o: &std::process::Output| -> String {
        stdout(o)
            .lines()
            .take_while(|l| !l.starts_with("sql ("))
            .filter(|l| !l.starts_with("took"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for seg in ["weekly_active", "expansion_candidates", "pricing_lurkers"] {
        let local = t.segql(&["preview", ex, "-s", seg, "--as-of", AS_OF]);
        assert_eq!(code(&local), 0, "{}", stderr(&local));
        let remote = t.segql(&["preview", ex, "-s", seg, "--as-of", AS_OF, "--target", "pg"]);
        assert_eq!(code(&remote), 0, "{}", stderr(&remote));
        assert_eq!(keep(&local), keep(&remote));
        assert!(stdout(&remote).contains("sql (postgres)"));
    }
}

#[test]
fn the_examples_tests_and_asserts_pass_on_postgres() {
    let Some(s) = postgres() else { return };
    let t = targets(&s);
    seed_once(&t, "pg");
    targets_common::tests_and_asserts_pass(&t, "pg");
    // The given rows' temporary tables went with the session: nothing of segql's own
    // is left in any schema. (Only the given rows' names: the snapshot test, running
    // beside this one, holds temporary tables of its own session meanwhile.)
    let left = s.psql(
        "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'segql_given%' OR tablename LIKE '%__segql_seed'",
    );
    assert_eq!(left, "0");
}

#[test]
fn doctor_finds_the_driver_and_checks_the_catalog() {
    let Some(s) = postgres() else { return };
    let t = targets(&s);
    seed_once(&t, "pg");
    let ex = example();
    let ex = ex.to_str().unwrap();
    let out = t.segql(&["doctor", ex, "--target", "pg"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let o = stdout(&out);
    assert!(o.contains("libadbc_driver_postgresql"), "{o}");
    assert!(o.contains("5 relations checked"), "{o}");
    // An environment whose schemas do not exist: every relation is missing (E0701),
    // each pointing at the declaration that reads it.
    let out = t.segql(&["doctor", ex, "--target", "pg:empty", "--color", "never"]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let e = stderr(&out);
    assert!(e.contains("error[E0701]: "), "{e}");
    assert!(
        e.contains("t_nothing_here.events on target `pg:empty`"),
        "{e}"
    );
    assert!(e.contains("segql seed --target pg:empty"), "{e}");
    assert!(!e.contains(&s.password) && !stdout(&out).contains(&s.password));
}

#[test]
fn connection_faults_are_coded_and_name_the_target() {
    let Some(s) = postgres() else { return };
    let t = targets(&s);
    let ex = example();
    let ex = ex.to_str().unwrap();
    let wrong = "wrong-7f3a9";
    let cases: [(&str, &str, &str); 4] = [
        ("wrongpw", "E0804", "password authentication failed"),
        ("refused", "E0803", "is the server running"),
        ("unreachable", "E0803", "no-such-host.invalid"),
        ("nodriver", "E0802", "pip install adbc-driver-postgresql"),
    ];
    for (target, code_, words) in cases {
        for args in [
            vec![
                "run", ex, "--as-of", AS_OF, "--format", "json", "--target", target,
            ],
            vec!["test", ex, "--as-of", AS_OF, "--target", target],
            vec![
                "preview",
                ex,
                "-s",
                "weekly_active",
                "--as-of",
                AS_OF,
                "--target",
                target,
            ],
            vec!["doctor", ex, "--target", target],
            vec!["seed", ex, "--target", target],
        ] {
            let out = t.segql_env(&args, &[("SEGQL_TEST_WRONG_PASSWORD", wrong)]);
            let e = stderr(&out);
            assert_eq!(code(&out), 1, "{target} {args:?}: {e}");
            assert!(e.contains(&format!("error[{code_}]")), "{target}: {e}");
            assert!(e.contains(&format!("target `{target}`")), "{target}: {e}");
            assert!(e.contains(words), "{target}: {e}");
            for secret in [s.password.as_str(), wrong] {
                assert!(
                    !e.contains(secret) && !stdout(&out).contains(secret),
                    "{target}: {e}"
                );
            }
        }
    }
    // A password whose variable is not set: E0801, naming the variable, not a value.
    let out = t.segql_env(
        &["run", ex, "--as-of", AS_OF, "--target", "wrongpw"],
        &[("SEGQL_TEST_WRONG_PASSWORD", "")],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("SEGQL_TEST_WRONG_PASSWORD"),
        "{}",
        stderr(&out)
    );
    // A target nobody configured is a bad command line.
    let out = t.segql(&["run", ex, "--as-of", AS_OF, "--target", "pgg"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error[E0801]: no target `pgg`"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("did you mean `pg`?"),
        "{}",
        stderr(&out)
    );
}

/// A relation missing on the target, a column missing, a column of another type: the
/// run stops before any statement, with E0701 on the declarations, naming the target.
#[test]
fn tables_that_do_not_fit_the_catalog_stop_the_run() {
    let Some(s) = postgres() else { return };
    let t = targets(&s);
    seed_once(&t, "pg");
    s.psql(
        "DROP SCHEMA IF EXISTS t_broken CASCADE; CREATE SCHEMA t_broken; \
         CREATE TABLE t_broken.users AS SELECT user_id, email, country, CAST(age AS text) AS age, role, plan, lead_source, signup_at, last_seen_at, is_verified, mrr, account_id FROM t_analytics.users; \
         CREATE TABLE t_broken.events AS SELECT * FROM t_analytics.events; \
         CREATE TABLE t_broken.invoices AS SELECT * FROM t_billing.invoices",
    );
    let ex = example();
    let ex = ex.to_str().unwrap();
    for args in [
        vec![
            "run",
            ex,
            "--as-of",
            AS_OF,
            "--target",
            "pg:broken",
            "--color",
            "never",
        ],
        vec![
            "preview",
            ex,
            "-s",
            "weekly_active",
            "--as-of",
            AS_OF,
            "--target",
            "pg:broken",
            "--color",
            "never",
        ],
    ] {
        let out = t.segql(&args);
        let e = stderr(&out);
        assert_eq!(code(&out), 1, "{e}");
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
        for words in [
            "error[E0701]: `analytics.accounts` (t_broken.accounts on target `pg:broken`): no such table on the target",
            "column `nps`: no such column on the target",
            "column `age`: the catalog says int, the target has Utf8",
            "not run: the tables of target `pg:broken` do not fit the catalog (3 errors)",
        ] {
            assert!(e.contains(words), "{words}\n{e}");
        }
        assert!(e.contains("catalog.seg:"), "{e}");
    }
    // The asserts of `segql test` too (its tests bring their own rows).
    let out = t.segql(&["test", ex, "--as-of", AS_OF, "--target", "pg:broken"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("error[E0701]: "), "{}", stderr(&out));
    assert!(stdout(&out).contains("FAIL  assert"), "{}", stdout(&out));
    assert!(stdout(&out).contains("ok    test"), "{}", stdout(&out));
}

/// A statement failing after others ran: coded, naming the target and what was being
/// done; nothing printed, nothing left on the target.
#[test]
fn a_statement_failing_midway_leaves_nothing() {
    let Some(s) = postgres() else { return };
    let t = targets(&s);
    seed_once(&t, "pg");
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&example(), dir.path(), &[".segql", "target"]);
    // The users' batch runs first; the accounts' fails on PostgreSQL (modulo zero).
    std::fs::write(
        dir.path().join("segments/zz_boom.seg"),
        "segment boom of account {\n  where sql \"employees % 0 = 1\"\n}\n",
    )
    .unwrap();
    let p = dir.path().to_str().unwrap();
    let out = t.segql(&["run", p, "--as-of", AS_OF, "--target", "pg"]);
    let e = stderr(&out);
    assert_eq!(code(&out), 1, "{e}");
    assert!(e.contains("error[E0805]"), "{e}");
    assert!(e.contains("target `pg`"), "{e}");
    assert!(e.contains("division by zero"), "{e}");
    assert!(e.contains("computing"), "{e}");
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(!e.contains(&s.password));
    let left = s.psql("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'segql%'");
    assert_eq!(left, "0");
}

/// A seed failing on its last relation: the relations staged before it are dropped and
/// the target's tables are as they were.
#[test]
fn a_seed_failing_midway_changes_nothing() {
    let Some(s) = postgres() else { return };
    let t = targets(&s);
    s.psql("DROP SCHEMA IF EXISTS t_midway CASCADE");
    let ex = example();
    let ex = ex.to_str().unwrap();
    let out = t.segql(&["seed", ex, "--target", "pg:midway"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let full = s.psql("SELECT count(*) FROM t_midway.users");
    s.psql("DELETE FROM t_midway.users WHERE user_id IN (SELECT user_id FROM t_midway.users ORDER BY user_id LIMIT 10)");
    let before = s.psql("SELECT count(*) FROM t_midway.users");
    assert_ne!(full, before);
    // Something in the way of the last relation's staging table.
    s.psql("CREATE VIEW t_midway.invoices__segql_seed AS SELECT 1 AS x");
    let out = t.segql(&["seed", ex, "--target", "pg:midway", "--replace"]);
    let e = stderr(&out);
    assert_eq!(code(&out), 1, "{e}");
    assert!(e.contains("error[E0805]"), "{e}");
    assert!(e.contains("target `pg:midway`"), "{e}");
    assert!(!e.contains(&s.password));
    assert_eq!(s.psql("SELECT count(*) FROM t_midway.users"), before);
    assert_eq!(
        s.psql("SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 't_midway'"),
        "accounts,contacts,events,invoices,users"
    );
    s.psql("DROP SCHEMA t_midway CASCADE");
}

#[test]
fn seed_replaces_nothing_unless_asked() {
    let Some(s) = postgres() else { return };
    let t = targets(&s);
    seed_once(&t, "pg");
    let ex = example();
    let ex = ex.to_str().unwrap();
    let out = t.segql(&["seed", ex, "--target", "pg"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let e = stderr(&out);
    assert!(e.contains("error[E0807]"), "{e}");
    assert!(e.contains("t_analytics.users"), "{e}");
    assert!(e.contains("--replace"), "{e}");
}

/// CSV rows of a command's stdout, without the header.
fn csv_rows(out: &std::process::Output) -> Vec<Vec<String>> {
    stdout(out)
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn snapshots_on_postgres_record_what_duckdb_computes() {
    let Some(s) = postgres() else { return };
    let t = targets(&s);
    seed_once(&t, "pg");
    s.psql("DROP SCHEMA IF EXISTS t_segql_state CASCADE");
    let ex = example();
    let ex = ex.to_str().unwrap();
    let (a, b, c) = ("2025-12-01", "2026-01-01", "2026-01-15");
    let snap = |at: &str, env: &[(&str, &str)]| {
        t.segql_env(&["snapshot", ex, "--as-of", at, "--target", "pg:snap"], env)
    };
    for at in [a, b] {
        let out = snap(at, &[]);
        assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
        assert!(
            stderr(&out).contains("in schema t_segql_state of target `pg:snap`"),
            "{}",
            stderr(&out)
        );
    }
    // The state is in the target's schema, and the project has no state file.
    assert_eq!(
        s.psql("SELECT count(*) FROM t_segql_state.runs WHERE status = 'published'"),
        "2"
    );
    // The figures at B equal a backtest on the embedded DuckDB over A and B: size,
    // entered and left of every segment.
    let local = t.segql(&[
        "backtest", "-C", ex, "--from", a, "--to", b, "--every", "1", "month", "--format", "csv",
    ]);
    assert_eq!(code(&local), 0, "{}", stderr(&local));
    // The backtest itself on the target: the same figures.
    let on_pg = t.segql(&[
        "backtest", "-C", ex, "--from", a, "--to", b, "--every", "1", "month", "--format", "csv",
        "--target", "pg",
    ]);
    assert_eq!(code(&on_pg), 0, "{}", stderr(&on_pg));
    assert_eq!(stdout(&on_pg), stdout(&local));
    let remote = t.segql(&[
        "history", "-C", ex, "--target", "pg:snap", "--format", "csv",
    ]);
    assert_eq!(code(&remote), 0, "{}", stderr(&remote));
    // backtest: segment, as_of, size, entered, left; history: segment, as_of, run,
    // size, entered, left, cause.
    let at_b = |rows: Vec<Vec<String>>, cols: [usize; 3]| -> Vec<String> {
        let mut v: Vec<String> = rows
            .iter()
            .filter(|r| r[1].starts_with(b))
            .map(|r| format!("{} {} {} {}", r[0], r[cols[0]], r[cols[1]], r[cols[2]]))
            .collect();
        v.sort();
        v
    };
    let want = at_b(csv_rows(&local), [2, 3, 4]);
    let got = at_b(csv_rows(&remote), [3, 4, 5]);
    assert!(want.len() > 10, "{want:?}");
    assert_eq!(got, want);
    assert!(
        want.iter().any(|l| !l.ends_with(" 0 0")),
        "some segment must change between {a} and {b}: {want:?}"
    );
    // Who entered and who left one segment: the difference of two local runs.
    let members = |at: &str| -> std::collections::BTreeSet<String> {
        let out = t.segql(&[
            "run",
            ex,
            "-s",
            "weekly_active",
            "--as-of",
            at,
            "--format",
            "csv",
        ]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        csv_rows(&out).into_iter().map(|r| r[0].clone()).collect()
    };
    let (before, after) = (members(a), members(b));
    let mut want: Vec<String> = after
        .difference(&before)
        .map(|k| format!("{k} entered"))
        .chain(before.difference(&after).map(|k| format!("{k} left")))
        .collect();
    want.sort();
    let out = t.segql(&[
        "changes",
        ex,
        "-s",
        "weekly_active",
        "--target",
        "pg:snap",
        "--format",
        "csv",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut got: Vec<String> = csv_rows(&out)
        .into_iter()
        .map(|r| format!("{} {}", r[1], r[2]))
        .collect();
    got.sort();
    assert_eq!(got, want);
    // The same snapshot again records nothing; an older one needs --backfill.
    let out = snap(b, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is recorded already"),
        "{}",
        stderr(&out)
    );
    let out = snap("2025-11-01", &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("error[E0715]"), "{}", stderr(&out));
    // A failure inside the transaction leaves the state as it was.
    let runs = "SELECT count(*) || '/' || (SELECT count(*) FROM t_segql_state.changes) || '/' || (SELECT count(*) FROM t_segql_state.current_members) FROM t_segql_state.runs";
    let before = s.psql(runs);
    let out = snap(c, &[("SEGQL_FAULT", "current:fail")]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("error[E0713]"), "{}", stderr(&out));
    assert_eq!(s.psql(runs), before);
    // So does a process killed inside it (the server rolls the transaction back when
    // the connection goes); the next snapshot is not blocked by it.
    let mut child = std::process::Command::new(common::BIN)
        .args(["snapshot", ex, "--as-of", c, "--target", "pg:snap"])
        .env("SEGQL_TARGETS_FILE", t.file())
        .env("SEGQL_FAULT", "run:pause")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 256];
    while !seen.contains("paused at run") {
        use std::io::Read;
        let n = err.read(&mut buf).unwrap();
        assert!(n > 0, "segql ended before pausing: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(s.psql(runs), before);
    let out = snap(c, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        s.psql("SELECT count(*) FROM t_segql_state.runs WHERE status = 'published'"),
        "3"
    );
    assert!(!stdout(&out).contains(&s.password) && !stderr(&out).contains(&s.password));
}

/// Ctrl-C while a statement runs on the target: the statement is cancelled on the
/// server (through ADBC's cancel), segql exits 130 at once, and nothing of its is left
/// running there. The statement is held by a lock another session takes on the events
/// table, so it runs for as long as the test wants.
#[test]
fn ctrl_c_cancels_the_statement_on_postgres() {
    let Some(s) = postgres() else { return };
    let t = targets(&s);
    seed_once(&t, "pg");
    let ex = example();
    let ex = ex.to_str().unwrap();
    let mut locker = Command::new(format!("{}/psql", s.bin))
        .args([
            "-X",
            "-q",
            &s.uri,
            "-c",
            "BEGIN; LOCK TABLE t_analytics.events IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120); COMMIT;",
        ])
        .env("PGPASSWORD", &s.password)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let wait_for = |sql: &str, want: &str| {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while s.psql(sql) != want {
            assert!(
                std::time::Instant::now() < until,
                "waited for {sql} = {want}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    };
    wait_for(
        "SELECT count(*) FROM pg_locks WHERE relation = 't_analytics.events'::regclass AND mode = 'AccessExclusiveLock' AND granted",
        "1",
    );
    let blocked = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%t_analytics%'";
    let child = Command::new(common::BIN)
        .args([
            "run",
            ex,
            "-s",
            "weekly_active",
            "--as-of",
            AS_OF,
            "--target",
            "pg",
        ])
        .env("SEGQL_TARGETS_FILE", t.file())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // segql's statement waits on the lock.
    wait_for(blocked, "1");
    let signalled = std::time::Instant::now();
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let took = signalled.elapsed();
    // Still locked: only a cancel on the server ends the waiting statement.
    let left = s.psql(blocked);
    let _ = locker.kill();
    let _ = locker.wait();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("interrupted"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error[E0806]: the run was interrupted"),
        "{}",
        stderr(&out)
    );
    // Before the handler's own deadline (5 s): the cancelled statement ended the run.
    assert!(took < std::time::Duration::from_secs(4), "{took:?}");
    assert_eq!(left, "0", "the statement was cancelled on the server");
}

/// `segql diff --base REV --target pg`: both sides' members computed on PostgreSQL
/// (the seeded example), the same as on the embedded DuckDB over the bindings.
#[test]
fn diff_on_postgres_equals_duckdbs() {
    let Some(s) = postgres() else { return };
    let t = targets(&s);
    seed_once(&t, "pg");
    // The example in a git repository of its own, then an edit: paying loses the
    // business plan (its users, and every segment built on paying, change).
    let repo = tempfile::tempdir().unwrap();
    let project = repo.path().join("saas");
    common::copy_dir(&example(), &project, &[".segql", "target"]);
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(repo.path())
            .args([
                "-c",
                "user.name=segql",
                "-c",
                "user.email=segql@example.invalid",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "base"]);
    let crm = project.join("segments/crm.seg");
    let text = std::fs::read_to_string(&crm).unwrap();
    let edited = text.replacen(
        "where plan in [\"pro\", \"business\"]",
        "where plan in [\"pro\"]",
        1,
    );
    assert_ne!(text, edited);
    std::fs::write(&crm, edited).unwrap();
    git(&["commit", "-q", "-am", "edit"]);
    let dir = project.to_str().unwrap();
    let diff = |extra: &[&str]| {
        let mut args = vec![
            "diff", dir, "--base", "HEAD~1", "--as-of", AS_OF, "--format", "json",
        ];
        args.extend(extra);
        let out = t.segql(&args);
        assert_eq!(code(&out), 0, "{extra:?}: {}", stderr(&out));
        let mut doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        doc.as_object_mut().unwrap().remove("base");
        doc
    };
    let local = diff(&[]);
    let remote = diff(&["--target", "pg"]);
    assert_eq!(local, remote);
    let segments = local["segments"].as_array().unwrap();
    assert_eq!(segments[0]["segment"], "paying", "{local}");
    assert!(segments[0]["lost"].as_u64().unwrap() > 0, "{local}");
    assert!(
        segments.iter().any(|s| s["change"] == "changed upstream"),
        "segments built on paying are listed: {local}"
    );
}
