"""Spark SQL for the conformance suite (the databricks dialect): one local SparkSession.

The session time zone is UTC, as docs/dialects.md requires of Databricks. ANSI mode is
left at the release's default (on since Spark 4.0, as on Databricks SQL).
"""

import datetime
import decimal
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from protocol import protocol_out, serve  # noqa: E402


def text(v):
    """A value as text: what Spark's CAST(v AS STRING) gives for the types we read."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (datetime.date, decimal.Decimal, int, float)):
        return str(v)
    return str(v)


def main():
    out = protocol_out()
    warehouse = sys.argv[1]
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("segql-conformance")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", warehouse)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # Tiny tables: one shuffle partition and no adaptive re-planning are faster.
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")

    def execute(sql):
        spark.sql(sql).collect()

    def query(sql):
        return [[text(v) for v in row] for row in spark.sql(sql).collect()]

    serve(out, f"Spark {spark.version}", execute, query)
    spark.stop()


if __name__ == "__main__":
    main()
