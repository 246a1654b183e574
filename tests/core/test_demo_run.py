"""``thudo demo`` runs the whole platform in one command (issue 16): started as a real process,
as the README says, a dossier driven to its result through the API moves the unit's KPI page and
reaches the citizen's mailbox, with no other command run; Ctrl-C leaves no process behind.

One real demo, from a fresh data directory, so it costs a minute or two: it runs on SQLite only
(the demo's own database), with a short demo history (``THUDO_DEMO_DOSSIERS``)."""

from __future__ import annotations

import html
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests import factories_dossiers as fd

pytestmark = pytest.mark.skipif(
    os.environ.get("THUDO_DATABASE_URL", "").startswith("postgres"),
    reason="one real demo per CI run: on the SQLite run",
)
PASSWORD = "thudoso-demo-2026"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
START = 600  # seconds: a fresh demo on a loaded 2-core CI machine
FOLLOW = 180  # seconds for the worker to refresh the KPI and send the e-mail


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, check, timeout: float, demo: subprocess.Popen, log: list[str]):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert demo.poll() is None, f"the demo stopped while waiting for {what}:\n" + "\n".join(log)
        value = check()
        if value:
            return value
        time.sleep(1)
    pytest.fail(f"no {what} within {timeout} s:\n" + "\n".join(log[-40:]))


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(") ", 1)[1][0] != "Z"


class Browser:
    """One signed-in person: a cookie jar, the CSRF token, JSON and multipart requests."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/"}
        self.request("/login/", urllib.parse.urlencode(form).encode(), {})
        assert any(c.name == "sessionid" for c in self.jar), f"{username} could not sign in"

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, path: str, data: bytes | None, headers: dict) -> tuple[int, str]:
        req = urllib.request.Request(self.base + path, data=data, headers=headers)  # noqa: S310 (127.0.0.1)
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def get(self, path: str) -> str:
        status, body = self.request(path, None, {})
        assert status == 200, (path, status, body[:500])
        return body

    def api(self, path: str, body: dict | None = None) -> dict:
        status, text = self.request(
            "/api/v1" + path,
            None if body is None else json.dumps(body).encode(),
            {"Content-Type": "application/json", "X-CSRFToken": self.csrf()},
        )
        assert status in (200, 201), (path, status, text[:500])
        return json.loads(text)

    def submit(self, fields: dict, files: list[tuple[str, bytes]]) -> dict:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
        body = "".join(parts).encode()
        for filename, content in files:
            body += (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
                    "Content-Type: application/pdf\r\n\r\n"
                ).encode()
                + content
                + b"\r\n"
            )
        body += f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "X-CSRFToken": self.csrf()}
        status, text = self.request("/api/v1/dossiers", body, headers)
        assert status == 201, text[:800]
        return json.loads(text)


def kpi_figures(page: str) -> dict[str, str]:
    """The numerators and denominators of the unit's KPI page (indicator/part -> count)."""
    return dict(re.findall(r'href="/kpi/don-vi/[^/]+/[^/]+/([^"]+?)/">(\d+)</a>', page))


def test_thudo_demo_runs_worker_and_schedule_and_stops_cleanly(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "THUDO_DATA_DIR": str(tmp_path / "var"), "THUDO_DEMO_DOSSIERS": "6"}
    env.pop("THUDO_DATABASE_URL", None)
    thudo = Path(sys.executable).with_name("thudo")
    command = [str(thudo)] if thudo.exists() else [sys.executable, "-m", "thudo"]
    demo = subprocess.Popen(
        [*command, "demo", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(line.rstrip() for line in demo.stdout), daemon=True).start()
    children: list[int] = []
    try:
        wait_for("first page", lambda: "đang chạy tại" in "\n".join(log), START, demo, log)
        output = "\n".join(log)
        # one line when the worker and each scheduled job start
        assert "Tiến trình nền (db_worker): đã chạy" in output
        assert "Lịch định kỳ: gửi thông báo đến hạn: mỗi phút" in output
        assert "Lịch định kỳ: tổng hợp chỉ số: 5 phút một lần" in output
        assert f"{base}/hop-thu/" in output
        children = [
            int(p)
            for p in subprocess.run(
                ["ps", "-o", "pid=", "--ppid", str(demo.pid)], capture_output=True, text=True, check=False
            ).stdout.split()
        ]
        assert len(children) >= 1

        citizen = Browser(base, "congdan")
        assert "body" in citizen.get("/static/web/site.css")  # served without collectstatic
        # the history is loaded in the background; the pages say so until it is done
        wait_for(
            "the demo history",
            lambda: "đang nạp dữ liệu lịch sử" not in citizen.get("/"),
            START,
            demo,
            log,
        )
        # the worker's heartbeat is seen: no warning for the administrator
        assert "Tiến trình nền không hoạt động." not in Browser(base, "admin").get("/workspace/")
        reception = Browser(base, "motcua.hoankiem")
        specialist = Browser(base, "chuyenvien.hoankiem")
        leader = Browser(base, "lanhdao.hoankiem")
        agency = leader.api("/me")["roles"][0]["agency"]
        procedure = next(
            p["code"]
            for p in citizen.api(f"/procedures?agency={agency}&limit=50")["items"]
            if citizen.api(f"/procedures/{p['code']}")["process"]
        )
        # the unit's KPI page for this month (the page opens on the last complete month)
        kpi_page = f"/kpi/don-vi/{agency}/?period={datetime.now(HCM):%Y-%m}"
        kpi_before = kpi_figures(leader.get(kpi_page))

        dossier = citizen.submit(
            {"procedure": procedure, "agency": agency, "form_data": json.dumps({"ghi_chu": "demo"})},
            [("to-khai.pdf", fd.pdf_bytes()), ("giay-to.pdf", fd.pdf_bytes())],
        )
        code = dossier["code"]
        reception.api(f"/dossiers/{code}/receive", {"note": "Đủ hồ sơ"})
        by_role = {"reception": reception, "specialist": specialist, "leader": leader}
        for _ in range(10):
            state = reception.api(f"/dossiers/{code}")
            if state["status"] != "processing":
                break
            role = state["current_step"]["role"]
            who = by_role.get(role, specialist)
            if role == "leader":
                leader.api(f"/dossiers/{code}/sign", {})
            else:
                who.api(f"/dossiers/{code}/forward", {"note": "Chuyển bước sau"})
        assert reception.api(f"/dossiers/{code}")["status"] == "result_ready"
        assert reception.api(f"/dossiers/{code}/return", {})["status"] == "returned"

        # no other command: the worker refreshes the unit's KPI and sends the citizen's e-mail
        wait_for(
            "KPI change",
            lambda: kpi_figures(leader.get(kpi_page)) != kpi_before,
            FOLLOW,
            demo,
            log,
        )

        def mail_about_the_dossier() -> str | None:
            page = html.unescape(citizen.get("/hop-thu/"))
            return page if code in page else None

        mailbox = wait_for("e-mail in the citizen's mailbox", mail_about_the_dossier, FOLLOW, demo, log)
        assert "congdan@example.vn" in mailbox
    finally:
        if demo.poll() is None:
            demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            demo.kill()
            pytest.fail("the demo did not stop within 60 s of Ctrl-C:\n" + "\n".join(log[-40:]))
    assert demo.returncode == 0, "\n".join(log[-40:])
    time.sleep(1)
    assert [pid for pid in children if alive(pid)] == [], "a child of the demo is still running"
    assert "Đã dừng máy chủ, tiến trình nền và lịch định kỳ." in "\n".join(log)
