//! The client layer: a small [`Client`] trait with capability flags (in the style of
//! sqlmesh's engine adapters), implemented over ADBC by [`AdbcClient`]. Results come
//! back as Arrow record batches, never row by row.

use crate::codes;
use crate::config::{Kind, Target, Value};
use crate::driver::{self, Found};
use crate::error::{classify_connect, connect_hint, percent_encode, Result, Secrets, TargetError};
use adbc_core::error::Status;
use adbc_core::options::{InfoCode, IngestMode, OptionDatabase, OptionStatement, OptionValue};
use adbc_core::{CancelHandle, Connection, Database, Driver, Optionable, Statement};
use adbc_driver_manager::{ManagedConnection, ManagedDatabase};
use arrow_array::{Array, RecordBatch, RecordBatchIterator};
use arrow_schema::{Schema, SchemaRef};
use std::sync::{Arc, Mutex};

/// What a target can do; segql picks how to hold a test's rows, stage a seed and keep
/// a result by these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// BEGIN/COMMIT around statements, DDL included (a seed's swap is atomic).
    pub transactions: bool,
    /// `CREATE TEMPORARY TABLE`, gone with the session.
    pub temporary_tables: bool,
    /// `MERGE INTO`.
    pub merge: bool,
    /// The driver's bulk ingest (Arrow batches into a table, no SQL text).
    pub bulk_ingest: bool,
}

impl Capabilities {
    pub fn of(kind: Kind) -> Capabilities {
        let c = |transactions, temporary_tables, merge, bulk_ingest| Capabilities {
            transactions,
            temporary_tables,
            merge,
            bulk_ingest,
        };
        match kind {
            Kind::DuckDb => c(true, true, true, true),
            Kind::Postgres => c(true, true, true, true),
            // Redshift's COPY reads from S3, not from the client: no bulk ingest
            // through the Postgres driver.
            Kind::Redshift => c(true, true, true, false),
            Kind::Snowflake => c(true, true, true, true),
            // Spark Connect: temporary views only, no transactions, MERGE only on Delta
            // tables; adbc-driver-spark 0.3 has no bulk ingest.
            Kind::Spark => c(false, false, false, false),
            Kind::BigQuery => c(false, false, true, true),
            // Depends on the server; assumed the least.
            Kind::FlightSql => c(false, false, false, false),
        }
    }
}

/// A query's result: its schema and every batch.
#[derive(Debug, Clone)]
pub struct Results {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

impl Results {
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }
}

/// Stops the statement running on a client from another thread (Ctrl-C).
#[derive(Clone)]
pub struct Canceller(Arc<Mutex<Option<Box<dyn CancelHandle>>>>);

impl Canceller {
    pub fn cancel(&self) {
        if let Ok(h) = self.0.lock() {
            if let Some(h) = h.as_ref() {
                let _ = h.try_cancel();
            }
        }
    }
}

/// A connection to a target.
pub trait Client: Send {
    /// The target's name (`pg`, `pg:prod`).
    fn target(&self) -> &str;
    fn kind(&self) -> Kind;
    fn capabilities(&self) -> Capabilities;
    /// Runs one statement, returning nothing.
    fn execute(&mut self, sql: &str) -> Result<()>;
    /// Runs one query; every batch of its result.
    fn query(&mut self, sql: &str) -> Result<Results>;
    /// Bulk-ingests batches into `table` (1 to 3 parts): created (`append` false) or
    /// appended to; a temporary table when `temporary`.
    fn ingest(
        &mut self,
        table: &[String],
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
        append: bool,
        temporary: bool,
    ) -> Result<()>;
    /// A table's columns as the target's catalog (information schema) gives them;
    /// `None` when there is no such table.
    fn table_schema(&mut self, table: &[String]) -> Result<Option<Schema>>;
    fn begin(&mut self) -> Result<()>;
    fn commit(&mut self) -> Result<()>;
    fn rollback(&mut self) -> Result<()>;
    fn canceller(&self) -> Canceller;
    /// The server's and driver's names and versions (`vendor_name`, ...).
    fn info(&mut self) -> Vec<(String, String)>;
}

