"""What operations reads from the other apps' tables: counts for ``/metrics`` and ``/readyz``.

System reads (no person asks them), so no permission filter. The outbox belongs to the
notifications app, which no app imports: it registers its queue in :mod:`thudo.core.monitoring`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from thudo.core import monitoring
from thudo.core.models import WorkerHeartbeat
from thudo.dossiers.models import OPEN_STATUSES, Dossier
from thudo.dossiers.queries import overdue_q


@dataclass(frozen=True)
class AgencyDossiers:
    agency: str  # the processing agency's code ("" when none yet)
    submitted: int  # every dossier ever submitted (online or at the counter)
    finished: int  # returned, rejected or withdrawn
    overdue: int  # open and past due now


def dossiers_by_agency(now: datetime | None = None) -> list[AgencyDossiers]:
    now = now or timezone.now()
    rows = (
        Dossier.objects.values("processing_agency__code")
        .annotate(
            submitted=Count("pk"),
            finished=Count("pk", filter=Q(finished_at__isnull=False)),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES) & overdue_q(now)),
        )
        .order_by("processing_agency__code")
    )
    return [
        AgencyDossiers(r["processing_agency__code"] or "", r["submitted"], r["finished"], r["overdue"])
        for r in rows
    ]


@dataclass(frozen=True)
class Queue:
    name: str  # "outbox"
    backlog: int  # items due and not done
    dead: int  # items given up on after every retry (dead letters)


def queues(now: datetime | None = None) -> list[Queue]:
    """The queues the apps registered for operations (:mod:`thudo.core.monitoring`)."""
    now = now or timezone.now()
    return [Queue(q.name, q.backlog(now), q.dead()) for q in monitoring.QUEUES]


def worker_last_seen() -> datetime | None:
    """When any background worker last beat (``thudo worker`` / ``thudo db_worker``)."""
    last: datetime | None = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    return last


def worker_silent_for(now: datetime | None = None) -> timedelta | None:
    last = worker_last_seen()
    return None if last is None else (now or timezone.now()) - last
