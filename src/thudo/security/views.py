"""The second sign-in step and the authenticator-app set-up (pages stay thin: actions decide)."""

from base64 import b32encode
from urllib.parse import quote, urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import login as otp_login

from thudo.core.errors import DomainError
from thudo.security import actions
from thudo.security.forms import CodeForm, SetupForm
from thudo.security.middleware import is_verified

ISSUER = "Thủ đô số"


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("web:workspace")


def _with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': target})}"


def otpauth_uri(device, username: str) -> str:
    secret = b32encode(device.bin_key).decode().rstrip("=")
    label = quote(f"{ISSUER}:{username}")
    query = urlencode(
        {"secret": secret, "issuer": ISSUER, "digits": device.digits, "period": device.step}, quote_via=quote
    )
    return f"otpauth://totp/{label}?{query}"


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
def verify(request):
    target = _next(request)
    if is_verified(request):
        return redirect(target)
    if actions.confirmed_totp(request.user) is None:
        return redirect(_with_next("security:setup", target))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.verify_second_factor(request.user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            otp_login(request, result.device)
            if result.backup_code_used:
                messages.warning(
                    request,
                    ngettext(
                        "Bạn vừa dùng một mã dự phòng; còn %(n)d mã.",
                        "Bạn vừa dùng một mã dự phòng; còn %(n)d mã.",
                        result.backup_codes_left,
                    )
                    % {"n": result.backup_codes_left},
                )
            return redirect(target)
    locked = actions.locked_until(request.user)
    return render(
        request, "security/verify.html", {"form": form, "next": target, "locked_until": locked}, status=status
    )


@login_required
def setup(request):
    target = _next(request)
    if actions.confirmed_totp(request.user) is not None:
        if not is_verified(request):
            return redirect(_with_next("security:verify", target))
        return render(request, "security/setup_done.html", {"next": target})
    device = actions.start_totp_setup(request.user, by=request.user)
    form = SetupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = actions.confirm_totp_setup(device, by=request.user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            device.refresh_from_db()
            otp_login(request, device)
            # Shown once, in this response only; never stored in the session or sent again.
            response = render(request, "security/backup_codes.html", {"codes": codes, "next": target})
            response["Cache-Control"] = "no-store"
            return response
    uri = otpauth_uri(device, request.user.get_username())
    context = {
        "form": form,
        "next": target,
        "qr_svg": segno.make(uri, error="m").svg_inline(scale=4, title=_("Mã QR thiết lập")),
        "manual_key": _grouped(b32encode(device.bin_key).decode().rstrip("=")),
    }
    response = render(request, "security/setup.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response
