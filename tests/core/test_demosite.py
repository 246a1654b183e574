"""What thudo demo runs beside its server: supervised children that come back when they die and
are gone when it stops; progress that shows also in a log file."""

import io
import os
import signal
import sys
import time

from thudo.core import demosite, progress

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
    supervisor = demosite.Supervisor(
        [
            demosite.Child("worker", SLEEPER),
            demosite.Child("history", [sys.executable, "-c", "pass"], once=True),
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
        # a one-off child that finished is not started again
        wait_until(lambda: supervisor.children[1].process.poll() == 0)
        time.sleep(1.5)
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
