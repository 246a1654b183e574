"""Crash safety (issue 5 part 3): a process killed with SIGKILL loses nothing and leaves nothing.

The work runs in a real subprocess (``python -m thudo shell``) against a database file (a copy of
the SQLite test database) or the PostgreSQL test database, and kills itself with SIGKILL at an
exact point, so no ``finally``, no ``except`` and no ``on_commit`` runs, as when the kernel's
out-of-memory killer or an operator's ``kill -9`` hits a worker:

- a submission killed inside its transaction, after the files' bytes are written: no dossier, no
  attachment row, no notice; the bytes left behind are removed by ``thudo remove_orphan_files``,
  but only after the grace period (an upload in flight is never removed), and the files of the
  committed dossier stay;
- a notification worker killed after the mailer sent a message and before the outbox recorded
  it: the message is sent again once the dead worker's lease expires (at least once), with the
  same Message-ID, so the receiver keeps one copy.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection

from tests import factories
from tests import factories_dossiers as fd
from tests.factories_notifications import OutboxMessageFactory

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]

PREAMBLE = """
import json, os, signal, sys
from pathlib import Path
from django.conf import settings
CFG = json.loads(os.environ["CRASH_CFG"])

def media_files():
    media = Path(settings.MEDIA_ROOT)
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())

