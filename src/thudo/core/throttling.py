"""Rate limits for what anyone can call without signing in (django-ninja's throttling).

Two limits, each a rate per client address (``config().rate_lookup`` and
``config().rate_anonymous_api``, from ``THUDO_RATE_LOOKUP`` and ``THUDO_RATE_ANONYMOUS_API``; read at
every request, so a test changes them with the settings):

- ``"lookup"``: the public lookup of a dossier by code and secret — the API operation, the lookup
  pages and the file downloads opened with the secret share one count (guessing secrets is what it
  slows down). Checked by :func:`thudo.dossiers.queries.public_lookup` through :func:`check`.
- ``"anonymous_api"``: every API operation called without a session or token
  (:class:`AnonymousApiThrottle`, set on the whole API in ``conf/api.py``).

A rate is ninja's notation (``"30/min"``, ``"1000/h"``); empty or ``None`` means no limit. The
counts live in the default cache: per process with the embedded local-memory cache, shared by
all app servers with a shared cache (Redis). Refused calls answer 429 with ``Retry-After``: the
typed error ``throttled`` in the API, a readable page elsewhere.
"""

from __future__ import annotations

import threading

from django.http import HttpRequest
from ninja.throttling import BaseThrottle, SimpleRateThrottle

from thudo.core.config import config
from thudo.core.context import current_ip
from thudo.core.errors import RateLimited
from thudo.core.middleware import client_ip


def rate(scope: str) -> str | None:
    settings = config()
    return {"lookup": settings.rate_lookup, "anonymous_api": settings.rate_anonymous_api}[scope]


class _Window(SimpleRateThrottle):
    """ninja's sliding window for one scope and one client, at the rate configured now."""

    def __init__(self, scope: str, ident: str, rate: str) -> None:
        self.scope = scope
        self.ident = ident
        super().__init__(rate)

    def get_cache_key(self, request: HttpRequest | None) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


def wait_for(scope: str, ident: str) -> float | None:
    """Count one request of ``ident`` in ``scope``: None when it is allowed, else the seconds to
    wait before the next one is."""
    configured = rate(scope)
    if configured is None:
        return None
    window = _Window(scope, ident, configured)
    if window.allow_request(None):  # type: ignore[arg-type]
        return None
    return window.wait() or float(window.duration or 1)


def check(scope: str, ident: str | None = None) -> None:
    """Count one request against ``scope``; :class:`RateLimited` (429) when over the rate.
    ``ident`` defaults to the current request's client address."""
    wait = wait_for(scope, ident if ident is not None else current_ip.get() or "local")
    if wait is not None:
        raise RateLimited(wait=wait)


class AnonymousApiThrottle(BaseThrottle):
    """Callers without a session or a bearer token, one count per client address. Signed-in
    callers are not counted (their operations need authentication; abuse is traceable)."""

    def __init__(self) -> None:
        self._last = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        wait = (
            None
            if user is not None and user.is_authenticated
            else wait_for("anonymous_api", client_ip(request))
        )
        self._last.wait = wait
        return wait is None

    def wait(self) -> float | None:
        return getattr(self._last, "wait", None)
