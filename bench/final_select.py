#!/usr/bin/env python3
"""Splits a compiled DuckDB statement (`segql compile --dialect duckdb --batch ...`) into
its CTEs and its final SELECT, materializes every CTE as a temporary table once, then
times the final SELECT alone over them against the whole statement (medians; wall time
and this process's CPU). What a backtest step would still pay if every aggregate came
for free (docs/benchmarks.md, "What a backtest step costs at least").

Usage: bench/final_select.py --data DIR --sql FILE [--repeat 5]
"""
import argparse
import re
import resource
import statistics
import time

import duckdb


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def split(statement):
    """(names, bodies, final) of `WITH a AS (...), b AS (...) SELECT ...` as segql
    writes it (each CTE's closing `)` at the start of a line)."""
    body = statement[len("WITH "):]
    first = re.match(r"(\w+) AS \(\n", body)
    names, chunks = [first.group(1)], re.split(r"\n\), (\w+) AS \(\n", body[first.end():])
    bodies = [chunks[0]]
    for i in range(1, len(chunks), 2):
        names.append(chunks[i])
        bodies.append(chunks[i + 1])
    k = bodies[-1].index("\n)\nSELECT")
    final = bodies[-1][k + 3:]
    bodies[-1] = bodies[-1][:k]
    return names, bodies, final


def timed(con, sql, repeat):
    walls, cpus = [], []
    for _ in range(repeat):
        start, used = time.perf_counter(), cpu()
        con.execute(f"CREATE OR REPLACE TEMP TABLE segql_out AS {sql}")
        walls.append(time.perf_counter() - start)
        cpus.append(cpu() - used)
    return statistics.median(walls), statistics.median(cpus)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--sql", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    text = open(a.sql).read()
    if text.startswith("--"):
        text = text.split("\n", 1)[1]
    statement = text.rstrip().rstrip(";")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET threads = 2")
    con.execute("CREATE SCHEMA analytics")
    for t in ["users", "accounts"]:
        con.execute(f"CREATE VIEW analytics.{t} AS SELECT * FROM read_parquet('{a.data}/{t}.parquet')")
    con.execute(
        f"CREATE VIEW analytics.events AS SELECT * FROM read_parquet('{a.data}/events/**/*.parquet', hive_partitioning = true)"
    )
    names, bodies, final = split(statement)
    start, used = time.perf_counter(), cpu()
    for n, b in zip(names, bodies):
        con.execute(f"CREATE TEMP TABLE {n} AS {b}")
    print(f"the {len(names)} CTEs, materialized once: wall {time.perf_counter() - start:.3f} s, CPU {cpu() - used:.3f} s")
    w, c = timed(con, final, a.repeat)
    print(f"the final SELECT over them: wall {w:.3f} s, CPU {c:.3f} s")
    w2, c2 = timed(con, statement, max(1, a.repeat // 2))
    print(f"the whole statement: wall {w2:.3f} s, CPU {c2:.3f} s; final / whole: wall {w / w2:.2f}, CPU {c / c2:.2f}")


if __name__ == "__main__":
    main()
