"""Soak test: mixed load for a long time against gunicorn while workers are killed with SIGKILL.

    python bench/soak.py prepare --state STATE.json                      # Django: accounts, tokens, codes
    python bench/soak.py run --state STATE.json --log LOG.jsonl --meta META.json \\
        --base http://127.0.0.1:8766 --master-pid PID --duration 1800 --kill-every 180
    python bench/soak.py verify --state STATE.json --log LOG.jsonl --meta META.json --output RESULT.json

``bench/soak.sh`` runs the three in order against the production set-up and keeps the request log
next to the result (``bench/results/<name>.requests.jsonl.gz``; lookup secrets are never logged).

``run`` is a plain HTTP client (no Django): ``concurrency`` closed-loop clients send a mix of
online submissions (real API, multipart, an ``Idempotency-Key`` per submission, retried with the
same key after a connection error or 5xx), dossier reads, history reads, the citizen's list,
receive/forward transitions, public lookups and the officer work-queue page. Every request is
one line of the log. A killer thread sends SIGKILL to one gunicorn worker every ``kill-every``
seconds, preferably while a submission is in flight; the master respawns it.

``verify`` (Django) checks the log against the database: every submission answered 2xx exists with
its code, once, with all its files on disk; a key retried after a failure is one dossier; no 5xx or
connection error outside a window around each kill; ``thudo audit_verify`` passes.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import platform
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
KILL_WINDOW_S = 5.0  # a failure whose request overlaps [kill - 5 s, kill + 5 s] belongs to that kill
MIX = {  # operation -> weight
    "submit": 20,
    "read": 20,
    "events": 5,
    "my_list": 10,
    "receive": 10,
    "forward": 5,
    "lookup": 15,
    "queue_page": 10,
}


# --- prepare (Django) ---------------------------------------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(BENCH))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thudo.conf.settings")
    import django

    django.setup()


def _pdf() -> bytes:
    """A small well-formed one-page PDF (the upload checks refuse a malformed one)."""
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def prepare(args: argparse.Namespace) -> None:
    """Reuse bench/prepare.py (accounts ``bench.congdan`` / ``bench.canbo``, tokens, session, codes)."""
    _django()
    import prepare as bench_prepare  # bench/prepare.py

    from thudo.core.models import User
    from thudo.procedures.models import Procedure

    argv = sys.argv
    sys.argv = ["prepare.py", "--output", args.state, "--sample", "2000"]
    try:
        bench_prepare.main()
    finally:
        sys.argv = argv
    state = json.loads(Path(args.state).read_text())
    procedure = (
        Procedure.objects.filter(status="published", code=state["procedure"]).order_by("-version").first()
    )
    state["papers_needed"] = max(1, procedure.papers.filter(mandatory=True).count())
    state["citizen_pk"] = User.objects.get(username="bench.congdan").pk
    state["pdf_b64"] = base64.b64encode(_pdf()).decode()
    state["open_codes"] = state.get("open_codes", [])[:500]
    state["orphans_before"] = orphan_files()["all"]
    Path(args.state).write_text(json.dumps(state))
    print(f"soak state: procedure {state['procedure']} ({state['papers_needed']} file(s)) -> {args.state}")


# --- run (HTTP only) ----------------------------------------------------------------------------


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False).stdout
    return sorted(int(p) for p in out.split())


class Soak:
    def __init__(self, args: argparse.Namespace, state: dict):
        self.args = args
        self.state = state
        self.pdf = base64.b64decode(state["pdf_b64"])
        self.lock = threading.Lock()
        self.log = open(args.log, "w", buffering=1)  # noqa: SIM115 (closed in run())
        self.t0 = time.time()
        self.deadline = time.monotonic() + args.duration
        self.stop = threading.Event()
        self.submitted: list[str] = []  # codes to receive
        self.received: list[str] = []  # codes to forward
        self.open_codes = list(state.get("open_codes", []))
        self.lookups = [tuple(x) for x in state.get("lookups", [])][:500]
        self.read_codes = list(state.get("codes", []))[:1000]
        self.in_flight_submits = 0
        self.kills: list[dict] = []
        self.loadavg: list[dict] = []
        self.seq = 0

    # one request, logged
    def send(
        self, client, op: str, method: str, path: str, *, key: str | None = None, attempt: int = 1, **kw
    ):
        with self.lock:
            self.seq += 1
            seq = self.seq
        started = time.time()
        status: int | str
        body = None
        try:
            response = client.request(method, path, **kw)
            status = response.status_code
            if response.headers.get("content-type", "").startswith("application/json"):
                with contextlib.suppress(ValueError):
                    body = response.json()
        except Exception as exc:  # any transport failure is a result to record
            status = type(exc).__name__
        ended = time.time()
        row = {
            "seq": seq,
            "op": op,
            "method": method,
            "path": path,
            "start": round(started, 4),
            "end": round(ended, 4),
            "status": status,
        }
        if key:
            row["key"], row["attempt"] = key, attempt
        if isinstance(body, dict):
            if "code" in body and op in ("submit", "receive", "forward"):
                row["code"] = body.get("code")
            if isinstance(status, int) and status >= 400:
                row["error"] = {k: body.get(k) for k in ("code", "message")}
        self.log.write(json.dumps(row, ensure_ascii=False) + "\n")
        return status, body

    @staticmethod
    def failed(status) -> bool:
        return not isinstance(status, int) or status >= 500

    def submit(self, client) -> None:
        s = self.state
        key = uuid.uuid4().hex
        files = [
            ("files", (f"giay-to-{i + 1}.pdf", self.pdf, "application/pdf"))
            for i in range(s["papers_needed"])
        ]
        data = {
            "procedure": s["procedure"],
            "agency": s["agency"],
            "form_data": json.dumps({"ghi_chu": "soak"}),
        }
        headers = {"Authorization": f"Bearer {s['citizen_token']}", "Idempotency-Key": key}
        with self.lock:
            self.in_flight_submits += 1
        try:
            for attempt in range(1, 7):
                status, body = self.send(
                    client, "submit", "POST", s["create_path"], key=key, attempt=attempt,
                    data=data, files=files, headers=headers,
                )  # fmt: skip
                if not self.failed(status):
                    break
                time.sleep(0.5 * attempt)
        finally:
            with self.lock:
                self.in_flight_submits -= 1
        if isinstance(status, int) and status < 300 and body:
            with self.lock:
                self.submitted.append(body["code"])
                self.read_codes.append(body["code"])
                if body.get("secret"):
                    self.lookups.append((body["code"], body["secret"]))

    def transition(self, client, op: str) -> None:
        officer = {"Authorization": f"Bearer {self.state['officer_token']}"}
        with self.lock:
            pool = (self.submitted or self.open_codes) if op == "receive" else self.received
            code = pool.pop(random.randrange(len(pool))) if pool else None
        if code is None:
            return self.read(client)
        path = f"/api/v1/dossiers/{code}/{op}"
        for attempt in range(1, 4):
            status, _body = self.send(
                client,
                op,
                "POST",
                path,
                key=f"{op}:{code}",
                attempt=attempt,
                headers=officer,
                json={"note": "soak"},
            )
            if not self.failed(status):
                break
            time.sleep(0.5 * attempt)
        if isinstance(status, int) and status < 300 and op == "receive":
            with self.lock:
                self.received.append(code)
        return None

    def read(self, client) -> None:
        officer = {"Authorization": f"Bearer {self.state['officer_token']}"}
        with self.lock:
            code = random.choice(self.read_codes) if self.read_codes else None
        if code:
            self.send(client, "read", "GET", f"/api/v1/dossiers/{code}", headers=officer)

    def one(self, client, pages, rnd: random.Random) -> None:
        """One operation of the mix; ``pages`` carries the officer's session cookie."""
        op = rnd.choices(list(MIX), weights=list(MIX.values()))[0]
        s = self.state
        officer = {"Authorization": f"Bearer {s['officer_token']}"}
        if op == "submit":
            self.submit(client)
        elif op in ("receive", "forward"):
            self.transition(client, op)
        elif op == "read":
            self.read(client)
        elif op == "events":
            with self.lock:
                code = rnd.choice(self.read_codes) if self.read_codes else None
            if code:
                self.send(client, op, "GET", f"/api/v1/dossiers/{code}/events", headers=officer)
        elif op == "my_list":
            headers = {"Authorization": f"Bearer {s['citizen_token']}"}
            self.send(client, op, "GET", "/api/v1/dossiers", params={"limit": 20}, headers=headers)
        elif op == "lookup":
            with self.lock:
                pair = rnd.choice(self.lookups) if self.lookups else None
            if pair:
                self.send(
                    client, op, "GET", "/api/v1/dossiers/lookup", params={"code": pair[0], "secret": pair[1]}
                )
        elif op == "queue_page":
            self.send(pages, op, "GET", s["queue_path"])

    def client_loop(self, no: int) -> None:
        import httpx

        rnd = random.Random(1000 + no)
        cookies = self.state["officer_cookies"]
        with (
            httpx.Client(base_url=self.args.base, timeout=30) as client,
            httpx.Client(base_url=self.args.base, timeout=30, cookies=cookies) as pages,
        ):
            while time.monotonic() < self.deadline:
                self.one(client, pages, rnd)
                time.sleep(self.args.think)

    def killer(self) -> None:
        rnd = random.Random(99)
        next_kill = time.monotonic() + self.args.first_kill
        while not self.stop.is_set():
            if time.monotonic() < next_kill:
                self.stop.wait(0.2)
                continue
            if time.monotonic() > self.deadline - 20:
                return
            # Prefer a moment when a submission is in flight (up to 10 s of waiting).
            waited = time.monotonic()
            while self.in_flight_submits == 0 and time.monotonic() - waited < 10:
                time.sleep(0.005)
            time.sleep(rnd.uniform(0, 0.05))
            before = worker_pids(self.args.master_pid)
            if not before:
                self.kills.append({"at": time.time(), "error": "no worker found"})
            else:
                victim = rnd.choice(before)
                during_submit = self.in_flight_submits > 0
                at = time.time()
                os.kill(victim, signal.SIGKILL)
                respawned = None
                for _ in range(300):
                    now = worker_pids(self.args.master_pid)
                    if len(now) >= len(before) and victim not in now:
                        respawned = time.time()
                        break
                    time.sleep(0.1)
                self.kills.append(
                    {
                        "at": round(at, 4),
                        "at_iso": datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds"),
                        "pid": victim,
                        "during_submission": during_submit,
                        "respawned_after_s": round(respawned - at, 2) if respawned else None,
                    }
                )
                print(
                    f"kill {len(self.kills)}: worker {victim} (submission in flight: {during_submit})",
                    flush=True,
                )
            next_kill = time.monotonic() + self.args.kill_every + rnd.uniform(-20, 20)

    def sampler(self) -> None:
        while not self.stop.is_set():
            with open("/proc/loadavg") as fh:
                self.loadavg.append({"t": round(time.time() - self.t0), "loadavg": fh.read().split()[:3]})
            self.stop.wait(60)

    def run(self) -> dict:
        side = [threading.Thread(target=self.sampler, daemon=True)]
        if self.args.kill_every > 0:
            side.append(threading.Thread(target=self.killer, daemon=True))
        for t in side:
            t.start()
        clients = [threading.Thread(target=self.client_loop, args=(i,)) for i in range(self.args.concurrency)]
        for t in clients:
            t.start()
        for t in clients:
            t.join()
        self.stop.set()
        for t in side:
            t.join(timeout=40)
        self.log.close()
        return {
            "started": datetime.fromtimestamp(self.t0, UTC).isoformat(timespec="seconds"),
            "duration_s": round(time.time() - self.t0, 1),
            "concurrency": self.args.concurrency,
            "think_s": self.args.think,
            "kill_every_s": self.args.kill_every,
            "kills": self.kills,
            "loadavg_samples": self.loadavg,
            "mix": MIX,
        }


