//! segql-cli: the `segql` binary.
//!
//! Owns argument parsing (clap), finding a project's files, and presenting results:
//! human output on a terminal, JSON for machines, exit codes (0 success, 1 a user's
//! mistake or a failed check, 2 a bad command line or an internal error). It holds no
//! language logic: parsing and formatting come from segql-syntax.

mod check;
mod compile_cmd;
mod data;
mod docs_cmd;
mod fmt_cmd;
mod graph_cmd;
mod init_cmd;
mod lsp_cmd;
mod output;
mod project;
mod run_cmd;
mod test_cmd;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "segql",
    version,
    about = "Segments as code: check, format and compile user, customer and account segments",
    long_about = "segql reads .seg files that describe segments (audiences, cohorts) of the \
entities in your warehouse, checks them, formats them, and compiles them to SQL.\n\n\
A project is a directory with a segql.toml naming its files and, for local runs, \
where each table's data lies:\n\n    \
name = \"saas\"\n    paths = [\"segments\"]\n\n    [bindings]\n    \
\"analytics.events\" = \"data/events/*.parquet\"\n\n\
Start with `segql init`.",
    after_help = "Exit status: 0 success, 1 problems found (bad files, failed checks), 2 a bad command line or an internal error."
)]
struct Cli {
    /// When to use colours in diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
enum Format {
    /// Rendered diagnostics for people.
    #[default]
    Human,
    /// One JSON document on stdout.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new project (segql.toml, a catalog, segments with tests, sample data)
    /// that passes `check` and `test` as it is.
    Init {
        /// Where to create it (default: here).
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Parse and check every file of a project (or the given .seg files).
    Check {
        /// A project directory (holding segql.toml) or .seg files and directories.
        /// Default: the project in the working directory or its parents.
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Rewrite .seg files in the canonical layout.
    Fmt {
        /// Files, directories or a project; `-` formats standard input to standard
        /// output. Default: the project in the working directory.
        paths: Vec<PathBuf>,
        /// Change nothing; list the files that would change and exit 1 if any would.
        #[arg(long)]
        check: bool,
    },
    /// Compile segments to SQL for a warehouse dialect.
    Compile {
        /// A project directory or .seg files (default: the project here).
        paths: Vec<PathBuf>,
        /// The SQL dialect(s): duckdb, postgres, redshift, snowflake, bigquery,
        /// databricks, clickhouse, trino, or all. Repeat or separate with commas.
        #[arg(long, short = 'd', required = true)]
        dialect: Vec<String>,
        /// Only these segments (default: all).
        #[arg(long, short = 's', num_args = 1..)]
        select: Vec<String>,
        /// The instant relative times are measured from, e.g. 2024-06-01 or
        /// 2024-06-01T09:30:00Z (UTC). Default: now.
        #[arg(long)]
        as_of: Option<String>,
        /// Write DIR/<dialect>/<name>.sql instead of printing.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// One statement for all selected segments (of one entity): the key and a
        /// boolean column per segment, each events relation scanned once.
        #[arg(long)]
        batch: bool,
        /// With --batch: one row per segment and member (`segment`, key) instead of a
        /// boolean column per segment.
        #[arg(long, requires = "batch")]
        long: bool,
    },
    /// Run segments (and reports, splits, priority lists) on DuckDB over the project's
    /// bound data, and show or write their members.
    Run {
        /// A project directory (default: the project here).
        paths: Vec<PathBuf>,
        /// Only these segments, reports, splits or priority lists (default: all).
        #[arg(long, short = 's', num_args = 1..)]
        select: Vec<String>,
        /// The instant relative times are measured from (default: now).
        #[arg(long)]
        as_of: Option<String>,
        /// How to print the results.
        #[arg(long, value_enum, default_value_t = run_cmd::OutFormat::Table)]
        format: run_cmd::OutFormat,
        /// Write the results to FILE instead (.parquet, .csv or .json).
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Add every trait of the entity as a column (`--with traits`).
        #[arg(long = "with", value_name = "traits", value_parser = ["traits"])]
        with: Option<String>,
    },
    /// Show a segment's size, share of the population, ten sample members with their
    /// attributes, its SQL and the time it took.
    Preview {
        /// A project directory (default: the project here).
        paths: Vec<PathBuf>,
        /// The segment to preview.
        #[arg(long, short = 's')]
        select: String,
        /// The instant relative times are measured from (default: now).
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Run the `test` blocks (on their given rows) and `assert` blocks (on the bound
    /// data) on DuckDB.
    Test {
        /// A project directory or .seg files (default: the project here).
        paths: Vec<PathBuf>,
        /// Only these tests (by name) and the asserts of these segments.
        #[arg(long, short = 's', num_args = 1..)]
        select: Vec<String>,
        /// Also write a JUnit XML report to FILE.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// The instant `assert` blocks are evaluated at (tests have their own as_of).
        /// Default: now.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Print the dependency graph: segments, traits, reports, splits, priority lists
    /// and the tables they read.
    Graph {
        /// A project directory or .seg files (default: the project here).
        paths: Vec<PathBuf>,
        /// Graphviz dot or Mermaid.
        #[arg(long, value_enum, default_value_t = graph_cmd::GraphFormat::Dot)]
        format: graph_cmd::GraphFormat,
    },
    /// List the SQL dialects and how far the tests take each.
    Dialects,
    /// Run the language server on stdin and stdout, for editors (docs/editor.md).
    Lsp,
    /// The project as a static site: an index, a page per item, the lineage graph
    /// (docs/docs-site.md).
    Docs(docs_cmd::Args),
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        // `segql run | head`: the reader went away. Stop quietly, as a program killed
        // by SIGPIPE would (128 + 13), rather than report it as a bug.
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("os error 32") {
            std::process::exit(141);
        }
        eprintln!("segql: internal error: {info}");
        eprintln!("This is a bug in segql; please report it with the input that caused it.");
    }));
    let cli = Cli::parse();
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => output::stderr_supports_color(),
    };
    let result = std::panic::catch_unwind(move || match cli.command {
        Command::Check { paths, format } => check::run(&paths, format == Format::Json, color),
        Command::Fmt { paths, check } => fmt_cmd::run(&paths, check, color),
        Command::Compile {
            paths,
            dialect,
            select,
            as_of,
            out,
            batch,
            long,
        } => compile_cmd::run(
            compile_cmd::Args {
                paths,
                dialects: dialect,
                select,
                as_of,
                out,
                batch,
                long,
            },
            color,
        ),
        Command::Dialects => Ok(compile_cmd::dialects()),
        Command::Lsp => lsp_cmd::run(),
        Command::Docs(args) => docs_cmd::run(args, color),
        Command::Run {
            paths,
            select,
            as_of,
            format,
            output,
            with,
        } => run_cmd::run(
            run_cmd::Args {
                paths,
                select,
                as_of,
                format,
                output,
                with_traits: with.is_some(),
            },
            color,
        ),
        Command::Preview {
            paths,
            select,
            as_of,
        } => run_cmd::preview(
            run_cmd::PreviewArgs {
                paths,
                select,
                as_of,
            },
            color,
        ),
        Command::Init { dir } => init_cmd::run(&dir),
        Command::Graph { paths, format } => graph_cmd::run(&paths, format, color),
        Command::Test {
            paths,
            select,
            junit,
            as_of,
        } => test_cmd::run(
            test_cmd::Args {
                paths,
                select,
                junit,
                as_of,
            },
            color,
        ),
    });
    match result {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(2),
    }
}
