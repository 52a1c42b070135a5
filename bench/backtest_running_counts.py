#!/usr/bin/env python3
"""The experiment of docs/benchmarks.md, "Running counts read at each instant": b12 at 53
weekly instants, a statement per instant against one statement of running counts and
ASOF joins. Run from a directory holding b12.sql (`segql compile -d duckdb -s
b12_logins_5x_30d --as-of 2026-01-01` in a project of bench/catalog.seg and
bench/segments.seg bound to /tmp/bt100k, written by `segql-datagen --users 100000
--as-of 2026-01-01 --format parquet --out /tmp/bt100k`)."""
import duckdb, time
from datetime import datetime, timedelta
b12 = open("b12.sql").read().rstrip().rstrip(";")
con = duckdb.connect()
con.execute("SET threads=2")
con.execute("CREATE SCHEMA analytics")
con.execute("CREATE VIEW analytics.users AS SELECT * FROM read_parquet('/tmp/bt100k/users.parquet')")
con.execute("CREATE VIEW analytics.events AS SELECT * FROM read_parquet('/tmp/bt100k/events/**/*.parquet', hive_partitioning=false)")
end = datetime(2026, 1, 1)
inst = [end - timedelta(weeks=k) for k in range(52, -1, -1)]
def t(f):
    s = time.perf_counter(); r = f(); return time.perf_counter() - s, r
# per step: the literal statement at each instant, members counted
def per_step():
    out = []
    for i in inst:
        sql = b12.replace("2026-01-01 00:00:00", i.strftime("%Y-%m-%d %H:%M:%S"))
        out.append(con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0])
    return out
one, _ = t(lambda: con.execute(f"SELECT count(*) FROM ({b12})").fetchone())
ps, sizes = t(per_step)
vals = ", ".join(f"({k}, TIMESTAMP '{i:%Y-%m-%d %H:%M:%S}')" for k, i in enumerate(inst))
con.execute(f"CREATE TEMP TABLE inst AS SELECT * FROM (VALUES {vals}) v(step, as_of)")
# once for all instants: each login's time and its running number per user; at an
# instant t the count in [t - 30 d, t) is (number of logins before t) - (number before
# t - 30 d), both read with ASOF joins of the instants' bounds to the running numbers.
cum_sql = """
WITH ev AS (
  SELECT e.user_id, e.occurred_at AS t,
         row_number() OVER (PARTITION BY e.user_id ORDER BY e.occurred_at) AS n
  FROM analytics.events e SEMI JOIN analytics.users u ON u.user_id = e.user_id
  WHERE e.event_name = 'login' AND e.occurred_at < (SELECT max(as_of) FROM inst)),
bounds AS (
  SELECT i.step, i.as_of, k.user_id FROM inst i CROSS JOIN (SELECT DISTINCT user_id FROM ev) k),
hi AS (SELECT b.step, b.user_id, b.as_of, coalesce(e.n, 0) AS n FROM bounds b ASOF LEFT JOIN ev e ON b.user_id = e.user_id AND e.t < b.as_of),
lo AS (SELECT b.step, b.user_id, coalesce(e.n, 0) AS n FROM bounds b ASOF LEFT JOIN ev e ON b.user_id = e.user_id AND e.t < b.as_of - INTERVAL 30 DAY)
SELECT hi.step, count(*) FILTER (WHERE hi.n - lo.n >= 5) FROM hi JOIN lo USING (step, user_id) GROUP BY 1 ORDER BY 1
"""
cs, rows = t(lambda: con.execute(cum_sql).fetchall())
print("one statement", round(one, 3), "per step x53", round(ps, 2), round(ps / one, 1), "x; running counts", round(cs, 2), round(cs / one, 1), "x")
print("equal sizes:", [r[1] for r in rows] == sizes)
