//! Helpers shared by the CLI suites: a temporary project, running `segql` in it, and
//! snapshotting the result with the temporary directory's path and timings taken out.
#![allow(dead_code)] // each suite uses its own part of it

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_segql");

/// A temporary directory holding a project (or not).
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    /// An empty directory.
    pub fn empty() -> Project {
        Project {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// `segql.toml` naming the project `demo`, its files under `segments/`.
    pub fn demo() -> Project {
        let p = Project::empty();
        p.write("segql.toml", "name = \"demo\"\npaths = [\"segments\"]\n");
        p
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> &Project {
        self.write_bytes(rel, text.as_bytes())
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) -> &Project {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    /// Every file below the directory, relative, sorted.
    pub fn listing(&self) -> Vec<String> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(root, &p, out);
                } else {
                    let rel = p.strip_prefix(root).unwrap().to_string_lossy();
                    out.push(rel.replace('\\', "/"));
                }
            }
        }
        let mut out = Vec::new();
        walk(self.dir.path(), self.dir.path(), &mut out);
        out.sort();
        out
    }

    /// `segql ARGS` run in the directory. Colour is left to `--color` (the tests pass
    /// `never` wherever diagnostics may be printed) and to stderr not being a terminal;
    /// CLICOLOR_FORCE would override that, so it is removed.
    pub fn segql(&self, args: &[&str]) -> Command {
        self.segql_in(".", args)
    }

    /// `segql ARGS` run in the subdirectory `rel`.
    pub fn segql_in(&self, rel: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.current_dir(self.path(rel))
            .args(args)
            .env_remove("CLICOLOR_FORCE");
        cmd
    }

    /// Replaces the directory's absolute path (as given and as the OS resolves it) and
    /// takes the timings out.
    pub fn normalize(&self, text: &str) -> String {
        let mut out = text.to_string();
        let given = self.dir.path().to_path_buf();
        let real = std::fs::canonicalize(&given).unwrap_or(given.clone());
        for p in [real, given] {
            out = out.replace(&p.display().to_string(), "[TEMP]");
        }
        without_timings(&out)
    }
}

/// Users and their events in `app`: the catalog of the small "shop" projects.
pub const SHOP_CATALOG: &str = "\
entity user {
  table app.users
  key user_id
}

events of user {
  table app.events
  key user_id
  name event_name
  time occurred_at
}
";

/// A project `shop`: `catalog` and `segments` under `segments/`, `app.users` and
/// `app.events` bound to the CSV texts given.
pub fn shop_project(catalog: &str, segments: &str, users_csv: &str, events_csv: &str) -> Project {
    let p = Project::empty();
    p.write(
        "segql.toml",
        "name = \"shop\"\npaths = [\"segments\"]\n\n[bindings]\n\"app.users\" = \"data/users.csv\"\n\"app.events\" = \"data/events.csv\"\n",
    )
    .write("segments/catalog.seg", catalog)
    .write("segments/shop.seg", segments)
    .write("data/users.csv", users_csv)
    .write("data/events.csv", events_csv);
    p
}

/// `0.31 s` (and `time="0.403"` in JUnit XML) as `[TIME] s`: the figures change from
/// run to run, their place in the output does not.
pub fn without_timings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // A decimal number not inside a longer word or number...
        let starts = b[i].is_ascii_digit()
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'));
        if starts {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if j + 1 < b.len() && b[j] == b'.' && b[j + 1].is_ascii_digit() {
                let mut k = j + 1;
                while k < b.len() && b[k].is_ascii_digit() {
                    k += 1;
                }
                // ...followed by ` s` (a duration), or a JUnit `time="..."` value.
                let seconds = text[k..].starts_with(" s")
                    && !text[k + 2..].starts_with(|c: char| c.is_alphanumeric());
                let junit = text[..i].ends_with("time=\"") && text[k..].starts_with('"');
                if seconds || junit {
                    out.push_str("[TIME]");
                    i = k;
                    continue;
                }
            }
            out.push_str(&text[i..j]);
            i = j;
            continue;
        }
        let c = text[i..].chars().next().unwrap();
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// Runs the command and snapshots it in insta-cmd's format, with the project's
/// absolute path and the timings replaced; returns the output for further assertions.
#[macro_export]
macro_rules! run_snapshot {
    ($project:expr, $spawnable:expr) => {{
        let project: &$crate::common::Project = &$project;
        let mut spawnable = $spawnable;
        let (info, output) = insta_cmd::Spawn::spawn_with_info(&mut spawnable, None);
        let text = project.normalize(&format!(
            "success: {:?}\nexit_code: {}\n----- stdout -----\n{}\n----- stderr -----\n{}",
            output.status.success(),
            output.status.code().unwrap_or(!0),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
        let mut settings = insta::Settings::clone_current();
        settings.set_info(&info);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(text));
        output
    }};
}

pub fn code(o: &Output) -> i32 {
    o.status.code().expect("an exit code")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// A copy of the directory `from` at `to`, without the entries named in `skip` (at any
/// depth: segql's own `.segql/` and `target/` are not a project).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if skip.iter().any(|s| e.file_name() == *s) {
            continue;
        }
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target, skip);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}
