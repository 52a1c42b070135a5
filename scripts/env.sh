# Sourced by the project's scripts: one build environment for tests, the example and
# CI, so DuckDB's C++ (bundled by the duckdb crate) compiles once per machine.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/segql-target}"
# `cargo check`/`clippy` run libduckdb-sys's build script separately from `cargo build`
# and would compile DuckDB's C++ a second time; ccache makes that second compile (and
# every later run on the same machine) a cache hit.
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/segql-ccache}"
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-4G}"
  # The C++ compiles from cargo's registry with outputs in the target dir: a base dir
  # above both ($HOME) makes every path relative, so another target dir (a worktree's)
  # still hits the cache instead of compiling DuckDB cold.
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$HOME}"
  export CC="ccache gcc" CXX="ccache g++"
fi
