# Sourced by the project's scripts: one build environment for tests, the example and
# CI, so DuckDB's C++ (bundled by the duckdb crate) compiles once per machine.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/segql-target}"
# `cargo check`/`clippy` run libduckdb-sys's build script separately from `cargo build`
# and would compile DuckDB's C++ a second time; ccache makes that second compile (and
# every later run on the same machine) a cache hit.
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/segql-ccache}"
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-4G}"
  # Hash paths relative to the build tree so different target dirs still hit.
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$CARGO_TARGET_DIR}"
  export CC="ccache gcc" CXX="ccache g++"
fi