def run(args: argparse.Namespace) -> None:
    host = urlsplit(args.base).hostname or ""
    if host != "localhost" and not ip_address(host).is_loopback:
        raise SystemExit("the soak test targets loopback addresses only")
    state = json.loads(Path(args.state).read_text())
    meta = Soak(args, state).run()
    Path(args.meta).write_text(json.dumps(meta, indent=2))
    print(f"soak run done: {len(meta['kills'])} kills, log {args.log}")


# --- verify (Django) ----------------------------------------------------------------------------


def near_kill(row: dict, kills: list[dict]) -> bool:
    return any(
        row["start"] <= k["at"] + KILL_WINDOW_S and row["end"] >= k["at"] - KILL_WINDOW_S for k in kills
    )


def check_submissions(rows: list[dict], state: dict) -> dict:
    """Every key answered 2xx is exactly one dossier with that code and all its files."""
    from thudo.dossiers.models import Dossier

    by_key: dict[str, list[dict]] = {}
    for r in rows:
        if r["op"] == "submit":
            by_key.setdefault(r["key"], []).append(r)
    prefix = f"{state['citizen_pk']}:"
    stored = {
        d.idempotency_key[len(prefix) :]: d
        for d in Dossier.objects.filter(idempotency_key__startswith=prefix).prefetch_related("attachments")
    }
    lost, wrong_code, codes_disagree, missing_files = [], [], [], []
    ok_keys = retried_ok = unanswered = unanswered_stored = retried_found_committed = 0
    retried_keys: set[str] = set()
    for key, attempts in by_key.items():
        good = [a for a in attempts if isinstance(a["status"], int) and a["status"] < 300]
        if not good:
            unanswered += 1
            unanswered_stored += key in stored  # committed before the kill: not lost, a retry finds it
            continue
        ok_keys += 1
        if any(not isinstance(a["status"], int) or a["status"] >= 500 for a in attempts):
            retried_ok += 1
            retried_keys.add(key)
        codes = {a.get("code") for a in good}
        if len(codes) > 1:
            codes_disagree.append({"key": key, "codes": sorted(codes)})
        d = stored.get(key)
        if d is None:
            lost.append({"key": key, "codes": sorted(codes)})
            continue
        if key in retried_keys:
            # Did the killed attempt commit (the retry found it) or did the retry create it?
            first_ok = min(a["start"] for a in good)
            retried_found_committed += d.submitted_at.timestamp() < first_ok
        if d.code not in codes:
            wrong_code.append({"key": key, "answered": sorted(codes), "stored": d.code})
        papers = list(d.attachments.all())
        if len(papers) < state["papers_needed"] or not all(
            a.file and a.file.storage.exists(a.file.name) for a in papers
        ):
            missing_files.append(d.code)
    # The unique index guarantees at most one row per key; count per answered code as well.
    answered_codes = [
        a.get("code")
        for v in by_key.values()
        for a in v
        if isinstance(a["status"], int) and a["status"] < 300
    ]
    per_code = Counter(Dossier.objects.filter(code__in=set(answered_codes)).values_list("code", flat=True))
    duplicates = sorted(c for c, n in per_code.items() if n != 1)
    return {
        "keys": len(by_key),
        "attempts": sum(len(v) for v in by_key.values()),
        "keys_answered_2xx": ok_keys,
        "keys_retried_after_failure_then_2xx": retried_ok,
        "of_which_the_failed_attempt_had_committed": retried_found_committed,
        "keys_never_answered_2xx": unanswered,
        "keys_never_answered_but_stored": unanswered_stored,
        "lost": lost,
        "code_mismatch": wrong_code,
        "answers_disagree": codes_disagree,
        "duplicates": duplicates,
        "missing_files": missing_files,
        "verdict_zero_lost": not (lost or wrong_code or codes_disagree or duplicates or missing_files),
    }


