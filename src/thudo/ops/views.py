"""``/healthz``, ``/readyz`` and ``/metrics`` (ADR 0013): for load balancers, monitoring and
Prometheus, not for people. No session, no language, no CSRF; the answers are never cached."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from health_check.views import HealthCheckView
from prometheus_client import CONTENT_TYPE_LATEST

from thudo.core.config import config
from thudo.core.middleware import address_in, client_ip
from thudo.ops import collectors


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches nothing else (a database outage is /readyz's)."""
    return JsonResponse({"status": "ok"})


class Readiness(HealthCheckView):
    """Readiness: whether this server can serve real requests now. 200 when every check passes,
    500 with the failing checks named otherwise (JSON with ``Accept: application/json`` or
    ``?format=json``, plain text with ``?format=text``)."""

    checks = (
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "health_check.checks.Storage",
        "thudo.ops.health.Migrations",
        "thudo.ops.health.Worker",
        "thudo.ops.health.Outbox",
    )

    async def get(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:  # not ready: 503, what load balancers expect
            response.status_code = 503
        return response


readyz = Readiness.as_view()


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, only for the addresses of ``THUDO_METRICS_ALLOWED`` (the client's
    address as audit records see it: behind a trusted proxy, the address it forwards)."""
    if not address_in(client_ip(request), config().metrics_allowed):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(collectors.exposition(), content_type=CONTENT_TYPE_LATEST)
