"""The platform's schedule: which task runs when, contributed by each app.

An app lists its periodic tasks on its AppConfig as ``schedule = [ScheduledTask(...)]``; the
lines are the same as the crontab in docs/operations.md. ``scheduler()`` builds an APScheduler
(ADR 0007) whose jobs only *enqueue* the task: the background worker runs it, as it runs every
other task. ``thudo demo`` runs this scheduler; production uses cron or timers with the
equivalent ``thudo`` commands (docs/operations.md), or the same scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledTask:
    """``task``: dotted path of a ``django.tasks`` task without arguments; ``crontab``: one or
    more five-field crontab expressions in the platform's time zone; ``label``: what it does."""

    task: str
    crontab: tuple[str, ...]
    label: str = field(compare=False)

    def trigger(self) -> BaseTrigger:
        triggers = [CronTrigger.from_crontab(line, timezone=settings.TIME_ZONE) for line in self.crontab]
        return triggers[0] if len(triggers) == 1 else OrTrigger(triggers)


def tasks() -> Iterator[ScheduledTask]:
    for config in apps.get_app_configs():
        yield from getattr(config, "schedule", ())


def enqueue(path: str) -> None:
    """Queue one run of the task (the scheduler's job). A failure is logged; the next run of the
    schedule tries again."""
    try:
        import_string(path).enqueue()
    except Exception:
        logger.exception("could not queue the scheduled task %s", path)


def scheduler() -> BackgroundScheduler:
    """A scheduler (not started) with one job per scheduled task. A run missed while the machine
    slept is done once when it wakes (coalesce), never twice at a time."""
    sched = BackgroundScheduler(
        timezone=settings.TIME_ZONE,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    for item in tasks():
        sched.add_job(enqueue, item.trigger(), args=[item.task], id=item.task, name=str(item.label))
    return sched
