#!/usr/bin/env python3
"""Statements side by side on ClickHouse (chdb), for hand-made variants of a compiled batch.

    ~/.cache/segql-venv/bin/python bench/chdb_ab.py --data DIR --rounds N A.sql B.sql [C.sql ...]

Loads DIR (users.parquet, accounts.parquet, events/*/*.parquet, as written by segql-datagen)
into MergeTree tables of a database `analytics`, the way bench/engines.py does, runs every
statement once to warm up, then N rounds; each round runs the statements in an order rotated
(and every other cycle reversed) so that none is always first. Each run materializes the
result (`CREATE TABLE ... ENGINE = Memory AS`), as engines.py does. Prints per statement the
median wall time and the median CPU time of the process (user + system, both threads), and
both as ratios to the first statement: CPU time moves less than wall time on a shared machine.

With --check, compares every statement's rows with the first one's (`EXCEPT` both ways, NULL
equal to NULL) and stops at the first difference instead of timing.
"""
import argparse, pathlib, sys
from chdb import session

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from ab import alternate, strip  # noqa: E402

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("--data", required=True)
p.add_argument("--rounds", type=int, default=8)
p.add_argument("--check", action="store_true")
p.add_argument("files", nargs="+")
a = p.parse_args()

s = session.Session()
s.query("CREATE DATABASE IF NOT EXISTS analytics")
for table, path in [("users", "users.parquet"), ("accounts", "accounts.parquet"), ("events", "events/*/*.parquet")]:
    s.query(f"CREATE TABLE analytics.{table} ENGINE = MergeTree ORDER BY tuple() "
            f"AS SELECT * FROM file('{a.data}/{path}', Parquet)")
sql = {f: strip(open(f).read()) for f in a.files}

if a.check:
    s.query(f"CREATE TABLE default.base ENGINE = Memory AS {sql[a.files[0]]}")
    for i, f in enumerate(a.files[1:]):
        s.query(f"CREATE TABLE default.other{i} ENGINE = Memory AS {sql[f]}")
        n = str(s.query(
            f"SELECT (SELECT count() FROM (SELECT * FROM default.base EXCEPT SELECT * FROM default.other{i}))"
            f" + (SELECT count() FROM (SELECT * FROM default.other{i} EXCEPT SELECT * FROM default.base))",
            "TSV")).strip()
        print(f"{f}: {'the same rows' if n == '0' else n + ' rows differ'}")
        if n != "0":
            sys.exit(1)
    sys.exit(0)


for f in a.files:
    s.query(f"SELECT count() FROM ({sql[f]})")
made = 0


def run(f):
    global made
    made += 1
    s.query(f"CREATE TABLE default.r{made} ENGINE = Memory AS {sql[f]}")


alternate(a.files, a.rounds, run, after=lambda f: s.query(f"DROP TABLE default.r{made}"))
