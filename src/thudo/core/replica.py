"""Reads from a PostgreSQL read replica, for pages and endpoints that only read (issue 15, part 7).

With ``THUDO_REPLICA_URL`` set, settings define a second database alias, ``replica`` (a hot
standby fed by streaming replication), and install :class:`ReplicaRouter`. A view opts in with
:func:`reads_from_replica`: the public lookup, the published ranking, the KPI pages, open data.
Everything else, and every write, stays on the primary (``default``).

A replica lags the primary by a moment, so a person never reads it right after writing:

- a request that is not ``GET``/``HEAD`` runs on the primary, and its answer sets a short-lived
  cookie (:data:`PIN_COOKIE`, ``THUDO_REPLICA_PIN_SECONDS``, default 10 s) that keeps the same
  browser's next requests on the primary: the lookup after a submission shows the submission;
- within one request, once anything was written (or inside a transaction), reads go to the
  primary too;
- a rendered page is rendered inside the view's replica scope (template queries included).

Without ``THUDO_REPLICA_URL`` the decorator changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Model
from django.http import HttpRequest
from django.http.response import HttpResponseBase

REPLICA = "replica"
PIN_COOKIE = "thudo_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _Scope:
    __slots__ = ("wrote",)

    def __init__(self) -> None:
        self.wrote = False


_scope: ContextVar[_Scope | None] = ContextVar("thudo_replica_scope", default=None)


def configured() -> bool:
    return REPLICA in settings.DATABASES


def pin_seconds() -> int:
    return int(getattr(settings, "REPLICA_PIN_SECONDS", 10))


def pinned(request: HttpRequest) -> bool:
    """Did this browser write a moment ago (its reads stay on the primary)?"""
    return PIN_COOKIE in request.COOKIES


def reads_from_replica(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run a read-only view's queries on the replica (when there is one and the request may)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not configured() or request.method not in SAFE_METHODS or pinned(request):
            return view(request, *args, **kwargs)
        token = _scope.set(_Scope())
        try:
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)
            if callable(render) and not getattr(response, "is_rendered", True):
                response = render()
            return response
        finally:
            _scope.reset(token)

    return wrapper


class ReplicaRouter:
    """Reads of a :func:`reads_from_replica` view go to ``replica``; all else to ``default``."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        scope = _scope.get()
        if scope is None or scope.wrote or connections["default"].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True  # read-your-writes for the rest of this request
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        return True  # the same rows on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA  # a standby is read-only; it gets the schema by replication


class ReplicaPinMiddleware:
    """After a request that may have written, keep the browser on the primary for a few seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if configured() and request.method not in SAFE_METHODS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=pin_seconds(),
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
