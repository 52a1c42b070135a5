#!/usr/bin/env python3
"""Times segql's SQL against a bare scan and hand-written SQL on DuckDB.

For one data directory (written by segql-datagen) it measures, side by side in one
run, each figure being the median of --repeat runs:

  floor        one bare aggregate scan of the events, grouped by user
  floor_columns  one scan of the events reading every column the batch reads, with the
               cheapest aggregate of each (count), grouped by user: what any single
               statement that evaluates those conditions must at least pay
  batch        the 50 segments of bench/segments.seg in one statement (compile --batch)
  hand_batch   the same 50 segments in one statement written by hand (bench/hand_batch.sql,
               the batch's shape: a boolean column per segment); a warning if any segment's
               member count differs from the batch's
  one_by_one   the 50 single-segment statements, one after another
  segql_X /    for each segment of bench/handwritten/: segql's statement and a hand-written
  hand_X       one (bench/handwritten/X.sql)

and the peak memory (max RSS) of a process running the batch with DuckDB's
memory_limit. Results are printed as a markdown table and written as JSON.

Usage: bench/run.py --data DIR --segql PATH [--repeat 3] [--json out.json]
"""
import argparse
import json
import os
import pathlib
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import duckdb

from ab import strip

ROOT = pathlib.Path(__file__).resolve().parent
# Every segment written by hand in bench/handwritten/ (one file per segment).
HAND = sorted(p.stem for p in (ROOT / "handwritten").glob("b*.sql"))
# The whole suite written by hand as one statement, compared with the batch.
HAND_BATCH = ROOT / "hand_batch.sql"


def connect(data, memory_limit, threads):
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {threads}")
    con.execute("CREATE SCHEMA analytics")
    d = str(data)
    con.execute(f"CREATE VIEW analytics.users AS SELECT * FROM read_parquet('{d}/users.parquet')")
    con.execute(f"CREATE VIEW analytics.accounts AS SELECT * FROM read_parquet('{d}/accounts.parquet')")
    con.execute(
        f"CREATE VIEW analytics.events AS SELECT * FROM read_parquet('{d}/events/**/*.parquet', hive_partitioning = true)"
    )
    return con


def timed(con, sql):
    """Runs a statement to completion (materialized, so nothing is pruned)."""
    start = time.perf_counter()
    con.execute(f"CREATE OR REPLACE TEMP TABLE bench_result AS {sql}")
    elapsed = time.perf_counter() - start
    rows = con.execute("SELECT count(*) FROM bench_result").fetchone()[0]
    con.execute("DROP TABLE bench_result")
    return elapsed, rows


