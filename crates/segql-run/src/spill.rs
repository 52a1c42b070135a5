//! DuckDB's spill directories: one per locked-down engine, `segql-spill-PID-XXXXXX` in
//! the system's temporary directory, removed with the engine.
//!
//! Owns their names and their cleaning up: a process that exits without dropping its
//! engines (Ctrl-C, a closed pipe) removes them first ([`remove_all`]); one killed
//! outright cannot, so creating a directory also removes those of processes that no
//! longer run. Touches nothing else in the temporary directory.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

const PREFIX: &str = "segql-spill-";

/// The spill directories of this process that still exist.
static OPEN: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A spill directory, removed when dropped.
#[derive(Debug)]
pub struct SpillDir(tempfile::TempDir);

impl SpillDir {
    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Drop for SpillDir {
    fn drop(&mut self) {
        if let Ok(mut open) = OPEN.lock() {
            open.retain(|p| p != self.0.path());
        }
    }
}

/// A new spill directory, after removing those left by processes that no longer run.
pub fn create() -> std::io::Result<SpillDir> {
    remove_stale(&std::env::temp_dir());
    let dir = tempfile::Builder::new()
        .prefix(&format!("{PREFIX}{}-", std::process::id()))
        .tempdir()?;
    if let Ok(mut open) = OPEN.lock() {
        open.push(dir.path().to_path_buf());
    }
    Ok(SpillDir(dir))
}

/// Removes this process's spill directories: for exits that skip destructors
/// (`std::process::exit` on a signal or a closed pipe).
pub fn remove_all() {
    if let Ok(mut open) = OPEN.lock() {
        for p in open.drain(..) {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

/// Removes the spill directories in `dir` of processes that no longer run; returns them.
pub fn remove_stale(dir: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return removed;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if is_dir
            && pid != std::process::id()
            && !process_runs(pid)
            && std::fs::remove_dir_all(e.path()).is_ok()
        {
            removed.push(e.path());
        }
    }
    removed
}

/// Whether a process with this id runs (one we may not signal runs too).
#[cfg(unix)]
pub fn process_runs(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    match nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None) {
        Ok(()) => true,
        Err(e) => e != nix::errno::Errno::ESRCH,
    }
}

/// Without a way to ask, every other process counts as running (its files stay).
#[cfg(not(unix))]
pub fn process_runs(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_directories_go_and_running_ones_stay() {
        let tmp = tempfile::tempdir().unwrap();
        let dead = tmp.path().join(format!("{PREFIX}{}-abc", i32::MAX));
        let alive = tmp
            .path()
            .join(format!("{PREFIX}{}-abc", std::process::id()));
        let other = tmp.path().join("segql-spill-notapid-abc");
        for d in [&dead, &alive, &other] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("block"), "x").unwrap();
        }
        assert_eq!(remove_stale(tmp.path()), vec![dead.clone()]);
        assert!(!dead.exists() && alive.exists() && other.exists());
    }

    #[test]
    fn remove_all_removes_what_create_made() {
        let d = create().unwrap();
        let path = d.path().to_path_buf();
        assert!(path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(&format!("{PREFIX}{}-", std::process::id())));
        remove_all();
        assert!(!path.exists());
        drop(d);
        assert!(
            !OPEN.lock().unwrap().contains(&path),
            "forgotten once dropped"
        );
    }
}
