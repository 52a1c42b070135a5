#!/usr/bin/env python3
"""The planner's figures (floor, batch of 50, one by one) on Postgres, ClickHouse or Spark.

bench/run.py measures DuckDB; this runs the same statements, compiled for the engine's
dialect, on the engine itself, each materialized (CREATE TEMP TABLE / a Memory table).
Where the suite is also written by hand for the engine (bench/hand_batch_<engine>.sql, the
counterpart of bench/run.py's hand_batch.sql), that statement is timed as `hand_batch`,
alternating with `batch` run by run (which of the two goes first alternates too: the first
of a pair measures slower), and the ratio batch / hand_batch is printed
(tests/tests/hand_batch_engines.rs checks that it finds the batch's members).

  postgres    a running server on --pg-host (a socket directory); the data is loaded
              into database --pg-db from the parquet files (via DuckDB and CSV), then
              VACUUM ANALYZE. Needs the duckdb Python package and psql.
  clickhouse  chdb in-process (pip install chdb); the data is loaded into MergeTree
              tables straight from the parquet files.
  spark       PySpark in local mode (pip install pyspark; Java 17), the databricks
              dialect; the data saved as tables from the parquet files under a temporary
              warehouse, each statement written to the `noop` sink.

Usage: bench/engines.py --engine postgres|clickhouse|spark --data DIR --segql PATH [--repeat 3]
                         [--only floor,batch,hand_batch,one_by_one] [--compare OTHER_SEGQL]
                         [--pg-host DIR] [--pg-db NAME] [--pg-reuse]

--compare times the batch and the one-by-one statements (those of them --only names) of a
second segql binary (another build of the planner) in the same session, alternating with
the first (and which goes first): how a plan change was judged per engine. --pg-reuse
keeps --pg-db when it exists (loaded by an earlier run from the same --data).

A private Postgres cluster, as the figures in docs/benchmarks.md were measured:

  PG=/usr/lib/postgresql/15/bin; mkdir -p /tmp/pgb && chown postgres /tmp/pgb
  su postgres -c "$PG/initdb -D /tmp/pgb/data -A trust -U postgres -E UTF8"
  su postgres -c "$PG/pg_ctl -D /tmp/pgb/data -l /tmp/pgb/log -o \\"-k /tmp/pgb \\
      -c listen_addresses='' -c shared_buffers=2GB -c work_mem=256MB\\" start"
"""
import argparse
import atexit
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent
FLOOR = "SELECT user_id, count(*) AS n FROM analytics.events GROUP BY user_id"


def strip(sql):
    return "\n".join(l for l in sql.splitlines() if not l.startswith("--")).strip().rstrip(";")


def statements(segql, dialect, as_of):
    base = [segql, "compile", str(ROOT), "--dialect", dialect, "--as-of", as_of]
    batch = strip(subprocess.run(base + ["--batch"], check=True, capture_output=True, text=True).stdout)
    out = pathlib.Path(tempfile.mkdtemp(prefix=f"segql-bench-{dialect}-"))
    subprocess.run(base + ["--out", str(out)], check=True, capture_output=True)
    singles = [strip(p.read_text()) for p in sorted((out / dialect).glob("b*.sql"))]
    shutil.rmtree(out)
    return batch, singles


def hand_batch(engine, as_of):
    """bench/hand_batch_<engine>.sql as one statement at the instant, or None without one."""
    f = ROOT / f"hand_batch_{engine}.sql"
    if not f.exists():
        return None
    instant = f"{as_of} 00:00:00" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of) else as_of
    return strip(f.read_text().replace("{as_of}", instant))


