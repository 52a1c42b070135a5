#!/usr/bin/env python3
"""Times a sequence segment (b27 by default: signup then project_created within 7 days,
all history) as two segql binaries compile it, as written by hand
(bench/handwritten/SEGMENT.sql, when there is one), and a bare scan of the steps'
events grouped by user (what a sequence cannot beat), alternating, each statement
materialized; prints medians (wall and this process's CPU) and checks that the members
agree. Several segments, comma-separated, are compiled as one batch (`--batch`);
`--project` names another project over the bench catalog (bench/sequences/ holds
sequences over frequent events).

Usage: bench/sequence_shapes.py --data DIR --segql NEW [--old OLD] [--repeat 5]
           [--segment b29_converted --events signup,project_created,purchase]
           [--project bench/sequences --segment a,b --events login,page_viewed,purchase]
"""
import argparse
import pathlib
import resource
import statistics
import subprocess
import time

import duckdb

ROOT = pathlib.Path(__file__).resolve().parent
AS_OF = "2026-01-01"


def compiled(segql, project, segment):
    names = segment.split(",")
    cmd = [segql, "compile", "--dialect", "duckdb", "--as-of", AS_OF, "-s", " ".join(names)]
    if len(names) > 1:
        cmd.append("--batch")
    out = subprocess.run(cmd + [str(project)], capture_output=True, text=True, check=True).stdout
    return out.split("\n", 1)[1].rstrip().rstrip(";")


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--segql", required=True)
    ap.add_argument("--old")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--project", default=str(ROOT))
    ap.add_argument("--segment", default="b27_activated", help="a segment, or several (a batch)")
    ap.add_argument("--events", default="signup,project_created", help="the steps' event names")
    a = ap.parse_args()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET memory_limit = '4GB'")
    con.execute("CREATE SCHEMA analytics")
    con.execute(f"CREATE VIEW analytics.users AS SELECT * FROM read_parquet('{a.data}/users.parquet')")
    con.execute(
        f"CREATE VIEW analytics.events AS SELECT * FROM read_parquet('{a.data}/events/**/*.parquet', hive_partitioning = true)"
    )
    qs = {"segql": compiled(a.segql, a.project, a.segment)}
    hand = ROOT / "handwritten" / f"{a.segment}.sql"
    if hand.exists():
        qs["hand"] = hand.read_text().replace("{as_of}", f"{AS_OF} 00:00:00")
    if a.old:
        qs["old"] = compiled(a.old, a.project, a.segment)
    names = ", ".join(f"'{n}'" for n in a.events.split(","))
    qs["steps_scan"] = (
        "SELECT user_id, count(occurred_at) AS n FROM analytics.events "
        f"WHERE occurred_at < TIMESTAMP '{AS_OF}' AND event_name IN ({names}) GROUP BY user_id"
    )
    times = {k: [] for k in qs}
    cpus = {k: [] for k in qs}
    members = {}
    for r in range(a.repeat):
        for k, q in qs.items():
            start, used = time.perf_counter(), cpu()
            con.execute(f"CREATE OR REPLACE TEMP TABLE r AS {q}")
            times[k].append(time.perf_counter() - start)
            cpus[k].append(cpu() - used)
            if r == 0 and k != "steps_scan":
                # A batch's rows (every column) or a segment's members.
                members[k] = set(con.execute("SELECT * FROM r").fetchall())
    for k in qs:
        print(
            f"{k}: {statistics.median(times[k]):.3f} s, CPU {statistics.median(cpus[k]):.3f} s"
            f"  (runs {', '.join(f'{t:.2f}' for t in times[k])})"
        )
    if len({frozenset(m) for m in members.values()}) != 1:
        raise SystemExit("the members differ: " + ", ".join(f"{k} {len(m)}" for k, m in members.items()))
    print(f"members agree ({len(members['segql'])})")


if __name__ == "__main__":
    main()
