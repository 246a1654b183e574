"""Permission-filtered reads of dossiers: lists, work queues, one dossier, the public lookup, files.

Every list goes through ``permissions.visible`` (officers of the receiving or processing agency,
the applicant, city administrators); one dossier that a person may not see is "not found" (404),
never "forbidden", so nobody learns which codes exist. Reads of a citizen's dossier by an official
are audited (Decree 13/2023/NĐ-CP; Law 91/2025/QH15).
"""

from __future__ import annotations

import hmac
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from thudo.core import audit, permissions, throttling
from thudo.core.calendars import calendar_for
from thudo.core.errors import InvalidInput, NotFound
from thudo.core.models import Agency, Role
from thudo.core.workcalendar import timeliness
from thudo.dossiers import deadlines
from thudo.dossiers.deadlines import is_overdue, overdue_q
from thudo.dossiers.models import (
    OPEN_STATUSES,
    Attachment,
    AttachmentKind,
    Dossier,
    DossierEvent,
    EventVerb,
    ResultDocument,
    Status,
)
from thudo.dossiers.transitions import status_label

__all__ = [
    "QUEUE_KINDS",
    "attachment_for",
    "attachments",
    "by_code",
    "events",
    "is_overdue",
    "overdue_q",
    "public_lookup",
    "queue",
    "visible_dossiers",
    "workspace_counts",
]

QUEUE_KINDS = ("mine", "agency", "due_soon", "overdue", "reception", "signing")

_RELATED = ("procedure", "receiving_agency", "processing_agency", "current_step", "assignee")


def visible_dossiers(person) -> QuerySet[Dossier]:
    """Every dossier the person may see, with what lists show (no N+1)."""
    return permissions.visible(person, Dossier.objects.select_related(*_RELATED))


def filtered(
    person,
    *,
    status: str | None = None,
    agency: str | None = None,
    overdue: bool | None = None,
    q: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Dossier]:
    """Visible dossiers filtered by status, agency code (receiving or processing), overdue, code."""
    qs = visible_dossiers(person)
    if status:
        if status not in Status.values:
            raise InvalidInput(_("Trạng thái không hợp lệ."), fields={"status": status})
        qs = qs.filter(status=status)
    if agency:
        qs = qs.filter(Q(receiving_agency__code=agency) | Q(processing_agency__code=agency))
    if overdue is not None:
        qs = qs.filter(overdue_q(now)) if overdue else qs.exclude(overdue_q(now))
    if q:
        qs = qs.filter(code__icontains=q.strip())
    return qs.order_by("-submitted_at", "-pk")


def _due_soon_limit(person, now: datetime) -> datetime:
    """One working day from now on the city calendar (agencies' calendars rarely differ)."""
    return calendar_for(None).add_working_time(now, days=1)


def _mine_q(person) -> Q:
    """Assigned to the person, or handed to "the whole section" (no assignee) at a step whose role
    the person holds in the processing agency: each member of the section sees it."""
    condition = Q(assignee=person)
    for role, agency_ids in permissions.agencies_by_role(person).items():
        condition |= Q(assignee__isnull=True, current_step__role=role, processing_agency_id__in=agency_ids)
    return condition


