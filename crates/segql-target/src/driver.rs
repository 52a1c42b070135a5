//! Finding a target's ADBC driver (a shared library) and loading it.
//!
//! In order, the first that names one:
//! 1. the target's `driver` setting: a library path, a driver manifest (`.toml`), or a
//!    driver name searched as 3. does (relative paths are taken from the directory of
//!    the file that sets it);
//! 2. the environment variable `SEGQL_ADBC_DRIVER_<TYPE>` (`SEGQL_ADBC_DRIVER_POSTGRES`),
//!    a library or manifest path;
//! 3. the ADBC driver manager's own search for the driver's name
//!    (`adbc_driver_postgresql`): manifests in `ADBC_DRIVER_PATH`, the user's and the
//!    system's ADBC configuration directories, then the system's library path;
//! 4. the driver's PyPI wheel (`pip install adbc-driver-postgresql`) in a Python
//!    environment: `SEGQL_VENV` (default `~/.cache/segql-venv`, where
//!    scripts/setup-engines installs them), `VIRTUAL_ENV`, `CONDA_PREFIX`, `~/.local`.

use crate::codes;
use crate::config::{Kind, Target};
use crate::error::{Result, TargetError};
use adbc_core::options::AdbcVersion;
use adbc_core::LOAD_FLAG_DEFAULT;
use adbc_driver_manager::search::DriverLibrary;
use adbc_driver_manager::ManagedDriver;
use std::path::{Path, PathBuf};

/// A driver found: its library, how it was found, and the entry point a manifest named.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: PathBuf,
    /// `the target's driver setting`, `SEGQL_ADBC_DRIVER_POSTGRES`, `an ADBC driver
    /// manifest or the library path`, `the PyPI wheel adbc-driver-postgresql in ...`.
    pub how: String,
    entrypoint: Option<Vec<u8>>,
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// The Python environments searched for driver wheels, in order.
pub fn python_prefixes() -> Vec<PathBuf> {
    let mut out = Vec::new();
    match std::env::var_os("SEGQL_VENV").filter(|v| !v.is_empty()) {
        Some(v) => out.push(PathBuf::from(v)),
        None => {
            if let Some(h) = home() {
                out.push(h.join(".cache/segql-venv"));
            }
        }
    }
    for var in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
        if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            out.push(PathBuf::from(v));
        }
    }
    if let Some(h) = home() {
        out.push(h.join(".local"));
    }
    out
}

/// `lib<driver>.so` inside a wheel's package directory under a Python prefix
/// (`lib/python3.X/site-packages/<driver>/`).
pub fn wheel_library(prefix: &Path, driver: &str) -> Option<PathBuf> {
    let lib = prefix.join("lib");
    let mut pythons: Vec<PathBuf> = std::fs::read_dir(&lib)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("python"))
        })
        .collect();
    pythons.sort();
    pythons.reverse();
    for py in pythons {
        for site in ["site-packages", "dist-packages"] {
            for file in [
                format!("lib{driver}.so"),
                format!("lib{driver}.dylib"),
                format!("{driver}.dll"),
            ] {
                let p = py.join(site).join(driver).join(&file);
                if p.is_file() {
                    return Some(p);
                }
            }
        }
    }
    None
}

fn looks_like_path(s: &str) -> bool {
    s.contains('/')
        || s.contains('\\')
        || [".so", ".dylib", ".dll", ".toml"]
            .iter()
            .any(|e| s.ends_with(e))
}

fn missing(target: &str, message: String, kind: Kind) -> TargetError {
    let wheel = kind.wheel().unwrap_or("");
    TargetError::new(codes::DRIVER, target, message).with_hint(format!(
        "install the driver (scripts/setup-engines does: pip install {wheel} into ~/.cache/segql-venv), or point to its library with the target's `driver` setting or {}",
        kind.driver_env()
    ))
}

