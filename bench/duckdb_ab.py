#!/usr/bin/env python3
"""Statements side by side on DuckDB, for hand-made variants of a compiled batch.

    ~/.cache/segql-dbt-venv/bin/python bench/duckdb_ab.py --data DIR --rounds N A.sql B.sql [C.sql ...]
    ~/.cache/segql-dbt-venv/bin/python bench/duckdb_ab.py --data DIR --profile A.sql

Binds DIR (as written by segql-datagen) the way bench/run.py does (views over the parquet
files, `--threads`, `--memory-limit`), then N rounds; each round runs the statements in an
order rotated (and every other cycle reversed) so that none is always first. Each run
materializes the result (`CREATE TEMP TABLE ... AS`), as run.py does. Prints per statement
the median wall time and the median CPU time of the process (user + system, all threads),
both as ratios to the first statement: CPU time moves less than wall time on a shared
machine.

With --check, compares every statement's rows with the first one's (`EXCEPT ALL` both ways)
instead of timing, and exits with 1 at the first difference. With --profile, runs each
statement under DuckDB's JSON profiler and prints its operators as a tree with their times
(summed over threads) and rows, those under --min-seconds left out.

The rounds and their report are bench/ab.py's, shared with bench/chdb_ab.py.
"""
import argparse
import json
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from ab import alternate, strip  # noqa: E402
from run import connect  # noqa: E402


def check(con, files, sqls):
    con.execute(f"CREATE TEMP TABLE ab_base AS {sqls[0]}")
    for f, s in zip(files[1:], sqls[1:]):
        con.execute(f"CREATE OR REPLACE TEMP TABLE ab_other AS {s}")
        a = con.execute("SELECT count(*) FROM (SELECT * FROM ab_base EXCEPT ALL SELECT * FROM ab_other)").fetchone()[0]
        b = con.execute("SELECT count(*) FROM (SELECT * FROM ab_other EXCEPT ALL SELECT * FROM ab_base)").fetchone()[0]
        print(f"{f}: " + (f"{a} rows only in {files[0]}, {b} only here" if a or b else "the same rows"))
        if a or b:
            sys.exit(1)


def rounds(con, files, sqls, n):
    by_file = dict(zip(files, sqls))

    def run(f):
        con.execute(f"CREATE OR REPLACE TEMP TABLE ab_result AS {by_file[f]}")

    alternate(files, n, run, after=lambda f: con.execute("DROP TABLE ab_result"))


def profile(con, sql, min_seconds):
    out = pathlib.Path(tempfile.mkdtemp()) / "profile.json"
    con.execute("PRAGMA enable_profiling = 'json'")
    con.execute(f"PRAGMA profiling_output = '{out}'")
    t0 = time.perf_counter()
    con.execute(f"CREATE OR REPLACE TEMP TABLE ab_result AS {sql}")
    wall = time.perf_counter() - t0
    con.execute("PRAGMA disable_profiling")
    tree = json.loads(out.read_text())
    total = 0.0

    def walk(node, depth):
        nonlocal total
        total += node.get("timing", 0)
        extra = node.get("extra_info", {})
        what = " ".join(
            f"{k}={v if isinstance(v, str) else json.dumps(v)}"[:110]
            for k, v in extra.items()
            if k in ("CTE Name", "Join Type", "Conditions", "Filters", "Expression")
        )
        if node.get("timing", 0) >= min_seconds or "CTE Name" in extra:
            rows = node.get("operator_cardinality", node.get("intermediate_rows", 0))
            print(f"{'  ' * depth}{node.get('name')} {node.get('timing', 0):.2f} s, {rows:,} rows {what}")
        for c in node.get("children", []):
            walk(c, depth + 1)

    for top in tree.get("operator", tree.get("children", [])):
        walk(top, 0)
    print(f"wall {wall:.2f} s; operator times summed over threads {total:.2f} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, type=pathlib.Path)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--memory-limit", default="4GB")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--min-seconds", type=float, default=0.03)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    con = connect(args.data, args.memory_limit, args.threads)
    sqls = [strip(pathlib.Path(f).read_text()) for f in args.files]
    if args.check:
        check(con, args.files, sqls)
    elif args.profile:
        for sql in sqls:
            profile(con, sql, args.min_seconds)
    else:
        rounds(con, args.files, sqls, args.rounds)


if __name__ == "__main__":
    main()