def queue(person, *, kind: str = "mine", now: datetime | None = None) -> QuerySet[Dossier]:
    """A work queue, most urgent first (due time ascending).

    ``mine``: open dossiers assigned to the person, and those forwarded to the whole section (no
    assignee) at a step whose role the person holds in the processing agency; ``agency``: every
    open dossier of the person's agencies; ``due_soon``: open, not overdue, due within one
    working day; ``overdue``: open and past due (derived, :func:`deadlines.overdue_q`);
    ``reception``: online dossiers
    waiting to be received and results waiting to be handed over at the person's desks;
    ``signing``: dossiers at a leader's step waiting for approval and signature.
    """
    if kind not in QUEUE_KINDS:
        raise InvalidInput(_("Loại hàng đợi không hợp lệ."), fields={"kind": kind})
    now = now or timezone.now()
    qs = visible_dossiers(person).filter(status__in=OPEN_STATUSES)
    if kind == "mine":
        qs = qs.filter(_mine_q(person)) if person is not None and person.is_authenticated else qs.none()
    elif kind == "due_soon":
        qs = qs.exclude(overdue_q(now)).filter(
            status__in=[Status.SUBMITTED, Status.PROCESSING, Status.TRANSFERRED],
            due_at__lte=_due_soon_limit(person, now),
        )
    elif kind == "overdue":
        qs = qs.filter(overdue_q(now))
    elif kind == "reception":
        desks = permissions.agencies_for(person, "dossier.receive")
        base = visible_dossiers(person)
        if not permissions.is_city_admin(person):
            base = base.filter(receiving_agency__in=desks)
        qs = base.filter(
            Q(status__in=[Status.SUBMITTED, Status.RESULT_READY])
            | Q(status__in=[Status.PROCESSING, Status.PAUSED], withdrawal_requested_at__isnull=False)
        )
    elif kind == "signing":
        signers = permissions.agencies_for(person, "dossier.sign")
        qs = qs.filter(status=Status.PROCESSING, current_step__role=Role.LEADER)
        if not permissions.is_city_admin(person):
            qs = qs.filter(processing_agency__in=signers)
    return deadlines.annotate_overdue(qs, now).order_by("due_at", "pk")


REGISTER_YEARS = (2000, 2100)
"""Years a register period may cover (a date near 9999 would overflow the day after it)."""


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_default_timezone())


def register_agencies(person) -> QuerySet[Agency]:
    """Agencies whose dossier tracking register (form 07) the person may read: the one-stop desks
    where they see dossiers (every agency for a city administrator)."""
    qs = Agency.objects.filter(is_active=True)
    if not permissions.is_city_admin(person):
        qs = qs.filter(pk__in=permissions.agencies_for(person, "dossier.view"))
    return qs.order_by("name")


def tracking_register(person, *, agency: Agency, start: date, end: date) -> QuerySet[Dossier]:
    """The dossier tracking register (sổ theo dõi hồ sơ, form 07 of Circular 03/2025/TT-VPCP) of
    one receiving agency: every dossier it received from ``start`` to ``end`` (local dates,
    inclusive), in the order received, with the moment it was handed to the processing step
    (``handed_over_at``: the first hand-over of the internal process). Not found unless the
    person may read that agency's register."""
    if not register_agencies(person).filter(pk=agency.pk).exists():
        raise NotFound(_("Không tìm thấy cơ quan."))
    if not (REGISTER_YEARS[0] <= start.year and end.year <= REGISTER_YEARS[1]):
        raise InvalidInput(_("Chọn ngày trong khoảng năm 2000–2100."), fields={"start": _("Không hợp lệ.")})
    if end < start:
        raise InvalidInput(_("Ngày kết thúc phải sau ngày bắt đầu."), fields={"end": _("Không hợp lệ.")})
    handovers = DossierEvent.objects.filter(dossier=OuterRef("pk"), verb=EventVerb.FORWARD)
    first_handover = handovers.order_by("seq").values("at")
    return (
        visible_dossiers(person)
        .filter(
            receiving_agency=agency,
            received_at__gte=_local_midnight(start),
            received_at__lt=_local_midnight(end + timedelta(days=1)),
        )
        .annotate(handed_over_at=Subquery(first_handover[:1]))
        .order_by("received_at", "pk")
    )


def record_register_read(person, *, agency: Agency, start: date, end: date, fmt: str, count: int) -> None:
    """The register lists applicants' names, addresses and phones: an official's read of it is
    audited like a read of one dossier (Decree 13/2023/NĐ-CP)."""
    audit.record(
        "dossier.register_read",
        by=person,
        obj=agency,
        changes={"from": start.isoformat(), "to": end.isoformat(), "format": fmt, "rows": count},
        wait_for_disk=False,
    )


#: The workspace's counters, in the order shown: (queue kind, the verb a person needs to see it).
WORKSPACE_COUNTS = (
    ("reception", "dossier.receive"),
    ("mine", None),
    ("due_soon", None),
    ("overdue", None),
    ("signing", "dossier.sign"),
)