def orphan_files() -> dict:
    """Files under MEDIA_ROOT that no attachment or result refers to (informational: issue 5 part 3)."""
    from django.apps import apps
    from django.conf import settings
    from django.db.models import FileField

    referenced: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField):
                referenced.update(
                    n
                    for n in model._default_manager.exclude(**{field.name: ""}).values_list(
                        field.name, flat=True
                    )
                    if n
                )
    media = Path(settings.MEDIA_ROOT)
    on_disk = [str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()] if media.exists() else []
    orphans = sorted(p for p in on_disk if p not in referenced)
    return {"files_on_disk": len(on_disk), "unreferenced": len(orphans), "all": orphans}


def server_log(path: str) -> dict:
    """Counts from gunicorn's error log (worker deaths, tracebacks) and the last traceback, if any."""
    if not path or not Path(path).exists():
        return {}
    text = Path(path).read_text(errors="replace")
    last = text.rsplit("Traceback", 1)[1][-3000:] if "Traceback" in text else ""
    return {
        "tracebacks": text.count("Traceback"),
        "worker_killed_lines": text.count("SIGKILL") + text.count("was sent SIGKILL"),
        "worker_boots": text.count("Booting worker"),
        "internal_server_error_lines": text.count("Internal Server Error"),
        "last_traceback_tail": last,
    }


