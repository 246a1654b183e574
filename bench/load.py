"""Closed-loop HTTP load against a running server on 127.0.0.1, bounded in time.

    python bench/load.py --base http://127.0.0.1:8765 --scenario read --concurrency 8 --duration 30 \\
        --server-pids 1234,1235 --setup bench/state.json

Each of ``concurrency`` clients sends one request, waits for the answer, sends the next, until
``duration`` seconds have passed (like wrk's closed loop). Prints one JSON object: throughput,
latency percentiles, error counts, and the server's CPU seconds per request (from /proc of the
given worker pids). Refuses any base URL that is not a loopback address.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
import uuid
from ipaddress import ip_address
from urllib.parse import urlsplit

import httpx

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                parts = fh.read().rsplit(")", 1)[1].split()
            total += int(parts[11]) + int(parts[12])  # utime + stime
        except FileNotFoundError:
            continue
    return total / CLK_TCK


def blank_pdf() -> bytes:
    """A small valid one-page PDF (the server checks uploads with pypdf)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def rss_mb(pids: list[int]) -> list[int]:
    found = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as fh:
                rss = next(line for line in fh if line.startswith("VmRSS:"))
            found.append(int(rss.split()[1]) // 1024)
        except (FileNotFoundError, StopIteration):
            continue
    return found


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


class Scenario:
    """Builds requests from the state prepared by bench/prepare.py (tokens, codes, agencies)."""

    def __init__(self, name: str, state: dict):
        self.name = name
        self.state = state
        self.codes = list(state.get("codes", []))
        # Write scenarios use each dossier once; every run (a new process) starts at a random place
        # so runs after the first do not meet the dossiers the earlier ones already moved (409).
        shuffle = random.Random()
        self.open_codes = list(state.get("open_codes", []))
        self.step_codes = list(state.get("step_codes", []))
        shuffle.shuffle(self.open_codes)
        shuffle.shuffle(self.step_codes)
        self.rnd = random.Random(7)

    def request(self, client_no: int) -> tuple[str, str, dict]:
        s = self.state
        officer = {"Authorization": f"Bearer {s['officer_token']}"}
        if self.name == "create":
            body = {
                "procedure": s["procedure"],
                "agency": s["agency"],
                "form_data": json.dumps({"ghi_chu": "bench"}),
            }
            headers = {"Authorization": f"Bearer {s['citizen_token']}", "Idempotency-Key": uuid.uuid4().hex}
            return (
                "POST",
                s["create_path"],
                {
                    "data": body,
                    "headers": headers,
                    "files": [
                        ("files", (f"giay-to-{i}.pdf", s["pdf"], "application/pdf"))
                        for i in range(s.get("create_files", 1))
                    ],
                },
            )
        if self.name == "read":
            code = self.codes[self.rnd.randrange(len(self.codes))]
            return "GET", f"/api/v1/dossiers/{code}", {"headers": officer}
        if self.name == "transition":
            # Hand over to the next step of the internal process (each dossier once).
            if not self.step_codes:
                raise StopIteration
            code = self.step_codes.pop()
            return "POST", f"/api/v1/dossiers/{code}/forward", {"headers": officer, "json": {"note": "bench"}}
        if self.name == "receive":
            # Receive an online dossier: issues the receipt (form 01), a PDF rendered in the request.
            if not self.open_codes:
                raise StopIteration
            code = self.open_codes.pop()
            return "POST", f"/api/v1/dossiers/{code}/receive", {"headers": officer, "json": {"note": "bench"}}
        if self.name == "lookup":
            code, secret = s["lookups"][self.rnd.randrange(len(s["lookups"]))]
            return "GET", "/api/v1/dossiers/lookup", {"params": {"code": code, "secret": secret}}
        if self.name == "queue":
            return "GET", s["queue_path"], {}
        if self.name == "kpi_unit":
            return "GET", s["kpi_unit_path"], {}
        if self.name == "ranking":
            return "GET", s["ranking_path"], {}
        raise ValueError(self.name)


async def client_loop(
    client: httpx.AsyncClient, scenario: Scenario, no: int, deadline: float, out: dict
) -> None:
    while time.monotonic() < deadline:
        try:
            method, path, kwargs = scenario.request(no)
        except StopIteration:
            return
        t = time.perf_counter()
        try:
            response = await client.request(method, path, **kwargs)
            status = response.status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        elapsed = (time.perf_counter() - t) * 1000
        if isinstance(status, int) and status < 400:
            out["latencies"].append(elapsed)
            queries = response.headers.get("X-Queries")
            if queries is not None:
                out["queries"].append(int(queries))
        else:
            out["errors"][str(status)] = out["errors"].get(str(status), 0) + 1


async def run(args: argparse.Namespace) -> dict:
    host = urlsplit(args.base).hostname or ""
    if host != "localhost" and not ip_address(host).is_loopback:
        raise SystemExit("load tests target loopback addresses only")
    with open(args.setup) as fh:
        state = json.load(fh)
    state["pdf"] = blank_pdf()
    scenario = Scenario(args.scenario, state)
    pids = [int(p) for p in args.server_pids.split(",") if p]
    out: dict = {"latencies": [], "errors": {}, "queries": []}
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    cookies = state.get("officer_cookies") if args.scenario in {"queue", "kpi_unit"} else None
    async with httpx.AsyncClient(base_url=args.base, limits=limits, timeout=30, cookies=cookies) as client:
        # Warm-up: a few requests so workers have loaded everything.
        warm_deadline = time.monotonic() + 2
        await asyncio.gather(
            *[
                client_loop(
                    client, scenario, i, warm_deadline, {"latencies": [], "errors": {}, "queries": []}
                )
                for i in range(args.concurrency)
            ]
        )
        cpu0, t0 = cpu_seconds(pids), time.monotonic()
        deadline = t0 + args.duration
        await asyncio.gather(
            *[client_loop(client, scenario, i, deadline, out) for i in range(args.concurrency)]
        )
        wall, cpu = time.monotonic() - t0, cpu_seconds(pids) - cpu0
    lat = out["latencies"]
    n = len(lat)
    return {
        "scenario": args.scenario,
        "concurrency": args.concurrency,
        "duration_s": round(wall, 2),
        "requests_ok": n,
        "errors": out["errors"],
        "throughput_rps": round(n / wall, 1) if wall else 0,
        "latency_ms": {
            "p50": round(percentile(lat, 50), 2),
            "p90": round(percentile(lat, 90), 2),
            "p99": round(percentile(lat, 99), 2),
            "mean": round(statistics.fmean(lat), 2) if lat else None,
        },
        "server_cpu_ms_per_request": round(1000 * cpu / n, 2) if n and pids else None,
        # from the X-Queries header (server started with THUDO_BENCH_QUERIES=1)
        "sql_queries_per_request": (
            {"median": statistics.median(q), "max": max(q)} if (q := out["queries"]) else None
        ),
        "rss_mb_per_worker": rss_mb(pids),
        "loadavg": open("/proc/loadavg").read().split()[:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8765")
    parser.add_argument(
        "--scenario",
        required=True,
        choices=["create", "read", "transition", "receive", "lookup", "queue", "kpi_unit", "ranking"],
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--server-pids", default="")
    parser.add_argument("--setup", default="bench/state.json")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
