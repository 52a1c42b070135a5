//! A project as it was at a git revision, for `segql diff --base REV`: its segql.toml
//! and `.seg` files are read with `git show` into a temporary directory, which is then
//! read as any project. Data files are not copied: the base's segments run on the data
//! bound now.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The base project: the temporary directory holding it (removed when dropped) and the
/// project directory inside it.
pub struct Checkout {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
}

fn git(repo: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .context("cannot run git (is it installed?)")?;
    if !out.status.success() {
        bail!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out.stdout)
}

/// The project at `root` as it was at revision `rev` of its git repository.
pub fn checkout(root: &Path, rev: &str) -> Result<Checkout> {
    let root = std::fs::canonicalize(root)
        .with_context(|| format!("cannot read {}", crate::display_path(root)))?;
    let top = git(&root, &["rev-parse", "--show-toplevel"]).map_err(|e| {
        anyhow::anyhow!(
            "{e}\n  hint: --base REV reads the project from git; the project must be in a git repository"
        )
    })?;
    let top = std::fs::canonicalize(String::from_utf8_lossy(&top).trim())
        .context("cannot read the repository's directory")?;
    let prefix = root.strip_prefix(&top).unwrap_or(Path::new(""));
    let prefix_text = prefix.to_string_lossy().replace('\\', "/");
    let commit = format!("{rev}^{{commit}}");
    git(&top, &["rev-parse", "--verify", "--quiet", &commit]).map_err(|_| {
        anyhow::anyhow!(
            "`{rev}` is not a revision of the repository at {}\n  hint: a commit, branch or tag: `--base main`, `--base HEAD~1`",
            crate::display_path(&top)
        )
    })?;
    let listing = git(
        &top,
        &[
            "ls-tree",
            "-r",
            "--name-only",
            "-z",
            rev,
            "--",
            if prefix_text.is_empty() {
                "."
            } else {
                &prefix_text
            },
        ],
    )?;
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let base_root = dir.path().join("base");
    std::fs::create_dir_all(&base_root)?;
    let mut found_config = false;
    for name in listing.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name).into_owned();
        let rel = Path::new(&name)
            .strip_prefix(prefix)
            .unwrap_or(Path::new(&name));
        let keep =
            rel == Path::new(crate::CONFIG_FILE) || rel.extension().is_some_and(|e| e == "seg");
        if !keep {
            continue;
        }
        found_config |= rel == Path::new(crate::CONFIG_FILE);
        let text = git(&top, &["show", &format!("{rev}:{name}")])?;
        let dest = base_root.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&dest, text)?;
    }
    if !found_config {
        bail!(
            "there is no {} at {}:{}\n  hint: the project did not exist at that revision",
            crate::CONFIG_FILE,
            rev,
            if prefix_text.is_empty() {
                "."
            } else {
                &prefix_text
            }
        );
    }
    Ok(Checkout {
        dir,
        root: base_root,
    })
}
