"""A real PostgreSQL streaming replica serves the read-only pages (issue 15, part 7).

The test builds a hot standby of the local PostgreSQL on this machine: ``pg_basebackup`` of the
primary (127.0.0.1:5432) into a temporary data directory, started with ``pg_ctl`` on a free port
(as the ``postgres`` OS user when the tests run as root). The primary must accept replication
connections from 127.0.0.1: ``scripts/pg_allow_replication.sh`` (run by .ci/run) adds that line to
``pg_hba.conf``; without it the test skips, saying so (and fails under ``CI=true``).

A platform process then runs with ``THUDO_DATABASE_URL`` on the primary and ``THUDO_REPLICA_URL``
on the standby and shows, through the Django test client:

- the public lookup (page and API) and the published ranking read the replica only;
- with the standby's replay paused, a citizen who submits a dossier finds it at once in the lookup
  (the write pins the browser to the primary) while another browser, reading the replica, does
  not yet; once replay resumes the dossier is visible on the replica.

The standby is stopped and its data directory removed at the end, whatever happens.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, time
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests import factories_dossiers as fd

primary, replica = connections["default"], connections["replica"]


def caught_up(timeout=60):
    target = primary.cursor().execute("select pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lag = replica.cursor().execute(
            "select pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn())", [target]
        ).fetchone()[0]
        if lag <= 0:
            return
        time.sleep(0.1)
    raise AssertionError("the replica did not catch up")


def get(client, url, **params):
    with CaptureQueriesContext(primary) as p, CaptureQueriesContext(replica) as r:
        resp = client.get(url, params)
    return {"status": resp.status_code, "primary": len(p), "replica": len(r)}


out = {"standby": replica.cursor().execute("select pg_is_in_recovery()").fetchone()[0]}
w = fd.world()
d = fd.submit(w)
caught_up()
anon = Client()
out["lookup_page"] = get(anon, f"/tra-cuu/{d.code}/", s=d.secret)
out["lookup_api"] = get(anon, "/api/v1/dossiers/lookup", code=d.code, secret=d.secret)
out["ranking"] = get(anon, "/xep-hang/")
out["workspace"] = None

# Replay paused: the standby stops at this point in time.
replica.cursor().execute("select pg_wal_replay_pause()")
citizen = Client()
citizen.force_login(w.citizen)
resp = citizen.post(
    "/api/v1/dossiers",
    {
        "procedure": w.procedure.code,
        "agency": w.agency.code,
        "form_data": json.dumps({"ten_tre": "Bé Na"}),
        "applicant_name": "Nguyễn Văn An",
        "files": [fd.pdf_file("to-khai.pdf"), fd.pdf_file("giay-chung-sinh.pdf")],
    },
)
out["submit"] = {"status": resp.status_code, "pinned": "thudo_primary" in resp.cookies}
new = resp.json()
out["after_write_same_browser"] = get(citizen, f"/tra-cuu/{new['code']}/", s=new["secret"])
out["after_write_other_browser"] = get(Client(), f"/tra-cuu/{new['code']}/", s=new["secret"])
replica.cursor().execute("select pg_wal_replay_resume()")
caught_up()
out["after_replay_other_browser"] = get(Client(), f"/tra-cuu/{new['code']}/", s=new["secret"])
print("RESULT " + json.dumps(out))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bindir(version: int) -> Path:
    for cand in sorted(glob.glob(f"/usr/lib/postgresql/{version}/bin")) + sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), reverse=True
    ):
        if (Path(cand) / "pg_basebackup").exists():
            return Path(cand)
    found = shutil.which("pg_basebackup")
    if found:
        return Path(found).parent
    pytest.skip("PostgreSQL server binaries (pg_basebackup, pg_ctl) not found")


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(reason + " (run scripts/pg_allow_replication.sh)")
    pytest.skip(reason)


class Standby:
    """A hot standby of the primary in a temporary data directory; ``stop()`` removes it."""

    def __init__(self, db: dict):
        import psycopg

        self.db = db
        self.host, self.primary_port = db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)
        self.admin = psycopg.connect(
            host=self.host, port=self.primary_port, user=db["USER"], password=db["PASSWORD"] or None,
            dbname="postgres", autocommit=True,
        )  # fmt: skip
        version = self.admin.info.server_version // 10000
        self.bin = _bindir(version)
        self.as_root = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="thudo-replica-", dir="/tmp"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.started = False
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.dir.chmod(0o700)

    def run(self, *cmd: str, timeout: int = 300) -> subprocess.CompletedProcess:
        args = [str(self.bin / cmd[0]), *cmd[1:]]
        if self.as_root:
            args = ["runuser", "-u", "postgres", "--", *args]
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout)

    def start(self) -> None:
        wal, senders = (
            self.admin.execute(f"show {name}").fetchone()[0] for name in ("wal_level", "max_wal_senders")
        )
        if wal == "minimal" or senders == "0":
            _unavailable(f"the primary cannot stream WAL (wal_level={wal}, max_wal_senders={senders})")
        done = self.run(
            "pg_basebackup", "-h", self.host, "-p", str(self.primary_port), "-U", self.db["USER"],
            "-D", str(self.data), "-R", "-X", "stream", "-c", "fast", "--no-sync",
        )  # fmt: skip
        if done.returncode != 0:
            if "replication connection" in done.stderr and "pg_hba.conf" in done.stderr:
                _unavailable("the primary's pg_hba.conf allows no replication connection from 127.0.0.1")
            raise AssertionError(f"pg_basebackup failed: {done.stderr}")
        # Debian keeps postgresql.conf and pg_hba.conf outside the data directory: the standby gets
        # its own (pg_basebackup -R already wrote standby.signal and primary_conninfo).
        # A standby needs at least the primary's values of these (or recovery aborts).
        same = "".join(
            f"{name} = {self.admin.execute(f'show {name}').fetchone()[0]}\n"
            for name in (
                "max_connections",
                "max_worker_processes",
                "max_wal_senders",
                "max_prepared_transactions",
                "max_locks_per_transaction",
            )
        )
        (self.data / "postgresql.conf").write_text(
            same + f"port = {self.port}\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.dir}'\n"
            "hot_standby = on\n"
            "shared_buffers = 32MB\n"
            "fsync = off\n"
        )
        (self.data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        (self.data / "pg_ident.conf").write_text("")
        if self.as_root:
            for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
                shutil.chown(self.data / name, "postgres", "postgres")
        done = self.run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "60", "start"
        )
        self.started = True
        if done.returncode != 0:
            raise AssertionError(f"the standby did not start: {done.stdout}{done.stderr}{self.log()}")

    def log(self) -> str:
        try:
            return (self.dir / "log").read_text()[-3000:]
        except OSError:
            return ""

    def stop(self) -> None:
        try:
            if self.started:
                self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.admin.close()


@pytest.fixture
def replica_platform(tmp_path):
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("PostgreSQL only (THUDO_DATABASE_URL)")
    standby = Standby(db)
    scratch = f"thudo_replica_{uuid.uuid4().hex[:12]}"
    standby.admin.execute(f"CREATE DATABASE {scratch}")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THUDO_", "DJANGO_"))}
    env.update(
        THUDO_DATA_DIR=str(tmp_path / "data"),
        THUDO_SECRET_KEY="replica-test-" + "x" * 40,
        THUDO_PAYMENT_GATEWAY="simulated",
        THUDO_RATE_LOOKUP="off",
        THUDO_RATE_ANONYMOUS_API="off",
        THUDO_ALLOWED_HOSTS="testserver,localhost",
        THUDO_DATABASE_URL=f"postgres://{auth}@{standby.host}:{standby.primary_port}/{scratch}",
    )

    def thudo(*args: str, replica: bool = False) -> str:
        run_env = dict(env)
        if replica:
            run_env["THUDO_REPLICA_URL"] = f"postgres://{auth}@127.0.0.1:{standby.port}/{scratch}"
        done = subprocess.run(
            [sys.executable, "-m", "thudo", *args],
            env=run_env, cwd=ROOT, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr + standby.log()
        return done.stdout

    try:
        thudo("migrate", "--no-input", "-v", "0")
        standby.start()  # after the schema: the base backup carries it; later writes stream
        yield thudo
    finally:
        standby.stop()
        import psycopg

        with psycopg.connect(
            host=standby.host, port=standby.primary_port, user=db["USER"], password=db["PASSWORD"] or None,
            dbname="postgres", autocommit=True,
        ) as admin:  # fmt: skip
            admin.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")


def test_read_only_pages_read_the_replica_and_a_writer_reads_its_own_write(replica_platform):
    out = replica_platform("shell", "-c", SCRIPT, replica=True)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    seen = json.loads(line.removeprefix("RESULT "))
    assert seen["standby"] is True  # the replica really is a hot standby in recovery

    for page in ("lookup_page", "lookup_api", "ranking"):
        assert seen[page]["status"] == 200, (page, seen[page])
        assert seen[page]["replica"] > 0 and seen[page]["primary"] == 0, (page, seen[page])

    assert seen["submit"] == {"status": 201, "pinned": True}
    # The citizen who just submitted sees the dossier: read on the primary.
    mine = seen["after_write_same_browser"]
    assert mine["status"] == 200 and mine["replica"] == 0 and mine["primary"] > 0
    # Another browser reads the paused standby: not there yet.
    other = seen["after_write_other_browser"]
    assert other["status"] == 404 and other["replica"] > 0 and other["primary"] == 0
    # Replay resumed: the write is visible on the replica.
    later = seen["after_replay_other_browser"]
    assert later["status"] == 200 and later["replica"] > 0 and later["primary"] == 0