/// An ADBC connection, with the target's secrets to redact from every message.
pub struct AdbcClient {
    target: String,
    kind: Kind,
    secrets: Secrets,
    found: Found,
    // Dropped in this order: the connection before its database.
    conn: ManagedConnection,
    _db: ManagedDatabase,
    running: Arc<Mutex<Option<Box<dyn CancelHandle>>>>,
}

/// The ADBC database options of a target, and the secrets they hold.
pub fn database_options(t: &Target) -> Result<(Vec<(OptionDatabase, OptionValue)>, Secrets)> {
    let mut secrets = Secrets::default();
    let mut opts: Vec<(OptionDatabase, OptionValue)> = Vec::new();
    let s = &t.settings;
    let password = match &s.password {
        Some(var) => {
            let v = t.env(var, "the target's password")?;
            secrets.add(&v);
            Some(v)
        }
        None => None,
    };
    let token = match &s.token {
        Some(var) => {
            let v = t.env(var, "the target's token")?;
            secrets.add(&v);
            Some(v)
        }
        None => None,
    };
    let mut uri = s.uri.clone();
    match t.kind {
        Kind::Postgres | Kind::Redshift => {
            // libpq takes the password in the URI only; this URI is never shown.
            let mut u = uri.clone().unwrap_or_default();
            let mut params = Vec::new();
            if let Some(p) = &password {
                params.push(format!("password={}", percent_encode(p)));
            }
            if !u.contains("connect_timeout=") {
                params.push("connect_timeout=10".to_string());
            }
            if let Some(user) = &s.user {
                if !u.contains("user=") {
                    params.push(format!("user={}", percent_encode(user)));
                }
            }
            if !params.is_empty() {
                u.push(if u.contains('?') { '&' } else { '?' });
                u.push_str(&params.join("&"));
            }
            uri = Some(u);
        }
        Kind::Spark => {
            if let Some(tok) = &token {
                opts.push((
                    OptionDatabase::Other("adbc.spark.token".into()),
                    tok.as_str().into(),
                ));
            }
            if let Some(user) = &s.user {
                opts.push((
                    OptionDatabase::Other("adbc.spark.user_id".into()),
                    user.as_str().into(),
                ));
            }
            if password.is_some() {
                return Err(TargetError::new(
                    codes::CONFIG,
                    &t.name,
                    "a spark target authenticates with `token`, not `password`",
                )
                .with_hint("write token = { env = \"VARIABLE\" }"));
            }
        }
        _ => {
            if let Some(user) = &s.user {
                opts.push((OptionDatabase::Username, user.as_str().into()));
            }
            if let Some(p) = &password {
                opts.push((OptionDatabase::Password, p.as_str().into()));
            }
            if let Some(tok) = &token {
                match t.kind {
                    Kind::FlightSql => opts.push((
                        OptionDatabase::Other("adbc.flight.sql.authorization_header".into()),
                        format!("Bearer {tok}").into(),
                    )),
                    Kind::Snowflake => opts.push((
                        OptionDatabase::Other("adbc.snowflake.sql.client_option.auth_token".into()),
                        tok.as_str().into(),
                    )),
                    _ => {
                        return Err(TargetError::new(
                            codes::CONFIG,
                            &t.name,
                            format!("a {} target takes no `token`", t.kind.name()),
                        )
                        .with_hint("give its credentials in `options` (docs/targets.md)"))
                    }
                }
            }
        }
    }
    if let Some(u) = uri {
        opts.insert(0, (OptionDatabase::Uri, u.into()));
    }
    for (k, v) in &s.options {
        let value = match v {
            Value::Plain(p) => p.clone(),
            Value::Env(var) => {
                let v = t.env(var, &format!("option `{k}`"))?;
                if crate::config::is_secret_key(k) {
                    secrets.add(&v);
                }
                v
            }
        };
        opts.push((OptionDatabase::Other(k.clone()), value.into()));
    }
    Ok((opts, secrets))
}

/// The driver's message, shortened to what tells the user something: the SQL it
/// quotes back (segql's, not the user's) and a plan dump are left out, and every
/// secret is redacted.
pub fn clean(secrets: &Secrets, message: &str) -> String {
    let mut text = message;
    for cut in ["\nQuery was:", "\n\n", "\n'", "\n+-", "\nLINE "] {
        if let Some(i) = text.find(cut) {
            text = &text[..i];
        }
    }
    let text = text
        .trim_start_matches("[libpq] ")
        .trim_start_matches("[Spark] ")
        .trim();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .take(4)
        .collect();
    secrets.redact(&lines.join("\n"))
}

