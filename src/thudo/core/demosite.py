"""The demo site: loading every app's demo content, and the processes that run beside the
demo's web server (``thudo demo``).

Each app may have a ``demo`` module with ``load(progress=, stdout=)`` (fast: what the first
page needs; returns the demo accounts it made) and ``load_later(progress=, stdout=)`` (slow:
months of history). ``thudo demo`` serves the site as soon as every ``load`` ran and queues
``load_demo_history`` on the ``demo`` queue, which its own worker runs while the site is up; the
pages say so until it is done (``history_pending``).
"""

from __future__ import annotations

import ctypes
import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TextIO

from django.apps import apps
from django.core.management.base import OutputWrapper
from django.tasks import TaskResultStatus, task

from thudo.core.progress import Bar

HISTORY_QUEUE = "demo"


def demo_modules() -> Iterator[tuple[str, ModuleType]]:
    """(verbose name, module) of every app's ``demo`` module, in the order of INSTALLED_APPS."""
    for config in apps.get_app_configs():
        if not config.name.startswith("thudo."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        yield str(config.verbose_name), module


def load_now(*, progress, stdout, heading: Callable[[str], str] = str) -> list[tuple[str, str, str]]:
    """Every app's fast demo content; returns the demo accounts (username, password, role)."""
    accounts: list[tuple[str, str, str]] = []
    for name, module in demo_modules():
        if hasattr(module, "load"):
            stdout.write(heading(f"Dữ liệu mẫu: {name}"))
            accounts += module.load(progress=progress, stdout=stdout) or []
    return accounts


def load_later(*, progress, stdout, heading: Callable[[str], str] = str) -> None:
    """Every app's slow demo content (history), in the order of INSTALLED_APPS."""
    for name, module in demo_modules():
        if hasattr(module, "load_later"):
            stdout.write(heading(f"Dữ liệu mẫu (lịch sử): {name}"))
            module.load_later(progress=progress, stdout=stdout)


@task(queue_name=HISTORY_QUEUE)
def load_demo_history() -> str:
    """``load_later`` in the demo's history worker. Progress goes to the worker's log."""
    load_later(progress=Bar(sys.stdout), stdout=OutputWrapper(sys.stdout))
    return "ok"


# The history this process queued (thudo demo serves the site in the same process): its pages
# ask no database question about it otherwise.
_history: dict[str, str] = {}


def queue_history() -> None:
    _history["id"] = load_demo_history.enqueue().id


def history_ended(code: int = 0) -> None:
    """The history worker has ended (done, or crashed: then the pages stop waiting for it)."""
    _history.pop("id", None)


def history_pending() -> bool:
    """Is the demo history this process queued still waiting or loading?"""
    result_id = _history.get("id")
    if result_id is None:
        return False
    try:
        status = load_demo_history.get_result(result_id).status
    except Exception:  # the row is gone (pruned, another data dir): nothing to wait for
        status = TaskResultStatus.FAILED
    if status in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
        return True
    _history.pop("id", None)
    return False


# --- the processes beside the web server --------------------------------------------------------


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM when the thread that started it ends, even if the demo
    itself is killed without a chance to stop it (SIGKILL, a crash)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Child:
    """One supervised child process: started again if it dies, unless ``once`` (then
    ``on_exit(code)`` is called when it has ended)."""

    name: str
    argv: list[str]
    once: bool = False
    on_exit: Callable[[int], None] | None = None
    process: subprocess.Popen | None = None
    restarts: int = 0


class Supervisor(threading.Thread):
    """Starts the children, watches them (started again when they die, at most MAX_RESTARTS
    times) and stops them: SIGTERM, then SIGKILL after ``grace`` seconds. Children run in their
    own session so that a Ctrl-C in the terminal reaches the demo only, which stops them in
    order."""

    MAX_RESTARTS = 5

    def __init__(
        self,
        children: list[Child],
        *,
        log: Path,
        say: Callable[[str], None],
        env: dict[str, str] | None = None,
        grace: float = 10.0,
    ) -> None:
        super().__init__(name="thudo-demo-supervisor", daemon=True)
        self.children = children
        self.log = log
        self.say = say
        self.env = env or {}
        self.grace = grace
        self.stopping = threading.Event()
        self._log: TextIO | None = None

    def _spawn(self, child: Child) -> None:
        assert self._log is not None
        child.process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            child.argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **self.env},
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )

    def start(self) -> None:
        """Start the children (before returning: their lines come before the server's), then
        watch them in this thread."""
        self._log = self.log.open("a", buffering=1, encoding="utf-8")
        for child in self.children:
            self._spawn(child)
            self.say(f"{child.name}: đã chạy (pid {child.process.pid}, nhật ký: {self.log})")
        super().start()

    def run(self) -> None:
        assert self._log is not None
        try:
            while not self.stopping.wait(1.0):
                self._watch()
        finally:
            self._terminate()
            self._log.close()

    def _watch(self) -> None:
        for child in self.children:
            code = child.process.poll() if child.process else None
            if code is None:
                continue
            if child.once or child.restarts >= self.MAX_RESTARTS:
                if code != 0:
                    self.say(f"{child.name}: đã dừng (mã {code}); xem {self.log}")
                child.process = None
                if child.once and child.on_exit is not None:
                    child.on_exit(code)
                continue
            child.restarts += 1
            self._spawn(child)
            self.say(f"{child.name}: đã dừng (mã {code}), chạy lại (pid {child.process.pid})")

    def _terminate(self) -> None:
        running = [
            (child.once, child.process)
            for child in self.children
            if child.process is not None and child.process.poll() is None
        ]
        for _once, process in running:
            process.terminate()
        # A worker finishes its task on the first SIGTERM, stops it on the second: the demo's
        # history (minutes) is stopped, marked failed and queued again at the next start.
        time.sleep(0.5)
        for once, process in running:
            if once and process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + self.grace
        for _once, process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop(self) -> None:
        """Stop the children and wait until they are gone (also when starting them failed
        half-way and the watching thread never ran)."""
        self.stopping.set()
        if self.is_alive():
            self.join()
        elif self._log is not None and not self._log.closed:
            self._terminate()
            self._log.close()

    def pids(self) -> list[int]:
        return [c.process.pid for c in self.children if c.process is not None]
