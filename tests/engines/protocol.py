"""The line-delimited JSON protocol the conformance harness speaks with engine helpers.

The harness (tests/src/engines/python.rs) starts a helper once per suite run and sends
one request per line on its standard input:

    {"op": "execute", "sql": "..."}   run a statement, discard any result
    {"op": "query", "sql": "..."}     run a query, return every row as text

and reads one answer per line on the helper's standard output:

    {"ok": true, "rows": [["u1", null], ...]}    (rows only for "query")
    {"ok": false, "error": "..."}

The first line a helper writes is {"ok": true, "ready": "<engine version>"}. Anything
else the engine prints goes to standard error, which the harness keeps in a log file.
"""

import json
import os
import sys


def protocol_out():
    """Keeps the real standard output for answers and points fd 1 at standard error,
    so that nothing an engine (or a JVM it starts) prints can corrupt the protocol."""
    fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(fd, "w", encoding="utf-8", buffering=1)


def serve(out, version, execute, query):
    out.write(json.dumps({"ok": True, "ready": version}) + "\n")
    out.flush()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        try:
            if req["op"] == "execute":
                execute(req["sql"])
                answer = {"ok": True}
            elif req["op"] == "query":
                answer = {"ok": True, "rows": query(req["sql"])}
            else:
                answer = {"ok": False, "error": "unknown op " + repr(req["op"])}
        except Exception as e:  # the engine's error, reported to the harness
            answer = {"ok": False, "error": f"{type(e).__name__}: {e}"[:2000]}
        out.write(json.dumps(answer, ensure_ascii=True) + "\n")
        out.flush()