/// Connects to a target: finds and loads its driver, opens a connection, and runs
/// `SELECT 1` so that an unreachable server or refused credentials are known at once.
pub fn connect(t: &Target) -> Result<AdbcClient> {
    let found = driver::find(t)?;
    let mut drv = driver::load(&t.name, t.kind, &found)?;
    let (opts, secrets) = database_options(t)?;
    let fail = |e: adbc_core::error::Error, what: &str| {
        let message = clean(&secrets, &e.message);
        let code = match e.status {
            Status::NotImplemented | Status::InvalidArguments => codes::CONFIG,
            s => classify_connect(s, &message),
        };
        let hint = if code == codes::CONFIG {
            "check the target's uri and options (docs/targets.md)".to_string()
        } else {
            connect_hint(code, &message)
        };
        TargetError::new(code, &t.name, format!("{what}: {message}")).with_hint(hint)
    };
    let db = drv
        .new_database_with_opts(opts)
        .map_err(|e| fail(e, "cannot connect"))?;
    let conn = db.new_connection().map_err(|e| fail(e, "cannot connect"))?;
    let mut client = AdbcClient {
        target: t.name.clone(),
        kind: t.kind,
        secrets,
        found,
        conn,
        _db: db,
        running: Arc::new(Mutex::new(None)),
    };
    let probe = if t.kind == Kind::Snowflake || t.kind == Kind::BigQuery {
        "SELECT 1"
    } else {
        "SELECT 1 AS ok"
    };
    if let Err(e) = client.query(probe) {
        let code = if e.code == codes::STATEMENT {
            classify_connect(Status::IO, &e.message)
        } else {
            e.code
        };
        let code = if code == codes::AUTH {
            codes::AUTH
        } else if e.code == codes::INTERRUPTED {
            e.code
        } else {
            codes::CONNECT
        };
        let hint = connect_hint(code, &e.message);
        return Err(TargetError {
            code,
            hint: Some(hint),
            ..e
        });
    }
    Ok(client)
}

/// A driver's message without the statement it failed on (the PostgreSQL driver
/// repeats the whole query: `Failed to execute query '...': ERROR: ...`): what segql was
/// doing is said in the user's terms by the caller.
fn without_sql(mut e: adbc_core::error::Error, sql: &str) -> adbc_core::error::Error {
    let sql = sql.trim();
    if sql.is_empty() {
        return e;
    }
    for quoted in [
        format!("Failed to execute query '{sql}': "),
        format!("'{sql}'"),
    ] {
        e.message = e.message.replace(&quoted, "");
    }
    e.message = e.message.replace(sql, "(the statement)");
    e
}

impl AdbcClient {
    /// The driver and how it was found.
    pub fn driver(&self) -> &Found {
        &self.found
    }

    fn statement_error(&self, e: adbc_core::error::Error, what: &str) -> TargetError {
        let message = clean(&self.secrets, &e.message);
        let lower = message.to_ascii_lowercase();
        let code = if e.status == Status::Cancelled
            || lower.contains("canceling statement due to user request")
            || lower.contains("operation was cancelled")
            || lower.contains("context canceled")
        {
            codes::INTERRUPTED
        } else if matches!(e.status, Status::Unauthenticated | Status::Unauthorized) {
            codes::AUTH
        } else if e.status == Status::IO
            && (lower.contains("connection")
                || lower.contains("unavailable")
                || lower.contains("refused"))
            && !lower.contains("does not exist")
        {
            codes::CONNECT
        } else {
            codes::STATEMENT
        };
        let text = if what.is_empty() {
            message
        } else {
            format!("{what}: {message}")
        };
        TargetError::new(code, &self.target, text)
    }

    fn statement(&mut self) -> Result<adbc_driver_manager::ManagedStatement> {
        self.conn
            .new_statement()
            .map_err(|e| self.statement_error(e, "cannot start a statement"))
    }

