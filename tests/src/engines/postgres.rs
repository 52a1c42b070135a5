//! PostgreSQL: a private cluster on a Unix socket in a temporary directory, driven with
//! `psql`.

use super::{in_ci, log_tail, run, temp_dir, Engine, Missing, Result, Rows};
use segql_plan::dialect::{self, Dialect};
use segql_syntax::ast::Type;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

pub struct PostgresEngine {
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    version: String,
    /// How the cluster sorts text: ICU's en-US, or bytes when ICU failed (never in CI).
    collation: &'static str,
}

/// The newest Debian PostgreSQL binaries (`/usr/lib/postgresql/<ver>/bin`), or those in
/// `SEGQL_PG_BIN`.
fn postgres_bin() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("SEGQL_PG_BIN") {
        return Some(PathBuf::from(p));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v: u32 = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl PostgresEngine {
    /// initdb into a temporary directory and start a server listening only on a socket
    /// there. As root (CI), the server runs as the `postgres` user (initdb refuses root).
    pub fn start() -> std::result::Result<Self, Missing> {
        let bin = postgres_bin().ok_or_else(|| {
            Missing("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (apt-get install postgresql, or set SEGQL_PG_BIN)".into())
        })?;
        let as_postgres = is_root();
        let dir = temp_dir("segql-pg").map_err(Missing::broken)?;
        let mut engine = PostgresEngine {
            dir,
            bin,
            as_postgres,
            version: String::new(),
            collation: "ICU en-US",
        };
        engine.init().map_err(Missing::broken)?;
        engine.version = engine
            .rows("SELECT version()")
            .map_err(Missing::broken)?
            .first()
            .and_then(|r| r[0].clone())
            .map(|v| v.split(" on ").next().unwrap_or(&v).to_string())
            .unwrap_or_default();
        Ok(engine)
    }

    fn server_cmd(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn init(&mut self) -> Result<()> {
        if self.as_postgres {
            run(
                Command::new("chown").arg("postgres").arg(&self.dir),
                "chown of the cluster directory",
            )?;
        }
        let data = self.dir.join("data");
        // Like most servers, the cluster sorts text by a language's rules (ICU's
        // en-US: a < A < b < B), not by bytes; segql's SQL must not depend on it.
        let initdb = |icu: bool| {
            let mut c = self.server_cmd("initdb");
            c.arg("-D")
                .arg(&data)
                .args(["-A", "trust", "-U", "postgres", "-E", "UTF8"])
                .arg("--locale=C.UTF-8")
                .arg("--no-sync");
            if icu {
                c.args(["--locale-provider=icu", "--icu-locale=en-US"]);
            }
            run(&mut c, "initdb")
        };
        if let Err(e) = initdb(true) {
            // Without ICU the cluster sorts by bytes, as segql does, so a statement that
            // depends on the server's collation would pass unseen: a failure in CI.
            let why = format!(
                "initdb with the ICU locale provider (en-US) failed, so this cluster would \
                 sort text by bytes and could not show SQL that depends on a language's \
                 collation: {}",
                e.trim_end()
            );
            if in_ci() {
                return Err(format!("{why}\n(CI is set: ICU is required)"));
            }
            let _ = std::fs::remove_dir_all(&data);
            initdb(false)?;
            let line = format!("postgres: C collation instead of ICU: {why}\n");
            let _ = std::io::stderr().write_all(line.as_bytes());
            self.collation = "bytes (C: ICU failed)";
        }
        let opts = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c TimeZone=UTC",
            self.dir.display()
        );
        run(
            self.server_cmd("pg_ctl")
                .arg("-D")
                .arg(&data)
                .args(["-o", &opts, "-l"])
                .arg(self.dir.join("server.log"))
                .args(["-w", "-t", "60", "start"]),
            "pg_ctl start",
        )
        .map_err(|e| format!("{e}\n{}", log_tail(&self.dir.join("server.log"))))?;
        Ok(())
    }

    fn psql(&self, sql: &str) -> Result<String> {
        let mut child = Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", "postgres", "-h"])
            .arg(&self.dir)
            .args(["-d", "postgres", "-f", "-"])
            .env("PGCLIENTENCODING", "UTF8")
            .env("PGTZ", "UTC")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run psql: {e}"))?;
        let mut stdin = child.stdin.take().expect("piped");
        let text = sql.to_string();
        let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
        let out = child.wait_with_output().map_err(|e| format!("psql: {e}"))?;
        let _ = writer.join();
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        String::from_utf8(out.stdout).map_err(|e| format!("psql wrote invalid UTF-8: {e}"))
    }
}

impl Drop for PostgresEngine {
    fn drop(&mut self) {
        let _ = self
            .server_cmd("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Engine for PostgresEngine {
    fn name(&self) -> &'static str {
        "postgres"
    }
    fn dialect(&self) -> &'static dyn Dialect {
        &dialect::Postgres
    }
    fn version(&self) -> String {
        format!("{}, text sorted by {}", self.version, self.collation)
    }
    fn execute(&mut self, sql: &str) -> Result<()> {
        self.psql(sql).map(|_| ())
    }
    fn rows(&mut self, sql: &str) -> Result<Rows> {
        // Every non-NULL value quoted, NULL as an empty unquoted field.
        let out = self.psql(&format!(
            "COPY ({sql}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *);"
        ))?;
        parse_csv(&out)
    }
    fn column_type(&self, ty: Type, _key: bool) -> String {
        match ty {
            Type::String => "TEXT",
            Type::Int => "BIGINT",
            Type::Decimal => "NUMERIC(38, 9)",
            Type::Float => "DOUBLE PRECISION",
            Type::Bool => "BOOLEAN",
            Type::Date => "DATE",
            Type::Timestamp => "TIMESTAMP",
        }
        .to_string()
    }
}

/// CSV as `COPY ... FORCE_QUOTE *` writes it: quoted fields are values, an empty
/// unquoted field is NULL.
pub fn parse_csv(text: &str) -> Result<Rows> {
    let mut rows = Vec::new();
    let mut row: Vec<Option<String>> = Vec::new();
    let mut chars = text.chars().peekable();
    let mut field = String::new();
    let mut quoted = false;
    let mut in_row = false;
    while let Some(c) = chars.next() {
        in_row = true;
        match c {
            '"' if !quoted && field.is_empty() => {
                quoted = true;
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(c) => field.push(c),
                        None => return Err("unterminated quoted CSV field".into()),
                    }
                }
            }
            ',' => {
                row.push(quoted.then(|| std::mem::take(&mut field)));
                field.clear();
                quoted = false;
            }
            '\n' => {
                row.push(quoted.then(|| std::mem::take(&mut field)));
                field.clear();
                quoted = false;
                rows.push(std::mem::take(&mut row));
                in_row = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            c => field.push(c),
        }
    }
    if in_row {
        row.push(quoted.then_some(field));
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::parse_csv;

    #[test]
    fn csv_tells_null_from_empty() {
        let rows = parse_csv("\"a\"\"b\",,\"\",\"x\ny\"\n\"1\"\n").unwrap();
        assert_eq!(
            rows,
            vec![
                vec![
                    Some("a\"b".to_string()),
                    None,
                    Some(String::new()),
                    Some("x\ny".to_string())
                ],
                vec![Some("1".to_string())]
            ]
        );
    }
}