/// Finds the driver of `target` without loading it.
pub fn find(target: &Target) -> Result<Found> {
    let Some(name) = target.kind.driver() else {
        return Err(TargetError::new(
            codes::UNSUPPORTED,
            &target.name,
            "a duckdb target runs on the embedded DuckDB and needs no driver",
        ));
    };
    let by_path = |p: PathBuf, how: String| -> Result<Found> {
        if p.is_file() {
            Ok(Found {
                path: p,
                how,
                entrypoint: None,
            })
        } else {
            Err(missing(
                &target.name,
                format!("{how} names {}, which does not exist", p.display()),
                target.kind,
            ))
        }
    };
    if let Some(d) = &target.driver {
        let how = format!("the target's `driver` setting ({})", target.file);
        if looks_like_path(d) {
            let p = Path::new(d);
            let p = if p.is_relative() {
                target.base.join(p)
            } else {
                p.to_path_buf()
            };
            return by_path(p, how);
        }
        return search(&target.name, d, target.kind, how);
    }
    let env = target.kind.driver_env();
    if let Some(v) = std::env::var_os(&env).filter(|v| !v.is_empty()) {
        return by_path(PathBuf::from(v), env);
    }
    if target.kind == Kind::Redshift {
        let pg = Kind::Postgres.driver_env();
        if let Some(v) = std::env::var_os(&pg).filter(|v| !v.is_empty()) {
            return by_path(PathBuf::from(v), pg);
        }
    }
    if let Ok(f) = search(
        &target.name,
        name,
        target.kind,
        "an ADBC driver manifest or the library path".to_string(),
    ) {
        return Ok(f);
    }
    for prefix in python_prefixes() {
        if let Some(p) = wheel_library(&prefix, name) {
            return Ok(Found {
                path: p,
                how: format!(
                    "the PyPI wheel {} in {}",
                    target.kind.wheel().unwrap_or(name),
                    prefix.display()
                ),
                entrypoint: None,
            });
        }
    }
    let searched: Vec<String> = python_prefixes()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    Err(missing(
        &target.name,
        format!(
            "no ADBC driver for {} ({name}): not set with `driver` or {env}, no driver manifest, not on the library path, no wheel in {}",
            target.kind.name(),
            searched.join(", ")
        ),
        target.kind,
    ))
}

/// The ADBC driver manager's search by name (manifests, then the library path).
fn search(target: &str, name: &str, kind: Kind, how: String) -> Result<Found> {
    match DriverLibrary::search(name, LOAD_FLAG_DEFAULT, None) {
        Ok(hit) => Ok(Found {
            path: hit.lib_path.clone(),
            how,
            entrypoint: hit.entrypoint.clone(),
        }),
        Err(e) => Err(missing(
            target,
            format!(
                "{how}: no driver `{name}` found ({})",
                first_line(&e.message)
            ),
            kind,
        )),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Loads a driver found by [`find`]: ADBC 1.1 (for cancelling), else 1.0.
pub fn load(target: &str, kind: Kind, found: &Found) -> Result<ManagedDriver> {
    let entry = found.entrypoint.as_deref();
    match ManagedDriver::load_dynamic_from_filename(&found.path, entry, AdbcVersion::V110) {
        Ok(d) => Ok(d),
        Err(_) => ManagedDriver::load_dynamic_from_filename(&found.path, entry, AdbcVersion::V100)
            .map_err(|e| {
                missing(
                    target,
                    format!(
                        "cannot load the driver {} (found through {}): {}",
                        found.path.display(),
                        found.how,
                        first_line(&e.message)
                    ),
                    kind,
                )
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheels_are_found_under_a_prefix() {
        let dir = std::env::temp_dir().join(format!("segql-wheel-{}", std::process::id()));
        let pkg = dir.join("lib/python3.11/site-packages/adbc_driver_spark");
        std::fs::create_dir_all(&pkg).unwrap();
        assert_eq!(wheel_library(&dir, "adbc_driver_spark"), None);
        std::fs::write(pkg.join("libadbc_driver_spark.so"), b"").unwrap();
        assert_eq!(
            wheel_library(&dir, "adbc_driver_spark"),
            Some(pkg.join("libadbc_driver_spark.so"))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn paths_are_told_from_names() {
        assert!(looks_like_path("./libx.so"));
        assert!(looks_like_path("drivers/pg.toml"));
        assert!(!looks_like_path("adbc_driver_postgresql"));
    }
}