def new_orphans(state: dict) -> dict:
    """Unreferenced files that appeared during the soak (a worker killed after storing a file and
    before its transaction committed leaves one; issue 5 part 3 has a task that removes them)."""
    now = orphan_files()
    before = set(state.get("orphans_before", []))
    new = [p for p in now["all"] if p not in before]
    return {
        "files_on_disk": now["files_on_disk"],
        "unreferenced_before_soak": len(before),
        "unreferenced_new": len(new),
        "new_examples": new[:10],
    }


def verify(args: argparse.Namespace) -> None:
    _django()
    from django.core.management import CommandError, call_command
    from django.db import connection

    state = json.loads(Path(args.state).read_text())
    meta = json.loads(Path(args.meta).read_text())
    rows = [json.loads(line) for line in Path(args.log).read_text().splitlines() if line.strip()]
    kills = [k for k in meta["kills"] if "at" in k and "pid" in k]

    by_op: dict[str, Counter] = {}
    for r in rows:
        by_op.setdefault(r["op"], Counter())[str(r["status"])] += 1
    failures = [r for r in rows if Soak.failed(r["status"])]
    outside = [r for r in failures if not near_kill(r, kills)]
    unexpected_4xx = [
        r
        for r in rows
        if isinstance(r["status"], int)
        and 400 <= r["status"] < 500
        and not (r["op"] in ("receive", "forward") and r["status"] == 409)  # already moved on
    ]
    submissions = check_submissions(rows, state)
    try:
        from io import StringIO

        out = StringIO()
        call_command("audit_verify", stdout=out)
        audit = {"ok": True, "message": out.getvalue().strip()}
    except CommandError as exc:
        audit = {"ok": False, "message": str(exc)}
    pg = connection.vendor
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("show server_version")
            pg = f"PostgreSQL {cur.fetchone()[0]}"
    with open("/proc/loadavg") as fh:
        load_after = fh.read().split()[:3]
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout
    gunicorn_version = subprocess.run(
        ["gunicorn", "--version"], capture_output=True, text=True
    ).stdout.strip()
    result = {
        "command": args.command_line or " ".join(sys.argv),
        "machine": {
            "nproc": os.cpu_count(),
            "cpu": cpu,
            "mem_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(),
            "postgres": pg,
            "gunicorn": gunicorn_version,
            "commit": commit.strip(),
            "shared": "2 cores shared with other developers' processes; see load averages",
        },
        "setup": {
            "server": "gunicorn thudo.conf.wsgi, 2 sync workers, 127.0.0.1:8766, DEBUG off, PostgreSQL",
            "procedure": state["procedure"],
            "agency": state["agency"],
            "files_per_submission": state["papers_needed"],
            "dossiers_before": state.get("dossiers"),
            "kill_window_s": KILL_WINDOW_S,
        },
        "run": {k: v for k, v in meta.items() if k != "loadavg_samples"},
        "loadavg": {
            "before": args.loadavg_before.split() if args.loadavg_before else None,
            "during": meta.get("loadavg_samples"),
            "after": load_after,
        },
        "counts": {
            "requests": len(rows),
            "by_operation": {op: dict(c) for op, c in sorted(by_op.items())},
            "failures_5xx_or_connection": len(failures),
            "failures_at_kills": len(failures) - len(outside),
            "failures_outside_kills": len(outside),
            "unexpected_4xx": len(unexpected_4xx),
        },
        "submissions": submissions,
        "audit": audit,
        "orphan_files": new_orphans(state),
        "server_log": server_log(args.server_log),
        "failures_outside_kills": outside[:50],
        "unexpected_4xx_examples": unexpected_4xx[:20],
        "failures_at_kills_examples": [r for r in failures if near_kill(r, kills)][:30],
    }
    result["verdicts"] = {
        "zero_lost_dossiers": submissions["verdict_zero_lost"] and submissions["keys_answered_2xx"] > 0,
        "no_5xx_outside_kills": not outside,
        "audit_chain_verifies": audit["ok"],
        "workers_killed": len(kills),
        "all_kills_respawned": all(k.get("respawned_after_s") is not None for k in kills),
    }
    result["verdicts"]["pass"] = (
        all(
            result["verdicts"][k]
            for k in ("zero_lost_dossiers", "no_5xx_outside_kills", "audit_chain_verifies")
        )
        and (result["verdicts"]["all_kills_respawned"])
    )
    Path(args.output).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({"verdicts": result["verdicts"], "counts": result["counts"]}, indent=2))
    if not result["verdicts"]["pass"]:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--state", required=True)
    r = sub.add_parser("run")
    r.add_argument("--state", required=True)
    r.add_argument("--log", required=True)
    r.add_argument("--meta", required=True)
    r.add_argument("--base", default="http://127.0.0.1:8766")
    r.add_argument("--master-pid", type=int, required=True)
    r.add_argument("--duration", type=float, default=1800)
    r.add_argument("--concurrency", type=int, default=3)
    r.add_argument("--think", type=float, default=0.05, help="pause after each operation (s)")
    r.add_argument("--kill-every", type=float, default=180, help="seconds between kills (0: none)")
    r.add_argument("--first-kill", type=float, default=60)
    v = sub.add_parser("verify")
    v.add_argument("--state", required=True)
    v.add_argument("--log", required=True)
    v.add_argument("--meta", required=True)
    v.add_argument("--output", required=True)
    v.add_argument("--command-line", default="")
    v.add_argument("--loadavg-before", default="")
    v.add_argument("--server-log", default="")
    args = parser.parse_args()
    {"prepare": prepare, "run": run, "verify": verify}[args.cmd](args)


if __name__ == "__main__":
    main()
