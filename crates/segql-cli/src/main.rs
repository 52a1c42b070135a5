//! segql-cli: the `segql` binary.
//!
//! Owns argument parsing (clap), finding a project's files, and presenting results:
//! human output on a terminal, JSON for machines, exit codes (0 success, 1 a user's
//! mistake or a failed check, 2 a bad command line or an internal error). It holds no
//! language logic: parsing and formatting come from segql-syntax.

// First: its `out!`/`outln!` macros are used by every module after it.
#[macro_use]
mod output;

mod annotate;
mod args;
mod artifacts;
mod check;
mod compile_cmd;
mod data;
mod dbt_cmd;
mod diff_base;
mod diff_cmd;
mod docs_cmd;
mod fmt_cmd;
mod graph_cmd;
mod history_cmd;
mod init_cmd;
mod lsp_cmd;
mod membership_cmd;
mod outfile;
mod progress;
mod project;
mod run_cmd;
mod selection;
mod series_out;
mod stats_cmd;
mod target_cmd;
mod test_cmd;

use clap::{Parser, Subcommand, ValueEnum};
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
    /// When to use colours in diagnostics (auto: on a terminal, unless NO_COLOR is
    /// set; CLICOLOR_FORCE forces them).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Threads the embedded DuckDB may use (default: one per core).
    #[arg(long, global = true, value_name = "N")]
    threads: Option<std::num::NonZeroU32>,
    /// Memory the embedded DuckDB may use, e.g. `4GB` or `512MiB` (default: 80% of
    /// the machine's); beyond it, it spills to temporary files or fails.
    #[arg(long, global = true, value_name = "SIZE", value_parser = segql_run::engine::parse_memory_limit)]
    memory_limit: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new project (segql.toml, a catalog, segments with tests, sample data)
    /// that passes `check` and `test` as it is.
    Init(args::Init),
    /// Parse and check every file of a project (or the given .seg files).
    Check(args::Check),
    /// Rewrite .seg files in the canonical layout.
    Fmt(args::Fmt),
    /// Compile segments to SQL for a warehouse dialect (or to dbt models, --dbt).
    Compile(args::Compile),
    /// Draft a catalog from a dbt project's manifest.json (docs/dbt.md).
    ///
    /// `segql import dbt ../analytics/target/manifest.json -o catalog.seg`
    Import(args::Import),
    /// Run segments (and reports, splits, priority lists) on DuckDB over the project's
    /// bound data, and show or write their members.
    Run(args::Run),
    /// Show a segment's size, share of the population, ten sample members with their
    /// attributes, its SQL and the time it took.
    Preview(args::Preview),
    /// Run the `test` blocks (on their given rows) and `assert` blocks (on the bound
    /// data) on DuckDB.
    Test(args::Test),
    /// Print the dependency graph: segments, traits, reports, splits, priority lists
    /// and the tables they read.
    Graph(args::Graph),
    /// The segments a change touches since a git revision, with the members each
    /// gains and loses on the bound data (docs/ci.md).
    Diff(args::Diff),
    /// List the SQL dialects and how far the tests take each.
    Dialects,
    /// Record the selected segments' members as of an instant in segql's state: who
    /// entered and who left since the last snapshot, and why.
    Snapshot(args::Snapshot),
    /// Who entered and who left: the last snapshot's changes, or the net changes since
    /// an instant or a run.
    Changes(args::Changes),
    /// Size, entered and left of segments at each recorded snapshot.
    History(args::History),
    /// Size, entered and left of segments over a series of instants (nothing recorded).
    Backtest(args::Backtest),
    /// Run the language server on stdin and stdout, for editors (docs/editor.md).
    Lsp,
    /// Print a completion script for a shell: `segql completions bash >
    /// ~/.local/share/bash-completion/completions/segql`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Check where the project runs: the bindings, or a target's driver, connection
    /// and tables against the catalog (--target NAME).
    Doctor(args::Doctor),
    /// Count how often each event name occurs in the bound data and write
    /// segql-stats.json, which the planner reads for choices that depend on the data.
    Stats(args::Stats),
    /// Load the project's bound files into a target's tables (for tests and demos;
    /// the files are only read).
    Seed(args::Seed),
    /// The project as a static site: an index, a page per item, the lineage graph
    /// (docs/docs-site.md).
    Docs(docs_cmd::Args),
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("segql: internal error: {info}");
        eprintln!("This is a bug in segql; please report it with the input that caused it.");
    }));
    let cli = Cli::parse();
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => output::stderr_supports_color(),
    };
    segql_run::engine::set_limits(segql_run::engine::Limits {
        threads: cli.threads.map(|n| n.get()),
        memory_limit: cli.memory_limit.clone(),
    });
    let result = std::panic::catch_unwind(move || match cli.command {
        Command::Check(a) => check::run(&a.paths, a.format, color),
        Command::Fmt(a) => fmt_cmd::run(&a.paths, a.check, a.diff, color),
        Command::Compile(a) => compile_cmd::run(a, color),
        Command::Import(a) => dbt_cmd::import(a),
        Command::Dialects => Ok(compile_cmd::dialects()),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "segql", &mut script);
            out!("{}", String::from_utf8_lossy(&script));
            Ok(ExitCode::SUCCESS)
        }
        Command::Lsp => lsp_cmd::run(),
        Command::Docs(a) => docs_cmd::run(a, color),
        Command::Run(a) => run_cmd::run(a, color),
        Command::Preview(a) => run_cmd::preview(a, color),
        Command::Init(a) => init_cmd::run(&a.dir),
        Command::Graph(a) => graph_cmd::run(&a.paths, a.format, &a.select, color),
        Command::Test(a) => test_cmd::run(a, color),
        Command::Doctor(a) => target_cmd::doctor(a, color),
        Command::Seed(a) => target_cmd::seed(a, color),
        Command::Stats(a) => stats_cmd::run(a, color),
        Command::Snapshot(a) => membership_cmd::snapshot(a, color),
        Command::Changes(a) => membership_cmd::changes(a),
        Command::History(a) => history_cmd::history(a),
        Command::Backtest(a) => history_cmd::backtest(a, color),
        Command::Diff(a) => diff_cmd::run(a, color),
    });
    match result {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            output::print_error(&e, color);
            ExitCode::from(output::exit_status(&e))
        }
        Err(_) => ExitCode::from(2),
    }
}
