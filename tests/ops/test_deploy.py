"""deploy/: the systemd units and timers pass ``systemd-analyze verify``; every scheduled job of
the operations guide has a timer."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = DEPLOY / "systemd"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_units_and_timers_verify(tmp_path):
    thudo = Path(sys.executable).with_name("thudo")  # the units name the installed command's path
    for unit in UNITS.iterdir():
        text = unit.read_text().replace("/opt/thudo/venv/bin/thudo", str(thudo))
        (tmp_path / unit.name).write_text(text)
    names = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith("@.service"))
    names.append("thudo-job@deliver_notifications.service")  # an instance of the template
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "thudo" not in done.stderr, done.stderr  # no warning about our units either


def test_every_scheduled_command_has_a_timer():
    timers = {p.stem: p.read_text() for p in UNITS.glob("*.timer")}
    started = {
        line.split("=", 1)[1]
        for text in timers.values()
        for line in text.splitlines()
        if line.startswith("Unit=")
    }
    commands = {
        "deliver_notifications",
        "kpi_rollup",
        "dossier_reminders",
        "backup",
        "remove_orphan_files",
        "audit_verify",
    }
    assert {f"thudo-job@{c}.service" for c in commands} | {"thudo-kpi-publish.service"} == started
    for text in timers.values():
        assert "Persistent=true" in text


def test_the_proxy_appends_to_x_forwarded_for_and_hides_metrics():
    conf = (DEPLOY / "nginx" / "thudo.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "proxy_set_header X-Request-ID $request_id;" in conf
    assert "location = /metrics { return 404; }" in conf
    assert "listen 443 ssl;" in conf
