"""What operations reads from the other apps' tables: counts for ``/metrics`` and ``/readyz``.

System reads (no person asks them), so no permission filter; each is one aggregate query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from thudo.core.models import WorkerHeartbeat
from thudo.dossiers.models import OPEN_STATUSES, Dossier
from thudo.dossiers.queries import overdue_q
from thudo.notifications.models import OutboxMessage, OutboxStatus


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
class Outbox:
    backlog: int  # messages due to be sent (waiting or to be retried) whose time has come
    dead: int  # messages given up on after every retry (dead letters)


def outbox(now: datetime | None = None) -> Outbox:
    now = now or timezone.now()
    counts = OutboxMessage.objects.aggregate(
        backlog=Count(
            "pk",
            filter=Q(status__in=(OutboxStatus.PENDING, OutboxStatus.FAILED))
            & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)),
        ),
        dead=Count("pk", filter=Q(status=OutboxStatus.DEAD)),
    )
    return Outbox(backlog=counts["backlog"], dead=counts["dead"])


def worker_last_seen() -> datetime | None:
    """When any background worker last beat (``thudo worker`` / ``thudo db_worker``)."""
    last: datetime | None = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    return last


def worker_silent_for(now: datetime | None = None) -> timedelta | None:
    last = worker_last_seen()
    return None if last is None else (now or timezone.now()) - last
