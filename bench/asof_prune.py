"""Deployable as-of (issue 16): does DuckDB still skip parquet row groups when the as-of
is read at run time instead of written as a literal? docs/benchmarks.md has the results.

    python bench/asof_prune.py [crates/segql-plan/tests/snapshots/run_as_of__now@duckdb.snap]

Writes /tmp/asof_prune.parquet: 10M events, one a second, sorted by time, in row groups
of 100k rows, starting 100 days before today (UTC) so that now() falls inside the data.
Then EXPLAIN ANALYZE (and 7 timed runs) of a 30-day window ending at the as-of, written
as a literal, as DuckDB's `now_utc()`, and as a `$as_of` prepared-statement parameter;
with a second argument, the same for a compiled segment (recent_logins of
fixtures/deploy/run_as_of.seg) over views on the file.
"""

import re
import statistics
import sys
import time

import duckdb

PARQUET = "/tmp/asof_prune.parquet"
NOW = "make_timestamp(epoch_us(now()))"  # segql-plan's DuckDb::now_utc


def make(con):
    base = con.execute(
        "SELECT CAST(date_trunc('day', make_timestamp(epoch_us(now()))) - INTERVAL 100 DAY AS VARCHAR)"
    ).fetchall()[0][0]
    con.execute(
        f"""COPY (SELECT range % 100000 AS user_id,
                         TIMESTAMP '{base}' + INTERVAL (range) SECOND AS occurred_at,
                         'login' AS event_name
                  FROM range(10000000))
            TO '{PARQUET}' (ROW_GROUP_SIZE 100000)"""
    )


def measure(con, label, sql, params=None, runs=7):
    args = (params,) if params else ()
    plan = con.execute("EXPLAIN ANALYZE " + sql, *args).fetchall()[0][1]
    groups = re.findall(r"Row Groups Scanned: (\d+ / \d+)", plan)
    scanned = re.findall(r"Table Scan.*?([\d,]+) rows", plan, re.S)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        con.execute(sql, *args).fetchall()
        times.append(time.perf_counter() - t)
    ms = statistics.median(times) * 1000
    print(f"{label:34} row groups {', '.join(groups):10} rows scanned {', '.join(scanned):>10}  median {ms:6.1f} ms")


def main():
    con = duckdb.connect()
    con.execute("SET threads=1")
    make(con)
    as_of = con.execute(f"SELECT CAST({NOW} AS VARCHAR)").fetchall()[0][0][:19]
    lit = f"TIMESTAMP '{as_of}'"
    par = "CAST($as_of AS TIMESTAMP)"
    print(f"duckdb {duckdb.__version__}, as of {as_of}")
    ev = f"read_parquet('{PARQUET}') AS ev"

    def window(a, lo=None):
        lo = lo or f"{a} - INTERVAL '30' DAY"
        return f"SELECT count(*) FROM {ev} WHERE ev.occurred_at >= {lo} AND ev.occurred_at < {a}"

    measure(con, "(a) literal", window(lit))
    measure(con, "(b) now", window(NOW))
    measure(con, "(c) $as_of, prepared", window(par), {"as_of": as_of})
    since = con.execute(f"SELECT CAST(CAST({NOW} AS DATE) - 14 AS VARCHAR)").fetchall()[0][0]
    measure(con, "(d) now, least(since, 30 days)", window(NOW, f"least(TIMESTAMP '{since}', {NOW} - INTERVAL '30' DAY)"))
    measure(con, "(e) no lower bound (for scale)", f"SELECT count(*) FROM {ev} WHERE ev.occurred_at < {NOW}")

    if len(sys.argv) > 1:
        snap = open(sys.argv[1]).read()
        sql = snap.split("-- segment recent_logins, duckdb")[1].split("\n", 1)[1].split(";\n")[0]
        con.execute("CREATE SCHEMA analytics")
        con.execute(
            f"CREATE VIEW analytics.events AS SELECT *, CAST(0 AS DECIMAL(18, 2)) AS amount FROM read_parquet('{PARQUET}')"
        )
        con.execute("CREATE TABLE analytics.users AS SELECT range AS user_id FROM range(100000)")
        measure(con, "segment, literal", sql.replace(NOW, lit))
        measure(con, "segment, now", sql)
        measure(con, "segment, $as_of, prepared", sql.replace(NOW, par), {"as_of": as_of})


main()
