//! Writing a site into a directory, without ever removing what segql did not write.

use crate::codes::BAD_OUT_DIR;
use crate::site::{Site, MARKER};
use crate::Error;
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub files: usize,
    /// Pages of a previous generation that the new site no longer has.
    pub removed: usize,
}

fn err(message: String, hint: &str) -> Error {
    Error {
        code: BAD_OUT_DIR,
        message,
        hint: Some(hint.to_string()),
    }
}

/// A path of the listing that stays inside the directory.
fn inside(rel: &str) -> bool {
    let p = Path::new(rel);
    !rel.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)))
}

impl Site {
    /// Writes the site into `dir` (created if missing). A directory that exists must be
    /// empty or hold a site segql wrote (its `.segql-docs` listing); pages of items that
    /// are gone since then are removed, nothing else is.
    pub fn write(&self, dir: &Path) -> Result<Written, Error> {
        let shown = dir.display();
        let io = |what: &str, p: &Path, e: std::io::Error| {
            err(
                format!("cannot {what} {}: {e}", p.display()),
                "check the permissions of the output directory, or choose another with --out",
            )
        };
        let mut previous: BTreeSet<String> = BTreeSet::new();
        if dir.exists() {
            if !dir.is_dir() {
                return Err(err(
                    format!("{shown} is not a directory"),
                    "--out names the directory the site is written into",
                ));
            }
            let marker = dir.join(MARKER);
            if marker.is_file() {
                let listing =
                    std::fs::read_to_string(&marker).map_err(|e| io("read", &marker, e))?;
                previous = listing
                    .lines()
                    .filter(|l| !l.starts_with('#') && inside(l))
                    .map(str::to_string)
                    .collect();
            } else {
                let mut entries = std::fs::read_dir(dir).map_err(|e| io("list", dir, e))?;
                if entries.next().is_some() {
                    return Err(err(
                        format!("{shown} is not empty and was not written by segql docs (it has no {MARKER})"),
                        "segql docs writes only into a new or empty directory, or one it wrote before; choose another with --out",
                    ));
                }
            }
        } else {
            std::fs::create_dir_all(dir).map_err(|e| io("create", dir, e))?;
        }
        let mut removed = 0;
        let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
        for old in previous.iter().filter(|p| !self.files.contains_key(*p)) {
            let path = dir.join(old);
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io("remove", &path, e)),
            }
            if let Some(parent) = path.parent() {
                dirs.insert(parent.to_path_buf());
            }
        }
        // Directories left empty by removed pages go too (never the root itself).
        for d in dirs.iter().rev() {
            if d != dir && std::fs::read_dir(d).is_ok_and(|mut e| e.next().is_none()) {
                let _ = std::fs::remove_dir(d);
            }
        }
        for (rel, bytes) in &self.files {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io("create", parent, e))?;
            }
            std::fs::write(&path, bytes).map_err(|e| io("write", &path, e))?;
        }
        let mut listing = String::from(
            "# Written by `segql docs generate`: the files below are its own, and the next\n# generation replaces them. Remove this file and the site to reuse the directory.\n",
        );
        for rel in self.files.keys() {
            listing.push_str(rel);
            listing.push('\n');
        }
        let marker = dir.join(MARKER);
        std::fs::write(&marker, listing).map_err(|e| io("write", &marker, e))?;
        Ok(Written {
            files: self.files.len(),
            removed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[&str]) -> Site {
        let mut s = Site::default();
        for f in files {
            s.files
                .insert(f.to_string(), format!("<p>{f}</p>").into_bytes());
        }
        s
    }

    #[test]
    fn a_second_generation_removes_only_its_own_stale_pages() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("site");
        let w = site(&[
            "index.html",
            "segment/a.html",
            "segment/b.html",
            "trait/t.html",
        ])
        .write(&out)
        .expect("first write");
        assert_eq!(
            w,
            Written {
                files: 4,
                removed: 0
            }
        );
        // Someone else's file in the site's directory is left alone.
        std::fs::write(out.join("segment/notes.txt"), "mine").expect("write");
        let w = site(&["index.html", "segment/a.html"])
            .write(&out)
            .expect("second");
        assert_eq!(
            w,
            Written {
                files: 2,
                removed: 2
            }
        );
        assert!(!out.join("segment/b.html").exists());
        assert!(
            !out.join("trait").exists(),
            "an emptied directory is removed"
        );
        assert!(out.join("segment/notes.txt").exists());
        assert!(out.join("segment/a.html").exists());
    }

    #[test]
    fn a_directory_segql_did_not_write_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::write(tmp.path().join("thesis.tex"), "precious").expect("write");
        let e = site(&["index.html"]).write(tmp.path()).unwrap_err();
        assert_eq!(e.code, "E0903");
        assert!(e.message.contains("was not written by segql docs"), "{e}");
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("thesis.tex")).expect("read"),
            "precious"
        );
        assert!(!tmp.path().join("index.html").exists());
        let file = tmp.path().join("thesis.tex");
        let e = site(&["index.html"]).write(&file).unwrap_err();
        assert!(e.message.contains("is not a directory"), "{e}");
    }

    #[test]
    fn a_tampered_listing_cannot_remove_files_outside() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("site");
        site(&["index.html"]).write(&out).expect("write");
        std::fs::write(tmp.path().join("outside.txt"), "keep").expect("write");
        std::fs::write(
            out.join(MARKER),
            "index.html\n../outside.txt\n/etc/hostname\n",
        )
        .expect("write");
        site(&["index.html"]).write(&out).expect("write again");
        assert!(tmp.path().join("outside.txt").exists());
    }
}
