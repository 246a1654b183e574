"""``thudo serve``: the platform behind gunicorn, sized from the machine (ADR 0013).

It replaces itself with the gunicorn master (``exec``), so the process a service manager started
is the master: ``kill -HUP`` reloads gracefully (new code, new workers, no request lost),
``kill -TERM`` stops gracefully. Workers: ``--workers``, else ``THUDO_WEB_WORKERS``, else
2 × cores + 1. The access log goes to standard output as JSON lines (``--access-log off``: none);
gunicorn's own messages to standard error.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from thudo.core.config import config


def default_workers() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 2 * cores + 1


def gunicorn_argv(options: dict[str, Any]) -> list[str]:
    workers = options.get("workers") or config().web_workers or default_workers()
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:thudo.ops.gunicorn_conf",
        "--workers",
        str(workers),
        "--threads",
        str(options.get("threads") or 1),
        "--timeout",
        str(options.get("timeout") or 60),
        "--max-requests",
        str(options.get("max_requests") or 2000),
        "--max-requests-jitter",
        str(max((options.get("max_requests") or 2000) // 10, 1)),
    ]
    for address in options.get("bind") or ["127.0.0.1:8000"]:
        argv += ["--bind", address]
    if options.get("pid"):
        argv += ["--pid", options["pid"]]
    argv.append("thudo.conf.wsgi:application")
    return argv


class Command(BaseCommand):
    help = "Serve the platform with gunicorn (workers from the cores, HUP reloads, access log)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            action="append",
            help="address to listen on, HOST:PORT or unix:PATH (repeatable; default 127.0.0.1:8000)",
        )
        parser.add_argument("--workers", type=int, help="worker processes (default: 2 × cores + 1)")
        parser.add_argument("--threads", type=int, default=1, help="threads per worker (default 1)")
        parser.add_argument(
            "--timeout", type=int, default=60, help="seconds before a silent worker is restarted"
        )
        parser.add_argument(
            "--max-requests", type=int, default=2000, help="recycle a worker after this many requests"
        )
        parser.add_argument(
            "--access-log", choices=["on", "off"], default="on", help="one JSON line per request on stdout"
        )
        parser.add_argument("--pid", default="", help="write the master's process id to this file")
        parser.add_argument("--dry-run", action="store_true", help="print the gunicorn command and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = gunicorn_argv(options)
        os.environ["THUDO_ACCESS_LOG"] = options["access_log"]
        if options["dry_run"]:
            self.stdout.write(" ".join(argv))
            return
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, argv)  # noqa: S606 (our own interpreter running gunicorn)
