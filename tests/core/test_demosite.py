"""What thudo demo runs beside its server: supervised children that come back when they die and
are gone when it stops; progress that shows also in a log file."""

import io
import os
import signal
import sys
import time

import pytest
from django.core import management
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from thudo.core import demosite, progress
from thudo.core.management.commands import demo as demo_command

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def wait_until(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_child_that_dies_is_started_again_and_stopping_leaves_nothing(tmp_path):
    said: list[str] = []
    ended: list[int] = []
    supervisor = demosite.Supervisor(
        [
            demosite.Child("worker", SLEEPER),
            demosite.Child("history", [sys.executable, "-c", "pass"], once=True, on_exit=ended.append),
        ],
        log=tmp_path / "worker.log",
        say=said.append,
        grace=5,
    )
    supervisor.start()
    try:
        assert said[0].startswith("worker: đã chạy (pid ") and said[1].startswith("history: đã chạy")
        first = supervisor.children[0].process.pid
        os.kill(first, signal.SIGKILL)
        second = wait_until(lambda: (p := supervisor.children[0].process.pid) != first and p)
        assert any("worker: đã dừng" in line and "chạy lại" in line for line in said)
        # a one-off child that finished is not started again; it is said to have ended
        wait_until(lambda: ended == [0])
        time.sleep(1.5)
        assert supervisor.children[1].process is None and ended == [0]
        assert not any(line.startswith("history: đã dừng") for line in said)
    finally:
        supervisor.stop()
    assert gone(first) and gone(second) and not supervisor.is_alive()


def test_progress_in_a_log_file_shows_a_line_every_few_seconds(monkeypatch):
    out = io.StringIO()
    clock = iter([0.0, 1.0, 6.0, 7.0, 8.0])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    bar = progress.Bar(out)  # 0 s
    bar("Hồ sơ mẫu", 1, 10)  # 1 s: nothing yet
    bar("Hồ sơ mẫu", 5, 10)  # 6 s: a line
    bar("Hồ sơ mẫu", 6, 10)  # 7 s: nothing
    bar("Hồ sơ mẫu", 10, 10)  # done: a line
    assert out.getvalue().splitlines() == ["  Hồ sơ mẫu: 5/10", "  Hồ sơ mẫu: 10/10"]


@pytest.mark.django_db
def test_the_pages_say_the_history_is_loading_until_it_is_done(client):
    banner = "Bản demo đang nạp dữ liệu lịch sử trong nền"
    assert banner not in client.get("/").content.decode()  # not a demo: no question asked
    demosite.queue_history()
    try:
        assert banner in client.get("/").content.decode()
        DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)
        assert banner not in client.get("/").content.decode()
        demosite.queue_history()
        demosite.history_ended(1)  # the history worker crashed: the pages stop waiting
        assert not demosite.history_pending()
    finally:
        demosite.history_ended()


@pytest.mark.django_db
def test_no_worker_serves_without_worker_and_schedule(monkeypatch, capsys):
    served = []

    def serve_forever(server, *args, **kwargs):
        served.append(server.server_address)  # bound and listening before the line is printed
        raise KeyboardInterrupt  # Ctrl-C at once

    monkeypatch.setattr(demo_command.WSGIServer, "serve_forever", serve_forever)
    monkeypatch.setattr(demosite, "load_now", lambda **kw: [])
    loaded_later = []
    monkeypatch.setattr(demosite, "load_later", lambda **kw: loaded_later.append(True))
    started = []
    monkeypatch.setattr(demosite.Supervisor, "start", lambda self: started.append(self))
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    management.call_command("demo", "--no-worker", "--port", "0")
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers
    out = capsys.readouterr().out
    assert served and not started and loaded_later == [True]  # the history before serving
    assert "Không có tiến trình nền (--no-worker)" in out and "Lịch định kỳ" not in out
    assert "Đã dừng máy chủ, tiến trình nền và lịch định kỳ." in out
