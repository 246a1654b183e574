"""Background work of the kpi app (``django.tasks``; worker: ``thudo db_worker``).

The index must follow what the systems recorded "the same minute" (product journey 3):

- ``dossier_changed`` subscribes (``KpiConfig.ready``) to the dossiers app's
  ``DossierEventRecorded``, published in every transaction that records a dossier event. After
  the commit it enqueues ``refresh_agency_month`` for the dossier's processing agency and the
  month of the event, to run a few seconds later. The enqueue is debounced per
  agency and month: while the refresh this process queued cannot have started yet, no second one
  is queued (it has not read the data yet, so it will see this change too). A failure to enqueue
  never breaks the dossier's action; the periodic roll-up repairs it.
- ``rollup_current`` keeps the current month's facts fresh as a safety net: schedule it every few
  minutes (cron: ``thudo kpi_rollup``); it catches up any month left behind first.
- ``publish_month`` publishes the last complete month (e.g. on the 1st of each month).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.tasks import task
from django.utils import timezone

from thudo.core.indicators import AgencyFactsChanged
from thudo.core.models import Agency
from thudo.dossiers.events import DossierEventRecorded
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
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        return 0
    return compute.rollup(dt.date.fromisoformat(f"{month}-01"), agencies=[agency])


# Debounce (per process): the run_after of the refresh this process queued last, per agency and
# month. A worker never starts a task before its run_after, so while that moment is ahead the
# queued refresh has not read the data yet and will see this change too: no second one is queued.
# This costs no query on the dossier's request (the earlier way looked the waiting task up in the
# queue table, a JSON-field query on every dossier event).
REFRESH_DELAY = dt.timedelta(seconds=10)
CLOCK_MARGIN = dt.timedelta(seconds=2)  # clock differences between app servers and the worker
_queued: dict[tuple[int, str], dt.datetime] = {}


def forget_queued() -> None:
    """Forget what this process queued (tests: the database they queued into is gone)."""
    _queued.clear()


def schedule_refresh(agency_id: int, month: str) -> bool:
    """Queue a refresh of one agency-month, REFRESH_DELAY from now, unless this process queued one
    that cannot have started yet. Backends that cannot defer (immediate, tests) run it now.
    Returns whether queued."""
    try:
        if not refresh_agency_month.get_backend().supports_defer:
            refresh_agency_month.enqueue(agency_id, month)
            return True
        now = timezone.now()
        key = (agency_id, month)
        waiting_until = _queued.get(key)
        if waiting_until is not None and now < waiting_until - CLOCK_MARGIN:
            return False
        run_after = now + REFRESH_DELAY
        refresh_agency_month.using(run_after=run_after).enqueue(agency_id, month)
        _queued[key] = run_after
    except Exception:
        logger.exception("could not queue the KPI refresh of agency %s, %s", agency_id, month)
        return False
    return True


def facts_changed(event: AgencyFactsChanged) -> None:
    """Runs after the commit of an action of another app (tasks, feedback, ...) that changed what
    one agency is counted by (``core.indicators``): that agency's month is refreshed."""
    schedule_refresh(event.agency_id, f"{compute.this_month(event.at):%Y-%m}")


def dossier_changed(event: DossierEventRecorded) -> None:
    """Runs after the commit of a transaction that recorded a dossier event: the month of the
    event is refreshed for the dossier's processing agency (subscribed ``ON_COMMIT``)."""
    if event.processing_agency_id is None:
        return
    schedule_refresh(event.processing_agency_id, f"{compute.this_month(event.at):%Y-%m}")
