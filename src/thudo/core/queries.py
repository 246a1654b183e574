"""Reads of foundation data (units and agencies are public; the audit log is not)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone

from thudo.core import permissions
from thudo.core.errors import NotFound
from thudo.core.models import AdministrativeUnit, Agency, AuditRecord, Scheme, WorkerHeartbeat
from thudo.core.text import fold


def search_filter(q: str | None, field: str = "search_text") -> Q:
    """Every word of the folded query must appear in the folded text."""
    words = fold(q).split() if q else []
    condition = Q()
    for word in words:
        condition &= Q(**{f"{field}__contains": word})
    return condition


def units(
    *,
    province: str | None = None,
    scheme: str | None = None,
    level: str | None = None,
    parent: str | None = None,
    q: str | None = None,
) -> QuerySet[AdministrativeUnit]:
    qs = AdministrativeUnit.objects.all()
    if province:
        qs = qs.filter(province_code=province.zfill(2))
    if scheme:
        qs = qs.filter(scheme=scheme)
    if level:
        qs = qs.filter(level=level)
    if parent:
        qs = qs.filter(parent__code=parent)
    return qs.filter(search_filter(q)).select_related("parent").order_by("scheme", "code")


def unit_detail(scheme: str, code: str) -> AdministrativeUnit:
    if scheme not in Scheme.values:
        raise NotFound()
    unit = (
        AdministrativeUnit.objects.select_related("parent")
        .prefetch_related(
            Prefetch("children", queryset=AdministrativeUnit.objects.order_by("code")),
            "successions__successor",
            "precessions__predecessor",
        )
        .filter(scheme=scheme, code=code)
        .first()
    )
    if unit is None:
        raise NotFound()
    return unit


def agencies(person=None, *, kind: str | None = None, q: str | None = None, active: bool = True):
    qs = permissions.visible(person, Agency.objects.select_related("unit", "parent"), "agency.view")
    if kind:
        qs = qs.filter(kind=kind)
    if active:
        qs = qs.filter(is_active=True)
    return qs.filter(search_filter(q)).order_by("code")


def agency_by_code(code: str) -> Agency:
    agency = Agency.objects.select_related("unit", "parent").filter(code=code).first()
    if agency is None:
        raise NotFound()
    return agency


def audit_log(
    person, *, object_type: str | None = None, object_id: str | None = None
) -> QuerySet[AuditRecord]:
    qs = permissions.visible(person, AuditRecord.objects.all(), "audit.view")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs.order_by("-seq")


# A worker beats every HEARTBEAT_SECONDS (core/management/commands/db_worker.py); silence for
# longer than this means no worker runs (or all are stuck).
WORKER_SILENCE = timedelta(minutes=3)


@dataclass(frozen=True)
class WorkerSilence:
    """No background worker has been seen since ``last_seen`` (``None``: never)."""

    last_seen: datetime | None


def worker_silence(person, *, now: datetime | None = None) -> WorkerSilence | None:
    """For the platform's administrators: a warning when no worker has beaten within
    WORKER_SILENCE, else ``None`` (also ``None`` for everyone else, without a query)."""
    if not permissions.is_city_admin(person):
        return None
    last = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    if last is not None and last >= (now or timezone.now()) - WORKER_SILENCE:
        return None
    return WorkerSilence(last_seen=last)