def die_here(*args, **kwargs):
    print(json.dumps({"files_at_kill": media_files()}), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""

SUBMIT = """
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.factories_dossiers import APPLICANT, pdf_bytes
from thudo.core.models import Agency, User
from thudo.dossiers import actions
from thudo.dossiers.actions import intake
from thudo.procedures.models import Procedure

def submit(key):
    return actions.submit_online(
        procedure=Procedure.objects.get(pk=CFG["procedure"]),
        agency=Agency.objects.get(pk=CFG["agency"]),
        applicant=APPLICANT,
        form_data={"ten_tre": "Nguyễn Văn Bé"},
        files=[SimpleUploadedFile(f"{key}-{i}.pdf", pdf_bytes(f"{key} {i}")) for i in (1, 2)],
        by=User.objects.get(pk=CFG["citizen"]),
        idempotency_key=key,
    )

print(json.dumps({"committed": submit("lan-1").code}), flush=True)
intake._event = die_here  # the history entry is written after the dossier and its attachments
submit("lan-2")
print("NOT KILLED", flush=True)
"""

STATE = """
from django.db.models import Q
from thudo.core.audit import verify
from thudo.core.models import AuditRecord
from thudo.dossiers.models import Attachment, Dossier, DossierEvent
from thudo.notifications.models import Notification, OutboxMessage
print(json.dumps({
    "dossiers": list(Dossier.objects.values_list("code", flat=True)),
    "keys": list(Dossier.objects.values_list("idempotency_key", flat=True)),
    "attachments": sorted(Attachment.objects.values_list("file", flat=True)),
    "events": DossierEvent.objects.count(),
    "notices": Notification.objects.count(),
    "outbox": list(OutboxMessage.objects.order_by("pk").values("status", "attempts")),
    "submit_audits": AuditRecord.objects.filter(verb="dossier.submit").count(),
    "audit_breaks": len(list(verify())),
    "files": media_files(),
}), flush=True)
"""

DELIVER_AND_DIE = """
from thudo.notifications import actions, tasks
actions.record_sent = die_here  # the mailer has sent it; the outbox has not recorded it yet
tasks.deliver(CFG["message"])
print("NOT KILLED", flush=True)
"""

DELIVER_LATER = """
from datetime import timedelta
from django.utils import timezone
from thudo.notifications import actions, tasks
real_now = timezone.now
timezone.now = lambda: real_now() + timedelta(minutes=CFG["minutes_later"])
print(json.dumps(tasks.deliver_all_due()), flush=True)
"""


class Live:
    """The test database as another process sees it (committed rows only), and its data dir."""

    def __init__(self, tmp_path: Path):
        self.data = tmp_path / "data"
        self.media = self.data / "media"
        self.media.mkdir(parents=True)
        db = connection.settings_dict
        if connection.vendor == "sqlite":
            # the SQLite test database lives in memory: copy it (committed rows) into a file
            path = tmp_path / "live.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{path}"
        else:
            auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
            self.url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

    def run(self, script: str, cfg: dict | None = None) -> subprocess.CompletedProcess:
        env = {
            **os.environ,
            "THUDO_DATA_DIR": str(self.data),
            "THUDO_DATABASE_URL": self.url,
            "THUDO_SECRET_KEY": "khoa-bi-mat-thu-nghiem-sap-nguon",
            "THUDO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "DJANGO_SETTINGS_MODULE": "thudo.conf.settings",
            "CRASH_CFG": json.dumps(cfg or {}),
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        return subprocess.run(
            [sys.executable, "-m", "thudo", "shell", "-c", PREAMBLE + script],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    def ok(self, script: str, cfg: dict | None = None) -> str:
        done = self.run(script, cfg)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def killed(self, script: str, cfg: dict | None = None) -> str:
        done = self.run(script, cfg)
        assert done.returncode == -signal.SIGKILL, (done.returncode, done.stdout[-2000:], done.stderr[-3000:])
        assert "NOT KILLED" not in done.stdout
        return done.stdout

    def state(self) -> dict:
        return _last_json(self.ok(STATE))

    def remove_orphans(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "thudo", "remove_orphan_files", *args],
            env={**os.environ, "THUDO_DATA_DIR": str(self.data), "THUDO_DATABASE_URL": self.url},
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def age_files(self, *, days: int) -> None:
        past = time.time() - days * 86400
        for path in self.media.rglob("*"):
            if path.is_file():
                os.utime(path, (past, past))


def _json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def _last_json(out: str) -> dict:
    return _json_lines(out)[-1]


def test_a_submission_killed_in_its_transaction_leaves_no_half_dossier_and_its_files_are_swept(tmp_path):
    agency = fd.commune()
    procedure = fd.procedure()
    citizen = factories.UserFactory(username="congdan", full_name="Nguyễn Văn An", email="an@example.vn")
    live = Live(tmp_path)

    out = live.killed(SUBMIT, {"procedure": procedure.pk, "agency": agency.pk, "citizen": citizen.pk})
    lines = _json_lines(out)
    committed = lines[0]["committed"]
    files_at_kill = lines[1]["files_at_kill"]

    state = live.state()
    # only the first submission exists, whole: its dossier, its two papers, its history, its notice
    assert state["dossiers"] == [committed]
    assert state["keys"] == [f"{citizen.pk}:lan-1"]
    assert len(state["attachments"]) == 2
    assert state["events"] == 1
    assert state["notices"] == 1
    assert state["submit_audits"] == 1
    assert state["audit_breaks"] == 0
    # the killed one had written its two files before it died: they are on disk, referenced by nothing
    orphans = sorted(set(files_at_kill) - set(state["attachments"]))
    assert len(orphans) == 2
    assert state["files"] == sorted(state["attachments"] + orphans)

    # within the grace period the sweep keeps them (the upload could still be in flight)
    assert "removed=0" in live.remove_orphans()
    assert live.state()["files"] == sorted(state["attachments"] + orphans)

    # a day later they are removed; the committed dossier's papers stay
    live.age_files(days=2)
    assert "would remove=2" in live.remove_orphans("--dry-run")
    out = live.remove_orphans()
    assert "removed=2" in out
    assert all(name in out for name in orphans)
    after = live.state()
    assert after["files"] == state["attachments"]
    assert after["dossiers"] == [committed]
    assert after["audit_breaks"] == 0

    # the citizen's retry of the killed submission goes through (its key was never used)
    retry = live.ok(SUBMIT.split("intake._event")[0].replace('"lan-1"', '"lan-2"'), {
        "procedure": procedure.pk, "agency": agency.pk, "citizen": citizen.pk,
    })  # fmt: skip
    assert _last_json(retry)["committed"] != committed
    assert len(live.state()["dossiers"]) == 2


def _message_ids(out: str) -> list[str]:
    return re.findall(r"^Message-ID: (<[^>]+>)$", out, flags=re.MULTILINE)


def test_an_outbox_message_whose_worker_died_after_sending_is_resent_with_the_same_key(tmp_path):
    message = OutboxMessageFactory(recipient="an@example.vn", key="dossier:0001:received:email")
    live = Live(tmp_path)

    first = live.killed(DELIVER_AND_DIE, {"message": message.pk})
    assert _message_ids(first), "the mailer sent the message before the worker died"
    assert live.state()["outbox"] == [{"status": "pending", "attempts": 0}]

    # while the dead worker's lease runs, nobody sends it again
    assert _last_json(live.ok(DELIVER_LATER, {"minutes_later": 1}))["sent"] == 0
    # once it has expired, the next run sends it again: at least once
    second = live.ok(DELIVER_LATER, {"minutes_later": 11})
    assert _message_ids(second)
    assert _last_json(second)["sent"] == 1
    assert live.state()["outbox"] == [{"status": "sent", "attempts": 1}]
    # and never again after it is recorded
    assert _last_json(live.ok(DELIVER_LATER, {"minutes_later": 30}))["sent"] == 0

    # two copies reached the mail system, with one Message-ID (from the key): the receiver keeps one
    copies = _message_ids(first) + _message_ids(second)
    assert len(copies) == 2
    assert len(set(copies)) == 1


# --- the sweep itself, in-process -----------------------------------------------------------------


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def _write(media: Path, name: str, *, days_old: float = 0) -> Path:
    path = media / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.7 giay to")
    when = time.time() - days_old * 86400
    os.utime(path, (when, when))
    return path


def test_the_sweep_removes_only_old_unreferenced_upload_files(media):
    from thudo.core.models import AuditRecord
    from thudo.core.orphans import remove_orphans

    citizen = factories.UserFactory(username="congdan", full_name="Nguyễn Văn An")
    agency = fd.commune()
    dossier = fd.submit(SimpleNamespace(procedure=fd.procedure(), agency=agency, citizen=citizen))
    kept = [a.file.name for a in dossier.attachments.all()]
    for name in kept:
        os.utime(media / name, (time.time() - 3 * 86400,) * 2)  # old, but referenced
    old_orphan = _write(media, "dossiers/ab/" + "0" * 32, days_old=2)
    old_result = _write(media, "results/cd/" + "1" * 32 + ".pdf", days_old=2)
    young_orphan = _write(media, "dossiers/ef/" + "2" * 32, days_old=0.5)
    not_ours = _write(media, "exports/bao-cao.xlsx", days_old=30)  # not an upload folder

    dry = remove_orphans(dry_run=True)
    assert sorted(dry.removed) == ["dossiers/ab/" + "0" * 32, "results/cd/" + "1" * 32 + ".pdf"]
    assert old_orphan.exists()

    report = remove_orphans()
    assert sorted(report.removed) == sorted(dry.removed)
    assert report.recent == 1
    assert not old_orphan.exists() and not old_result.exists()
    assert young_orphan.exists() and not_ours.exists()
    assert all((media / name).exists() for name in kept)
    record = AuditRecord.objects.get(verb="files.orphans_removed")
    assert record.changes["count"] == 2
    assert remove_orphans().removed == []  # nothing left to do, no second audit record
    assert AuditRecord.objects.filter(verb="files.orphans_removed").count() == 1
