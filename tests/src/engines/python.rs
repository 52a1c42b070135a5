//! The Python helpers in `tests/engines/`: ClickHouse (chdb) and Spark (pyspark), each a
//! long-lived process speaking line-delimited JSON.

use super::{log_tail, temp_dir, Engine, Missing, Result, Rows};
use segql_plan::dialect::{self, Dialect};
use segql_syntax::ast::Type;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// The Python with chdb and pyspark: `SEGQL_PYTHON`, or the virtualenv that
/// `scripts/setup-engines` makes.
pub fn python() -> PathBuf {
    if let Ok(p) = std::env::var("SEGQL_PYTHON") {
        return PathBuf::from(p);
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    PathBuf::from(home).join(".cache/segql-venv/bin/python")
}

struct Helper {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    log: PathBuf,
    dir: PathBuf,
    version: String,
}

impl Helper {
    /// Starts `tests/engines/<script>` once the Python module it needs imports.
    fn start(script: &str, module: &str, arg: bool) -> std::result::Result<Helper, Missing> {
        let py = python();
        if !py.exists() {
            return Err(Missing(format!(
                "no Python at {} (run scripts/setup-engines, or set SEGQL_PYTHON)",
                py.display()
            )));
        }
        let probe = Command::new(&py)
            .args(["-c", &format!("import {module}")])
            .output()
            .map_err(|e| Missing(format!("cannot run {}: {e}", py.display())))?;
        if !probe.status.success() {
            return Err(Missing(format!(
                "{} cannot import {module} (run scripts/setup-engines): {}",
                py.display(),
                String::from_utf8_lossy(&probe.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            )));
        }
        let dir = temp_dir(&format!("segql-{module}")).map_err(Missing::broken)?;
        let log = dir.join("engine.log");
        let log_file = std::fs::File::create(&log)
            .map_err(|e| Missing::broken(format!("creating {}: {e}", log.display())))?;
        let path = crate::root().join("tests/engines").join(script);
        let mut cmd = Command::new(&py);
        cmd.arg(&path);
        if arg {
            cmd.arg(dir.join("data"));
        }
        let mut child = cmd
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .map_err(|e| Missing::broken(format!("{}: {e}", path.display())))?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut h = Helper {
            child,
            stdin,
            stdout,
            log,
            dir,
            version: String::new(),
        };
        let ready = h.answer().map_err(Missing::broken)?;
        h.version = ready
            .get("ready")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        Ok(h)
    }

    fn answer(&mut self) -> Result<serde_json::Value> {
        let mut line = String::new();
        let n = self
            .stdout
            .read_line(&mut line)
            .map_err(|e| format!("reading from the engine helper: {e}"))?;
        if n == 0 {
            return Err(format!(
                "the engine helper exited; its log ({}):\n{}",
                self.log.display(),
                log_tail(&self.log)
            ));
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| format!("the engine helper wrote {line:?}: {e}"))?;
        if v.get("ok").and_then(|o| o.as_bool()) == Some(true) {
            Ok(v)
        } else {
            Err(v
                .get("error")
                .and_then(|e| e.as_str())
                .unwrap_or("unknown error")
                .to_string())
        }
    }

    fn request(&mut self, op: &str, sql: &str) -> Result<serde_json::Value> {
        let req = serde_json::json!({ "op": op, "sql": sql });
        let stdin = self.stdin.as_mut().ok_or("the engine helper is closed")?;
        writeln!(stdin, "{req}")
            .and_then(|_| stdin.flush())
            .map_err(|e| {
                format!(
                    "writing to the engine helper: {e}; its log:\n{}",
                    log_tail(&self.log)
                )
            })?;
        self.answer()
    }

    fn rows(&mut self, sql: &str) -> Result<Rows> {
        let v = self.request("query", sql)?;
        let rows = v
            .get("rows")
            .and_then(|r| r.as_array())
            .ok_or("the engine helper returned no rows")?;
        Ok(rows
            .iter()
            .map(|r| {
                r.as_array()
                    .map(|cells| {
                        cells
                            .iter()
                            .map(|c| c.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect())
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        // Closing stdin ends the helper's loop; kill it if it lingers.
        drop(self.stdin.take());
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub struct ClickHouseEngine(Helper);

impl ClickHouseEngine {
    pub fn start() -> std::result::Result<Self, Missing> {
        Helper::start("clickhouse.py", "chdb", false).map(ClickHouseEngine)
    }
}

impl Engine for ClickHouseEngine {
    fn name(&self) -> &'static str {
        "clickhouse"
    }
    fn dialect(&self) -> &'static dyn Dialect {
        &dialect::ClickHouse
    }
    fn version(&self) -> String {
        self.0.version.clone()
    }
    fn execute(&mut self, sql: &str) -> Result<()> {
        self.0.request("execute", sql).map(|_| ())
    }
    fn rows(&mut self, sql: &str) -> Result<Rows> {
        self.0.rows(sql)
    }
    fn column_type(&self, ty: Type, key: bool) -> String {
        let t = match ty {
            Type::String => "String",
            Type::Int => "Int64",
            Type::Decimal => "Decimal(38, 9)",
            Type::Float => "Float64",
            Type::Bool => "Bool",
            Type::Date => "Date32",
            Type::Timestamp => "DateTime64(6, 'UTC')",
        };
        if key {
            t.to_string()
        } else {
            format!("Nullable({t})")
        }
    }
    fn table_options(&self) -> &'static str {
        " ENGINE = Memory"
    }
    fn decimal_literal(&self, text: &str) -> String {
        // `1.5` alone is a Float64 in ClickHouse.
        let scale = text.split_once('.').map_or(0, |(_, f)| f.len());
        format!("toDecimal128('{text}', {scale})")
    }
    fn create_schema(&self, schema: &str) -> String {
        format!(
            "CREATE DATABASE IF NOT EXISTS {}",
            super::loader_ident(self.dialect(), schema)
        )
    }
}

pub struct SparkEngine(Helper);

impl SparkEngine {
    pub fn start() -> std::result::Result<Self, Missing> {
        let java = Command::new("java").arg("-version").output();
        if !java.is_ok_and(|o| o.status.success()) {
            return Err(Missing(
                "no Java runtime (`java -version` fails); Spark needs Java 17".into(),
            ));
        }
        Helper::start("spark.py", "pyspark", true).map(SparkEngine)
    }
}

impl Engine for SparkEngine {
    fn name(&self) -> &'static str {
        "spark"
    }
    fn dialect(&self) -> &'static dyn Dialect {
        &dialect::Databricks
    }
    fn version(&self) -> String {
        self.0.version.clone()
    }
    fn execute(&mut self, sql: &str) -> Result<()> {
        self.0.request("execute", sql).map(|_| ())
    }
    fn rows(&mut self, sql: &str) -> Result<Rows> {
        self.0.rows(sql)
    }
    fn column_type(&self, ty: Type, _key: bool) -> String {
        match ty {
            Type::String => "STRING",
            Type::Int => "BIGINT",
            Type::Decimal => "DECIMAL(38, 9)",
            Type::Float => "DOUBLE",
            Type::Bool => "BOOLEAN",
            Type::Date => "DATE",
            Type::Timestamp => "TIMESTAMP",
        }
        .to_string()
    }
    fn table_options(&self) -> &'static str {
        " USING parquet"
    }
}
