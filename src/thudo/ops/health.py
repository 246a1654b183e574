"""The readiness checks of ``/readyz`` beyond django-health-check's own (database, cache,
storage): migrations applied, a background worker alive, the outbox keeping up (ADR 0013).

Each check raises ``ServiceUnavailable`` with a short English reason (shown to whoever probes);
the thresholds come from :func:`thudo.core.config.config`.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from thudo.core.config import config
from thudo.ops import queries

_migrated: set[str] = set()  # aliases found fully migrated: the code on disk cannot change under a process


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    if alias in _migrated:
        return []
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    if not pending:
        _migrated.add(alias)
    return pending


class InRequestThread(HealthCheck):
    """A check that reads the database on the request's own thread and connection (not on a pool
    thread that would open a connection of its own and keep it)."""

    async def run(self) -> None:
        await sync_to_async(self.check)()

    def check(self) -> None:
        raise NotImplementedError


@dataclasses.dataclass
class Migrations(InRequestThread):
    alias: str = DEFAULT_DB_ALIAS

    def check(self) -> None:
        pending = pending_migrations(self.alias)
        if pending:
            raise ServiceUnavailable(f"{len(pending)} migrations not applied (first: {pending[0]})")


@dataclasses.dataclass
class Worker(InRequestThread):
    """A background worker beat within ``THUDO_WORKER_SILENCE_MINUTES``."""

    def check(self) -> None:
        silence = timedelta(minutes=config().worker_silence_minutes)
        silent = queries.worker_silent_for()
        if silent is None:
            raise ServiceUnavailable("no background worker has ever been seen")
        if silent > silence:
            raise ServiceUnavailable(f"no background worker seen for {int(silent.total_seconds())} s")


@dataclasses.dataclass
class Outbox(InRequestThread):
    """At most ``THUDO_OUTBOX_BACKLOG_MAX`` items are due and not done in the outbox (and in any
    other queue registered in core.monitoring)."""

    def check(self) -> None:
        limit = config().outbox_backlog_max
        for queue in queries.queues():
            if queue.backlog > limit:
                raise ServiceUnavailable(f"{queue.backlog} items due in {queue.name} (more than {limit})")
