"""``thudo worker``: the background worker (``thudo db_worker`` with its heartbeat), counting into
the host's metrics directory; ``--schedule`` also runs the platform's schedule in this process.

Run ``--schedule`` on one worker only (one server), or none and use the systemd timers of
``deploy/`` (docs/operations.md): the schedule only queues tasks, and two schedulers would queue
each run twice.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandParser

from thudo.core import logs, schedule
from thudo.core.management.commands import db_worker
from thudo.core.metrics import prepare_multiprocess_dir

log = logs.get_logger("thudo.worker")


class Command(db_worker.Command):
    help = "Run the background worker (tasks, heartbeat); --schedule also queues the scheduled jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="also run the schedule (on one worker of the platform only)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if directory:
            prepare_multiprocess_dir(directory)
        sched = schedule.scheduler() if options.pop("schedule", False) else None
        if sched is not None:
            sched.start()
            log.info("schedule.started", jobs=[job.id for job in sched.get_jobs()])
        log.info("worker.started", worker_id=options.get("worker_id"), queues=options.get("queue_name"))
        try:
            super().handle(*args, **options)
        finally:
            if sched is not None:
                sched.shutdown(wait=False)
            log.info("worker.stopped", worker_id=options.get("worker_id"))
