#!/usr/bin/env python3
"""Times `segql backtest` of the 50 bench segments against one batch run of them.

For one data directory (written by segql-datagen: users.parquet, accounts.parquet,
events/**/*.parquet) it writes a temporary project with bench/catalog.seg and
bench/segments.seg bound to that data, then, alternating, --repeat times:

  batch      `segql run --as-of T --format summary`: every segment once, at T (one batch
             statement per entity), the sizes printed
  backtest   `segql backtest --from T - N weeks --to T --every 1 week --format csv` for
             each N of --steps (N + 1 instants), the figures printed
  old        the same backtest with --old, another segql binary (e.g. one that
             evaluates a statement per step), when given

Each figure is the median wall time of the whole command (the project read and
checked, the data bound, the output printed to /dev/null); the ratios are to the
batch's median of the same run.

With --stats, `segql stats` first writes the data's segql-stats.json into the project,
so that every command plans with the statistics, as in a project that commits them.

Usage: bench/backtest.py --data DIR --segql PATH [--old PATH] [--steps 4,13,26,52]
       [--repeat 3] [--as-of 2026-01-01] [--stats]
"""
import argparse
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

ROOT = pathlib.Path(__file__).resolve().parent


def project(data: pathlib.Path, into: pathlib.Path) -> None:
    for f in ("catalog.seg", "segments.seg"):
        shutil.copy(ROOT / f, into / f)
    (into / "segql.toml").write_text(
        'name = "bench"\npaths = ["catalog.seg", "segments.seg"]\n\n[bindings]\n'
        f'"analytics.users" = "{data / "users.parquet"}"\n'
        f'"analytics.accounts" = "{data / "accounts.parquet"}"\n'
        f'"analytics.events" = "{data / "events"}/**/*.parquet"\n'
    )


def timed(cmd, cwd) -> float:
    start = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    return took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, type=pathlib.Path)
    ap.add_argument("--segql", required=True)
    ap.add_argument("--old")
    ap.add_argument("--steps", default="4,13,26,52")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--as-of", default="2026-01-01")
    ap.add_argument("--stats", action="store_true")
    a = ap.parse_args()
    to = datetime.fromisoformat(a.as_of).replace(tzinfo=timezone.utc)
    steps = [int(s) for s in a.steps.split(",")]
    with tempfile.TemporaryDirectory() as d:
        d = pathlib.Path(d)
        project(a.data.resolve(), d)
        if a.stats:
            print(f"segql stats: {timed([a.segql, 'stats'], d):.2f} s")
        runs = {"batch": []}
        commands = {"batch": [a.segql, "run", "--as-of", a.as_of, "--format", "summary"]}
        for n in steps:
            since = (to - timedelta(weeks=n)).strftime("%Y-%m-%d")
            for name, binary in (("backtest", a.segql), ("old", a.old)):
                if binary is None:
                    continue
                key = f"{name} {n + 1}"
                runs[key] = []
                commands[key] = [binary, "backtest", "--from", since, "--to", a.as_of,
                                 "--every", "1 week", "--format", "csv"]
        for _ in range(a.repeat):
            for key, cmd in commands.items():
                runs[key].append(timed(cmd, d))
        batch = statistics.median(runs["batch"])
        print("| command | instants | median s | ÷ batch | runs |")
        print("| --- | --- | --- | --- | --- |")
        for key, times in runs.items():
            name, _, instants = key.partition(" ")
            m = statistics.median(times)
            shown = ", ".join(f"{t:.2f}" for t in times)
            print(f"| {name} | {instants or 1} | {m:.2f} | {m / batch:.1f}x | {shown} |")


if __name__ == "__main__":
    main()
