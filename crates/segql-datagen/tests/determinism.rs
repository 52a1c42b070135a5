//! The same options write byte-identical files, whatever the number of threads; another
//! seed writes other data.

use segql_datagen::{generate, Config, Format};
use std::path::Path;

fn config(out: &Path, seed: u64, threads: usize, format: Format) -> Config {
    Config {
        users: 400,
        months: 6,
        seed,
        as_of: "2026-01-01T00:00:00Z".to_string(),
        out: out.to_path_buf(),
        format,
        threads: Some(threads),
        memory_limit: None,
        users_per_chunk: segql_datagen::DEFAULT_USERS_PER_CHUNK,
    }
}

fn read_all(dir: &Path, files: &[std::path::PathBuf]) -> Vec<(String, Vec<u8>)> {
    files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(f)).expect("a written file");
            (f.display().to_string(), bytes)
        })
        .collect()
}

#[test]
fn same_seed_same_bytes_whatever_the_threads() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let first = generate(&config(a.path(), 7, 1, Format::Example)).unwrap();
    let second = generate(&config(b.path(), 7, 3, Format::Example)).unwrap();
    assert_eq!(first.files, second.files);
    // users, accounts, invoices and one file per month (6 months of history)
    assert_eq!(first.files.len(), 3 + 6, "{:?}", first.files);
    assert!(first.events > first.users, "{first:?}");
    assert!(first.accounts > 0 && first.invoices > 0, "{first:?}");
    let (fa, fb) = (
        read_all(a.path(), &first.files),
        read_all(b.path(), &second.files),
    );
    for ((name, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(!x.is_empty(), "{name} is empty");
        assert!(x == y, "{name} differs between two runs with the same seed");
    }
}

#[test]
fn a_memory_limit_changes_nothing_in_the_files() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let in_memory = generate(&config(a.path(), 7, 2, Format::Example)).unwrap();
    let mut limited = config(b.path(), 7, 2, Format::Example);
    limited.memory_limit = Some("1GB".to_string());
    let on_disk = generate(&limited).unwrap();
    assert_eq!(
        read_all(a.path(), &in_memory.files),
        read_all(b.path(), &on_disk.files)
    );
    limited.memory_limit = Some("1GB'; SELECT 1; --".to_string());
    assert!(generate(&limited).is_err());
}

#[test]
fn csv_is_deterministic_too_and_another_seed_differs() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let first = generate(&config(a.path(), 7, 2, Format::Csv)).unwrap();
    let again = generate(&config(b.path(), 7, 1, Format::Csv)).unwrap();
    let other = generate(&config(c.path(), 8, 2, Format::Csv)).unwrap();
    assert_eq!(
        other.files, first.files,
        "the layout does not depend on the seed"
    );
    let users = Path::new("users.csv");
    let x = std::fs::read(a.path().join(users)).unwrap();
    assert_eq!(x, std::fs::read(b.path().join(users)).unwrap());
    assert_ne!(x, std::fs::read(c.path().join(users)).unwrap());
    assert_eq!(
        read_all(a.path(), &first.files),
        read_all(b.path(), &again.files)
    );
    let header = String::from_utf8(x).unwrap();
    assert!(
        header.starts_with("user_id,email,country,age,role,plan,lead_source,signup_at,"),
        "{}",
        header.lines().next().unwrap_or_default()
    );
}

