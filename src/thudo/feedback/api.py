"""Feedback API at /api/v1/feedback: categories, the public list of answers, submit (app channel),
the reports the person may see, and one POST per transition (the same actions as the pages).

The reporter's identity (``reporter_name``, ``reporter_phone``) is in the answer only for the
officials of the agencies concerned and the reporter (``queries.sees_reporter``)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from thudo.core.api import signed_in
from thudo.core.errors import InvalidInput
from thudo.core.pagination import LimitOffsetPagination, Shaped
from thudo.feedback import actions, clocks, queries, transitions
from thudo.feedback.models import Channel, PhotoKind, Report

router = Router(tags=["feedback"], auth=signed_in)


class FeedbackCategoryOut(Schema):
    code: str
    name: str
    reopen_allowed: bool


class FeedbackPublicOut(Schema):
    code: str
    title: str
    description: str
    category: str
    commune: str
    address: str
    status: str
    unit: str | None
    answer: str
    submitted_at: datetime
    accepted_at: datetime | None
    published_at: datetime | None
    photos: list[str]


class FeedbackReportOut(FeedbackPublicOut):
    level: str
    level_claimed: str
    channel: str
    status_label: str
    receiving_agency: str
    accept_due: datetime
    handle_due: datetime | None
    handled_at: datetime | None
    closed_at: datetime | None
    overdue: list[str]
    reopen_count: int
    refusal_reason: str
    refusal_note: str
    duplicate_of: str | None
    reporter_name: str | None
    reporter_phone: str | None
    actions: list[str]


class FeedbackEventOut(Schema):
    at: datetime
    verb: str
    label: str
    from_status: str
    to_status: str
    from_unit: str | None
    to_unit: str | None
    note: str


class FeedbackActionIn(Schema):
    """Fields by verb: accept (level, unit, note), refuse (reason, note), merge (duplicate_of),
    assign (unit), transfer (unit, reason), handle (answer), rate (satisfied, comment),
    reopen/close (note)."""

    level: str | None = None
    unit: str | None = None
    note: str = ""
    reason: str = ""
    duplicate_of: str | None = None
    answer: str = ""
    satisfied: bool | None = None
    comment: str = ""


def _photo_urls(report: Report, *, after_only: bool) -> list[str]:
    """The photos' addresses (lists prefetch ``photos``: one query for the page)."""
    return [
        f"/phan-anh/anh/{p.pk}/" for p in report.photos.all() if not after_only or p.kind == PhotoKind.AFTER
    ]


def public_out(r: Report) -> dict:
    return {
        "code": r.code,
        "title": r.title,
        "description": r.description,
        "category": r.category.name,
        "commune": r.commune.name,
        "address": r.address,
        "status": r.status,
        "unit": r.unit.name if r.unit_id else None,
        "answer": r.answer if r.published_at else "",
        "submitted_at": r.submitted_at,
        "accepted_at": r.accepted_at,
        "published_at": r.published_at,
        "photos": _photo_urls(r, after_only=True),
    }


def report_out(r: Report, person) -> dict:
    sees = queries.sees_reporter(person, r)
    return {
        **public_out(r),
        "answer": r.answer,
        "photos": _photo_urls(r, after_only=False),
        "level": r.level,
        "level_claimed": r.level_claimed,
        "channel": r.channel,
        "status_label": r.get_status_display(),
        "receiving_agency": r.receiving_agency.name,
        "accept_due": r.accept_due,
        "handle_due": r.handle_due,
        "handled_at": r.handled_at,
        "closed_at": r.closed_at,
        "overdue": [o.kind for o in clocks.report_overdue(r, timezone.now())],
        "reopen_count": r.reopen_count,
        "refusal_reason": r.refusal_reason,
        "refusal_note": r.refusal_note,
        "duplicate_of": r.duplicate_of.code if r.duplicate_of_id else None,
        "reporter_name": r.reporter_name if sees else None,
        "reporter_phone": r.reporter_phone if sees else None,
        "actions": [m.verb for m in transitions.actions_for(person, r)],
    }


@router.get("/categories", response=list[FeedbackCategoryOut], auth=None, summary="Categories of feedback")
def categories(request):
    return [
        {"code": c.code, "name": c.name, "reopen_allowed": c.reopen_allowed} for c in queries.categories()
    ]


