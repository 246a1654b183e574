"""``/metrics``: the platform's numbers for Prometheus (ADR 0013).

Three sources, one answer:

- django-prometheus: HTTP requests, latencies and responses by view; database queries and errors;
- counters kept where things happen (:mod:`thudo.core.metrics`): login failures, audit append
  time, background task wait and run time, dossier history rows by verb (heard here, from
  ``DossierEventRecorded``);
- gauges read from the database at each scrape (:class:`DatabaseCollector`): dossiers submitted,
  finished and overdue by processing agency, the backlog and dead letters of the outbox (and any
  queue registered in core.monitoring), the age of the last worker heartbeat. They are the same
  whichever server is scraped.

With several processes (``PROMETHEUS_MULTIPROC_DIR`` set by ``thudo serve`` / ``thudo worker``) the
counters of every process on the host are added up (:func:`exposition`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

from django.db import DatabaseError
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from thudo.core import metrics
from thudo.ops import queries

logger = logging.getLogger(__name__)


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[Any]:
        up = GaugeMetricFamily("thudo_metrics_database_up", "Whether the scrape could read the database.")
        try:
            now = timezone.now()
            agencies = queries.dossiers_by_agency(now)
            waiting = queries.queues(now)
            silent = queries.worker_silent_for(now)
        except DatabaseError:
            logger.exception("metrics.database_unreachable")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        submitted = CounterMetricFamily(
            "thudo_dossiers_submitted", "Dossiers submitted, by processing agency.", labels=["agency"]
        )
        finished = CounterMetricFamily(
            "thudo_dossiers_finished",
            "Dossiers finished (returned, rejected, withdrawn), by processing agency.",
            labels=["agency"],
        )
        overdue = GaugeMetricFamily(
            "thudo_dossiers_overdue",
            "Open dossiers past their due moment, by processing agency.",
            labels=["agency"],
        )
        for row in agencies:
            submitted.add_metric([row.agency], row.submitted)
            finished.add_metric([row.agency], row.finished)
            overdue.add_metric([row.agency], row.overdue)
        yield submitted
        yield finished
        yield overdue
        backlog = GaugeMetricFamily(
            "thudo_queue_backlog", "Items due and not done (the outbox: messages to send).", labels=["queue"]
        )
        dead = GaugeMetricFamily(
            "thudo_queue_dead_letters", "Items given up on after every retry.", labels=["queue"]
        )
        for queue in waiting:
            backlog.add_metric([queue.name], queue.backlog)
            dead.add_metric([queue.name], queue.dead)
        yield backlog
        yield dead
        yield GaugeMetricFamily(
            "thudo_worker_heartbeat_age_seconds",
            "Seconds since a background worker last beat (absent: never seen).",
            value=silent.total_seconds() if silent is not None else float("nan"),
        )


_database = CollectorRegistry(auto_describe=False)


def register() -> None:
    """Called once from the ops app's ``ready``."""
    if not getattr(_database, "_thudo_registered", False):
        _database.register(DatabaseCollector())
        _database._thudo_registered = True  # type: ignore[attr-defined]


def exposition() -> bytes:
    """The text format of every metric: the process counters (of every process on the host in
    multiprocess mode) followed by the database gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        counted = generate_latest(registry)
    else:
        counted = generate_latest(REGISTRY)
    return counted + generate_latest(_database)


def count_dossier_event(event: Any) -> None:
    """``DossierEventRecorded`` (after the commit): one more history row of this verb."""
    metrics.DOSSIER_EVENTS.labels(verb=event.verb).inc()


def count_login_failure(sender: Any, **kwargs: Any) -> None:
    metrics.LOGIN_FAILURES.inc()
