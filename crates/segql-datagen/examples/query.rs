//! Runs SQL statements (arguments, or standard input split on `;`) on an in-memory
//! DuckDB and prints each result as rows separated by `|`: a quick look at generated data.
//!
//! cargo run -q -p segql-datagen --example query -- "SELECT count(*) FROM 'data/users.parquet'"

use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut statements: Vec<String> = std::env::args().skip(1).collect();
    if statements.is_empty() {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        statements = text
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
    }
    let conn = duckdb::Connection::open_in_memory()?;
    for sql in statements {
        let lower = sql.trim_start().to_ascii_lowercase();
        if ["select", "from", "with", "describe", "summarize", "pivot"]
            .iter()
            .any(|k| lower.starts_with(k))
        {
            conn.execute_batch(&format!(
                "COPY ({sql}) TO '/dev/stdout' (FORMAT csv, HEADER true, DELIMITER '|')"
            ))?;
            println!();
        } else {
            conn.execute_batch(&sql)?;
        }
    }
    Ok(())
}
