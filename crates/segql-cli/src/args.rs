//! The command line: one clap `Args` struct per command, the `--as-of` argument shared
//! by the commands that evaluate relative times.

use crate::graph_cmd::GraphFormat;
use crate::run_cmd::OutFormat;
use crate::series_out::Format as SeriesFormat;
use anyhow::{Context, Result};
use clap::ValueEnum;
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum Format {
    /// Rendered diagnostics for people.
    #[default]
    Human,
    /// One JSON document on stdout.
    Json,
    /// One line per diagnostic on stdout, `file:line:col: error[E0102]: message`
    /// (for grep, editors' quickfix lists and pre-commit output).
    Short,
    /// GitHub Actions workflow commands on stdout (`::error file=…,line=…::…`), shown
    /// on the pull request's diff.
    Github,
    /// A SARIF 2.1.0 log on stdout, for code-scanning uploads.
    Sarif,
}

/// `--as-of`: the instant relative times are measured from.
#[derive(clap::Args, Clone, Default)]
pub struct AsOf {
    /// The instant relative times are measured from, e.g. 2024-06-01 or
    /// 2024-06-01T09:30:00Z (UTC). Default: now.
    #[arg(long = "as-of", value_name = "AS_OF")]
    pub value: Option<String>,
}

impl AsOf {
    /// The instant in microseconds since the epoch: the argument, or now (to the
    /// second) when not given.
    pub fn instant(&self) -> Result<i64> {
        match &self.value {
            Some(s) => segql_syntax::time::parse_instant(s)
                .map_err(|e| crate::output::Usage(format!("--as-of: {e}")).into()),
            None => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .context("the system clock is before 1970")?;
                Ok(now.as_secs() as i64 * 1_000_000)
            }
        }
    }
}

/// `--select`, `--exclude` (docs/ci.md): which declarations a command works on.
#[derive(clap::Args, Clone, Default)]
pub struct Select {
    /// Only these (default: all): a name, a glob (`churn_*`), `tag:X`, `path:DIR`,
    /// `kind:report`, `state:modified`; `+name` adds what it uses, `name+` what uses
    /// it. Repeat the option or separate selectors with commas.
    #[arg(long, short = 's', value_name = "SELECTOR")]
    pub select: Vec<String>,
    /// Leave these out (the same syntax as --select).
    #[arg(long, value_name = "SELECTOR")]
    pub exclude: Vec<String>,
    /// A directory holding the manifest.json of a base (main's target/), for
    /// `state:modified` and `state:new`.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
}

