"""Public API of the procedure catalogue (published versions only)."""

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from thudo.core.pagination import LimitOffsetPagination
from thudo.procedures import queries

router = Router(tags=["procedures"])


class FieldOut(Schema):
    code: str
    name: str


class AgencyRef(Schema):
    code: str
    name: str
    short_name: str


class ProcedureOut(Schema):
    code: str
    version: int
    name: str
    field: FieldOut
    level: str
    agency: AgencyRef | None
    duration_value: Decimal
    duration_unit: str
    online_level: str


class PaperOut(Schema):
    order: int
    name: str
    mandatory: bool
    copies: int
    form_name: str
    blank_form_url: str | None


class FeeOut(Schema):
    channel: str
    amount: int
    name: str
    valid_from: date
    valid_to: date | None
    note: str


class StepOut(Schema):
    order: int
    name: str
    role: str
    duration_hours: Decimal


class ProcessOut(Schema):
    supplement_policy: str
    total_hours: Decimal
    steps: list[StepOut]


class ProcedureDetailOut(ProcedureOut):
    legal_duration_hours: Decimal
    cutoff_time: time | None
    result_type: str
    result_name: str
    legal_bases: list[str]
    published_at: datetime | None
    papers: list[PaperOut]
    fees: list[FeeOut]
    fees_today: dict[str, int]
    process: ProcessOut | None


class CatalogueFilter(Schema):
    q: str | None = None
    field: str | None = None
    agency: str | None = None
    level: str | None = None


@router.get("", response=list[ProcedureOut], summary="Published procedures (search, filters)")
@paginate(LimitOffsetPagination)
def list_procedures(request, filters: Query[CatalogueFilter]):
    """``q`` matches name or code with or without diacritics; ``field`` a field code, ``agency`` an
    agency code (a commune committee offers every commune-level procedure), ``level``
    commune|department."""
    return queries.published(request.user, **filters.dict())


@router.get("/fields", response=list[FieldOut], summary="Fields (lĩnh vực)")
def list_fields(request):
    return list(queries.fields())


def _paper(p) -> dict:
    return {
        "order": p.order,
        "name": p.name,
        "mandatory": p.mandatory,
        "copies": p.copies,
        "form_name": p.form_name,
        "blank_form_url": p.blank_form.url if p.blank_form else None,
    }


@router.get("/{code}", response=ProcedureDetailOut, summary="One published procedure")
def get_procedure(request, code: str):
    """The published version with its papers, fees (every channel and period; ``fees_today`` is
    the total per channel today) and the default internal process."""
    p = queries.get_published(code)
    process = queries.default_process(p)
    today = timezone.localdate()
    return {
        "code": p.code,
        "version": p.version,
        "name": p.name,
        "field": p.field,
        "level": p.level,
        "agency": p.agency,
        "duration_value": p.duration_value,
        "duration_unit": p.duration_unit,
        "online_level": p.online_level,
        "legal_duration_hours": p.legal_duration_hours,
        "cutoff_time": p.cutoff_time,
        "result_type": p.result_type,
        "result_name": p.result_name,
        "legal_bases": p.legal_bases,
        "published_at": p.published_at,
        "papers": [_paper(x) for x in p.papers.all()],
        "fees": list(p.fees.all()),
        "fees_today": {c: queries.fee_for(p, c, today) for c in sorted({f.channel for f in p.fees.all()})},
        "process": (
            {
                "supplement_policy": process.supplement_policy,
                "total_hours": process.total_hours,
                "steps": list(process.steps.all()),
            }
            if process
            else None
        ),
    }