#[test]
fn a_rerun_with_a_shorter_history_leaves_no_old_months() {
    let a = tempfile::tempdir().unwrap();
    generate(&config(a.path(), 7, 2, Format::Example)).unwrap();
    let mut shorter = config(a.path(), 7, 2, Format::Example);
    shorter.months = 2;
    let s = generate(&shorter).unwrap();
    let mut months: Vec<String> = std::fs::read_dir(a.path().join("events"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    months.sort();
    assert_eq!(months, ["month=2025-11", "month=2025-12"], "{s:?}");
}

#[test]
fn bad_options_are_errors() {
    let a = tempfile::tempdir().unwrap();
    let mut cfg = config(a.path(), 7, 1, Format::Example);
    cfg.as_of = "next tuesday".into();
    assert!(generate(&cfg).is_err());
    cfg.as_of = "2026-01-01T00:00:00+02:00".into();
    assert!(generate(&cfg).is_err());
    cfg.as_of = "2026-01-01".into();
    cfg.users = 0;
    assert!(generate(&cfg).is_err());
}

/// `--print-sql` hands the generation to another DuckDB: run in this one, the script
/// writes the same rows as a direct run with `--format parquet` (the same users,
/// accounts and invoices files; the events under DuckDB's own partition file names).
#[test]
fn the_printed_script_writes_what_a_direct_run_writes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let direct = generate(&config(a.path(), 7, 2, Format::Parquet)).unwrap();
    let script = segql_datagen::script(&config(b.path(), 7, 2, Format::Parquet)).unwrap();
    let conn = duckdb::Connection::open_in_memory().unwrap();
    conn.execute_batch(&script).unwrap();
    let tables = ["users.parquet", "accounts.parquet", "invoices.parquet"];
    let tables: Vec<std::path::PathBuf> = tables.iter().map(Into::into).collect();
    assert_eq!(
        read_all(a.path(), &tables),
        read_all(b.path(), &tables),
        "users, accounts and invoices"
    );
    same_events(&conn, a.path(), b.path(), direct.events);
}

/// The events under two output directories are the same rows (`n` of them), whatever
/// their files.
fn same_events(conn: &duckdb::Connection, a: &Path, b: &Path, n: u64) {
    let events = |dir: &Path| {
        format!(
            "SELECT user_id, event_name, occurred_at, page, amount, plan, device, month \
             FROM read_parquet('{}/events/*/*.parquet', hive_partitioning = true)",
            dir.display()
        )
    };
    let (x, y) = (events(a), events(b));
    let count = |q: &str| -> i64 {
        conn.query_row(&format!("SELECT count(*) FROM ({q})"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(count(&x), n as i64);
    assert_eq!(count(&y), n as i64);
    let differ = format!("({x} EXCEPT ALL {y}) UNION ALL ({y} EXCEPT ALL {x})");
    assert_eq!(count(&differ), 0, "events differ");
}

/// The binary creates `--out` for the script, whose `COPY` statements cannot.
#[test]
fn print_sql_creates_the_output_directory() {
    let a = tempfile::tempdir().unwrap();
    let out = a.path().join("not").join("yet");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_segql-datagen"))
        .args([
            "--users",
            "50",
            "--as-of",
            "2026-01-01",
            "--print-sql",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.is_dir());
    let sql = String::from_utf8(run.stdout).unwrap();
    assert!(sql.contains("COPY"), "{sql}");
}

/// Events generated a chunk of users at a time are the same rows: users, accounts and
/// invoices byte for byte, the events as a multiset, each month one file per chunk; a
/// later run in one chunk leaves none of the chunks' files behind.
#[test]
fn chunks_of_users_write_the_same_rows() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let whole = generate(&config(a.path(), 7, 2, Format::Parquet)).unwrap();
    let mut chunked = config(b.path(), 7, 2, Format::Parquet);
    chunked.users_per_chunk = 150;
    let parts = generate(&chunked).unwrap();
    assert_eq!(
        (parts.users, parts.accounts, parts.events, parts.invoices),
        (whole.users, whole.accounts, whole.events, whole.invoices)
    );
    // 400 users in chunks of 150: three files a month
    assert_eq!(parts.files.len(), 3 + 6 * 3, "{:?}", parts.files);
    assert!(parts.files.iter().any(|f| f.ends_with("part-2.parquet")));
    let tables: Vec<std::path::PathBuf> = ["users.parquet", "accounts.parquet", "invoices.parquet"]
        .iter()
        .map(Into::into)
        .collect();
    assert_eq!(
        read_all(a.path(), &tables),
        read_all(b.path(), &tables),
        "users, accounts and invoices"
    );
    let conn = duckdb::Connection::open_in_memory().unwrap();
    same_events(&conn, a.path(), b.path(), whole.events);
    // each file sorted by time
    let unsorted: i64 = conn
        .query_row(
            &format!(
                "SELECT count(*) FROM (SELECT occurred_at < lag(occurred_at) OVER \
                 (PARTITION BY filename ORDER BY file_row_number) AS back \
                 FROM read_parquet('{}/events/*/*.parquet', filename = true, file_row_number = true)) \
                 WHERE back",
                b.path().display()
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unsorted, 0, "a chunk's file out of time order");
    // one chunk again, into the same directory: the chunks' files go
    let again = generate(&config(b.path(), 7, 2, Format::Parquet)).unwrap();
    assert_eq!(again.files, whole.files);
    let left: Vec<_> = walk(&b.path().join("events"));
    assert_eq!(left.len(), 6, "{left:?}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
