"""ClickHouse for the conformance suite: chdb (ClickHouse in process), one session.

Runs with the server's defaults; in particular join_use_nulls stays 0, as users run it,
so unmatched outer-join columns read as 0 or '' (the SQL segql writes must cope).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from protocol import protocol_out, serve  # noqa: E402


def cell(v):
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    return json.dumps(v)


def main():
    out = protocol_out()
    import chdb
    from chdb import session

    path = sys.argv[1] if len(sys.argv) > 1 else ""
    sess = session.Session(path) if path else session.Session()
    version = sess.query("SELECT version()", "TSVRaw").data().strip()
    # Decimals as strings, like 64-bit integers: as JSON numbers they would pass through
    # a Python float (a report's 1234567890.123456789 would lose digits).
    sess.query("SET output_format_json_quote_decimals = 1")

    def execute(sql):
        sess.query(sql)

    def query(sql):
        # 64-bit integers come quoted (ClickHouse's default), so keys keep every digit;
        # decimals are quoted too (above).
        res = sess.query(sql, "JSONCompact")
        text = res.data()
        if not text.strip():
            return []
        return [[cell(v) for v in row] for row in json.loads(text)["data"]]

    serve(out, f"ClickHouse {version} (chdb {chdb.__version__})", execute, query)


if __name__ == "__main__":
    main()