def member_counts(con, sql):
    """The members of each segment column (every column but the first) of a wide batch."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE bench_result AS {sql}")
    columns = [r[0] for r in con.execute("DESCRIBE bench_result").fetchall()][1:]
    counts = con.execute(
        "SELECT " + ", ".join(f'count(*) FILTER (WHERE "{c}")' for c in columns) + " FROM bench_result"
    ).fetchone()
    con.execute("DROP TABLE bench_result")
    return dict(zip(columns, counts))


def bytes_read(con, sql):
    """Bytes DuckDB read from the files for one run (what a warehouse bills)."""
    path = "/tmp/segql-bench-profile.json"
    con.execute("PRAGMA enable_profiling = 'json'")
    con.execute(f"PRAGMA profiling_output = '{path}'")
    con.execute(f"CREATE OR REPLACE TEMP TABLE bench_result AS {sql}")
    con.execute("PRAGMA disable_profiling")
    con.execute("DROP TABLE bench_result")
    return json.load(open(path)).get("io", {}).get("total_bytes_read", 0)


def floor_over_columns(batch):
    """The floor, reading every events column the batch reads (`ev.<column>` in its SQL)."""
    columns = sorted(set(re.findall(r"\bev\.([a-z_][a-z0-9_]*)", batch)) - {"user_id"})
    counts = "".join(f", count({c}) AS {c}" for c in columns)
    return f"SELECT user_id, count(*) AS n{counts} FROM analytics.events GROUP BY user_id", columns


def compile_sql(segql, as_of, batch=False, out=None, select=None):
    cmd = [segql, "compile", str(ROOT), "--dialect", "duckdb", "--as-of", as_of]
    if batch:
        cmd.append("--batch")
    if out:
        cmd += ["--out", str(out)]
    if select:
        # One --select value holds the names, space-separated (dbt's form).
        cmd += ["--select", " ".join(select)]
    text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return text


def peak_memory(args, batch_sql):
    """Max RSS of a child process running the batch once."""
    code = (
        "import sys, duckdb; sys.path.insert(0, %r); import run as r; "
        "con = r.connect(%r, %r, %r); r.timed(con, open(%r).read())"
    )
    # The statement is the same at every scale: a scratch file, not a result.
    path = pathlib.Path(tempfile.gettempdir()) / "segql-bench-batch.sql"
    path.write_text(batch_sql)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [sys.executable, "-c", code % (str(ROOT), str(args.data), args.memory_limit, args.threads, str(path))],
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(before, after) / 1024.0  # MiB (ru_maxrss is KiB on Linux)


def spread(names, k):
    """k of the names, the middle one of each of k equal slices of the sorted list."""
    return [names[(2 * i + 1) * len(names) // (2 * k)] for i in range(k)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, type=pathlib.Path)
    ap.add_argument("--segql", required=True)
    ap.add_argument("--as-of", default="2026-01-01")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--memory-limit", default="4GB")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--json")
    ap.add_argument("--only", help="comma-separated figures to measure")
    args = ap.parse_args()

    con = connect(args.data, args.memory_limit, args.threads)
    events = con.execute("SELECT count(*) FROM analytics.events").fetchone()[0]
    users = con.execute("SELECT count(*) FROM analytics.users").fetchone()[0]

    floor = "SELECT user_id, count(*) AS n FROM analytics.events GROUP BY user_id"
    batch = strip(compile_sql(args.segql, args.as_of, batch=True))
    tmp = pathlib.Path("/tmp/segql-bench-one-by-one")
    subprocess.run(["rm", "-rf", str(tmp)], check=True)
    compile_sql(args.segql, args.as_of, out=tmp)
    singles = {p.stem: strip(p.read_text()) for p in sorted((tmp / "duckdb").glob("b*.sql"))}

    figures = {}

    def measure(name, fn):
        if args.only and name not in args.only.split(","):
            return
        runs = [fn() for _ in range(args.repeat)]
        figures[name] = statistics.median(runs)
        print(f"  {name}: {figures[name]:.3f} s", file=sys.stderr)

    measure("floor", lambda: timed(con, floor)[0])
    floor_columns, columns = floor_over_columns(batch)
    print(f"  floor_columns reads {', '.join(columns)} besides user_id", file=sys.stderr)
    measure("floor_columns", lambda: timed(con, floor_columns)[0])
    measure("batch", lambda: timed(con, batch)[0])
    hand_batch = strip(HAND_BATCH.read_text().replace("{as_of}", args.as_of))
    if not args.only or "hand_batch" in args.only.split(","):
        ours, theirs = member_counts(con, batch), member_counts(con, hand_batch)
        if list(ours) != list(theirs):
            print(f"  WARNING hand_batch: columns {list(theirs)}, the batch's {list(ours)}", file=sys.stderr)
        for seg in ours:
            if ours[seg] != theirs.get(seg):
                print(
                    f"  WARNING hand_batch {seg}: the batch finds {ours[seg]} members, hand-written {theirs.get(seg)}",
                    file=sys.stderr,
                )
    measure("hand_batch", lambda: timed(con, hand_batch)[0])
    # How the batch grows with the number of segments: subsets spread evenly over the
    # suite (the middle one of each of k equal slices, so they mix attributes, counts,
    # sequences and ntiles as the whole suite does, not its attribute-only first ten).
    names = sorted(singles)
    for k in (1, 5, 10, 25):
        picked = spread(names, k)
        sub = strip(compile_sql(args.segql, args.as_of, batch=True, select=picked))
        if f"batch_{k}" in (args.only or "").split(","):
            print(f"  batch_{k} holds {', '.join(picked)}", file=sys.stderr)
        measure(f"batch_{k}", lambda q=sub: timed(con, q)[0])
    measure("one_by_one", lambda: sum(timed(con, s)[0] for s in singles.values()))
    only = set(args.only.split(",")) if args.only else None
    for seg in HAND:
        # Compared (and timed) only when --only names one of the pair.
        if only is not None and not {f"segql_{seg}", f"hand_{seg}"} & only:
            continue
        hand = (ROOT / "handwritten" / f"{seg}.sql").read_text().replace("{as_of}", args.as_of)
        segql_rows = timed(con, singles[seg])[1]
        hand_rows = timed(con, strip(hand))[1]
        if segql_rows != hand_rows:
            print(f"  WARNING {seg}: segql finds {segql_rows} members, hand-written {hand_rows}", file=sys.stderr)
        measure(f"segql_{seg}", lambda s=seg: timed(con, singles[s])[0])
        measure(f"hand_{seg}", lambda h=hand: timed(con, strip(h))[0])
    memory = None
    if not args.only or "memory" in args.only:
        memory = peak_memory(args, batch)
    read = {}
    if not args.only or "bytes" in args.only:
        read["floor"] = bytes_read(con, floor)
        read["floor_columns"] = bytes_read(con, floor_columns)
        read["batch"] = bytes_read(con, batch)
        read["one_by_one"] = sum(bytes_read(con, s) for s in singles.values())

    result = {
        "users": users,
        "events": events,
        "segments": len(singles),
        "figures": figures,
        "floor_columns": columns,
        "peak_rss_mib": memory,
        "bytes_read": read,
        "duckdb": duckdb.__version__,
        "memory_limit": args.memory_limit,
    }
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result, indent=2))
    f = figures
    print(f"| users | events | floor | batch | batch/floor | one-by-one | one-by-one/batch | peak RSS |")
    print(f"| --- | --- | --- | --- | --- | --- | --- | --- |")
    if "floor" in f and "batch" in f and "one_by_one" in f:
        print(
            f"| {users:,} | {events:,} | {f['floor']:.2f} s | {f['batch']:.2f} s | {f['batch']/f['floor']:.2f} | "
            f"{f['one_by_one']:.2f} s | {f['one_by_one']/f['batch']:.1f} | "
            f"{memory:.0f} MiB |" if memory else "| - |"
        )
    if "floor_columns" in f and "floor" in f and "batch" in f:
        print(
            f"floor over the batch's columns ({', '.join(columns)}): {f['floor_columns']:.2f} s, "
            f"{f['floor_columns']/f['floor']:.2f} x floor; batch / floor_columns {f['batch']/f['floor_columns']:.2f}"
        )
    if "batch" in f and "hand_batch" in f:
        print(
            f"batch {f['batch']:.2f} s, hand-written batch {f['hand_batch']:.2f} s: "
            f"batch / hand_batch {f['batch']/f['hand_batch']:.2f}"
        )
    sizes = [(k, f[f"batch_{k}"]) for k in (1, 5, 10, 25) if f"batch_{k}" in f]
    if sizes and "batch" in f:
        grown = ", ".join(f"{k}: {t:.2f} s" for k, t in sizes + [(50, f["batch"])])
        print(f"the batch by segments it holds (spread over the suite): {grown}")
    if read:
        mb = lambda b: f"{b / 1e6:,.0f} MB"
        print(f"bytes read: floor {mb(read['floor'])}, floor_columns {mb(read['floor_columns'])}, batch {mb(read['batch'])}, one by one {mb(read['one_by_one'])}")
    for seg in HAND:
        s, h = f.get(f"segql_{seg}"), f.get(f"hand_{seg}")
        if s and h:
            print(f"| {seg} | segql {s:.3f} s | hand-written {h:.3f} s | ratio {s/h:.2f} |")


if __name__ == "__main__":
    main()
