"""Every permission-filtered read of the feedback app.

The public reads (:func:`public_reports`, :func:`public_report`) select only public columns:
never the reporter's account, name or phone (the reporter's identity is visible only to the
officials of the receiving agency and the handling unit, and to the reporter)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from thudo.core import permissions
from thudo.core.errors import NotFound
from thudo.core.models import AdministrativeUnit
from thudo.feedback.models import ANSWERED_STATUSES, Category, Photo, PhotoKind, Report, ReportEvent, Status

PUBLIC_FIELDS = (
    "pk",
    "code",
    "title",
    "description",
    "address",
    "latitude",
    "longitude",
    "level",
    "status",
    "submitted_at",
    "accepted_at",
    "handled_at",
    "published_at",
    "closed_at",
    "updated_at",
    "answer",
    "handle_due",
    "accept_due",
    "category__name",
    "category__code",
    "commune__name",
    "unit__name",
    "receiving_agency__name",
)
"""What the public may read of a report (no reporter, no internal notes)."""


def public_reports(*, commune: int | str | None = None, category: str | None = None) -> QuerySet[Report]:
    """Handled reports whose answer is published, newest answer first, by commune if asked (an
    int: the unit's id, from the pages; text: its GSO code, from the API)."""
    qs = (
        Report.objects.filter(status__in=ANSWERED_STATUSES)
        .select_related("category", "commune", "unit", "receiving_agency")
        .only(*PUBLIC_FIELDS)
        .order_by("-published_at", "-pk")
    )
    if commune not in (None, ""):
        qs = qs.filter(commune_id=commune) if isinstance(commune, int) else qs.filter(commune__code=commune)
    if category:
        qs = qs.filter(category__code=category)
    return qs


def public_report(code: str) -> Report:
    report = public_reports().filter(code=code).first()
    if report is None:
        raise NotFound(_("Không tìm thấy phản ánh đã được trả lời."))
    return report


def public_photos(report: Report) -> QuerySet[Photo]:
    """After-photos of an answered report (scene photos stay with the officials and the reporter)."""
    return Photo.objects.filter(report=report, kind=PhotoKind.AFTER)


def communes_with_answers() -> QuerySet[AdministrativeUnit]:
    ids = Report.objects.filter(status__in=ANSWERED_STATUSES).values("commune_id")
    return AdministrativeUnit.objects.filter(pk__in=ids).order_by("name")


def categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def mine(person) -> QuerySet[Report]:
    """The reporter's own reports (signed in), newest first."""
    if person is None or not person.is_authenticated:
        return Report.objects.none()
    return (
        Report.objects.filter(reporter=person)
        .select_related("category", "commune", "unit")
        .order_by("-submitted_at", "-pk")
    )


def visible(person) -> QuerySet[Report]:
    """Reports ``person`` may see in full (officials of the agencies concerned, the reporter)."""
    return permissions.visible(
        person, Report.objects.select_related("category", "commune", "unit", "receiving_agency", "reporter")
    )


def by_code(person, code: str) -> Report:
    """One report seen in full; anybody else's is "not found", never "forbidden"."""
    report = visible(person).filter(code=code).first()
    if report is None:
        raise NotFound(_("Không tìm thấy phản ánh."))
    return report


def sees_reporter(person, report: Report) -> bool:
    """The reporter's identity: the officials of the agencies concerned, and the reporter."""
    if person is None or not person.is_authenticated:
        return False
    return report.reporter_id == person.pk or permissions.can(person, "feedback.view", report)


def triage_queue(person) -> QuerySet[Report]:
    """Waiting for acceptance in the agencies where ``person`` triages: nearest deadline first."""
    agencies = permissions.agencies_for(person, "feedback.triage")
    qs = Report.objects.filter(status=Status.SUBMITTED)
    if not permissions.is_city_admin(person):
        qs = qs.filter(receiving_agency_id__in=agencies)
    return qs.select_related("category", "commune").order_by("accept_due", "pk")


def unit_queue(person) -> QuerySet[Report]:
    """Accepted, not yet answered, in the units where ``person`` works: nearest deadline first."""
    agencies = permissions.agencies_for(person, "feedback.view")
    qs = Report.objects.filter(
        status__in=(Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.HANDLED)
    )
    if not permissions.is_city_admin(person):
        qs = qs.filter(unit_id__in=agencies) | qs.filter(unit__isnull=True, receiving_agency_id__in=agencies)
    return qs.select_related("category", "commune", "unit").order_by("handle_due", "pk")


def history(report: Report, *, public_only: bool = False) -> QuerySet[ReportEvent]:
    qs = ReportEvent.objects.filter(report=report).select_related("from_unit", "to_unit")
    return qs.filter(public=True) if public_only else qs


def photos(report: Report) -> QuerySet[Photo]:
    return Photo.objects.filter(report=report)


def photo(person, pk: int) -> Photo:
    """A photo anyone may see (an after-photo of an answered report) or one of a report the
    person sees in full."""
    p = Photo.objects.select_related("report").filter(pk=pk).first()
    if p is None:
        raise NotFound()
    if p.kind == PhotoKind.AFTER and p.report.status in ANSWERED_STATUSES:
        return p
    if visible(person).filter(pk=p.report_id).exists():
        return p
    raise NotFound()
