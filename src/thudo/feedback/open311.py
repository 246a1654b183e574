"""Open311 GeoReport v2 at /open311/v2/ (JSON), so that existing clients work.

Spec: http://wiki.open311.org/GeoReport_v2 — ``services.json``, ``services/{code}.json``,
``requests.json`` (GET: list with ``service_request_id``, ``service_code``, ``start_date``,
``end_date``, ``status``; POST: create), ``requests/{id}.json``. Times are ISO 8601 with the
offset (``+07:00``). Errors are arrays of ``{"code", "description"}`` with the HTTP status.

Mapping: a service is a category (``service_code`` = category code); a request is a report that
the receiving agency has accepted (unreviewed and refused reports are not public); ``open`` =
not yet answered, ``closed`` = answer published (``status_notes`` = the answer). The commune is
``attribute[commune]`` (its code) or found in ``address_string``. The reporter's contact
(``phone``, required by the platform for an anonymous report; ``first_name``/``last_name``) is
stored and never returned. ``media_url`` is not fetched (no outbound requests to addresses a
client chooses); photos go through ``/api/v1/feedback``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from thudo.core import throttling
from thudo.core.config import config
from thudo.core.errorpages import retry_after
from thudo.core.errors import DomainError, RateLimited
from thudo.core.middleware import client_ip
from thudo.core.models import AdministrativeUnit, UnitLevel
from thudo.feedback import actions, queries
from thudo.feedback.models import ANSWERED_STATUSES, Category, Channel, Photo, PhotoKind, Report, Status
from thudo.feedback.routing import commune_from_address, receiving_communes

DEFAULT_DAYS = 90
MAX_REQUESTS = 1000
OPEN = (Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.HANDLED)


def _time(t: datetime | None) -> str | None:
    return timezone.localtime(t).isoformat(timespec="seconds") if t else None


def _error(status: int, description: str) -> JsonResponse:
    return JsonResponse([{"code": status, "description": description}], status=status, safe=False)


def _service(c: Category) -> dict:
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": c.description or c.name,
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


@require_GET
def services(request: HttpRequest) -> JsonResponse:
    return JsonResponse([_service(c) for c in queries.categories()], safe=False)


@require_GET
def service_definition(request: HttpRequest, code: str) -> JsonResponse:
    c = queries.categories().filter(code=code).first()
    if c is None:
        return _error(404, _("Không có dịch vụ %(code)s.") % {"code": code[:40]})
    return JsonResponse(
        {
            "service_code": c.code,
            "attributes": [
                {
                    "variable": True,
                    "code": "commune",
                    "datatype": "string",
                    "required": False,
                    "datatype_description": _(
                        "Mã phường, xã (mã đơn vị hành chính); để trống: tìm theo địa chỉ."
                    ),
                    "order": 1,
                    "description": _("Phường, xã"),
                },
                {
                    "variable": True,
                    "code": "level",
                    "datatype": "singlevaluelist",
                    "required": False,
                    "datatype_description": "",
                    "order": 2,
                    "description": _("Mức độ"),
                    "values": [
                        {"key": "normal", "name": _("Thông thường")},
                        {"key": "complex", "name": _("Phức tạp")},
                        {"key": "urgent", "name": _("Khẩn cấp")},
                    ],
                },
            ],
        }
    )


def _public() -> object:
    return (
        Report.objects.filter(status__in=(*OPEN, *ANSWERED_STATUSES))
        .select_related("category", "unit", "receiving_agency")
        .only(*queries.PUBLIC_FIELDS)
    )


def _request_out(r: Report, media: dict[int, str]) -> dict:
    answered = r.status in ANSWERED_STATUSES
    base = config().public_base_url
    return {
        "service_request_id": r.code,
        "status": "closed" if answered else "open",
        "status_notes": r.answer if answered else r.get_status_display(),
        "service_name": r.category.name,
        "service_code": r.category.code,
        "description": r.description,
        "agency_responsible": (r.unit or r.receiving_agency).name,
        "service_notice": "",
        "requested_datetime": _time(r.submitted_at),
        "updated_datetime": _time(r.updated_at),
        "expected_datetime": _time(r.handle_due) if not answered else None,
        "address": r.address,
        "address_id": None,
        "zipcode": None,
        "lat": float(r.latitude) if r.latitude is not None else None,
        "long": float(r.longitude) if r.longitude is not None else None,
        "media_url": f"{base}{media[r.pk]}" if r.pk in media else None,
    }


def _media(reports: list[Report]) -> dict[int, str]:
    out: dict[int, str] = {}
    for pk, report_id in Photo.objects.filter(report__in=reports, kind=PhotoKind.AFTER).values_list(
        "pk", "report_id"
    ):
        out.setdefault(report_id, f"/phan-anh/anh/{pk}/")
    return out


def _date(raw: str, name: str) -> datetime:
    value = parse_datetime(raw.replace(" ", "+")) if raw else None
    if value is None:
        raise ValueError(name)
    return value if timezone.is_aware(value) else timezone.make_aware(value)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        return _create(request)
    qs = _public()
    params = request.GET
    if "\x00" in "".join(params.values()):
        return _error(400, _("Tham số không hợp lệ."))
    ids = [s.strip() for s in params.get("service_request_id", "").split(",") if s.strip()]
    if ids:
        qs = qs.filter(code__in=ids[:MAX_REQUESTS])
    else:
        try:
            end = _date(params["end_date"], "end_date") if params.get("end_date") else timezone.now()
            start = (
                _date(params["start_date"], "start_date")
                if params.get("start_date")
                else end - timedelta(days=DEFAULT_DAYS)
            )
        except (ValueError, OverflowError) as exc:
            return _error(
                400,
                _("Ngày giờ không hợp lệ (ISO 8601): %(name)s.") % {"name": exc.args[0] if exc.args else ""},
            )
        qs = qs.filter(submitted_at__gte=start, submitted_at__lte=end)
        if params.get("service_code"):
            qs = qs.filter(category__code__in=params["service_code"].split(","))
        status = params.get("status", "")
        if status == "open":
            qs = qs.filter(status__in=OPEN)
        elif status == "closed":
            qs = qs.filter(status__in=ANSWERED_STATUSES)
        elif status:
            return _error(400, _("status phải là open hoặc closed."))
    rows = list(qs.order_by("-submitted_at", "-pk")[:MAX_REQUESTS])
    media = _media(rows)
    return JsonResponse([_request_out(r, media) for r in rows], safe=False)


@require_GET
def request_detail(request: HttpRequest, request_id: str) -> JsonResponse:
    r = _public().filter(code=request_id.replace("\x00", "")).first()
    if r is None:
        return _error(404, _("Không tìm thấy yêu cầu %(id)s.") % {"id": request_id[:40]})
    return JsonResponse([_request_out(r, _media([r]))], safe=False)


def _commune(code: str, address: str) -> AdministrativeUnit | None:
    if code:
        return AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, code=code.strip()).first()
    return commune_from_address(list(receiving_communes()), address)


def _create(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        # Anonymous reports count against the anonymous API rate of the client's address.
        try:
            throttling.check("anonymous_api", client_ip(request))
        except RateLimited as exc:
            return retry_after(_error(429, exc.message), exc)
    p = request.POST
    if "\x00" in "".join(p.values()):
        return _error(400, _("Tham số không hợp lệ."))
    code = p.get("service_code", "").strip()
    if not code:
        return _error(400, _("Thiếu service_code (lĩnh vực)."))
    lat, lon, address = (
        p.get("lat", "").strip(),
        p.get("long", "").strip(),
        p.get("address_string", "").strip(),
    )
    if not (lat and lon) and not address and not p.get("address_id"):
        return _error(400, _("Thiếu vị trí: cần lat và long, hoặc address_string."))
    commune = _commune(p.get("attribute[commune]", ""), address)
    if commune is None:
        return _error(
            400, _("Không xác định được phường, xã: gửi attribute[commune] hoặc địa chỉ có tên phường, xã.")
        )
    user = request.user if request.user.is_authenticated else None
    name = " ".join(x for x in (p.get("first_name", "").strip(), p.get("last_name", "").strip()) if x)
    try:
        report = actions.submit(
            by=user,
            category=code,
            description=p.get("description", ""),
            address=address or f"{lat}, {lon}",
            commune=commune.pk,
            latitude=lat or None,
            longitude=lon or None,
            level=p.get("attribute[level]", "normal") or "normal",
            channel=Channel.APP,
            reporter_name=name,
            reporter_phone=p.get("phone", ""),
        )
    except DomainError as exc:
        detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items()) or exc.message
        return _error(400 if exc.status in (400, 422) else exc.status, detail)
    notice = _("Cơ quan tiếp nhận trả lời việc tiếp nhận trước %(due)s.") % {"due": _time(report.accept_due)}
    return JsonResponse(
        [{"service_request_id": report.code, "service_notice": notice, "account_id": None}],
        status=201,
        safe=False,
    )
