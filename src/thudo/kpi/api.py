"""/api/v1/kpi: indicator sets, scores, rankings and snapshots (public), targets, report forms.

Rankings and published snapshots are public open data; a unit's detailed scores need ``kpi.view``
for that agency; reports need ``kpi.report`` (submit) or ``kpi.manage`` (review)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from ninja import Router, Schema, Status

from thudo.core import permissions
from thudo.core.api import signed_in
from thudo.core.errors import NotAllowed
from thudo.kpi import actions, compute, queries
from thudo.kpi.models import ReportAssignment, ReportSubmission

router = Router(tags=["kpi"])


class IndicatorOut(Schema):
    code: str
    name: str
    kind: str
    max_points: Decimal
    target: Decimal | None
    scored: bool
    formula: str


class GroupOut(Schema):
    code: str
    name: str
    max_points: Decimal
    indicators: list[IndicatorOut]


class SetOut(Schema):
    code: str
    name: str
    kind: str
    source: str
    valid_from: dt.date
    valid_to: dt.date | None
    bands: dict
    groups: list[GroupOut]


class ScoreIndicatorOut(Schema):
    code: str
    name: str
    numerator: int | None
    denominator: int | None
    ratio: Decimal | None
    points: Decimal | None
    max: Decimal
    target: Decimal | None
    scored: bool
    value: Decimal | None
    no_data: bool
    no_data_reason: str
    numerator_label: str


class ScoreGroupOut(Schema):
    code: str
    name: str
    max: Decimal
    points: Decimal | None
    indicators: list[ScoreIndicatorOut]


class ScoreOut(Schema):
    agency: str
    period: str
    earned: Decimal
    available: Decimal
    score: Decimal | None
    classification: str | None
    groups: list[ScoreGroupOut]


class SnapshotRef(Schema):
    set: str  # the ranked set's code: "766-2022" (Decision 766 index), "259-NV" (task results)
    set_name: str
    period: str
    version: int
    reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_set(obj) -> str:
        return obj.set.code

    @staticmethod
    def resolve_set_name(obj) -> str:
        return obj.set.name


class SnapshotOut(SnapshotRef):
    data: dict


class PublishIn(Schema):
    period: str
    reason: str = ""
    set: str | None = None  # a ranked set's code; default: the Decision 766 index


class TargetOut(Schema):
    code: str
    name: str
    goal: Decimal
    unit: str
    deadline: dt.date
    owner: str
    baseline_value: Decimal | None
    baseline_date: dt.date | None
    current_value: Decimal | None
    current_date: dt.date | None
    kind: str
    status: str
    source: str


class TargetReportIn(Schema):
    value: Decimal
    as_of: dt.date
    status: str
    source: str


class FormOut(Schema):
    code: str
    name: str
    fields: list[dict]


class SubmissionOut(Schema):
    id: int
    status: str
    values: dict
    submitted_at: dt.datetime | None
    late: bool
    review_comment: str


class AssignmentOut(Schema):
    id: int
    form: str
    agency: str
    period: str
    deadline: dt.date
    submission: SubmissionOut | None


class SubmitIn(Schema):
    values: dict
    final: bool = True


class ReviewIn(Schema):
    comment: str = ""


@router.get("/sets", response=list[SetOut])
def list_sets(request):
    out = []
    for s in queries.indicator_sets():
        groups = [
            {
                "code": g.code,
                "name": g.name,
                "max_points": g.max_points,
                "indicators": [
                    {
                        "code": i.code,
                        "name": i.name,
                        "kind": i.kind,
                        "max_points": i.max_points,
                        "target": i.target,
                        "scored": i.scored,
                        "formula": i.formula,
                    }
                    for i in g.indicators.all()
                ],
            }
            for g in s.groups.all()
        ]
        out.append(
            {
                "code": s.code,
                "name": s.name,
                "kind": s.kind,
                "source": s.source,
                "valid_from": s.valid_from,
                "valid_to": s.valid_to,
                "bands": s.bands,
                "groups": groups,
            }
        )
    return out


@router.get("/scores/{agency_code}/{period}", response=ScoreOut, auth=signed_in)
def unit_score(request, agency_code: str, period: str):
    agency = queries.agency(agency_code)
    r = queries.unit_score(request.user, agency, period)
    return {
        "agency": agency.code,
        "period": compute.period_label(compute.parse_period(period)),
        "earned": r["earned"],
        "available": r["available"],
        "score": r["score"],
        "classification": r["class"],
        "groups": [
            {
                **g,
                "indicators": [
                    {
                        **i,
                        "no_data": i["points"] is None and i["value"] is None,
                        "no_data_reason": str(i["no_data_reason"]),
                        "numerator_label": str(i["numerator_label"]),
                    }
                    for i in g["indicators"]
                ],
            }
            for g in r["groups"]
        ],
    }


@router.get("/ranking/{period}", response=SnapshotOut)
def ranking(request, period: str, set: str | None = None):
    """The latest published version of the month's ranking (public open data): of the Decision
    766 index, or of the ranked set ``set`` (``259-NV``: task results)."""
    return queries.snapshot(period, None, set)


@router.get("/snapshots", response=list[SnapshotRef])
def list_snapshots(request, period: str | None = None, set: str | None = None):
    """Published rankings, every set unless ``set`` names one (each item says its set)."""
    return list(queries.snapshots(period, set, every_set=not set))


@router.get("/snapshots/{period}/{version}", response=SnapshotOut)
def get_snapshot(request, period: str, version: int, set: str | None = None):
    return queries.snapshot(period, version, set)


@router.post("/snapshots", response={201: SnapshotOut}, auth=signed_in)
def publish(request, payload: PublishIn):
    chosen = queries.ranking_set(payload.set) if payload.set else None
    return Status(201, actions.publish(payload.period, by=request.user, reason=payload.reason, set=chosen))


@router.get("/targets", response=list[TargetOut])
def list_targets(request):
    return [
        {
            "code": t.code,
            "name": t.name,
            "goal": t.goal,
            "unit": t.unit,
            "deadline": t.deadline,
            "owner": str(t.owner_agency or t.owner_name),
            "baseline_value": t.baseline_value,
            "baseline_date": t.baseline_date,
            "current_value": t.live_value if t.live_value is not None else t.current_value,
            "current_date": timezone.localdate() if t.live_value is not None else t.current_date,
            "kind": t.kind,
            "status": t.live_status,
            "source": t.source,
        }
        for t in queries.targets()
    ]


@router.post("/targets/{code}/report", response=TargetOut, auth=signed_in)
def report_target(request, code: str, payload: TargetReportIn):
    """The owner reports a target's current value with its source (kpi.manage)."""
    target = queries.target(code)
    actions.report_target(
        target,
        by=request.user,
        value=payload.value,
        as_of=payload.as_of,
        status=payload.status,
        source=payload.source,
    )
    return next(t for t in list_targets(request) if t["code"] == code)


