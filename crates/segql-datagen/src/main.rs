//! `segql-datagen`: writes a deterministic SaaS data set (users, accounts, events,
//! invoices) for the example project or for benchmarks. See docs/example.md.

use clap::{Parser, ValueEnum};
use segql_datagen::{generate, Config, Format, DEFAULT_AS_OF, DEFAULT_USERS_PER_CHUNK};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    /// users and events in parquet, accounts and invoices in CSV (examples/saas).
    Example,
    /// Every table in parquet.
    Parquet,
    /// Every table in CSV.
    Csv,
}

#[derive(Parser)]
#[command(
    name = "segql-datagen",
    version,
    about = "Generate deterministic SaaS data (users, accounts, months of events, invoices) inside DuckDB",
    after_help = "The same options write byte-identical files. Layout under --out: users.*, accounts.*, invoices.*, events/month=YYYY-MM/part.* (part-K.* per chunk of users beyond --users-per-chunk)"
)]
struct Args {
    /// Number of users; accounts, events and invoices scale with it.
    #[arg(long, default_value_t = 3000)]
    users: u64,
    /// Months of history before --as-of.
    #[arg(long, default_value_t = 24)]
    months: u32,
    /// Seed of every random draw.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// The end of the history (exclusive, UTC), e.g. 2026-01-01 or 2026-01-01T00:00:00Z.
    #[arg(long, default_value = DEFAULT_AS_OF)]
    as_of: String,
    /// The directory to write to (created if missing).
    #[arg(long, default_value = "data")]
    out: PathBuf,
    /// File formats.
    #[arg(long, value_enum, default_value_t = FormatArg::Example)]
    format: FormatArg,
    /// DuckDB worker threads (default: one per core). The output does not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// DuckDB's memory limit, e.g. 4GB: the tables then live in a temporary database
    /// file and leave memory when they must (slower). Default: in memory, up to 80% of
    /// RAM (one chunk's events: see --users-per-chunk).
    #[arg(long, value_name = "SIZE")]
    memory_limit: Option<String>,
    /// Users whose events are generated at once: memory holds one chunk's events (about
    /// 6 GB per million users). With more users, each month is one file per chunk
    /// (events/month=YYYY-MM/part-K.*); the rows are the same.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_USERS_PER_CHUNK,
          value_parser = clap::value_parser!(u64).range(1..))]
    users_per_chunk: u64,
    /// Print the generation as one SQL script (writing parquet under --out, which is
    /// created) instead of running it: for running in another DuckDB, e.g. an optimized
    /// build.
    #[arg(long)]
    print_sql: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // Ctrl-C or SIGTERM stops DuckDB's statement; `generate` then removes its scratch
    // directory (DuckDB's database and spill files, often gigabytes) and fails, and this
    // exits 130. What was written under --out stays.
    let _ = ctrlc::set_handler(segql_datagen::interrupt);
    let cfg = Config {
        users: args.users,
        months: args.months,
        seed: args.seed,
        as_of: args.as_of,
        out: args.out,
        format: match args.format {
            FormatArg::Example => Format::Example,
            FormatArg::Parquet => Format::Parquet,
            FormatArg::Csv => Format::Csv,
        },
        threads: args.threads,
        memory_limit: args.memory_limit,
        users_per_chunk: args.users_per_chunk,
    };
    if args.print_sql {
        // The script's COPY statements write under --out but cannot create it.
        if let Err(e) = std::fs::create_dir_all(&cfg.out) {
            eprintln!("segql-datagen: cannot create {}: {e}", cfg.out.display());
            return ExitCode::FAILURE;
        }
        return match segql_datagen::script(&cfg) {
            Ok(sql) => {
                print!("{sql}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("segql-datagen: {e}");
                ExitCode::FAILURE
            }
        };
    }
    match generate(&cfg) {
        Ok(s) => {
            println!(
                "{} users, {} accounts, {} events, {} invoices",
                s.users, s.accounts, s.events, s.invoices
            );
            println!(
                "wrote {} files, {:.1} MB, to {} (generated in {:.1}s, written in {:.1}s)",
                s.files.len(),
                s.bytes as f64 / 1e6,
                cfg.out.display(),
                s.generate_secs,
                s.write_secs
            );
            ExitCode::SUCCESS
        }
        Err(_) if segql_datagen::interrupted() => {
            eprintln!("\ninterrupted");
            ExitCode::from(130)
        }
        Err(e) => {
            eprintln!("segql-datagen: {e}");
            ExitCode::FAILURE
        }
    }
}
