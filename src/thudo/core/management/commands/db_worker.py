"""``thudo db_worker``: django-tasks-db's worker, plus a heartbeat.

The same command and options as the library's (this app is listed before ``django_tasks_db``, so
this one is found first). While the worker runs, a daemon thread records every HEARTBEAT_SECONDS
that it is alive (``core.actions.record_worker_heartbeat``); the workspace warns the
administrators when no worker has been seen for a few minutes.
"""

import os
import socket
import threading

from django.db import close_old_connections
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from thudo.core import actions
from thudo.core.config import config

HEARTBEAT_SECONDS = 20


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str, every: float = HEARTBEAT_SECONDS) -> None:
        super().__init__(name="thudo-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.every = every
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def beat(self) -> None:
        actions.record_worker_heartbeat(
            self.worker_id, host=socket.gethostname(), pid=os.getpid(), started_at=self.started_at
        )

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                self.beat()
            except Exception:  # a locked or unreachable database: try again at the next beat
                db_worker.logger.exception("could not record the worker's heartbeat")
            self.stopped.wait(self.every)


class Command(db_worker.Command):
    help = db_worker.Command.help + " (with a heartbeat shown to administrators)"

    def handle(self, *args, **options):
        # Not for --batch (a one-off run), nor in the watching parent of --reload (its child,
        # which runs the tasks, beats).
        watcher = options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not options.get("batch") and not watcher:
            # At least three beats within the silence /readyz tolerates.
            every = min(HEARTBEAT_SECONDS, config().worker_silence_minutes * 60 / 3)
            Heartbeat(options["worker_id"], every=max(every, 0.5)).start()
        return super().handle(*args, **options)
