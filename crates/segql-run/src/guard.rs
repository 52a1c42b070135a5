//! Files segql writes never replace or feed a source.
//!
//! [`Sources`] holds every file pattern a project reads: its bindings' files and globs,
//! database files, and the files tests take their given rows from. Before segql writes
//! any file (`run --output`, its temporary file, `test --junit`, `fmt`, `compile
//! --out`, `init`), [`Sources::reader_of`] says which source, if any, reads that path
//! now or would read it once written (a new file in a bound glob's folder). Paths are
//! compared both as written (made absolute) and with symbolic links resolved.

use crate::bind::Source;
use globset::GlobMatcher;
use std::path::{Component, Path, PathBuf};

/// Who reads a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reader {
    /// A `[bindings]` entry, by its relation name.
    Binding(String),
    /// `given ... from "path"` of a test: the test's index and the given's index.
    Given { test: usize, given: usize },
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub reader: Reader,
    /// The path or glob as written.
    pub written: String,
    matchers: Vec<GlobMatcher>,
}

#[derive(Debug, Clone, Default)]
pub struct Sources {
    entries: Vec<Entry>,
}

/// `path` made absolute (against the working directory) with `.` and `..` resolved
/// lexically.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` with symbolic links resolved as far as it exists: the longest existing
/// ancestor canonicalized, the rest appended.
fn resolved(path: &Path) -> PathBuf {
    let abs = absolute(path);
    let mut existing = abs.clone();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        if let Ok(c) = std::fs::canonicalize(&existing) {
            let mut out = c;
            for r in rest.iter().rev() {
                out.push(r);
            }
            return out;
        }
        match (
            existing.file_name().map(|n| n.to_os_string()),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => return abs,
        }
    }
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// The part of a glob before its first wildcard component, and the rest.
fn split_glob(pattern: &Path) -> (PathBuf, PathBuf) {
    let mut fixed = PathBuf::new();
    let mut rest = PathBuf::new();
    let mut wild = false;
    for c in pattern.components() {
        let text = c.as_os_str().to_string_lossy();
        if wild || is_glob(&text) {
            wild = true;
            rest.push(c.as_os_str());
        } else {
            fixed.push(c.as_os_str());
        }
    }
    (fixed, rest)
}

fn matcher(pattern: &Path, glob: bool) -> Option<GlobMatcher> {
    let text = pattern.to_string_lossy();
    let text = if glob {
        text.into_owned()
    } else {
        globset::escape(&text)
    };
    globset::GlobBuilder::new(&text)
        .literal_separator(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

impl Sources {
    pub fn new() -> Sources {
        Sources::default()
    }

    /// A path or glob, relative to `base`, read by `reader`.
    pub fn add(&mut self, reader: Reader, written: &str, base: &Path) {
        let glob = is_glob(written);
        let lexical = absolute(&base.join(written));
        let mut matchers = Vec::new();
        let canonical = if glob {
            let (fixed, rest) = split_glob(&lexical);
            resolved(&fixed).join(rest)
        } else {
            resolved(&lexical)
        };
        for p in [lexical, canonical] {
            if let Some(m) = matcher(&p, glob) {
                matchers.push(m);
            }
        }
        self.entries.push(Entry {
            reader,
            written: written.to_string(),
            matchers,
        });
    }

    /// A binding's files (or database file).
    pub fn add_binding(&mut self, relation: &str, source: &Source, base: &Path) {
        let written = match source {
            Source::Files { path, .. } => path,
            Source::DuckDb { file, .. } => file,
        };
        self.add(Reader::Binding(relation.to_string()), written, base);
    }

    /// The source that reads `path` (now, or once a file is written there), if any.
    pub fn reader_of(&self, path: &Path) -> Option<&Entry> {
        let forms = [absolute(path), resolved(path)];
        self.entries.iter().find(|e| {
            e.matchers
                .iter()
                .any(|m| forms.iter().any(|f| m.is_match(f)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_file_and_a_bound_glob_refuse_what_they_read_or_would() {
        let dir = std::env::temp_dir().join(format!("segql-guard-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("data/events")).unwrap();
        std::fs::write(dir.join("data/users.csv"), "x\n").unwrap();
        let mut s = Sources::new();
        s.add(Reader::Binding("app.users".into()), "data/users.csv", &dir);
        s.add(
            Reader::Binding("app.events".into()),
            "data/events/*.parquet",
            &dir,
        );
        s.add(Reader::Given { test: 0, given: 1 }, "tests/e.csv", &dir);
        let reader = |p: &str| s.reader_of(&dir.join(p)).map(|e| e.reader.clone());
        assert_eq!(
            reader("data/users.csv"),
            Some(Reader::Binding("app.users".into()))
        );
        assert_eq!(
            reader("data/./events/../users.csv"),
            Some(Reader::Binding("app.users".into()))
        );
        assert_eq!(
            reader("data/events/new.parquet"),
            Some(Reader::Binding("app.events".into()))
        );
        assert_eq!(
            reader("tests/e.csv"),
            Some(Reader::Given { test: 0, given: 1 })
        );
        assert_eq!(
            reader("data/events/sub/new.parquet"),
            None,
            "* stays in one folder"
        );
        assert_eq!(reader("data/users.parquet"), None);
        assert_eq!(reader("out.parquet"), None);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("data/users.csv"), dir.join("link.csv")).unwrap();
            assert_eq!(
                reader("link.csv"),
                Some(Reader::Binding("app.users".into())),
                "a link to a source is the source"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