@router.get("/public", response=list[FeedbackPublicOut], auth=None, summary="Answered reports (public)")
@paginate(LimitOffsetPagination)
def public_list(request, commune: str | None = None, category: str | None = None):
    if (commune is not None and "\x00" in commune) or (category is not None and "\x00" in category):
        raise InvalidInput()
    return Shaped(
        queries.public_reports(commune=commune, category=category).prefetch_related("photos"), public_out
    )


@router.get("/public/{code}", response=FeedbackPublicOut, auth=None, summary="One answered report (public)")
def public_detail(request, code: str):
    return public_out(queries.public_report(code.replace("\x00", "")))


@router.post("", response={201: FeedbackReportOut}, summary="Send a report (multipart; photos optional)")
def submit(
    request,
    category: Form[str],
    description: Form[str],
    address: Form[str],
    commune: Form[str],
    latitude: Form[str] = "",
    longitude: Form[str] = "",
    title: Form[str] = "",
    level: Form[str] = "normal",
    hide_identity: Form[bool] = True,
    photos: File[list[UploadedFile] | None] = None,
):
    files = [(f.name or "anh", f.read()) for f in (photos or [])]
    report = actions.submit(
        by=request.user,
        category=category,
        description=description,
        address=address,
        commune=commune,
        latitude=latitude,
        longitude=longitude,
        title=title,
        level=level,
        hide_identity=hide_identity,
        channel=Channel.APP,
        photo_files=files,
    )
    return Status(201, report_out(report, request.user))


@router.get("", response=list[FeedbackReportOut], summary="Reports the signed-in person may see")
@paginate(LimitOffsetPagination)
def list_reports(request, queue: str | None = None):
    if queue == "triage":
        qs = queries.triage_queue(request.user)
    elif queue == "unit":
        qs = queries.unit_queue(request.user)
    else:
        qs = queries.visible(request.user).order_by("-submitted_at", "-pk")
    qs = qs.select_related(
        "category", "commune", "unit", "receiving_agency", "duplicate_of"
    ).prefetch_related("photos", "ratings")
    return Shaped(qs, lambda r: report_out(r, request.user))


@router.get("/{code}", response=FeedbackReportOut, summary="One report")
def get_report(request, code: str):
    return report_out(queries.by_code(request.user, code.replace("\x00", "")), request.user)


@router.get("/{code}/events", response=list[FeedbackEventOut], summary="History of a report")
def events(request, code: str):
    r = queries.by_code(request.user, code.replace("\x00", ""))
    return [
        {
            "at": e.at,
            "verb": e.verb,
            "label": str(transitions.VERB_LABELS.get(e.verb, e.verb)),
            "from_status": e.from_status,
            "to_status": e.to_status,
            "from_unit": e.from_unit.name if e.from_unit_id else None,
            "to_unit": e.to_unit.name if e.to_unit_id else None,
            "note": e.note,
        }
        for e in queries.history(r)
    ]


@router.post(
    "/{code}/{verb}", response=FeedbackReportOut, summary="One transition (accept, refuse, merge, …)"
)
def act(request, code: str, verb: str, payload: FeedbackActionIn):
    r = queries.by_code(request.user, code.replace("\x00", ""))
    by, p = request.user, payload
    if verb not in transitions.MOVES:
        raise InvalidInput(fields={"verb": ", ".join(transitions.MOVES)})
    if verb == "accept":
        r = actions.accept(r, by=by, level=p.level, unit=p.unit, note=p.note)
    elif verb == "refuse":
        r = actions.refuse(r, by=by, reason=p.reason, note=p.note, duplicate_of=p.duplicate_of)
    elif verb == "merge":
        r = actions.merge(r, by=by, original=p.duplicate_of, note=p.note)
    elif verb == "assign":
        r = actions.assign(r, by=by, unit=p.unit)
    elif verb == "start":
        r = actions.start(r, by=by)
    elif verb == "transfer":
        r = actions.transfer(r, by=by, unit=p.unit, reason=p.reason)
    elif verb == "handle":
        r = actions.handle(r, by=by, answer=p.answer)
    elif verb == "publish":
        r = actions.publish_answer(r, by=by)
    elif verb == "rate":
        if p.satisfied is None:
            raise InvalidInput(fields={"satisfied": "true/false"})
        r = actions.rate(r, by=by, satisfied=p.satisfied, comment=p.comment)
    elif verb == "reopen":
        r = actions.reopen(r, by=by, note=p.note)
    else:
        r = actions.close(r, by=by, note=p.note)
    return report_out(queries.by_code(by, r.code), by)
