//! Ctrl-C during a generation removes its scratch directory (DuckDB's database and spill
//! files under the temporary directory) and exits 130. Sending the signal takes `kill`:
//! Unix only.
#![cfg(unix)]

use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn ctrl_c_removes_the_scratch_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    // A memory limit puts DuckDB's database in the scratch directory; enough users that
    // the run is still going when the signal lands.
    let mut child = Command::new(env!("CARGO_BIN_EXE_segql-datagen"))
        .args([
            "--users",
            "3000000",
            "--memory-limit",
            "1GB",
            "--format",
            "parquet",
        ])
        .arg("--out")
        .arg(out.path())
        .env("TMPDIR", tmp.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let scratch = |t: &std::path::Path| std::fs::read_dir(t).unwrap().count();
    let started = Instant::now();
    while scratch(tmp.path()) == 0 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before its scratch directory appeared"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no scratch directory"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(err.ends_with("interrupted\n"), "{err}");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
