"""`thudo backup` / `thudo restore` round trip on a real database file (SQLite) or a scratch
PostgreSQL database, in subprocesses, like an operator runs them."""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from thudo.core import backup

SEED = """
import pathlib
from django.conf import settings
from thudo.core import actions, audit
actions.load_units(provinces=["01"])
for i in range(3):
    audit.record("test.backup", changes={"i": i})
media = pathlib.Path(settings.MEDIA_ROOT) / "dossiers" / "2026" / "don.pdf"
media.parent.mkdir(parents=True, exist_ok=True)
media.write_bytes(b"%PDF-1.7 ho so thu nghiem " + bytes(range(256)))
pki = pathlib.Path(settings.DATA_DIR) / "pki" / "ca.pem"
pki.parent.mkdir(parents=True, exist_ok=True)
pki.write_text("-----BEGIN CERTIFICATE-----\\nthu nghiem\\n-----END CERTIFICATE-----\\n")
"""

STATE = """
import json
from thudo.core.models import AdministrativeUnit, AuditRecord, UnitSuccession
print(json.dumps({"units": AdministrativeUnit.objects.count(), "audit": AuditRecord.objects.count(),
                  "successions": UnitSuccession.objects.count()}))
"""

WIPE = """
from django.db import connection
with connection.cursor() as c:
    for table in ("core_auditrecord", "core_unitsuccession", "core_administrativeunit"):
        c.execute(f"DELETE FROM {table}")
"""


def _pg_server():
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return None
    return db


class Platform:
    def __init__(self, root: Path, database_url: str):
        self.root = root
        self.data = root / "data"
        self.env = {
            **os.environ,
            "THUDO_DATA_DIR": str(self.data),
            "THUDO_DATABASE_URL": database_url,
            "THUDO_SECRET_KEY": "khoa-bi-mat-thu-nghiem-sao-luu",
            "DJANGO_SETTINGS_MODULE": "thudo.conf.settings",
        }

    def run(self, *args, input_text=None):
        return subprocess.run(
            [sys.executable, "-m", "thudo", *args],
            env=self.env,
            capture_output=True,
            text=True,
            input=input_text,
            check=False,
            timeout=600,
        )

    def ok(self, *args):
        done = self.run(*args)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def state(self) -> dict:
        return json.loads(self.ok("shell", "-c", STATE).strip().splitlines()[-1])

    def file_hashes(self) -> dict:
        out = {}
        for name in ("media", "pki"):
            for path in sorted((self.data / name).rglob("*")):
                if path.is_file():
                    out[path.relative_to(self.data).as_posix()] = hashlib.sha256(
                        path.read_bytes()
                    ).hexdigest()
        return out


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def platform(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'data' / 'thudo.sqlite3'}"
        yield Platform(tmp_path, url)
        return
    db = _pg_server()
    if db is None:
        pytest.skip("PostgreSQL not configured (THUDO_DATABASE_URL)")
    import psycopg

    # One database per test: with pytest-xdist both PostgreSQL tests may run at once, and a
    # shared name let one test drop the other's database mid-run.
    scratch = f"thudo_security_backup_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None,
        dbname="postgres", autocommit=True,
    )  # fmt: skip
    admin.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
    admin.execute(f"CREATE DATABASE {scratch}")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{scratch}"
    try:
        yield Platform(tmp_path, url)
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
        admin.close()


@pytest.fixture
def seeded(platform):
    platform.ok("migrate", "-v0")
    platform.ok("shell", "-c", SEED)
    return platform


def make_backup(platform) -> Path:
    out = platform.ok("backup", "--output", str(platform.root / "backups"))
    archive = Path(out.strip().splitlines()[-1])
    assert archive.is_file()
    return archive


def test_backup_then_wipe_then_restore_brings_everything_back(seeded):
    before, files_before = seeded.state(), seeded.file_hashes()
    assert before["units"] > 100
    assert before["audit"] >= 3
    assert len(files_before) == 2
    archive = make_backup(seeded)

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["row_counts"]["core_administrativeunit"] == before["units"]
    assert "0001_initial" in manifest["migrations"]["core"]
    assert set(manifest["files"]) >= {"media/dossiers/2026/don.pdf", "pki/ca.pem"}

    seeded.ok("shell", "-c", WIPE)
    shutil.rmtree(seeded.data / "media")
    (seeded.data / "pki" / "ca.pem").unlink()
    assert seeded.state() == {"units": 0, "audit": 0, "successions": 0}
    assert seeded.run("audit_verify").returncode != 0

    restored = seeded.run("restore", str(archive), "--yes")
    assert restored.returncode == 0, restored.stderr[-3000:]
    assert "row counts match" in restored.stdout
    assert seeded.state() == before
    assert seeded.file_hashes() == files_before
    assert "Audit chain intact" in seeded.ok("audit_verify")


def test_tampered_archive_is_refused_before_anything_changes(seeded):
    archive = make_backup(seeded)
    seeded.ok("shell", "-c", "from thudo.core import audit; audit.record('test.after_backup')")
    after = seeded.state()

    tampered = archive.with_name("tampered.tar.gz")
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "media/dossiers/2026/don.pdf":
                data = data.replace(b"thu nghiem", b"da sua doi")
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))

    done = seeded.run("restore", str(tampered), "--yes")
    assert done.returncode != 0
    assert "Refusing the archive" in done.stderr
    assert "hash mismatch for media/dossiers/2026/don.pdf" in done.stderr
    assert seeded.state() == after  # the database was not touched
    assert b"thu nghiem" in (seeded.data / "media" / "dossiers" / "2026" / "don.pdf").read_bytes()


def test_restore_asks_for_confirmation(seeded):
    archive = make_backup(seeded)
    done = seeded.run("restore", str(archive), input_text="no\n")
    assert done.returncode != 0
    assert "cancelled" in done.stderr
    assert seeded.run("restore", str(archive), "--check").returncode == 0


def test_missing_pg_dump_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="pg_dump was not found on PATH"):
        backup._need("pg_dump")


def test_archive_with_unsafe_paths_is_refused(tmp_path):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        payload = b"x"
        info = tarfile.TarInfo("../../etc/thudo")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    (tmp_path / "work").mkdir()
    with pytest.raises(backup.BackupError, match="unexpected entry"):
        backup.extract_verified(evil, tmp_path / "work")
