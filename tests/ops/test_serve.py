"""The platform run as a city runs it, as real processes on this machine: ``thudo serve``
(gunicorn, several workers) and ``thudo worker`` on one database. ``/readyz`` goes red while no
worker runs and green while one does; ``/metrics`` adds up the counters of every process on the
host; SIGTERM stops the server."""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.htmlforms import fields
from tests.ops.helpers import sample

SILENCE_MINUTES = 0.05  # /readyz tolerates 3 s without a heartbeat; the worker then beats every second


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    def __init__(self, data: Path) -> None:
        self.data = data
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("THUDO_", "DJANGO_", "PROMETHEUS_"))
        }
        self.env.update(
            THUDO_DATA_DIR=str(data),
            THUDO_SECRET_KEY="serve-test-" + "x" * 50,
            THUDO_PAYMENT_GATEWAY="simulated",
            THUDO_WORKER_SILENCE_MINUTES=str(SILENCE_MINUTES),
            THUDO_LOGIN_FAILURE_LIMIT="50",
        )
        self.procs: list[subprocess.Popen] = []

    def thudo(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "thudo", *args], env=self.env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def start(self, *args: str, log: str) -> subprocess.Popen:
        out = open(self.data / f"{log}.out", "w")  # noqa: SIM115 (closed with the process)
        err = open(self.data / f"{log}.err", "w")  # noqa: SIM115
        proc = subprocess.Popen([sys.executable, "-m", "thudo", *args], env=self.env, stdout=out, stderr=err)
        self.procs.append(proc)
        return proc

    def serve(self, *, workers: int) -> tuple[subprocess.Popen, str]:
        port = _free_port()
        proc = self.start(
            "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), log=f"serve-{port}"
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: get(base + "/healthz")[0] == 200, what="thudo serve answering", timeout=90)
        return proc, base

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()


def get(url: str, **headers: str) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (local test server)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, "", {}


def wait_for(condition, *, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.5)


def ready(base: str) -> tuple[int, dict]:
    status, body, _ = get(base + "/readyz", Accept="application/json")
    return status, (json.loads(body) if body.startswith("{") else {})


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("serve") / "data"
    Site(data).thudo("migrate", "--no-input", "-v", "0")
    return data


@pytest.fixture
def site(migrated):
    site = Site(migrated)
    yield site
    site.stop_all()


def test_serve_answers_on_a_free_port_and_stops_on_sigterm(site):
    proc, base = site.serve(workers=2)
    status, body, headers = get(base + "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    request_id = headers["X-Request-ID"]

    # HUP: a graceful reload — new workers (with the code on disk now) take over, nothing is lost.
    errors = site.data / f"serve-{base.rsplit(':', 1)[1]}.err"

    def booted() -> int:
        return sum("Booting worker" in line for line in errors.read_text().splitlines())

    assert booted() == 2
    proc.send_signal(signal.SIGHUP)
    wait_for(lambda: booted() == 4, what="two new workers after HUP", timeout=60)
    assert get(base + "/healthz")[0] == 200
    assert proc.poll() is None, "the master stays"

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=40) == 0
    assert get(base + "/healthz")[0] == 0, "nothing answers any more"
    access = [
        json.loads(line)
        for line in (site.data / f"serve-{base.rsplit(':', 1)[1]}.out").read_text().splitlines()
    ]
    assert any(request_id in line["event"] and "/healthz" in line["event"] for line in access)


def test_readiness_follows_the_migrations_and_the_worker(site):
    site.thudo("migrate", "core", "0003", "--no-input", "-v", "0")
    _proc, base = site.serve(workers=1)
    status, checks = ready(base)
    assert status == 503
    assert checks["Migrations(alias='default')"].startswith("Unavailable: 1 migrations not applied")
    site.thudo("migrate", "--no-input", "-v", "0")
    assert ready(base)[1]["Migrations(alias='default')"] == "OK"
    assert ready(base)[1]["Worker()"].startswith("Unavailable")

    site.thudo("shell", "-c", "from thudo.notifications.tasks import deliver_due; deliver_due.enqueue()")
    worker = site.start("worker", "--worker-id", "test-worker-1", log="worker-1")
    wait_for(lambda: ready(base)[0] == 200, what="/readyz green with a worker running", timeout=90)
    # The worker counts in files of its own; the server's /metrics adds them up.
    wait_for(
        lambda: (
            sample(
                get(base + "/metrics")[1],
                "thudo_task_run_seconds_count",
                task="deliver_due",
                status="successful",
            )
            == 1
        ),
        what="the worker's task run counted in the server's /metrics",
    )
    assert sample(get(base + "/metrics")[1], "thudo_task_wait_seconds_count", task="deliver_due") == 1

    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=60) == 0
    wait_for(lambda: ready(base)[0] == 503, what="/readyz red once the worker stopped", timeout=30)
    assert ready(base)[1]["Worker()"].startswith("Unavailable: no background worker seen for")

    site.start("worker", "--worker-id", "test-worker-2", log="worker-2")
    wait_for(lambda: ready(base)[0] == 200, what="/readyz green again", timeout=90)


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def fail_login(self) -> None:
        with self.opener.open(self.base + "/login/", timeout=20) as response:
            form = fields(response.read().decode())
        form.update(username=["khongco"], password=["sai-mat-khau-123"])
        body = urllib.parse.urlencode(form, doseq=True).encode()
        with self.opener.open(self.base + "/login/", data=body, timeout=20) as response:
            assert response.status == 200  # the form again, with the error


def test_metrics_add_up_the_counters_of_every_worker_process(site):
    _proc, base = site.serve(workers=2)
    before = sample(get(base + "/metrics")[1], "thudo_login_failures_total")
    browser = Browser(base)
    for _ in range(6):  # spread over both gunicorn workers
        browser.fail_login()
    text = get(base + "/metrics")[1]
    assert sample(text, "thudo_login_failures_total") == before + 6
    served = sum(
        sample(
            text,
            "django_http_requests_total_by_view_transport_method_total",
            view="web:login",
            transport="http",
            method=m,
        )
        for m in ("GET", "POST")
    )
    assert served >= 12
    pids = {p.stem.rsplit("_", 1)[-1] for p in (site.data / "metrics").glob("counter_*.db")}
    assert len(pids) >= 2, "each gunicorn worker counts in a file of its own"
