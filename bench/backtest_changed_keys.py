#!/usr/bin/env python3
"""How many keys a weekly backtest step could skip (docs/benchmarks.md, "Keys whose inputs
change from one step to the next").

    /root/.cache/segql-dbt-venv/bin/python bench/backtest_changed_keys.py DIR [AS_OF]

DIR is written by `segql-datagen --users N --as-of 2026-01-01 --format parquet --out DIR`.
For each of the 52 weekly instants t before AS_OF (default 2026-01-01): the share of the users
with an event in the week before t, or in the week before t - W for each window W the bench
suite uses (7, 14, 28, 30, 60, 90, 180 and 365 days): the users one of whose windows gained or
lost an event since the instant before, whose conditions a step would have to evaluate again
even if it carried every other user's state from the step before. Prints the median, least
and greatest share, and the share with an event in the step's own week.
"""
import statistics, sys
import duckdb

data = sys.argv[1]
as_of = sys.argv[2] if len(sys.argv) > 2 else "2026-01-01"
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute(f"CREATE TABLE ev AS SELECT user_id, occurred_at "
            f"FROM read_parquet('{data}/events/*/*.parquet', hive_partitioning = false)")
users = con.execute(f"SELECT count(*) FROM read_parquet('{data}/users.parquet')").fetchone()[0]
windows = [0, 7, 14, 28, 30, 60, 90, 180, 365]
changed, own = [], []
for k in range(1, 53):
    t = f"TIMESTAMP '{as_of}' - INTERVAL {7 * (52 - k)} DAY"
    week = lambda w: (f"(occurred_at >= {t} - INTERVAL {w + 7} DAY "
                      f"AND occurred_at < {t} - INTERVAL {w} DAY)")
    q = "SELECT count(DISTINCT user_id) FROM ev WHERE "
    changed.append(con.execute(q + " OR ".join(week(w) for w in windows)).fetchone()[0] / users)
    own.append(con.execute(q + week(0)).fetchone()[0] / users)
print(f"{users} users, 52 weekly steps before {as_of}")
print(f"keys with an event entering or leaving a window: median {statistics.median(changed):.3f}, "
      f"least {min(changed):.3f}, greatest {max(changed):.3f}")
print(f"keys with an event in the step's own week: median {statistics.median(own):.3f}")
