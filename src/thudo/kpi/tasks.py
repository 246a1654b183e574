"""Background work of the kpi app (``django.tasks``; worker: ``thudo db_worker``).

``rollup_current`` keeps the current month's facts fresh: schedule it every few minutes (cron:
``thudo kpi_rollup``), it catches up any month left behind first. ``publish_month`` publishes the
last complete month (e.g. on the 1st of each month)."""

from __future__ import annotations

from django.tasks import task

from thudo.kpi import actions, compute


@task()
def rollup_current() -> list[str]:
    return [f"{m:%Y-%m}" for m in compute.catch_up()]


@task()
def publish_month(period: str | None = None, reason: str = "") -> str:
    period = period or f"{compute.last_complete_month():%Y-%m}"
    snap = actions.publish(period, by=None, reason=reason)
    return f"{snap.period} v{snap.version}"