class ReportQualityOut(Schema):
    agency: str
    period: str | None
    assigned: int
    on_time_accepted: int
    late: int
    missing: int
    ratio: Decimal | None


@router.get("/report-quality/{agency_code}", response=ReportQualityOut, auth=signed_in)
def report_quality(request, agency_code: str, period: str | None = None):
    """Report-quality indicator of a unit: on-time accepted reports / assigned reports."""
    agency = queries.agency(agency_code)
    queries.require_view_unit(request.user, agency)
    return {"agency": agency.code, "period": period, **queries.report_quality([agency.pk], period)}


@router.get("/forms", response=list[FormOut], auth=signed_in)
def list_forms(request):
    if not (permissions.can(request.user, "kpi.report") or permissions.can(request.user, "kpi.view")):
        raise NotAllowed()
    return list(queries.forms())


def _assignment_out(a: ReportAssignment) -> dict:
    sub = getattr(a, "submission", None)
    return {
        "id": a.pk,
        "form": a.form.code,
        "agency": a.agency.code,
        "period": a.period,
        "deadline": a.deadline,
        "submission": _submission_out(sub) if sub else None,
    }


def _submission_out(s: ReportSubmission) -> dict:
    return {
        "id": s.pk,
        "status": s.status,
        "values": s.values,
        "submitted_at": s.submitted_at,
        "late": s.late,
        "review_comment": s.review_comment,
    }


@router.get("/assignments", response=list[AssignmentOut], auth=signed_in)
def list_assignments(request, period: str | None = None):
    return [_assignment_out(a) for a in queries.assignments(request.user, period=period)[:500]]


@router.post("/assignments/{pk}/submit", response=SubmissionOut, auth=signed_in)
def submit(request, pk: int, payload: SubmitIn):
    a = queries.assignment(request.user, pk)
    return _submission_out(actions.submit(a, by=request.user, values=payload.values, final=payload.final))


@router.post("/submissions/{pk}/accept", response=SubmissionOut, auth=signed_in)
def accept(request, pk: int, payload: ReviewIn):
    s = queries.submission(request.user, pk)
    return _submission_out(actions.accept(s, by=request.user, comment=payload.comment))


@router.post("/submissions/{pk}/return", response=SubmissionOut, auth=signed_in)
def return_submission(request, pk: int, payload: ReviewIn):
    s = queries.submission(request.user, pk)
    return _submission_out(actions.return_with_comment(s, by=request.user, comment=payload.comment))