    fn track(&self, stmt: &adbc_driver_manager::ManagedStatement) {
        if let Ok(mut r) = self.running.lock() {
            *r = Some(stmt.get_cancel_handle());
        }
    }

    fn untrack(&self) {
        if let Ok(mut r) = self.running.lock() {
            *r = None;
        }
    }

    fn table_options(table: &[String]) -> Vec<(OptionStatement, String)> {
        let mut out = Vec::new();
        match table {
            [t] => out.push((OptionStatement::TargetTable, t.clone())),
            [s, t] => {
                out.push((OptionStatement::TargetDbSchema, s.clone()));
                out.push((OptionStatement::TargetTable, t.clone()));
            }
            [c, s, t, ..] => {
                out.push((OptionStatement::TargetCatalog, c.clone()));
                out.push((OptionStatement::TargetDbSchema, s.clone()));
                out.push((OptionStatement::TargetTable, t.clone()));
            }
            [] => {}
        }
        out
    }
}

impl Client for AdbcClient {
    fn target(&self) -> &str {
        &self.target
    }

    fn kind(&self) -> Kind {
        self.kind
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::of(self.kind)
    }

    fn execute(&mut self, sql: &str) -> Result<()> {
        let mut stmt = self.statement()?;
        stmt.set_sql_query(sql)
            .map_err(|e| self.statement_error(without_sql(e, sql), ""))?;
        self.track(&stmt);
        let r = stmt.execute_update();
        self.untrack();
        r.map(|_| ())
            .map_err(|e| self.statement_error(without_sql(e, sql), ""))
    }

    fn query(&mut self, sql: &str) -> Result<Results> {
        let mut stmt = self.statement()?;
        stmt.set_sql_query(sql)
            .map_err(|e| self.statement_error(without_sql(e, sql), ""))?;
        self.track(&stmt);
        let out = (|| {
            let reader = stmt
                .execute()
                .map_err(|e| self.statement_error(without_sql(e, sql), ""))?;
            let schema = reader.schema();
            let mut batches = Vec::new();
            for b in reader {
                batches.push(b.map_err(|e| {
                    self.statement_error(
                        adbc_core::error::Error::with_message_and_status(e.to_string(), Status::IO),
                        "reading the result",
                    )
                })?);
            }
            Ok(Results { schema, batches })
        })();
        self.untrack();
        out
    }