/// `--target-path`: where manifest.json and run_results.json are written.
#[derive(clap::Args, Clone, Default)]
pub struct Artifacts {
    /// Write manifest.json (and run_results.json) to DIR (default: target/ in the
    /// project).
    #[arg(long = "target-path", value_name = "DIR")]
    pub target_path: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct Init {
    /// Where to create it (default: here).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

#[derive(clap::Args)]
pub struct Check {
    /// A project directory (holding segql.toml) or .seg files and directories.
    /// Default: the project in the working directory or its parents.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(clap::Args)]
pub struct Fmt {
    /// Files, directories or a project; `-` formats standard input to standard
    /// output. Default: the project in the working directory.
    pub paths: Vec<PathBuf>,
    /// Change nothing; list the files that would change and exit 1 if any would.
    #[arg(long)]
    pub check: bool,
    /// Change nothing; print what would change as a unified diff and exit 1 if
    /// anything would.
    #[arg(long)]
    pub diff: bool,
}

#[derive(clap::Args)]
pub struct Compile {
    /// A project directory or .seg files (default: the project here).
    pub paths: Vec<PathBuf>,
    /// The SQL dialect(s): duckdb, postgres, redshift, snowflake, bigquery,
    /// databricks, clickhouse, trino, or all. Repeat or separate with commas.
    #[arg(long = "dialect", short = 'd', value_name = "DIALECT", required = true)]
    pub dialects: Vec<String>,
    #[command(flatten)]
    pub select: Select,
    #[command(flatten)]
    pub as_of: AsOf,
    #[command(flatten)]
    pub artifacts: Artifacts,
    /// Write DIR/<dialect>/<name>.sql instead of printing.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// One statement for all selected segments (of one entity): the key and a
    /// boolean column per segment, each events relation scanned once.
    #[arg(long)]
    pub batch: bool,
    /// With --batch: one row per segment and member (`segment`, key) instead of a
    /// boolean column per segment.
    #[arg(long, requires = "batch")]
    pub long: bool,
    /// SQL to schedule: the as-of read when the statement runs instead of written in
    /// it: `now` (the engine's clock, UTC) or `param:NAME` (a named parameter the
    /// scheduler binds: DuckDB $NAME, BigQuery @NAME, Databricks :NAME, ClickHouse
    /// {NAME:DateTime64}, Snowflake the session variable $NAME).
    #[arg(long = "as-of-at-run", value_name = "now|param:NAME")]
    pub as_of_at_run: Option<String>,
    /// Write the selected segments as dbt models into the dbt project DIR
    /// (models/segql/: a model per segment, or with --batch one per entity, with
    /// schema.yml and sources.yml; the as-of is the dbt var segql_as_of). One dialect:
    /// the adapter's.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["out", "long", "as_of_at_run"])]
    pub dbt: Option<PathBuf>,
}

/// `segql import dbt MANIFEST`.
#[derive(clap::Args)]
pub struct Import {
    /// What to import from.
    #[arg(value_enum)]
    pub from: ImportFrom,
    /// dbt's target/manifest.json (written by `dbt parse`, `dbt compile` or `dbt run`).
    pub manifest: PathBuf,
    /// Only these: `source:NAME`, `source:NAME.TABLE`, `model:NAME`, `seed:NAME`,
    /// `snapshot:NAME` (default: every source, model and snapshot). Repeat or separate
    /// with commas.
    #[arg(
        long = "select",
        short = 's',
        value_name = "SELECTOR",
        value_delimiter = ','
    )]
    pub select: Vec<String>,
    /// Write the catalog draft to FILE (a new file) instead of printing it.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ImportFrom {
    /// A dbt project's manifest.json: its sources and models with their columns.
    Dbt,
}

#[derive(clap::Args)]
pub struct Run {
    /// A project directory (default: the project here).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub select: Select,
    #[command(flatten)]
    pub as_of: AsOf,
    #[command(flatten)]
    pub artifacts: Artifacts,
    /// How to print the results.
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
    /// Write the results to FILE instead (.parquet, .csv or .json).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Add every trait of the entity as a column (`--with traits`).
    #[arg(long = "with", value_name = "traits", value_parser = ["traits"])]
    pub with: Option<String>,
    /// Run on this warehouse target (`[targets.NAME]` in segql.toml or the user-level
    /// file; NAME:ENVIRONMENT for one of its environments) instead of the embedded
    /// DuckDB over the bindings.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
}

impl Run {
    pub fn with_traits(&self) -> bool {
        self.with.is_some()
    }
}

#[derive(clap::Args)]
pub struct Preview {
    /// A project directory (default: the project here).
    pub paths: Vec<PathBuf>,
    /// The segment to preview: a name, or any selector that selects one segment.
    #[arg(long, short = 's', value_name = "SELECTOR", required = true)]
    pub select: Vec<String>,
    /// Leave these out (the same syntax as --select).
    #[arg(long, value_name = "SELECTOR")]
    pub exclude: Vec<String>,
    #[command(flatten)]
    pub as_of: AsOf,
    /// Run on this warehouse target (`[targets.NAME]` in segql.toml or the user-level
    /// file; NAME:ENVIRONMENT for one of its environments) instead of the embedded
    /// DuckDB over the bindings.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum TestFormat {
    /// A line per test and assert as it finishes.
    #[default]
    Human,
    /// The same lines, and a workflow annotation on each failure.
    Github,
    /// A SARIF 2.1.0 log on stdout, a result per failed test or assert at its
    /// declaration (the lines go to stderr), for code-scanning uploads.
    Sarif,
}

#[derive(clap::Args)]
#[command(mut_arg("value", |a| a.help(
    "The instant `assert` blocks are evaluated at (tests have their own as_of). Default: now."
)))]
pub struct Test {
    /// A project directory or .seg files (default: the project here).
    pub paths: Vec<PathBuf>,
    /// Selected tests run, and so do the tests that expect members of a selected
    /// segment, report, split or priority list, and the asserts of selected segments.
    #[command(flatten)]
    pub select: Select,
    /// Also write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Stop at the first failing test or assert (the rest are counted as not run).
    #[arg(long)]
    pub fail_fast: bool,
    /// How to report: lines for people, or the same with a GitHub Actions annotation
    /// (`::error file=…,line=…::…`) on each failing test or assert.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
    #[command(flatten)]
    pub as_of: AsOf,
    /// Run the tests and asserts on this warehouse target (`[targets.NAME]` in segql.toml or the user-level
    /// file; NAME:ENVIRONMENT for one of its environments) instead of the embedded
    /// DuckDB over the bindings.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
    #[command(flatten)]
    pub artifacts: Artifacts,
}

#[derive(clap::Args)]
pub struct Graph {
    /// A project directory or .seg files (default: the project here).
    pub paths: Vec<PathBuf>,
    /// Graphviz dot or Mermaid.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    #[command(flatten)]
    pub select: Select,
}

