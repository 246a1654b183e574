"""Officials' sessions: a second factor before the workspace, and 30 minutes of idle time
(give or take the one-minute refresh step below).

Runs after django-otp's ``OTPMiddleware`` (which adds ``user.is_verified()``) and after the
bearer-token middleware (integrations authenticated by token are not asked for a code: the token
is their credential).
"""

import time
from urllib.parse import urlencode

from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from thudo.security.policy import (
    LOGIN_PATHS,
    OFFICIAL_IDLE_SECONDS,
    is_exempt,
    is_official,
    two_factor_required,
)

# The idle clock is pushed forward at most once a minute: refreshing it on every request would
# write the session row on every page and API call (three of a queue page's queries).
TOUCH_EVERY_SECONDS = 60


def _touch(session) -> None:
    now = int(time.time())
    if now - session.get("_idle_touched", 0) >= TOUCH_EVERY_SECONDS:
        session["_idle_touched"] = now
        session.set_expiry(OFFICIAL_IDLE_SECONDS)


def is_verified(request) -> bool:
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def _second_step_url(next_url: str) -> str:
    return f"{reverse('security:verify')}?{urlencode({'next': next_url})}"


class OfficialSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(request, "auth_via_token", False):
            return self.get_response(request)
        user = request.user
        if user.is_authenticated and is_official(user):
            _touch(request.session)
            if two_factor_required() and not is_verified(request) and not is_exempt(request.path):
                return self._challenge(request)
        response = self.get_response(request)
        return self._after_login(request, response)

    def _challenge(self, request):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "otp_required",
                    "message": _("Cần xác thực 2 bước trước khi dùng chức năng của cán bộ."),
                    "fields": {},
                },
                status=403,
            )
        return HttpResponseRedirect(_second_step_url(request.get_full_path()))

    def _after_login(self, request, response):
        """Right after the password step, send an official straight to the second step."""
        if (
            request.method == "POST"
            and request.path in LOGIN_PATHS
            and response.status_code == 302
            and request.user.is_authenticated
            and is_official(request.user)
        ):
            request.session.set_expiry(OFFICIAL_IDLE_SECONDS)
            if two_factor_required():
                target = response["Location"]
                if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                    target = "/"
                response["Location"] = _second_step_url(target)
        return response
