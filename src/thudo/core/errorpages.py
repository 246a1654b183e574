"""Errors become readable answers, never a bare server error or a stray HTML page in the API.

- :class:`DomainErrorMiddleware` (pages): domain errors raised while rendering a page become
  readable pages: NotFound → 404, NotAllowed → 403, RateLimited → 429 (with ``Retry-After``),
  other domain errors (Conflict, InvalidInput) → a page with the Vietnamese message; input the
  database refuses (``DataError``, e.g. a NUL character; ``OverflowError``, a number SQLite cannot
  hold) → 400. The API maps the same errors itself (``conf/api.py``).
- :class:`ApiErrorShapeMiddleware` (API): every error answer under ``/api/`` is JSON in the one
  error shape ``{"code", "message", "fields"}``, also those Django or django-ninja write before
  any view runs (an unmatched path, a method the path does not have, a body Django cannot parse,
  a server error).
- :func:`hide_denied` is the decorator the apps' page views use to hide what a person may
  not see.
"""

import functools

from django.db import DataError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from thudo.core.errors import DomainError, NotAllowed, NotFound, RateLimited, data_error_message, error_body

API_PREFIX = "/api/"
#: Headers an error answer keeps when it is rewritten (what to retry, which methods exist).
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def retry_after(response, exc: RateLimited):
    if exc.wait is not None:
        response["Retry-After"] = str(max(1, round(exc.wait)))
    return response


def hide_denied(view):
    """``NotFound`` and ``NotAllowed`` become the 404 page: a person who may not see an object
    does not learn that it exists. (:class:`DomainErrorMiddleware` turns the other domain errors
    into readable pages, and a bare ``NotAllowed`` into 403.)"""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (NotFound, NotAllowed) as exc:
            raise Http404(exc.message) from exc

    return wrapper


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, DataError | OverflowError):
            # Input the database cannot hold (a NUL character, a number out of range): nothing stored.
            message = data_error_message()
            return render(request, "web/domain_error.html", {"message": message}, status=400)
        if not isinstance(exception, DomainError):
            return None
        template = {404: "404.html", 403: "403.html"}.get(exception.status, "web/domain_error.html")
        response = render(request, template, {"message": exception.message}, status=exception.status)
        return retry_after(response, exception) if isinstance(exception, RateLimited) else response


def _api_error(status: int) -> tuple[str, str]:
    known = {
        400: ("bad_request", _("Yêu cầu không đúng định dạng.")),
        401: ("unauthenticated", _("Cần đăng nhập.")),
        403: ("forbidden", _("Bạn không có quyền thực hiện thao tác này.")),
        404: ("not_found", _("Không tìm thấy.")),
        405: ("method_not_allowed", _("Địa chỉ này không nhận phương thức HTTP đó.")),
        413: ("too_large", _("Yêu cầu quá lớn.")),
        429: ("throttled", RateLimited().message),
    }
    if status in known:
        return known[status]
    if status >= 500:
        return "server_error", _(
            "Hệ thống đang gặp sự cố. Dữ liệu của bạn không bị mất; vui lòng thử lại sau."
        )
    return f"http_{status}", _("Yêu cầu không hợp lệ.")


class ApiErrorShapeMiddleware:
    """Outermost middleware: an error answer under ``/api/`` that is not JSON is rewritten to the
    typed error with the same status (and its ``Allow`` / ``Retry-After`` headers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        code, message = _api_error(response.status_code)
        typed = JsonResponse(error_body(code, message), status=response.status_code)
        for header in KEPT_HEADERS:
            if header in response:
                typed[header] = response[header]
        return typed
