#!/usr/bin/env python3
"""bench/pair.py — paired timing of two commands, A and B, in one run.

  bench/pair.py [-n RUNS] [--warmup N] [--name TEXT] [--tsv FILE] -a 'CMD A' -b 'CMD B'
                [--la LABEL] [--lb LABEL] [--expect-a CODES] [--expect-b CODES]

A and B run in turn (A B A B ...) after N warm-up runs of each; each run is one process
(split as a shell splits words, no shell: write `sh -c '...'` for a pipeline). Its figures come
from the kernel's accounting of that process and its waited-for children (wait4: user + sys
CPU), /usr/bin/time -f %M (peak RSS of the largest process) and a monotonic clock around fork..wait (wall). Output
goes to /dev/null. Prints the median of each figure for A and B, and A/B as the ratio of the
medians (wall, CPU) with the min..max of the pair-by-pair wall ratios, so machine drift during
the run hits both sides alike. --watch PIDS also charges the CPU those processes (and their
children) used during each run to that run's side (10 ms clock ticks: read the mean). Without -b only A is timed. A run whose exit code is not in
--expect-* (default 0) is reported on stderr and counted; --tsv appends one line:
name, A label, B label, A wall/cpu ms, A peak KiB, B wall/cpu ms, B peak KiB, wall ratio,
cpu ratio, runs, load average.
"""
import argparse
import os
import shlex
import statistics
import sys
import time


DEVNULL = os.open(os.devnull, os.O_RDWR)
RSS_FILE = "/tmp/bench-pair-rss.%d" % os.getpid()


def run_once(argv):
    # The peak RSS comes from /usr/bin/time (package time) around the command: a child spawned
    # by this Python inherits Python's ~11 MiB high-water mark at exec, one forked by the small
    # time(1) does not. Wall and CPU are this side's wait4 (time's own CPU is ~0.3 ms, the same
    # for A and B).
    t0 = time.monotonic()
    pid = os.posix_spawnp("/usr/bin/time", ["/usr/bin/time", "-f", "%M", "-o", RSS_FILE] + argv,
                          os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, DEVNULL, 0),
                                        (os.POSIX_SPAWN_DUP2, DEVNULL, 1),
                                        (os.POSIX_SPAWN_DUP2, DEVNULL, 2)])
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    rss = 0
    try:
        with open(RSS_FILE) as f:
            for line in f:  # "Command exited with non-zero status N" may come first
                if line.strip().isdigit():
                    rss = int(line)
    except OSError:
        pass
    return {"wall": wall * 1000.0, "cpu": (ru.ru_utime + ru.ru_stime) * 1000.0,
            "rss": rss, "code": code}


TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu_ms(roots):
    """CPU (user + sys, ms) of the processes in roots and of their children, now."""
    procs = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        procs[int(d)] = (int(st[1]), int(st[11]) + int(st[12]))  # ppid, utime + stime
    return sum(t for pid, (ppid, t) in procs.items() if pid in roots or ppid in roots) * 1000.0 / TICK


def codes(text):
    return {int(x) for x in text.split(",") if x != ""}


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def main():
    ap = argparse.ArgumentParser(description="paired timing of two commands")
    ap.add_argument("-a", required=True)
    ap.add_argument("-b")
    ap.add_argument("--la", default="A")
    ap.add_argument("--lb", default="B")
    ap.add_argument("-n", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--name", default="")
    ap.add_argument("--tsv")
    ap.add_argument("--expect-a", default="0")
    ap.add_argument("--expect-b", default="0")
    ap.add_argument("--watch", default="", help="PIDs (comma-separated) whose CPU, with their "
                    "children's, is charged to the side that ran meanwhile (the servers)")
    o = ap.parse_args()
    sides = [("a", o.la, shlex.split(o.a), codes(o.expect_a))]
    if o.b:
        sides.append(("b", o.lb, shlex.split(o.b), codes(o.expect_b)))
    res = {k: [] for k, _, _, _ in sides}
    bad = 0
    watch = {int(x) for x in o.watch.split(",") if x}
    for i in range(o.warmup + o.n):
        for k, label, argv, ok in sides:
            w0 = tree_cpu_ms(watch) if watch else 0.0
            r = run_once(argv)
            r["srv"] = tree_cpu_ms(watch) - w0 if watch else 0.0
            if r["code"] not in ok:
                bad += 1
                print("pair: %s run %d exited %d (expected %s)" % (label, i, r["code"], o.__dict__["expect_" + k]),
                      file=sys.stderr)
            if i >= o.warmup:
                res[k].append(r)
    load = os.getloadavg()
    if o.name:
        print("== %s" % o.name)
    width = max(len(label) for _, label, _, _ in sides)
    for k, label, _, _ in sides:
        rs = res[k]
        print("  %-*s  wall %9.1f ms  cpu %9.1f ms  peak %7.1f MiB   (median of %d; wall %.1f..%.1f)"
              % (width, label, med(rs, "wall"), med(rs, "cpu"), med(rs, "rss") / 1024.0, len(rs),
                 min(r["wall"] for r in rs), max(r["wall"] for r in rs)))
        if watch:
            print("  %-*s  servers' cpu %.1f ms a run (mean; their processes: %s)"
                  % (width, "", sum(r["srv"] for r in rs) / len(rs), o.watch))
    wr = cr = float("nan")
    if o.b:
        a, b = res["a"], res["b"]
        wr = med(a, "wall") / med(b, "wall")
        cr = med(a, "cpu") / med(b, "cpu") if med(b, "cpu") > 0 else float("nan")
        pr = [x["wall"] / y["wall"] for x, y in zip(a, b)]
        print("  %s / %s: wall %.2f (pairs %.2f..%.2f)  cpu %.2f" % (o.la, o.lb, wr, min(pr), max(pr), cr))
    print("  load average %.2f %.2f %.2f%s" % (load[0], load[1], load[2],
                                              "; %d runs with an unexpected exit code" % bad if bad else ""))
    if o.tsv:
        a = res["a"]
        b = res.get("b") or [{"wall": 0, "cpu": 0, "rss": 0}]
        with open(o.tsv, "a") as f:
            f.write("\t".join([o.name, o.la, o.lb if o.b else "",
                               "%.1f" % med(a, "wall"), "%.1f" % med(a, "cpu"), "%d" % med(a, "rss"),
                               "%.1f" % med(b, "wall"), "%.1f" % med(b, "cpu"), "%d" % med(b, "rss"),
                               "%.3f" % wr, "%.3f" % cr, str(o.n), "%.2f" % load[0]]) + "\n")
    try:
        os.unlink(RSS_FILE)
    except OSError:
        pass
    return 1 if bad else 0


sys.exit(main())
