"""The readiness checks of ``/readyz`` beyond django-health-check's own (database, cache,
storage): migrations applied, a background worker alive, the outbox keeping up (ADR 0013-ops1).

Each check raises ``ServiceUnavailable`` with a short English reason (shown to whoever probes);
the thresholds come from :func:`thudo.core.config.config`.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

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


@dataclasses.dataclass
class Migrations(HealthCheck):
    alias: str = DEFAULT_DB_ALIAS

    def run(self) -> None:
        pending = pending_migrations(self.alias)
        if pending:
            raise ServiceUnavailable(f"{len(pending)} migrations not applied (first: {pending[0]})")


@dataclasses.dataclass
class Worker(HealthCheck):
    """A background worker beat within ``THUDO_WORKER_SILENCE_MINUTES``."""

    def run(self) -> None:
        silence = timedelta(minutes=config().worker_silence_minutes)
        silent = queries.worker_silent_for()
        if silent is None:
            raise ServiceUnavailable("no background worker has ever been seen")
        if silent > silence:
            raise ServiceUnavailable(f"no background worker seen for {int(silent.total_seconds())} s")


@dataclasses.dataclass
class Outbox(HealthCheck):
    """Fewer than ``THUDO_OUTBOX_BACKLOG_MAX`` messages are due and unsent."""

    def run(self) -> None:
        limit = config().outbox_backlog_max
        backlog = queries.outbox().backlog
        if backlog > limit:
            raise ServiceUnavailable(f"{backlog} outbox messages due (more than {limit})")
