"""Two app servers sharing one database and one Redis cache: a role revoked through one server's
admin is refused by the other at once (grants are cached in the shared cache behind a version key
that the revocation bumps)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.htmlforms import fields

redis = pytest.importorskip("redis")
REDIS_DB = 13  # a database of its own; keys also carry a per-test prefix

SETUP = """
import json
from thudo.core import actions
from thudo.core.models import Role, User
admin = User.objects.create_superuser("quantri", "qt@example.vn", "Mat-khau-rat-dai-2026")
person = User.objects.create_user("canbo", password="Mat-khau-rat-dai-2026")
actions.grant_role(person, role=Role.CITY_ADMIN, agency=None, by=None)
_token, raw = actions.create_api_token(person, name="tich hop", by=None)
print(json.dumps({"person": person.pk, "token": raw}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def shared_cache():
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"thudo-test-{uuid.uuid4().hex[:8]}"
    yield client, prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def servers(tmp_path: Path, shared_cache):
    _client, prefix = shared_cache
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THUDO_", "DJANGO_"))}
    env.update(
        THUDO_DATA_DIR=str(tmp_path / "data"),  # one SQLite file shared by both servers
        THUDO_SECRET_KEY="two-servers-one-secret-" + "x" * 40,
        THUDO_CACHE_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        THUDO_CACHE_PREFIX=prefix,
        THUDO_PAYMENT_GATEWAY="simulated",  # production settings refuse to start without a choice
    )

    def thudo(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "thudo", *args], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    thudo("migrate", "--no-input", "-v", "0")
    facts = json.loads(thudo("shell", "-c", SETUP).strip().splitlines()[-1])
    ports = [_free_port(), _free_port()]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "thudo", "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/agencies", timeout=2)
                    break
                except (urllib.error.URLError, ConnectionError):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
        yield [f"http://127.0.0.1:{port}" for port in ports], facts
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)


def _status(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local test server)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


class Browser:
    """A signed-in admin on one server (cookies and CSRF token as a browser keeps them)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=20) as response:
            return response.read().decode()

    def post(self, path: str, data: dict[str, list[str]]) -> int:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        with self.opener.open(self.base + path, data=body, timeout=20) as response:
            return response.status

    def login(self, username: str, password: str) -> None:
        form = fields(self.get("/admin/login/"))
        form.update(username=[username], password=[password], next=["/admin/"])
        self.post("/admin/login/", form)


def test_a_role_revoked_on_one_server_is_refused_by_the_other_at_once(servers, shared_cache):
    (server_a, server_b), facts = servers
    cache, prefix = shared_cache
    outbox = "/api/v1/notifications/outbox"  # city admins only
    assert _status(server_b + outbox, facts["token"]) == 200
    assert _status(server_b + outbox, facts["token"]) == 200
    assert list(cache.scan_iter(f"{prefix}:*grants:{facts['person']}*")), "B keeps the roles in Redis"

    admin = Browser(server_a)
    admin.login("quantri", "Mat-khau-rat-dai-2026")
    page = f"/admin/core/user/{facts['person']}/change/"
    form = {k: v for k, v in fields(admin.get(page)).items() if "__prefix__" not in k}
    form["role_grants-0-DELETE"] = ["on"]
    assert admin.post(page, form) == 200  # the redirect to the list, followed

    assert _status(server_b + outbox, facts["token"]) == 403
    assert _status(server_a + outbox, facts["token"]) == 403
