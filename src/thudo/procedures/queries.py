"""Reads of the procedure catalogue. Published procedures are public; drafts only for those who
manage them (city administrators; agency administrators for their agency's procedures)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum

from thudo.core import permissions
from thudo.core.calendars import calendar_for
from thudo.core.errors import NotFound
from thudo.core.models import Agency, AgencyKind
from thudo.core.queries import ranked_search
from thudo.procedures.models import Fee, Field, Level, Procedure, Process, ProcessStep, Status


def published(
    person=None,
    q: str | None = None,
    field: str | None = None,
    agency: str | None = None,
    level: str | None = None,
) -> QuerySet[Procedure]:
    """The published catalogue, searched without regard to diacritics on name or code, most
    relevant first (``core.queries.ranked_search``: "khaisinh" and "khai sinh cho con" find
    "Đăng ký khai sinh").

    ``field`` is a field code, ``agency`` an agency code (a commune People's Committee offers
    every commune-level procedure), ``level`` commune|department.
    """
    qs = permissions.visible(person, Procedure.objects.filter(status=Status.PUBLISHED))
    if field:
        qs = qs.filter(field__code=field)
    if level:
        qs = qs.filter(level=level)
    if agency:
        condition = Q(agency__code=agency)
        if Agency.objects.filter(code=agency, kind=AgencyKind.COMMUNE_COMMITTEE).exists():
            condition |= Q(level=Level.COMMUNE)
        qs = qs.filter(condition)
    return ranked_search(qs.select_related("field", "agency"), q, "search_text", "code")


def manageable(person) -> QuerySet[Procedure]:
    """Every version the person may see while managing the catalogue (drafts included)."""
    return permissions.visible(
        person, Procedure.objects.select_related("field", "agency"), "procedure.manage"
    ).order_by("code", "-version")


def get_published(code: str) -> Procedure:
    """The published version of ``code`` with papers, fees and processes."""
    procedure = (
        Procedure.objects.select_related("field", "agency")
        .prefetch_related(
            "papers",
            "fees",
            Prefetch(
                "processes",
                queryset=Process.objects.filter(status=Status.PUBLISHED)
                .select_related("agency")
                .prefetch_related("steps"),
                to_attr="published_processes",
            ),
        )
        .filter(code=code, status=Status.PUBLISHED)
        .first()
    )
    if procedure is None:
        raise NotFound()
    return procedure


def fields() -> QuerySet[Field]:
    return Field.objects.order_by("name")


def fields_in_use() -> QuerySet[Field]:
    return Field.objects.filter(procedures__status=Status.PUBLISHED).distinct().order_by("name")


def process_for(procedure: Procedure, agency: Agency | None) -> Process:
    """The published process that ``agency`` follows: its own if it has one, else the default."""
    qs = (
        Process.objects.filter(procedure=procedure, status=Status.PUBLISHED)
        .select_related("agency", "procedure")
        .prefetch_related("steps")
    )
    process = None
    if agency is not None:
        process = qs.filter(agency=agency).first()
    if process is None:
        process = qs.filter(agency__isnull=True).first()
    if process is None:
        raise NotFound()
    return process


def default_process(procedure: Procedure) -> Process | None:
    """The default process, from ``get_published``'s prefetch when available."""
    processes = getattr(procedure, "published_processes", None)
    if processes is None:
        processes = list(procedure.processes.filter(status=Status.PUBLISHED).prefetch_related("steps"))
    return next((p for p in processes if p.agency_id is None), None)


def fees_on(procedure: Procedure, on: date) -> QuerySet[Fee]:
    return procedure.fees.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)


def fee_for(procedure: Procedure, channel: str, on: date) -> int:
    """Total fees (đồng) for submitting through ``channel`` on ``on`` (0 when none apply)."""
    return fees_on(procedure, on).filter(channel=channel).aggregate(s=Sum("amount"))["s"] or 0


def agencies_offering(procedure: Procedure) -> QuerySet[Agency]:
    """Who handles the procedure: its department, or every active commune People's Committee."""
    if procedure.agency_id is not None:
        return Agency.objects.filter(pk=procedure.agency_id)
    return Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, is_active=True).order_by("name")


def deadline_preview(process: Process, start: datetime) -> list[tuple[ProcessStep, datetime]]:
    """Each step's deadline if a complete dossier were received at ``start``: the clock starts at
    ``start_moment`` (with the procedure's cut-off hour) and each step's working hours are added
    cumulatively on the agency's calendar (the city default for a default process)."""
    cal = calendar_for(process.agency)
    t = cal.start_moment(start, cutoff=process.procedure.cutoff_time)
    out = []
    for step in process.steps.order_by("order"):
        t = cal.add_working_time(t, hours=Decimal(step.duration_hours))
        out.append((step, t))
    return out
