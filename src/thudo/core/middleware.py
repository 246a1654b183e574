import hashlib
import ipaddress
import time

import structlog
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from thudo.core import logs
from thudo.core.config import Network, config
from thudo.core.context import current_base_url, current_ip

request_log = logs.get_logger("thudo.request")


def address_in(address: str, networks: tuple[Network, ...]) -> bool:
    """Whether the IP ``address`` belongs to one of ``networks`` (a malformed address: no)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


_trusted = address_in


def client_ip(request) -> str:
    """The client's address, for audit records and login lockouts (django-axes).

    ``X-Forwarded-For`` is believed only when the peer is a configured proxy
    (``THUDO_TRUSTED_PROXIES``): walking it from the right, the first address that is not a
    trusted proxy is the client. Anyone else's header is ignored (it could be forged).
    """
    peer = request.META.get("REMOTE_ADDR", "")
    proxies = config().trusted_proxies
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a malformed hop: fall back to the proxy itself
    return hops[0] if hops else peer


class RequestIdMiddleware:
    """Give every request an id (or keep the one a trusted proxy sent in ``X-Request-ID``), bind
    it to every log line written while the request is served and to the tasks it queues, answer
    it in ``X-Request-ID``, and log one ``http.request`` line per request (ADR 0013)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "").strip()
        proxies = config().trusted_proxies
        trusted = bool(proxies) and _trusted(request.META.get("REMOTE_ADDR", ""), proxies)
        request_id = incoming if trusted and logs.valid_request_id(incoming) else logs.new_request_id()
        request.request_id = request_id
        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        except Exception:
            request_log.exception("http.request.failed", method=request.method, path=request.path)
            raise
        else:
            response["X-Request-ID"] = request_id
            user = getattr(request, "user", None)
            request_log.info(
                "http.request",
                method=request.method,
                path=request.path,
                status=response.status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                user_id=getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None,
                ip=client_ip(request),
            )
            return response
        finally:
            structlog.contextvars.reset_contextvars(**tokens)


class RequestContextMiddleware:
    """Make the client's address available to audit records, and the address the request came to
    available to links and QR codes (:func:`thudo.core.context.public_base_url`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        # get_host() was checked against ALLOWED_HOSTS by CommonMiddleware before this one.
        base_token = current_base_url.set(f"{request.scheme}://{request.get_host()}")
        try:
            return self.get_response(request)
        finally:
            current_base_url.reset(base_token)
            current_ip.reset(token)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def user_for_token(raw: str):
    """The active person behind an unrevoked API token, or None."""
    return _user_for_token(raw)


def _user_for_token(raw: str):
    from thudo.core.models import ApiToken

    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class BearerTokenMiddleware:
    """``Authorization: Bearer <token>`` authenticates integrations on /api/.

    Token requests carry no cookies, so CSRF does not apply to them. An invalid token answers
    401 instead of silently falling back to anonymous.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header[:7].lower() == "bearer " and request.path.startswith("/api/"):
            user = _user_for_token(header[7:].strip())
            if user is None:
                from django.http import JsonResponse

                return JsonResponse(
                    {
                        "code": "invalid_token",
                        "message": "Mã truy cập không hợp lệ hoặc đã bị thu hồi.",
                        "fields": {},
                    },
                    status=401,
                )
            request.user = SimpleLazyObject(lambda: user)
            request._dont_enforce_csrf_checks = True
            request.auth_via_token = True
        return self.get_response(request)


class QueryCountMiddleware:
    """Benchmark aid: an ``X-Queries`` header with the number of SQL statements the request ran.

    Installed only when ``THUDO_BENCH_QUERIES=1`` (see settings); off by default, so production pays
    nothing. Counts through ``connection.execute_wrapper``, which needs no DEBUG.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.db import connection

        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Queries"] = str(count)
        return response
