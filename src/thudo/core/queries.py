"""Reads of foundation data (units and agencies are public; the audit log is not)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from django.db.models import Case, F, IntegerField, Max, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Concat, Replace
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


# Points a query word earns: as a whole word, as the start of a word (typing in progress), or
# inside the text with the spaces taken out ("khaisinh" finds "khai sinh"; words of 4+ letters).
WHOLE, PREFIX, GLUED, PHRASE = 4, 2, 1, 3
MAX_WORDS = 8  # a query is a few words; more would only grow the SQL (SQLite caps expression depth)


def ranked_search(qs: QuerySet, q: str | None, *order: str, field: str = "search_text") -> QuerySet:
    """A search that forgives, best first: the rows whose folded ``field`` holds every word of
    the folded query; when none does, those that hold most of them (both of two words, at least
    half of three or more: "khai sinh cho con" finds "Đăng ký khai sinh").

    A word matches as a whole word, as the start of a word (typing in progress), or — four
    letters or more — inside the text written without spaces ("khaisinh"); two query words that
    follow each other in the text (a phrase) earn more. Ties keep ``order``. LIKE only, so the
    same on SQLite and PostgreSQL. Words after the eighth are ignored.
    """
    words = list(dict.fromkeys(fold(q).split()))[:MAX_WORDS] if q else []
    if not words:
        return qs.order_by(*order)
    qs = qs.annotate(
        _padded=Concat(Value(" "), F(field), Value(" ")),
        _glued=Replace(F(field), Value(" "), Value("")),
    )
    found, score = [], []
    for word in words:
        conditions = [(Q(_padded__contains=f" {word} "), WHOLE), (Q(_padded__contains=f" {word}"), PREFIX)]
        if len(word) >= 4:
            conditions.append((Q(_glued__contains=word), GLUED))
        any_match = Q()
        for condition, _points in conditions:
            any_match |= condition
        found.append(Case(When(any_match, then=Value(1)), default=Value(0)))
        score.append(Case(*(When(c, then=Value(p)) for c, p in conditions), default=Value(0)))
    for first, second in itertools.pairwise(words):
        score.append(
            Case(When(Q(_padded__contains=f" {first} {second}"), then=Value(PHRASE)), default=Value(0))
        )
    qs = qs.annotate(_found=_sum(found), relevance=_sum(score)).order_by("-relevance", *order)
    every = qs.filter(_found=len(words))
    if len(words) <= 2 or every.exists():
        return every
    return qs.filter(_found__gte=ceil(len(words) / 2))


def _sum(terms: list):
    total = Value(0, output_field=IntegerField())
    for term in terms:
        total = total + term
    return total


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
    # Ties: the current (2025) units before the legacy ones ("2025" < "legacy").
    return ranked_search(qs.select_related("parent"), q, "scheme", "code")


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