#[derive(clap::Args)]
pub struct Diff {
    /// A project directory (default: the project here).
    pub paths: Vec<PathBuf>,
    /// What to compare with: a git revision (a commit, branch or tag: `main`,
    /// `HEAD~1`), or a manifest.json a run or compile of the base wrote (its DuckDB
    /// SQL is run, as of the manifest's instant).
    #[arg(long, value_name = "REV|MANIFEST", required = true)]
    pub base: String,
    #[command(flatten)]
    pub as_of: AsOf,
    /// Text for people, or one JSON document (for a bot that comments on the pull
    /// request).
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Compute both sides' members on this warehouse target instead of the embedded
    /// DuckDB over the bindings.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum DiffFormat {
    #[default]
    Text,
    Json,
}

#[derive(clap::Args)]
pub struct Doctor {
    /// A project directory (default: the project here).
    pub paths: Vec<PathBuf>,
    /// The target to check: its driver, a connection, and the catalog against its
    /// tables. Default: the bindings, and every configured target's driver.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
}

#[derive(clap::Args)]
pub struct Stats {
    /// A project directory (default: the project here).
    pub paths: Vec<PathBuf>,
}

#[derive(clap::Args)]
pub struct Seed {
    /// A project directory (default: the project here).
    pub paths: Vec<PathBuf>,
    /// The target to load the bound files into (where its mapping says each relation
    /// lives).
    #[arg(long, value_name = "NAME", required = true)]
    pub target: String,
    /// Replace relations that already exist on the target (otherwise nothing is
    /// written when one does).
    #[arg(long)]
    pub replace: bool,
}

#[derive(clap::Args)]
pub struct Snapshot {
    /// A project directory (default: the project here).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub select: Select,
    #[command(flatten)]
    pub as_of: AsOf,
    /// Record an as_of older than a segment's last snapshot: inserted in order, the
    /// next snapshot's changes recomputed.
    #[arg(long)]
    pub backfill: bool,
    /// Use segql's state on this target (a schema of it, `state` in its settings,
    /// default `segql_state`; PostgreSQL targets) instead of the project's state file.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
}

#[derive(clap::Args)]
pub struct Changes {
    /// A project directory (default: the project here).
    pub paths: Vec<PathBuf>,
    /// Only these segments (default: every recorded one): repeat the option or
    /// separate names with commas.
    #[arg(long, short = 's', value_name = "NAME")]
    pub select: Vec<String>,
    /// The net changes after an instant (2024-06-01) or a run (its id): from the
    /// members then to the current ones. Default: the changes of each segment's last
    /// snapshot.
    #[arg(long, value_name = "RUN|TIME")]
    pub since: Option<String>,
    /// How to print the changes.
    #[arg(long, value_enum, default_value_t = SeriesFormat::Table)]
    pub format: SeriesFormat,
    /// Write the changes to FILE instead (.csv or .json).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Use segql's state on this target (a schema of it, `state` in its settings,
    /// default `segql_state`; PostgreSQL targets) instead of the project's state file.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
}

#[derive(clap::Args)]
pub struct History {
    /// The segments (default: every recorded one).
    pub segments: Vec<String>,
    /// The project directory (default: the project here).
    #[arg(long, short = 'C', value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// How to print the figures.
    #[arg(long, value_enum, default_value_t = SeriesFormat::Table)]
    pub format: SeriesFormat,
    /// Write the figures to FILE instead (.csv or .json).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also draw each segment's size over time to FILE (.svg).
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
    /// Use segql's state on this target (a schema of it, `state` in its settings,
    /// default `segql_state`; PostgreSQL targets) instead of the project's state file.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
}

#[derive(clap::Args)]
pub struct Backtest {
    /// The segments (default: all).
    pub segments: Vec<String>,
    /// The project directory (default: the project here).
    #[arg(long, short = 'C', value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// The first instant (2024-01-01 or 2024-01-01T00:00:00Z).
    #[arg(long)]
    pub from: String,
    /// The last instant (included when a step lands on it).
    #[arg(long)]
    pub to: String,
    /// The step: `1 week`, `2 days`, `12 hours`, `1 month`.
    #[arg(long, required = true, num_args = 1..=2, value_name = "STEP")]
    pub every: Vec<String>,
    /// How to print the figures.
    #[arg(long, value_enum, default_value_t = SeriesFormat::Table)]
    pub format: SeriesFormat,
    /// Write the figures to FILE instead (.csv or .json).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also draw each segment's size over time to FILE (.svg).
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
    /// Compute the series on this warehouse target instead of the embedded DuckDB over
    /// the bindings (PostgreSQL targets).
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
}
