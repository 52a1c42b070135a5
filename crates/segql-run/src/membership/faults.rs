//! Faults injected by the test suites into a snapshot, through the environment:
//! `SEGQL_FAULT=<point>:<action>`, point one of `staged`, `changes`, `current`, `run`,
//! `committed` ([`Point`]), action `fail` (an error there: the transaction is rolled
//! back), `abort` (the process aborts there, as a crash would) or `pause` (segql says
//! `paused at <point>` on stderr and sleeps, for the test to kill it there). Unset, it
//! does nothing.

use super::store::Point;

/// The environment variable.
pub const VAR: &str = "SEGQL_FAULT";

/// The fault `SEGQL_FAULT` asks for, as the callback [`super::snapshot`] takes.
pub fn from_env() -> impl Fn(Point) -> Result<(), String> {
    let spec = std::env::var(VAR).ok();
    move |at: Point| {
        let Some(spec) = &spec else {
            return Ok(());
        };
        let Some((point, action)) = spec.split_once(':') else {
            return Ok(());
        };
        if point != at.name() {
            return Ok(());
        }
        match action {
            "fail" => Err(format!("injected failure at {} ({VAR})", at.name())),
            "abort" => std::process::abort(),
            "pause" => {
                eprintln!("paused at {}", at.name());
                std::thread::sleep(std::time::Duration::from_secs(600));
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
