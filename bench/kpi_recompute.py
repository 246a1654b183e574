"""Time the KPI month recompute for all units (issue 4 target: <= 5 s at 5 M dossiers).

    python bench/kpi_recompute.py [--period 2026-11] [--runs 3] [--output bench/results/kpi-rollup-5m.json]

Runs ``thudo kpi_rollup --period P`` (the whole command: start-up, the month's read, one
transaction per agency) ``--runs`` times against THUDO_DATABASE_URL (default: the bench database)
and prints / writes the wall and CPU times with the median, the machine and the exact command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    today = dt.datetime.now(dt.UTC).date()
    last = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    parser.add_argument("--period", default=last)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output")
    args = parser.parse_args()
    os.environ.setdefault("THUDO_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thudo_bench")
    # Every command refuses to start without a payment gateway chosen (check thudo.E001).
    os.environ.setdefault("THUDO_PAYMENT_GATEWAY", "simulated")
    command = ["thudo", "kpi_rollup", "--period", args.period]
    runs = []
    for _ in range(args.runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        subprocess.run(command, check=True, capture_output=True)
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        runs.append({"wall_s": round(wall, 2), "python_cpu_s": round(cpu, 2), "loadavg": os.getloadavg()})
        print(f"run {len(runs)}: {wall:.2f} s wall, {cpu:.2f} s CPU", file=sys.stderr)
    result = {
        "command": " ".join(["python", *sys.argv]),
        "measured": " ".join(command),
        "machine": {"nproc": os.cpu_count(), "python": platform.python_version(), "node": platform.node()},
        "runs": runs,
        "median_wall_s": statistics.median(r["wall_s"] for r in runs),
        "target_s": 5,
    }
    result["met"] = result["median_wall_s"] <= result["target_s"]
    print(json.dumps(result, indent=2))
    if args.output:
        with open(args.output, "w") as fh:
            json.dump(result, fh, indent=2)


if __name__ == "__main__":
    main()
