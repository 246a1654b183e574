"""Closed-loop HTTP load against a running server on 127.0.0.1, bounded in time.

    python bench/load.py --base http://127.0.0.1:8765 --scenario read --concurrency 8 --duration 30 \\
        --server-pids 1234,1235 --setup bench/state.json [--client wrk|httpx]

Each of ``concurrency`` connections sends one request, waits for the answer, sends the next, until
``duration`` seconds have passed. Prints one JSON object: throughput, latency percentiles, error
counts, the server's CPU per request (from /proc of the given worker pids) and the load client's
own CPU per request. Refuses any base URL that is not a loopback address.

The client is wrk (C, as in the peer's measurement; ``bench/wrk.lua`` builds the requests) when it
is installed, else an asyncio httpx loop. The choice matters on a 2-core machine: the Python client
spends a few milliseconds of CPU per request on the same cores as the server, wrk a few tens of
microseconds (``client_cpu_ms_per_request`` in the results).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from ipaddress import ip_address
from pathlib import Path
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
        cpu0, client0, t0 = cpu_seconds(pids), client_cpu_seconds(False), time.monotonic()
        deadline = t0 + args.duration
        await asyncio.gather(
            *[client_loop(client, scenario, i, deadline, out) for i in range(args.concurrency)]
        )
        wall, cpu = time.monotonic() - t0, cpu_seconds(pids) - cpu0
        client_cpu = client_cpu_seconds(False) - client0
    lat = out["latencies"]
    n = len(lat)
    return {
        "scenario": args.scenario,
        "client": "httpx",
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
        "client_cpu_ms_per_request": round(1000 * client_cpu / n, 3) if n else None,
        # from the X-Queries header (server started with THUDO_BENCH_QUERIES=1)
        "sql_queries_per_request": (
            {"median": statistics.median(q), "max": max(q)} if (q := out["queries"]) else None
        ),
        "rss_mb_per_worker": rss_mb(pids),
        "loadavg": open("/proc/loadavg").read().split()[:3],
    }


def client_cpu_seconds(children: bool) -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


WARM_UP_WRITES = 1000
WARM_UP_S = 5


def _wrk_files(scenario: Scenario, folder: Path, *, warm_up: bool = False) -> None:
    """requests.txt, body.bin and settings.txt for bench/wrk.lua (see its header)."""
    import io

    s = scenario.state
    officer = f"Authorization: Bearer {s['officer_token']}"
    cookie = "Cookie: " + "; ".join(f"{k}={v}" for k, v in (s.get("officer_cookies") or {}).items())
    body, settings, lines = b"", "cycle", []
    name = scenario.name
    if name == "read":
        lines = [f"GET\t/api/v1/dossiers/{c}\t{officer}" for c in scenario.codes]
        random.Random(7).shuffle(lines)
    elif name == "lookup":
        lines = [f"GET\t/api/v1/dossiers/lookup?code={c}&secret={k}" for c, k in s["lookups"]]
    elif name in ("queue", "kpi_unit"):
        lines = [f"GET\t{s[name + '_path']}\t{cookie}"]
    elif name == "ranking":
        lines = [f"GET\t{s['ranking_path']}"]
    elif name in ("transition", "receive"):
        codes = scenario.step_codes if name == "transition" else scenario.open_codes
        # The warm-up run acts on dossiers of its own (the first ones), the measured run on the rest.
        codes = codes[:WARM_UP_WRITES] if warm_up else codes[WARM_UP_WRITES:]
        verb = "forward" if name == "transition" else "receive"
        lines = [
            f"POST\t/api/v1/dossiers/{c}/{verb}\t{officer}\x1fContent-Type: application/json" for c in codes
        ]
        body, settings = json.dumps({"note": "bench"}).encode(), "once"
    elif name == "create":
        boundary = "thudo-bench-" + uuid.uuid4().hex
        buf = io.BytesIO()
        form = {"procedure": s["procedure"], "agency": s["agency"], "form_data": '{"ghi_chu": "bench"}'}
        for key, value in form.items():
            part = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
            buf.write(part.encode())
        for i in range(s.get("create_files", 1)):
            disposition = f'form-data; name="files"; filename="giay-to-{i}.pdf"'
            part = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
            part += "Content-Type: application/pdf\r\n\r\n"
            buf.write(part.encode())
            buf.write(s["pdf"] + b"\r\n")
        buf.write(f"--{boundary}--\r\n".encode())
        body = buf.getvalue()
        citizen = f"Authorization: Bearer {s['citizen_token']}"
        content_type = f"Content-Type: multipart/form-data; boundary={boundary}"
        lines = [f"POST\t{s['create_path']}\t{citizen}\x1f{content_type}"]
        settings = "cycle idempotency"
    else:
        raise ValueError(name)
    (folder / "requests.txt").write_text("\n".join(lines) + "\n")
    (folder / "body.bin").write_bytes(body)
    (folder / "settings.txt").write_text(settings)


def run_wrk(args: argparse.Namespace) -> dict:
    with open(args.setup) as fh:
        state = json.load(fh)
    state["pdf"] = blank_pdf()
    scenario = Scenario(args.scenario, state)
    pids = [int(p) for p in args.server_pids.split(",") if p]
    threads = min(2, args.concurrency)
    script = Path(__file__).with_name("wrk.lua")
    with tempfile.TemporaryDirectory(prefix="thudo-wrk-") as folder:
        warm, main = Path(folder) / "warm-up", Path(folder) / "measured"
        for part in (warm, main):
            part.mkdir()
            _wrk_files(scenario, part, warm_up=part is warm)

        def wrk(seconds: float, tag: str, files: Path) -> dict:
            command = ["wrk", "-t", str(threads), "-c", str(args.concurrency), "-d", f"{round(seconds)}s"]
            command += ["--timeout", "30s", "-s", str(script), args.base]
            env = {"THUDO_WRK_DIR": str(files), "THUDO_WRK_THREADS": str(threads), "THUDO_WRK_TAG": tag}
            out = subprocess.run(
                command, env={**os.environ, **env}, check=True, capture_output=True, text=True
            ).stdout
            return json.loads(out.strip().splitlines()[-1])

        tag = uuid.uuid4().hex[:12]
        wrk(WARM_UP_S, tag + "w", warm)  # warm-up: workers load everything (calendars, templates)
        cpu0, client0, t0 = cpu_seconds(pids), client_cpu_seconds(True), time.monotonic()
        result = wrk(args.duration, tag, main)
        wall = time.monotonic() - t0
        cpu, client = cpu_seconds(pids) - cpu0, client_cpu_seconds(True) - client0
    measured = result["duration_us"] / 1e6
    n = result["requests"] - result["status_errors"] - result["spare"]
    errors = {}
    if result["status_errors"]:
        errors["http>=400"] = result["status_errors"]
    if result["socket_errors"]:
        errors["socket"] = result["socket_errors"]
    if result["spare"]:
        errors["ran_out_of_dossiers"] = result["spare"]
    return {
        "scenario": args.scenario,
        "client": "wrk",
        "concurrency": args.concurrency,
        "duration_s": round(measured, 2),
        "requests_ok": n,
        "errors": errors,
        "throughput_rps": round(n / measured, 1) if measured else 0,
        "latency_ms": {
            "p50": round(result["p50_us"] / 1000, 2),
            "p90": round(result["p90_us"] / 1000, 2),
            "p99": round(result["p99_us"] / 1000, 2),
            "mean": round(result["mean_us"] / 1000, 2),
        },
        "server_cpu_ms_per_request": round(1000 * cpu / n, 2) if n and pids else None,
        "client_cpu_ms_per_request": round(1000 * client / n, 3) if n else None,
        # from the X-Queries header (server started with THUDO_BENCH_QUERIES=1); wrk keeps sums
        "sql_queries_per_request": (
            {"mean": round(result["queries_sum"] / result["queries_n"], 1), "max": result["queries_max"]}
            if result["queries_n"]
            else None
        ),
        "rss_mb_per_worker": rss_mb(pids),
        "loadavg": open("/proc/loadavg").read().split()[:3],
        "wall_s": round(wall, 2),
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
    default_client = "wrk" if shutil.which("wrk") else "httpx"
    parser.add_argument("--client", choices=["wrk", "httpx"], default=default_client)
    args = parser.parse_args()
    host = urlsplit(args.base).hostname or ""
    if host != "localhost" and not ip_address(host).is_loopback:
        raise SystemExit("load tests target loopback addresses only")
    print(json.dumps(run_wrk(args) if args.client == "wrk" else asyncio.run(run(args))))


if __name__ == "__main__":
    main()