class Postgres:
    dialect = "postgres"

    def __init__(self, args):
        self.host, self.db = args.pg_host, args.pg_db
        import duckdb

        psql = ["psql", "-h", self.host, "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1"]
        if args.pg_reuse:
            have = subprocess.run(psql + ["-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{self.db}'"],
                                  check=True, capture_output=True, text=True).stdout.strip()
            if have:
                print(f"  reusing database {self.db} (--pg-reuse: loaded by an earlier run)", file=sys.stderr)
                return
        subprocess.run(psql + ["-c", f"DROP DATABASE IF EXISTS {self.db}"], check=True)
        subprocess.run(psql + ["-c", f"CREATE DATABASE {self.db}"], check=True)
        types = {"VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "DOUBLE": "double precision",
                 "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "timestamp", "FLOAT": "real"}
        con = duckdb.connect()
        ddl = ["CREATE SCHEMA analytics;"]
        csv = pathlib.Path(tempfile.mkdtemp(prefix="segql-bench-csv-"))
        for table, src in self.sources(args.data):
            cols = con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()
            pg = lambda t: "numeric" + t[7:] if t.startswith("DECIMAL") else types.get(t, "text")
            ddl.append(f"CREATE TABLE analytics.{table} (" + ", ".join(f"{c[0]} {pg(c[1])}" for c in cols) + ");")
            con.execute(f"COPY (SELECT * FROM {src}) TO '{csv}/{table}.csv' (HEADER, FORMAT csv)")
        self.psql("\n".join(ddl))
        for table, _ in self.sources(args.data):
            self.psql(f"\\copy analytics.{table} FROM '{csv}/{table}.csv' CSV HEADER")
            (csv / f"{table}.csv").unlink()
        csv.rmdir()
        self.psql("VACUUM ANALYZE")

    @staticmethod
    def sources(d):
        return [("users", f"read_parquet('{d}/users.parquet')"),
                ("accounts", f"read_parquet('{d}/accounts.parquet')"),
                ("events", f"read_parquet('{d}/events/*/*.parquet', hive_partitioning = false)")]

    def psql(self, script):
        out = subprocess.run(["psql", "-h", self.host, "-U", "postgres", "-d", self.db, "-q", "-v", "ON_ERROR_STOP=1"],
                             input=script, capture_output=True, text=True)
        if out.returncode:
            sys.exit(out.stderr[:4000])
        return out.stdout

    def run(self, stmts):
        """Seconds the statements took, by psql's own timing (no connection overhead)."""
        script = "SET jit = off;\n\\timing on\n" + "\n".join(
            f"CREATE TEMP TABLE r{i} AS {s};" for i, s in enumerate(stmts))
        return sum(float(t) for t in re.findall(r"Time: ([0-9.]+) ms", self.psql(script))) / 1000


class ClickHouse:
    dialect = "clickhouse"

    def __init__(self, args):
        from chdb import session

        self.s = session.Session()
        self.n = 0
        self.s.query("CREATE DATABASE IF NOT EXISTS analytics")
        for table, path in [("users", "users.parquet"), ("accounts", "accounts.parquet"),
                            ("events", "events/*/*.parquet")]:
            self.s.query(f"CREATE TABLE analytics.{table} ENGINE = MergeTree ORDER BY tuple() "
                         f"AS SELECT * FROM file('{args.data}/{path}', Parquet)")

    def run(self, stmts):
        start = time.perf_counter()
        for q in stmts:
            self.n += 1
            self.s.query(f"CREATE TABLE default.r{self.n} ENGINE = Memory AS {q}")
        return time.perf_counter() - start


class Spark:
    dialect = "databricks"

    def __init__(self, args):
        import tempfile
        from pyspark.sql import SparkSession

        warehouse = tempfile.mkdtemp(prefix="segql-bench-spark-")
        # The tables are copies of the data (62M rows at 1M users): gone when the run ends.
        atexit.register(shutil.rmtree, warehouse, ignore_errors=True)
        self.spark = (SparkSession.builder.master("local[2]")
                      .config("spark.driver.memory", "6g")
                      .config("spark.sql.shuffle.partitions", "8")
                      .config("spark.ui.enabled", "false")
                      .config("spark.sql.session.timeZone", "UTC")
                      .config("spark.sql.warehouse.dir", warehouse)
                      .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}")
                      .getOrCreate())
        self.spark.sparkContext.setLogLevel("ERROR")
        self.spark.sql("CREATE DATABASE IF NOT EXISTS analytics")
        for table, path in [("users", "users.parquet"), ("accounts", "accounts.parquet"), ("events", "events")]:
            df = self.spark.read.parquet(f"{args.data}/{path}")
            if "month" in df.columns:
                df = df.drop("month")  # the hive partition, not a catalog column
            df.write.mode("overwrite").saveAsTable(f"analytics.{table}")

    def run(self, stmts):
        start = time.perf_counter()
        for q in stmts:
            self.spark.sql(q).write.format("noop").mode("overwrite").save()
        return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", required=True, choices=["postgres", "clickhouse", "spark"])
    ap.add_argument("--data", required=True, type=pathlib.Path)
    ap.add_argument("--segql", required=True)
    ap.add_argument("--as-of", default="2026-01-01")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pg-host", default="/tmp/pgb")
    ap.add_argument("--pg-db", default="segql_bench")
    ap.add_argument("--pg-reuse", action="store_true",
                    help="keep --pg-db if it exists (loaded by an earlier run from the same --data)")
    ap.add_argument("--compare", help="a second segql binary whose batch is timed alongside")
    ap.add_argument("--only", help="a comma-separated subset of floor,batch,hand_batch,one_by_one")
    args = ap.parse_args()
    engine = {"postgres": Postgres, "clickhouse": ClickHouse, "spark": Spark}[args.engine](args)
    batch, singles = statements(args.segql, engine.dialect, args.as_of)
    res = {}
    only = set(args.only.split(",")) if args.only else {"floor", "batch", "hand_batch", "one_by_one"}
    if args.compare:
        # --only batch or one_by_one (or both, the default) of the two binaries, alternating
        other, other_singles = statements(args.compare, engine.dialect, args.as_of)
        runs = {}

        def pair(name, a, b, i):
            # which runs first alternates run by run: the first of a pair measures slower
            first, second = ((name, a), (f"{name}_compared", b)) if i % 2 == 0 else ((f"{name}_compared", b), (name, a))
            for n, stmts in (first, second):
                runs.setdefault(n, []).append(engine.run(stmts))

        for i in range(args.repeat):
            if "batch" in only:
                pair("batch", [batch], [other], i)
            if "one_by_one" in only:
                pair("one_by_one", singles, other_singles, i)
        for name, r in runs.items():
            print(f"  {name}: {statistics.median(r):.2f} s  ({', '.join(f'{x:.2f}' for x in r)})", file=sys.stderr)
        if "batch" in runs:
            ratios = ", ".join(f"{a / b:.2f}" for a, b in zip(runs["batch"], runs["batch_compared"]))
            m = statistics.median(runs["batch"]) / statistics.median(runs["batch_compared"])
            print(f"  batch / batch_compared: {m:.3f} (medians; run by run {ratios})", file=sys.stderr)
        return
    hand = hand_batch(args.engine, args.as_of) if "hand_batch" in only else None
    if "hand_batch" in only and hand is None:
        print(f"  no bench/hand_batch_{args.engine}.sql: hand_batch not measured", file=sys.stderr)
    runs = {}
    if "floor" in only:
        runs["floor"] = [engine.run([FLOOR]) for _ in range(args.repeat)]
    # batch and hand_batch alternate run by run, so that a change of load hits both, and
    # which of the two runs first alternates too (the first of a pair measures slower)
    for i in range(args.repeat):
        order = [("batch", batch), ("hand_batch", hand)]
        for name, stmt in order if i % 2 == 0 else order[::-1]:
            if stmt is not None and name in only:
                runs.setdefault(name, []).append(engine.run([stmt]))
    if "one_by_one" in only:
        runs["one_by_one"] = [engine.run(singles) for _ in range(args.repeat)]
    for name, r in runs.items():
        res[name] = statistics.median(r)
        print(f"  {name}: {res[name]:.2f} s  ({', '.join(f'{x:.2f}' for x in r)})", file=sys.stderr)
    if "batch" in res and "hand_batch" in res:
        ratios = [b / h for b, h in zip(runs["batch"], runs["hand_batch"])]
        print(f"  batch / hand_batch: {res['batch'] / res['hand_batch']:.2f} (medians; run by run "
              f"{', '.join(f'{x:.2f}' for x in ratios)})", file=sys.stderr)
    fig = lambda k: f"{res[k]:.2f} s" if k in res else "—"
    ratio = lambda a, b: f"{res[a] / res[b]:.2f}" if a in res and b in res else "—"
    print("| engine | floor | batch | hand_batch | batch / hand_batch | batch / floor | one by one "
          "| one by one / batch |")
    print(f"| {args.engine} | {fig('floor')} | {fig('batch')} | {fig('hand_batch')} | {ratio('batch', 'hand_batch')} "
          f"| {ratio('batch', 'floor')} | {fig('one_by_one')} | {ratio('one_by_one', 'batch')} |")


if __name__ == "__main__":
    main()
