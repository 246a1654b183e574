"""API for units, agencies, the working-time calendar and the signed-in person."""

from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.security import SessionAuth

from thudo.core import queries
from thudo.core.calendars import calendar_for
from thudo.core.errors import InvalidInput, NotAllowed
from thudo.core.pagination import LimitOffsetPagination
from thudo.core.schemas import AgencyOut, DueOut, MeOut, UnitDetailOut, UnitOut, UnitRef

units_router = Router(tags=["units"])
calendar_router = Router(tags=["calendar"])
router = Router(tags=["agencies"])


class SignedIn(SessionAuth):
    """Session (with CSRF) or bearer token (set by BearerTokenMiddleware).

    Nobody signed in is the typed 401 whatever the request holds (the CSRF check concerns a
    session, so it comes after); a session call without a valid CSRF token is the typed 403
    ``csrf_failed``."""

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError as exc:
            raise NotAllowed(
                _("Thiếu mã bảo vệ CSRF hoặc mã đã hết hạn: tải lại trang rồi thử lại."), code="csrf_failed"
            ) from exc

    def authenticate(self, request, key):
        return request.user if request.user.is_authenticated else None


signed_in = SignedIn()


def unit_ref(u) -> dict:
    return {"scheme": u.scheme, "code": u.code, "name": u.name, "level": u.level}


def unit_out(u) -> dict:
    return {
        **unit_ref(u),
        "division_type": u.division_type,
        "province_code": u.province_code,
        "parent": unit_ref(u.parent) if u.parent_id else None,
    }


class UnitFilter(Schema):
    province: str | None = None
    scheme: str | None = None
    level: str | None = None
    parent: str | None = None
    q: str | None = None


@units_router.get("", response=list[UnitOut], summary="List administrative units")
@paginate(LimitOffsetPagination)
def list_units(request, filters: Query[UnitFilter]):
    return [unit_out(u) for u in queries.units(**filters.dict())]


@units_router.get("/{scheme}/{code}", response=UnitDetailOut, summary="One unit with its neighbours in time")
def get_unit(request, scheme: str, code: str):
    u = queries.unit_detail(scheme, code)
    return {
        **unit_out(u),
        "children": [unit_ref(c) for c in u.children.all()],
        "predecessors": [
            {"unit": unit_ref(s.predecessor), "partial": s.partial} for s in u.precessions.all()
        ],
        "successors": [{"unit": unit_ref(s.successor), "partial": s.partial} for s in u.successions.all()],
    }


def agency_out(a) -> dict:
    return {
        "code": a.code,
        "name": a.name,
        "short_name": a.short_name,
        "abbreviation": a.abbreviation,
        "kind": a.kind,
        "parent_code": a.parent.code if a.parent_id else None,
        "unit": unit_ref(a.unit) if a.unit_id else None,
    }


@router.get("/agencies", response=list[AgencyOut], tags=["agencies"], summary="List agencies")
@paginate(LimitOffsetPagination)
def list_agencies(request, kind: str | None = None, q: str | None = None):
    return [agency_out(a) for a in queries.agencies(request.user, kind=kind, q=q)]


@router.get("/agencies/{code}", response=AgencyOut, tags=["agencies"], summary="One agency")
def get_agency(request, code: str):
    return agency_out(queries.agency_by_code(code))


@router.get("/me", response=MeOut, auth=signed_in, tags=["me"], summary="The signed-in person")
def me(request):
    user = request.user
    roles = [
        {"role": g.role, "agency": g.agency.code if g.agency_id else None}
        for g in user.role_grants.select_related("agency")
    ]
    return {"username": user.username, "full_name": user.full_name, "roles": roles}


def parse_start(value: str) -> datetime:
    """ISO 8601; without an offset, the time is read in Asia/Ho_Chi_Minh."""
    try:
        dt = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(
            _("Thời điểm bắt đầu phải theo ISO 8601, ví dụ 2026-02-13T16:00."), fields={"start": str(exc)}
        ) from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    return dt


def compute_due(start: str, *, days: Decimal, hours: Decimal, agency: str | None, cutoff: str | None):
    if days < 0 or hours < 0:
        raise InvalidInput(_("Thời hạn không được âm."), fields={"days" if days < 0 else "hours": "< 0"})
    if days > 3650 or hours > 3650 * 8:
        raise InvalidInput(_("Thời hạn quá dài."), fields={"days": "> 3650"})
    begin = parse_start(start)
    cal = calendar_for(queries.agency_by_code(agency) if agency else None)
    cut = None
    if cutoff:
        try:
            cut = time.fromisoformat(cutoff)
        except ValueError as exc:
            raise InvalidInput(fields={"cutoff": _("Giờ không hợp lệ, ví dụ 15:00.")}) from exc
    try:
        ex = cal.explain(begin, days=days, hours=hours, cutoff=cut)
    except OverflowError as exc:
        # A start near year 9999 (or 1) whose due moment falls outside the calendar's dates.
        raise InvalidInput(
            _("Thời hạn vượt quá phạm vi lịch (năm 1 đến năm 9999)."),
            fields={"start": _("Ngoài phạm vi lịch.")},
        ) from exc
    total = days * 8 + hours
    return {
        "start": begin,
        "start_effective": ex.start_effective,
        "due": ex.due,
        "working_hours": float(total),
        "skipped": [{"date": d.date, "reason": d.reason} for d in ex.skipped],
    }


@calendar_router.get("/due", response=DueOut, summary="Due moment after a working-time duration")
def due(
    request,
    start: str,
    days: Decimal = Decimal(0),
    hours: Decimal = Decimal(0),
    agency: str | None = None,
    cutoff: str | None = None,
):
    """Lay ``days`` (8 working hours each) and ``hours`` on the agency's office hours from ``start``,
    skipping weekends, official holidays, swapped days off and the administrator's overrides."""
    return compute_due(start, days=days, hours=hours, agency=agency, cutoff=cutoff)


__all__ = ["UnitRef", "calendar_router", "router", "signed_in", "units_router"]
