//! `run --output FILE`: the file's format, its temporary file, and stopping cleanly on
//! Ctrl-C, SIGTERM or SIGHUP.
//!
//! The results are written to `.FILE.segql-PID.tmp` beside FILE (PID: segql's process
//! id), then renamed over FILE: a reader never sees half a file. On a signal, DuckDB's
//! running query is interrupted, the temporary file removed and segql exits 130. A
//! process killed outright (SIGKILL, a crash) cannot clean up: the next run writing to
//! the same FILE removes the temporary files of processes that no longer run.

use crate::project::display_path;
use anyhow::{anyhow, bail, Result};
use segql_run::engine::Interrupter;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The output file being written, removed if the run is stopped.
static PARTIAL: Mutex<Option<PathBuf>> = Mutex::new(None);
/// Set by the signal.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// Stops the engine's running query on a signal.
static RUNNING: Mutex<Option<Interrupter>> = Mutex::new(None);
/// Whether that query runs on a warehouse target (stopping says E0806 then).
static ON_TARGET: AtomicBool = AtomicBool::new(false);

/// On Ctrl-C (or SIGTERM, SIGHUP), the running query is interrupted; the main thread
/// sees it fail, removes the partial output and exits 130 ([`stop_if_interrupted`]).
/// Stopping there rather than in the handler means no query is still writing the file
/// as it is removed (or creating it just after). Should the main thread not stop within
/// a few seconds, the handler does the same itself. Installed before any work, so a
/// signal at any moment ends in the same way.
pub fn install_handler() {
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        if let Ok(r) = RUNNING.lock() {
            if let Some(i) = r.as_ref() {
                i.interrupt();
            }
        }
        std::thread::sleep(Duration::from_secs(5));
        stop();
    });
}

/// The engine whose query a signal interrupts; `on_target` when it is a warehouse
/// target's (its statement is cancelled on the server).
pub fn set_running(i: Interrupter, on_target: bool) {
    ON_TARGET.store(on_target, Ordering::SeqCst);
    if let Ok(mut r) = RUNNING.lock() {
        *r = Some(i);
    }
}

fn stop() -> ! {
    if let Ok(mut p) = PARTIAL.lock() {
        if let Some(path) = p.take() {
            let _ = std::fs::remove_file(path);
        }
    }
    if ON_TARGET.load(Ordering::SeqCst) {
        eprintln!(
            "\ninterrupted\nerror[{}]: the run was interrupted: the target's running statement was cancelled",
            segql_target::codes::INTERRUPTED
        );
    } else {
        eprintln!("\ninterrupted");
    }
    segql_run::spill::remove_all();
    std::process::exit(130);
}

/// Exits (130, partial output removed) when a signal came.
pub fn stop_if_interrupted() {
    if INTERRUPTED.load(Ordering::SeqCst) {
        stop();
    }
}

/// The COPY options for an output file, by its extension; an error when the file
/// cannot be written (unknown extension, no such directory).
pub fn format_of(path: &Path) -> Result<&'static str> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let format = match ext.as_str() {
        "parquet" => "FORMAT parquet",
        "csv" => "FORMAT csv, HEADER true",
        // A .json file holds one JSON document (an array of rows); .jsonl and .ndjson
        // hold one row per line.
        "json" => "FORMAT json, ARRAY true",
        "jsonl" | "ndjson" => "FORMAT json",
        _ => bail!(
            "cannot tell the output format from {}: name it .parquet, .csv, .json or .jsonl",
            display_path(path)
        ),
    };
    if path.is_dir() {
        bail!("cannot write {}: it is a directory", display_path(path));
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        if !dir.is_dir() {
            bail!(
                "cannot write {}: there is no directory {}",
                display_path(path),
                display_path(dir)
            );
        }
    }
    Ok(format)
}

fn dir_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn tmp_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.segql-")
}

/// `.FILE.segql-PID.tmp` beside FILE, absolute (DuckDB is allowed to write exactly it).
pub fn temporary(path: &Path) -> PathBuf {
    let name = format!("{}{}.tmp", tmp_prefix(path), std::process::id());
    segql_run::guard::absolute(&dir_of(path).join(name))
}

/// Removes the temporary files of earlier runs writing `path` whose process no longer
/// runs (killed outright, so they could not clean up). Returns the files removed.
pub fn remove_stale(path: &Path) -> Vec<PathBuf> {
    let prefix = tmp_prefix(path);
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir_of(path)) else {
        return removed;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id()
            && !segql_run::spill::process_runs(pid)
            && std::fs::remove_file(e.path()).is_ok()
        {
            removed.push(e.path());
        }
    }
    removed
}

/// Runs `write` (which creates `tmp`), then renames `tmp` over `path`. A signal during
/// the write removes `tmp` and stops; a failure removes it too.
pub fn write_via(tmp: &Path, path: &Path, write: impl FnOnce() -> Result<()>) -> Result<()> {
    *PARTIAL
        .lock()
        .map_err(|_| anyhow!("output lock poisoned"))? = Some(tmp.to_path_buf());
    let result = write();
    // Interrupted while writing, or after: the temporary file goes, nothing is renamed.
    stop_if_interrupted();
    let moved = result.and_then(|()| {
        std::fs::rename(tmp, path)
            .map_err(|e| anyhow!("cannot move the output into {}: {e}", display_path(path)))
    });
    if moved.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    *PARTIAL
        .lock()
        .map_err(|_| anyhow!("output lock poisoned"))? = None;
    moved
}
