"""What bench/duckdb_ab.py and bench/chdb_ab.py share: statements alternated round by
round, timed in wall and process CPU time, reported as medians and ratios to the first.
Standard library only, so that each engine's script needs only its own client."""
import resource
import statistics
import time


def strip(sql):
    """A statement without its `--` comment lines and trailing semicolon."""
    lines = [l for l in sql.splitlines() if not l.startswith("--")]
    return "\n".join(lines).strip().rstrip(";")


def cpu():
    """CPU time of this process so far (user + system, every thread)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def alternate(names, rounds, run, after=lambda name: None):
    """Runs `run(name)` for every name in each of `rounds` rounds, in an order rotated
    round by round (and every other cycle reversed) so that none is always first, and
    `after(name)` after each run, untimed; then prints each name's median wall and CPU
    time and their ratios to the first name's, with its CPU time round by round."""
    wall = {n: [] for n in names}
    used = {n: [] for n in names}
    for r in range(rounds):
        k = r % len(names)
        order = names[k:] + names[:k]
        if (r // len(names)) % 2:
            order.reverse()
        for n in order:
            t, c = time.perf_counter(), cpu()
            run(n)
            wall[n].append(time.perf_counter() - t)
            used[n].append(cpu() - c)
            after(n)
    w0, c0 = statistics.median(wall[names[0]]), statistics.median(used[names[0]])
    for n in names:
        w, c = statistics.median(wall[n]), statistics.median(used[n])
        print(
            f"{n}: wall {w:.3f} s ({w / w0:.3f}), cpu {c:.3f} s ({c / c0:.3f}); "
            f"cpu by round {', '.join(f'{x:.2f}' for x in used[n])}"
        )