def workspace_counts(person, *, now: datetime | None = None) -> dict[str, int]:
    """How many dossiers wait in each queue the person works from (one COUNT query per queue;
    queues the person has no role for are left out: no reception count for a specialist)."""
    now = now or timezone.now()
    return {
        kind: queue(person, kind=kind, now=now).order_by().count()
        for kind, verb in WORKSPACE_COUNTS
        if verb is None or permissions.can(person, verb)
    }


def by_code(person, code: str, *, audit_read: bool = True) -> Dossier:
    """One visible dossier (404 when it does not exist or the person may not see it)."""
    # The code is unique: fetch the one row by its index and decide visibility on the instance
    # (the same rule as :func:`visible_dossiers`). Filtering in SQL instead put every agency the
    # person may see into the query (~300 parameters for a city-wide officer), which PostgreSQL
    # spent longer planning than running (bench/README.md).
    d = Dossier.objects.select_related(*_RELATED).filter(code=code).first()
    if d is None or not permissions.can(person, "dossier.view", d):
        raise NotFound(_("Không tìm thấy hồ sơ."))
    if audit_read and person is not None and d.applicant_user_id != person.pk:
        audit.record("dossier.view", by=person, obj=d, wait_for_disk=False)
    return d


def agencies_handling_citizen(citizen) -> list[int | None]:
    """Agencies receiving or processing a dossier of this citizen (by personal identification
    number or account): registered in ``identity.queries.CITIZEN_HANDLERS``."""
    condition = Q(applicant_pin=citizen.pin) if citizen.pin else Q(pk__in=[])
    if citizen.user_id:
        condition |= Q(applicant_user_id=citizen.user_id)
    rows = Dossier.objects.filter(condition).values_list("receiving_agency_id", "processing_agency_id")
    return [a for pair in rows for a in pair]


def events(d: Dossier) -> QuerySet[DossierEvent]:
    return d.events.select_related("step", "by").order_by("seq")


def attachments(d: Dossier) -> QuerySet[Attachment]:
    return d.attachments.select_related("paper").order_by("uploaded_at", "pk")


def results(d: Dossier) -> QuerySet[ResultDocument]:
    return d.results.order_by("version")


def attachment_for(person, code: str, attachment_id: int) -> Attachment:
    """An attachment of a dossier the person may see (404 otherwise) — for downloads."""
    d = by_code(person, code, audit_read=False)
    att = d.attachments.filter(pk=attachment_id).first()
    if att is None:
        raise NotFound(_("Không tìm thấy tệp."))
    return att


def reusable_papers(person) -> dict[str, list[Attachment]]:
    """:func:`reusable_attachments` grouped by the paper's name (results under the result's name)."""
    out: dict[str, list[Attachment]] = {}
    for a in reusable_attachments(person):
        name = a.paper.name if a.paper_id else (a.dossier.procedure.result_name or a.original_name)
        out.setdefault(name, []).append(a)
    return out


def reusable_attachments(person) -> QuerySet[Attachment]:
    """Papers and results of the person's earlier dossiers that a new dossier can re-use."""
    if person is None or not person.is_authenticated:
        return Attachment.objects.none()
    return (
        Attachment.objects.filter(
            dossier__applicant_user=person,
            kind__in=[AttachmentKind.PAPER, AttachmentKind.SUPPLEMENT, AttachmentKind.RESULT],
            reused_from__isnull=True,
        )
        .select_related("dossier", "dossier__procedure", "paper")
        .order_by("-uploaded_at")
    )


# --- public lookup ------------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """ "Nguyễn Văn An" → "N*** V** An": enough for the applicant to recognise, no more."""
    parts = name.split()
    if not parts:
        return ""
    return " ".join([*(p[0] + "*" * (len(p) - 1) for p in parts[:-1]), parts[-1]])


PUBLIC_FIELDS = frozenset(
    {
        "pk",
        "id",
        "code",
        "status",
        "get_status_display",
        "channel",
        "get_channel_display",
        "procedure",
        "procedure_id",
        "receiving_agency",
        "receiving_agency_id",
        "processing_agency",
        "processing_agency_id",
        "submitted_at",
        "received_at",
        "clock_started_at",
        "due_at",
        "original_due_at",
        "paused_since",
        "finished_at",
        "returned_at",
        "supplement_count",
        "is_open",
        "current_step",
        "current_step_id",
        "step_due_at",
        "events",
        "results",
        "attachments",
        "secret",
    }
)


