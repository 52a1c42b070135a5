#!/usr/bin/env python3
"""Times `segql run --target` on PostgreSQL against psql running the same statements.

The example project (examples/saas) is seeded into a PostgreSQL server (its relations
under their own names, analytics.* and billing.*), then, alternating, --repeat times:

  segql    `segql run examples/saas --target bench -s <every segment> --format json`:
           per entity, the batch statement kept in a temporary table, the population
           counted, each segment's members read (as Arrow) and printed
  psql     the same statements through psql in one session: per entity
           `CREATE TEMP TABLE ... AS <segql compile --batch -d postgres>`, the count,
           and each segment's members ordered by key, printed as unaligned text

Both print to /dev/null. The figure is the median wall time of each, their ratio, and
the client layer's overhead per statement: (segql - psql) / statements, which also
holds segql's own start (reading and checking the project, loading the driver, the
catalog check against the server's tables).

Usage: bench/targets.py --segql PATH [--repeat 7]
  PATH: an optimized segql for the figure (docs/benchmarks.md gives the build command:
  the Rust crates at opt-level 2 over the cached, unoptimized DuckDB C++).
  with SEGQL_TEST_PG_URI, SEGQL_TEST_PG_PASSWORD and SEGQL_TEST_PG_BIN set (scripts/
  target-servers start DIR postgres writes them to DIR/env), or --start to start a
  private server for the run and stop it afterwards.
"""
import argparse
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "saas"
AS_OF = "2026-01-01T00:00:00Z"


def segments_by_entity():
    """Segment names by entity, from the example's files (`segment NAME [of ENTITY] {`)."""
    out = {}
    for f in sorted((EXAMPLE / "segments").glob("*.seg")):
        for m in re.finditer(r"^segment\s+(\w+)(?:\s+of\s+(\w+))?\s*\{", f.read_text(), re.M):
            out.setdefault(m.group(2) or "user", []).append(m.group(1))
    return out


def run(cmd, env, out=subprocess.DEVNULL):
    p = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])}... failed ({p.returncode}): {p.stderr[-2000:]}")
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--segql", required=True)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--start", action="store_true")
    a = ap.parse_args()
    servers = None
    if a.start:
        servers = tempfile.mkdtemp(prefix="segql-bench-servers.")
        subprocess.run([str(ROOT / "scripts/target-servers"), "start", servers, "postgres"], check=True)
        for line in open(os.path.join(servers, "env")):
            k, v = line.removeprefix("export ").strip().split("=", 1)
            os.environ[k] = v
    try:
        bench(a)
    finally:
        if servers:
            subprocess.run([str(ROOT / "scripts/target-servers"), "stop", servers])


def bench(a):
    uri = os.environ["SEGQL_TEST_PG_URI"]
    psql_bin = os.path.join(os.environ["SEGQL_TEST_PG_BIN"], "psql")
    with tempfile.TemporaryDirectory(prefix="segql-bench-targets.") as d:
        measure(a, uri, psql_bin, pathlib.Path(d))


def measure(a, uri, psql_bin, work):
    (work / "targets.toml").write_text(
        f'[targets.bench]\ntype = "postgres"\nuri = "{uri}"\n'
        'password = { env = "SEGQL_TEST_PG_PASSWORD" }\n'
    )
    env = dict(os.environ, SEGQL_TARGETS_FILE=str(work / "targets.toml"),
               PGPASSWORD=os.environ["SEGQL_TEST_PG_PASSWORD"])
    run([a.segql, "seed", str(EXAMPLE), "--target", "bench", "--replace"], env)
    run([psql_bin, "-X", "-q", uri, "-c", "VACUUM ANALYZE"], env)
    by_entity = segments_by_entity()
    keys = {"user": ("user_id", "analytics.users"), "account": ("account_id", "analytics.accounts")}
    script, statements = [], 0
    for n, (entity, names) in enumerate(sorted(by_entity.items(), key=lambda e: e[0] != "user")):
        sql = run([a.segql, "compile", str(EXAMPLE), "--batch", "-d", "postgres", "--as-of", AS_OF,
                   "-s", ",".join(names)], env, subprocess.PIPE).stdout.strip().rstrip(";")
        key, table = keys[entity]
        kept = f"segql_memberships_{n + 1}"
        script.append(f"CREATE TEMPORARY TABLE {kept} AS\n{sql};")
        script.append(f"SELECT count(*) FROM {table};")
        statements += 2
        for s in names:
            script.append(f'SELECT "{key}" FROM {kept} WHERE "{s}" ORDER BY 1;')
            statements += 1
    (work / "same.sql").write_text("\n".join(script) + "\n")
    every = [s for names in by_entity.values() for s in names]
    # The same for one segment (the user batch of that segment alone, its count and its
    # members: 3 statements), so that the fixed start and the cost per statement can be
    # told apart: (all - one) / (statements - 3) is the cost of one more statement.
    first = by_entity["user"][0]
    one_sql = run([a.segql, "compile", str(EXAMPLE), "--batch", "-d", "postgres", "--as-of", AS_OF,
                   "-s", first], env, subprocess.PIPE).stdout.strip().rstrip(";")
    (work / "one.sql").write_text(
        f"CREATE TEMPORARY TABLE segql_memberships_1 AS\n{one_sql};\n"
        "SELECT count(*) FROM analytics.users;\n"
        f'SELECT "user_id" FROM segql_memberships_1 WHERE "{first}" ORDER BY 1;\n')
    segql_cmd = [a.segql, "run", str(EXAMPLE), "--target", "bench", "--as-of", AS_OF,
                 "--format", "json", "-s"]
    psql_cmd = [psql_bin, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", uri, "-f"]
    cmds = {
        "segql": segql_cmd + [",".join(every)],
        "psql": psql_cmd + [str(work / "same.sql")],
        "segql, one segment": segql_cmd + [first],
        "psql, one segment": psql_cmd + [str(work / "one.sql")],
    }
    times = {name: [] for name in cmds}
    for _ in range(a.repeat):
        for name, cmd in cmds.items():
            t0 = time.perf_counter()
            run(cmd, env)
            times[name].append(time.perf_counter() - t0)
    med = {name: statistics.median(t) for name, t in times.items()}
    print(f"segments: {len(every)} ({', '.join(f'{len(v)} of {k}' for k, v in by_entity.items())}); "
          f"statements: {statements}; median of {a.repeat}; alternating")
    print("| | median | runs |")
    print("| --- | --- | --- |")
    for name, t in times.items():
        print(f"| {name} | {med[name]:.3f} s | {', '.join(f'{x:.3f}' for x in t)} |")
    seg, ps = med["segql"], med["psql"]
    print(f"segql / psql: {seg / ps:.2f}; (segql - psql) / statement: "
          f"{(seg - ps) / statements * 1000:.1f} ms")
    more = statements - 3
    per_seg = (med["segql"] - med["segql, one segment"]) / more
    per_ps = (med["psql"] - med["psql, one segment"]) / more
    print(f"one more statement: segql {per_seg * 1000:.2f} ms, psql {per_ps * 1000:.2f} ms, "
          f"client layer {(per_seg - per_ps) * 1000:.2f} ms")
    print(f"fixed start (one segment): segql {med['segql, one segment']:.3f} s, "
          f"psql {med['psql, one segment']:.3f} s")

if __name__ == "__main__":
    main()