    fn ingest(
        &mut self,
        table: &[String],
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
        append: bool,
        temporary: bool,
    ) -> Result<()> {
        if !self.capabilities().bulk_ingest {
            return Err(TargetError::new(
                codes::UNSUPPORTED,
                &self.target,
                format!("a {} target has no bulk ingest", self.kind.name()),
            ));
        }
        let mut stmt = self.statement()?;
        let shown = table.join(".");
        let mut set = |k: OptionStatement, v: String| -> Result<()> {
            stmt.set_option(k, OptionValue::String(v)).map_err(|e| {
                TargetError::new(
                    codes::STATEMENT,
                    &self.target,
                    format!("loading {shown}: {}", clean(&self.secrets, &e.message)),
                )
            })
        };
        let table_opts = if temporary {
            vec![(
                OptionStatement::TargetTable,
                table.last().cloned().unwrap_or_default(),
            )]
        } else {
            Self::table_options(table)
        };
        for (k, v) in table_opts {
            set(k, v)?;
        }
        let mode = if append {
            IngestMode::Append
        } else {
            IngestMode::Create
        };
        stmt.set_option(OptionStatement::IngestMode, mode.into())
            .map_err(|e| self.statement_error(e, &format!("loading {shown}")))?;
        if temporary {
            stmt.set_option(OptionStatement::Temporary, "true".into())
                .map_err(|e| self.statement_error(e, &format!("loading {shown}")))?;
        }
        let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), schema);
        stmt.bind_stream(Box::new(reader))
            .map_err(|e| self.statement_error(e, &format!("loading {shown}")))?;
        self.track(&stmt);
        let r = stmt.execute_update();
        self.untrack();
        r.map(|_| ())
            .map_err(|e| self.statement_error(e, &format!("loading {shown}")))
    }

    fn table_schema(&mut self, table: &[String]) -> Result<Option<Schema>> {
        let (catalog, schema, name) = match table {
            [t] => (None, None, t.as_str()),
            [s, t] => (None, Some(s.as_str()), t.as_str()),
            [c, s, t, ..] => (Some(c.as_str()), Some(s.as_str()), t.as_str()),
            [] => return Ok(None),
        };
        match self.conn.get_table_schema(catalog, schema, name) {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.status == Status::NotFound => Ok(None),
            Err(e) if e.status == Status::NotImplemented => Err(TargetError::new(
                codes::UNSUPPORTED,
                &self.target,
                format!(
                    "the driver cannot describe tables: {}",
                    clean(&self.secrets, &e.message)
                ),
            )),
            Err(e) => {
                let err = self.statement_error(e, &format!("describing {}", table.join(".")));
                let lower = err.message.to_ascii_lowercase();
                if lower.contains("not found")
                    || lower.contains("does not exist")
                    || lower.contains("cannot be found")
                {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }

    fn begin(&mut self) -> Result<()> {
        use adbc_core::options::OptionConnection;
        self.conn
            .set_option(OptionConnection::AutoCommit, "false".into())
            .map_err(|e| self.statement_error(e, "starting a transaction"))
    }

    fn commit(&mut self) -> Result<()> {
        use adbc_core::options::OptionConnection;
        self.conn
            .commit()
            .map_err(|e| self.statement_error(e, "committing"))?;
        self.conn
            .set_option(OptionConnection::AutoCommit, "true".into())
            .map_err(|e| self.statement_error(e, "committing"))
    }

    fn rollback(&mut self) -> Result<()> {
        use adbc_core::options::OptionConnection;
        self.conn
            .rollback()
            .map_err(|e| self.statement_error(e, "rolling back"))?;
        self.conn
            .set_option(OptionConnection::AutoCommit, "true".into())
            .map_err(|e| self.statement_error(e, "rolling back"))
    }

    fn canceller(&self) -> Canceller {
        Canceller(self.running.clone())
    }

    fn info(&mut self) -> Vec<(String, String)> {
        let codes = [
            (InfoCode::VendorName, "vendor"),
            (InfoCode::VendorVersion, "vendor version"),
            (InfoCode::DriverName, "driver"),
            (InfoCode::DriverVersion, "driver version"),
        ];
        let mut out = Vec::new();
        let Ok(reader) = self
            .conn
            .get_info(Some(codes.iter().map(|(c, _)| *c).collect()))
        else {
            return out;
        };
        for batch in reader.flatten() {
            let names = batch.column(0);
            let values = batch.column(1);
            let Some(names) = names.as_any().downcast_ref::<arrow_array::UInt32Array>() else {
                continue;
            };
            let Some(values) = values.as_any().downcast_ref::<arrow_array::UnionArray>() else {
                continue;
            };
            for i in 0..batch.num_rows() {
                let code = names.value(i);
                let label = codes
                    .iter()
                    .find(|(c, _)| u32::from(c) == code)
                    .map(|(_, l)| *l);
                let child = values.value(i);
                if let (Some(label), Some(s)) = (
                    label,
                    child.as_any().downcast_ref::<arrow_array::StringArray>(),
                ) {
                    if s.len() == 1 && s.is_valid(0) {
                        out.push((label.to_string(), s.value(0).to_string()));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_messages_are_cut_and_redacted() {
        let mut s = Secrets::default();
        s.add("sekret");
        let m = "[libpq] Failed to prepare query: ERROR:  relation \"nosuch\" does not exist\nLINE 1: SELECT * FROM nosuch\n ^\n\nQuery was: SELECT * FROM nosuch WHERE x = 'sekret'";
        assert_eq!(
            clean(&s, m),
            "Failed to prepare query: ERROR:  relation \"nosuch\" does not exist"
        );
        assert_eq!(
            clean(&s, "login failed: sekret\n\nmore"),
            "login failed: ***"
        );
    }

    #[test]
    fn capabilities_follow_the_kind() {
        assert!(Capabilities::of(Kind::Postgres).bulk_ingest);
        assert!(!Capabilities::of(Kind::Spark).temporary_tables);
        assert!(!Capabilities::of(Kind::Redshift).bulk_ingest);
    }
}
