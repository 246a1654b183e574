"""The HTTP API at /api/v1/: one NinjaAPI, one router per app, one error shape.

Errors always look like ``{"code": "...", "message": "...", "fields": {...}}``.
"""

from django.db import DataError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from thudo.core.api import calendar_router, units_router
from thudo.core.api import router as core_router
from thudo.core.errorpages import retry_after
from thudo.core.errors import DomainError, RateLimited, data_error_message, error_body
from thudo.core.throttling import AnonymousApiThrottle
from thudo.dossiers.api import router as dossiers_router
from thudo.feedback.api import router as feedback_router
from thudo.identity.api import router as identity_router
from thudo.kpi.api import router as kpi_router
from thudo.notifications.api import router as notifications_router
from thudo.procedures.api import router as procedures_router
from thudo.signing.api import router as signing_router
from thudo.tasks.api import router as tasks_router

api = NinjaAPI(
    title="Thủ đô số API",
    version="1",
    description=(
        "Digital-government platform API. Authentication: session cookie (pages) or "
        "`Authorization: Bearer <token>` (integrations; create with `thudo create_token`). "
        'Errors: `{"code", "message", "fields"}`.'
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # Anonymous callers: a rate per client address (THUDO_RATE_ANONYMOUS_API).
    throttle=AnonymousApiThrottle(),
)

__all__ = ["api", "error_body"]


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    response = api.create_response(request, error_body(exc.code, exc.message, exc.fields), status=exc.status)
    return retry_after(response, exc) if isinstance(exc, RateLimited) else response


@api.exception_handler(Throttled)
def _throttled(request, exc: Throttled):
    """django-ninja's throttle refused the call; ninja adds ``Retry-After`` itself."""
    return api.create_response(request, error_body(RateLimited.code, RateLimited().message), status=429)


@api.exception_handler(MultiPartParserError)
def _unreadable_body(request, exc):
    """A multipart body Django cannot split (no or a wrong boundary)."""
    message = _("Nội dung gửi lên không đọc được (multipart/form-data không hợp lệ).")
    return api.create_response(request, error_body("bad_request", message), status=400)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload", "form")]
        fields[".".join(loc) or "_"] = err.get("msg", "invalid")
    return api.create_response(request, error_body("invalid", _("Dữ liệu không hợp lệ."), fields), status=422)


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return api.create_response(request, error_body("unauthenticated", _("Cần đăng nhập.")), status=401)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, error_body("not_found", _("Không tìm thấy.")), status=404)


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def _data_error(request, exc: Exception):
    """Input the database cannot hold (a NUL character in text, a number out of range: PostgreSQL
    raises ``DataError``, SQLite's driver ``OverflowError``): the statement failed and its
    transaction rolled back, so nothing was stored. A 422, not a 500."""
    return api.create_response(request, error_body("invalid", data_error_message()), status=422)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return api.create_response(
        request, error_body(f"http_{exc.status_code}", str(exc)), status=exc.status_code
    )


def _mount() -> None:
    api.add_router("/units", units_router)
    api.add_router("/calendar", calendar_router)
    api.add_router("/", core_router)
    api.add_router("/identity", identity_router)
    api.add_router("/procedures", procedures_router)
    api.add_router("/dossiers", dossiers_router)
    api.add_router("/feedback", feedback_router)
    api.add_router("/signing", signing_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/tasks", tasks_router)
    api.add_router("/kpi", kpi_router)


_mount()
