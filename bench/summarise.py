"""Print the median of the runs per scenario from a bench/results/*.json file, against targets."""

import json
import statistics
import sys
from pathlib import Path

TARGETS = {  # issue 4: 10x Open Zaak 1.30 on the same kind of machine
    "create": {"rps": 270, "p99": 100},
    "read": {"rps": 360, "p99": 100},
    "transition": {"rps": 135, "p99": 100},
    "receive": {"rps": 135, "p99": 100},
    "queue": {"p50": 50},
    "kpi_unit": {"p99": 100},
    "ranking": {"p99": 100},
}


def main(path: str) -> None:
    data = json.loads(Path(path).read_text())
    by: dict[str, list[dict]] = {}
    for run in data["runs"]:
        by.setdefault(run["scenario"], []).append(run)
    summary = {}
    print(f"{'scenario':<12}{'rps':>9}{'p50':>9}{'p90':>9}{'p99':>9}{'cpu ms':>9}  target")
    for name, runs in by.items():
        med = {
            "rps": statistics.median(r["throughput_rps"] for r in runs),
            "p50": statistics.median(r["latency_ms"]["p50"] for r in runs),
            "p90": statistics.median(r["latency_ms"]["p90"] for r in runs),
            "p99": statistics.median(r["latency_ms"]["p99"] for r in runs),
            "cpu": statistics.median((r["server_cpu_ms_per_request"] or 0) for r in runs),
            "errors": sum(sum(r["errors"].values()) for r in runs),
        }
        target = TARGETS.get(name, {})
        met = all(med["rps"] >= v if k == "rps" else med[k] <= v for k, v in target.items())
        summary[name] = {**med, "target": target, "met": met}
        numbers = "".join(f"{med[k]:>9.1f}" for k in ("rps", "p50", "p90", "p99", "cpu"))
        errors = f" errors={med['errors']}" if med["errors"] else ""
        print(f"{name:<12}{numbers}  {target} {'met' if met else 'NOT met'}{errors}")
    data["median"] = summary
    Path(path).write_text(json.dumps(data, indent=2))


if __name__ == "__main__":
    main(sys.argv[1])