class PublicView:
    """What anyone with the code and the secret sees: the dossier's progress, its papers and result,
    and no personal data beyond a masked name (Decree 13/2023/NĐ-CP). Reads the dossier's
    attributes listed in :data:`PUBLIC_FIELDS`; anything else (applicant's number, address,
    phone, e-mail, form data) raises AttributeError."""

    def __init__(self, dossier: Dossier, *, now: datetime | None = None):
        self._dossier = dossier
        self._now = now

    def __getattr__(self, name: str):
        if name in PUBLIC_FIELDS:
            return getattr(self._dossier, name)
        raise AttributeError(f"{name} is not public")

    @property
    def applicant_name(self) -> str:
        return mask_name(self._dossier.applicant_name)

    @property
    def status_label(self) -> str:
        return status_label(self._dossier)

    @property
    def overdue(self) -> bool:
        return is_overdue(self._dossier, self._now)

    @property
    def timeline(self) -> list[dict]:
        return [
            {"at": e.at, "verb": e.verb, "label": e.get_verb_display(), "status": e.to_status}
            for e in self._dossier.events.order_by("seq")
            if e.verb not in ("payment", "rate", "attach")
        ]

    @property
    def result_available(self) -> bool:
        return self._dossier.results.filter(signed=True).exists()

    def __repr__(self) -> str:
        return f"PublicView({self._dossier.code})"


def public_lookup(code: str, secret: str, *, now: datetime | None = None) -> PublicView:
    """The public view of a dossier, by its code and the secret printed on the receipt (404 when
    either is wrong; the secret is compared in constant time). Every attempt counts against the
    client's ``lookup`` rate (:mod:`thudo.core.throttling`): 429 once over it, before any check."""
    throttling.check("lookup")
    d = (
        Dossier.objects.select_related("procedure", "processing_agency", "receiving_agency")
        .filter(code=(code or "").strip())
        .first()
    )
    given = (secret or "").strip().upper().encode()
    expected = (d.secret if d else "-" * 8).encode()
    if d is None or not hmac.compare_digest(given, expected):
        raise NotFound(_("Mã hồ sơ hoặc mã tra cứu không đúng."))
    return PublicView(d, now=now)


def classification(d: Dossier, now: datetime | None = None) -> str | None:
    """early / on_time / late (or None while open and within time): see :func:`deadlines.classify`."""
    return deadlines.classify(d, now)


def working_time_left(d: Dossier, now: datetime | None = None) -> timedelta | None:
    """Working time until the due moment (negative when overdue) on the processing agency's calendar."""
    if d.due_at is None or not d.is_open:
        return None
    now = now or timezone.now()
    return calendar_for(d.processing_agency_id).working_time_between(d.paused_since or now, d.due_at)


def control_sheet(d: Dossier) -> list[dict]:
    """The process control sheet (form 06): each hand-over of a step with its due and actual time.

    A step's row starts with the event that put the dossier on it and ends with the next event
    that moved it on; the event's ``step_due_at`` is the step's due moment.
    """
    rows: list[dict] = []
    for e in d.events.select_related("step").order_by("seq"):
        if (
            rows
            and rows[-1]["done_at"] is None
            and e.verb in ("forward", "sign", "return", "reject", "transfer")
        ):
            rows[-1]["done_at"] = e.at
            rows[-1]["by_label"] = e.by_label
            due = rows[-1]["due_at"]
            rows[-1]["timeliness"] = timeliness(e.at, due) if due else ""
        if e.step_id and e.verb in (
            "receive",
            "create_counter",
            "forward",
            "supplement",
            "resume",
            "child_done",
        ):
            if rows and rows[-1]["done_at"] is None and rows[-1]["step_id"] == e.step_id:
                continue
            rows.append(
                {
                    "step_id": e.step_id,
                    "step_name": e.step.name,
                    "due_at": e.step_due_at,
                    "done_at": None,
                    "by_label": "",
                    "timeliness": "",
                }
            )
    return rows
