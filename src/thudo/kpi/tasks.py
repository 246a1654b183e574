"""Background work of the kpi app (``django.tasks``; worker: ``thudo db_worker``).

The index must follow what the systems recorded "the same minute" (product journey 3):

- ``dossier_changed`` is called by the dossiers app inside every transaction that records a
  dossier event. After the commit it enqueues ``refresh_agency_month`` for the dossier's processing
  agency and the month of the event. The enqueue is debounced per agency and month: while such a
  refresh is still waiting for a worker, no second one is queued (the waiting one has not read the
  data yet, so it will see this change too). A failure to enqueue never breaks the dossier's
  action; the periodic roll-up repairs it.
- ``rollup_current`` keeps the current month's facts fresh as a safety net: schedule it every few
  minutes (cron: ``thudo kpi_rollup``); it catches up any month left behind first.
- ``publish_month`` publishes the last complete month (e.g. on the 1st of each month).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.tasks import TaskResultStatus, task

from thudo.kpi import actions, compute

logger = logging.getLogger(__name__)


@task()
def rollup_current() -> list[str]:
    return [f"{m:%Y-%m}" for m in compute.catch_up()]


@task()
def publish_month(period: str | None = None, reason: str = "") -> str:
    period = period or f"{compute.last_complete_month():%Y-%m}"
    snap = actions.publish(period, by=None, reason=reason)
    return f"{snap.period} v{snap.version}"


@task()
def refresh_agency_month(agency_id: int, month: str) -> int:
    """Recompute one agency's counts for one month (``YYYY-MM``); returns the rows written."""
    from thudo.core.models import Agency

    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        return 0
    return compute.rollup(dt.date.fromisoformat(f"{month}-01"), agencies=[agency])


def _waiting(agency_id: int, month: str) -> bool:
    """Whether a refresh of this agency-month is queued and not started yet (database backend
    only; other backends run or drop tasks themselves, so nothing is ever "waiting")."""
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is a dependency
        return False
    if not isinstance(refresh_agency_month.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path=refresh_agency_month.module_path,
        args_kwargs__args=[agency_id, month],
    ).exists()


def schedule_refresh(agency_id: int, month: str) -> bool:
    """Queue a refresh of one agency-month unless one is already waiting. Returns whether queued."""
    try:
        if _waiting(agency_id, month):
            return False
        refresh_agency_month.enqueue(agency_id, month)
    except Exception:
        logger.exception("could not queue the KPI refresh of agency %s, %s", agency_id, month)
        return False
    return True


def dossier_changed(dossier, *, at: dt.datetime | None = None) -> None:
    """Call inside the transaction that changed ``dossier``: after the commit, the month of ``at``
    (default: now) is refreshed for the dossier's processing agency."""
    agency_id = getattr(dossier, "processing_agency_id", None)
    if agency_id is None:
        return
    month = f"{compute.this_month(at):%Y-%m}"
    transaction.on_commit(lambda: schedule_refresh(agency_id, month), robust=True)
