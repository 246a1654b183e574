"""The platform's own Prometheus counters and histograms, counted where things happen (ADR 0013).

Values counted in a process — a login failure, an audit append, a task run — are kept by
``prometheus_client``; with several processes (gunicorn workers, the background worker)
``thudo serve`` and ``thudo worker`` point ``PROMETHEUS_MULTIPROC_DIR`` at one directory per host
(:func:`prepare_multiprocess_dir`) and ``/metrics`` adds up every process's files. Values read from
the database (dossiers by agency, the outbox) are gauges computed at scrape time by the ops app,
the same on every server. Catalogue: docs/operations.md ("Metrics").
"""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import Counter, Histogram

LOGIN_FAILURES = Counter("thudo_login_failures", "Failed sign-ins (wrong password, locked out).")
AUDIT_APPEND_SECONDS = Histogram(
    "thudo_audit_append_seconds",
    "Time to append one audit record (chain-head lock, hash, insert).",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
TASK_WAIT_SECONDS = Histogram(
    "thudo_task_wait_seconds",
    "Time a background task waited in the queue before a worker started it.",
    ["task"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)
TASK_RUN_SECONDS = Histogram(
    "thudo_task_run_seconds",
    "Time a background task ran, by outcome.",
    ["task", "status"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
DOSSIER_EVENTS = Counter(
    "thudo_dossier_events",
    "Rows added to dossiers' histories, by verb (submit, receive, return...).",
    ["verb"],
)


def prepare_multiprocess_dir(path: str | os.PathLike[str]) -> Path:
    """Create the shared metrics directory and remove the files of processes that are gone (a
    restart starts their counts again, which Prometheus reads as a counter reset). Files of
    running processes (another ``thudo serve`` or ``thudo worker`` on this host) are kept."""
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    for file in directory.glob("*.db"):
        pid = file.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            file.unlink(missing_ok=True)
    return directory


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
