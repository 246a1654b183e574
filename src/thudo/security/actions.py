"""Every write of the security app: TOTP set-up, code checks with a lock, backup codes, resets.

Failed attempts are committed before the error is raised, so a wrong code always counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from math import ceil

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from thudo.core import audit, permissions
from thudo.core.errors import Conflict, InvalidInput, NotAllowed
from thudo.security.models import SecondFactorState
from thudo.security.policy import LOCK_MINUTES, MAX_FAILURES

BACKUP_CODE_COUNT = 10
DEVICE_NAME = "Ứng dụng xác thực"
_TOTP_RE = re.compile(r"^\d{6}$")


class SecondFactorLocked(NotAllowed):
    code = "otp_locked"
    status = 429


class SecondFactorThrottled(NotAllowed):
    """django-otp's throttle: after a wrong code a device refuses every code (even the right one)
    for 1, 2, 4 … seconds. The person is told to wait, not that the code was wrong."""

    code = "otp_throttled"
    status = 429


@dataclass(frozen=True)
class Verified:
    device: TOTPDevice | StaticDevice
    backup_code_used: bool
    backup_codes_left: int


def _normalize(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _state_for_update(user) -> SecondFactorState:
    SecondFactorState.objects.get_or_create(user=user)
    return SecondFactorState.objects.select_for_update().get(user=user)


def locked_until(user):
    """When the second step unlocks for ``user`` (None if it is not locked)."""
    state = SecondFactorState.objects.filter(user=user).first()
    if state and state.locked_until and state.locked_until > timezone.now():
        return state.locked_until
    return None


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _locked_error(until) -> SecondFactorLocked:
    local = timezone.localtime(until).strftime("%H:%M")
    return SecondFactorLocked(
        _("Bạn đã nhập sai mã quá %(n)d lần. Bước xác thực bị tạm khóa đến %(t)s.")
        % {"n": MAX_FAILURES, "t": local}
    )


def _throttle_wait(devices, *, now=None) -> int:
    """Seconds until one of ``devices`` accepts codes again (0: one accepts them now)."""
    now = now or timezone.now()
    waits = []
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if allowed:
            return 0
        until = (info or {}).get("locked_until")
        waits.append(max(1, ceil((until - now).total_seconds())) if until else 1)
    return min(waits, default=0)


def _throttled_error(seconds: int) -> SecondFactorThrottled:
    return SecondFactorThrottled(
        ngettext(
            "Bạn vừa nhập sai mã. Hãy thử lại sau %(n)d giây.",
            "Bạn vừa nhập sai mã. Hãy thử lại sau %(n)d giây.",
            seconds,
        )
        % {"n": seconds}
    )


def _check_lock(state: SecondFactorState, user) -> None:
    """Raise if locked; once a lock has expired, start counting again."""
    now = timezone.now()
    if state.locked_until and state.locked_until > now:
        raise _locked_error(state.locked_until)
    if state.locked_until:
        state.failures = 0
        state.locked_until = None
        state.save(update_fields=["failures", "locked_until"])
        # Our lock supersedes django-otp's exponential throttle once it has run its course.
        for device in [*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user)]:
            device.throttle_reset()


def _fail(state: SecondFactorState, user, *, stage: str) -> SecondFactorLocked | None:
    state.failures += 1
    fields = ["failures"]
    audit.record(
        "security.2fa_failed", by=user, obj=user, changes={"stage": stage, "failures": state.failures}
    )
    if state.failures >= MAX_FAILURES:
        state.locked_until = timezone.now() + timedelta(minutes=LOCK_MINUTES)
        fields.append("locked_until")
        audit.record("security.2fa_locked", by=user, obj=user, changes={"until": state.locked_until})
    state.save(update_fields=fields)
    return _locked_error(state.locked_until) if state.locked_until else None


def start_totp_setup(user, *, by) -> TOTPDevice:
    """The unconfirmed authenticator-app device ``user`` is setting up (created once, then reused)."""
    if by.pk != user.pk:
        raise NotAllowed(_("Mỗi người tự thiết lập xác thực 2 bước cho tài khoản của mình."))
    with transaction.atomic():
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise Conflict(_("Tài khoản đã có thiết bị xác thực 2 bước."))
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def confirm_totp_setup(device: TOTPDevice, *, by, code: str) -> list[str]:
    """Confirm the device with a code from the app; return the 10 one-time backup codes.

    The backup codes are shown once; they replace any earlier set.
    """
    user = device.user
    if by.pk != user.pk:
        raise NotAllowed(_("Mỗi người tự thiết lập xác thực 2 bước cho tài khoản của mình."))
    error: Exception | None = None
    codes: list[str] = []
    with transaction.atomic():
        state = _state_for_update(user)
        _check_lock(state, user)
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device.confirmed:
            raise Conflict(_("Thiết bị này đã được xác nhận."))
        token = _normalize(code)
        if wait := _throttle_wait([device]):
            raise _throttled_error(wait)
        if _TOTP_RE.match(token) and device.verify_token(token):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            StaticDevice.objects.filter(user=user).delete()
            backup = StaticDevice.objects.create(user=user, name=_("Mã dự phòng"), confirmed=True)
            codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
            StaticToken.objects.bulk_create([StaticToken(device=backup, token=c) for c in codes])
            state.failures = 0
            state.locked_until = None
            state.confirmed_at = timezone.now()
            state.save(update_fields=["failures", "locked_until", "confirmed_at"])
            audit.record("security.2fa_setup", by=by, obj=user, changes={"backup_codes": len(codes)})
        else:
            error = _fail(state, user, stage="setup") or InvalidInput(
                _("Mã xác thực không đúng."), fields={"code": _("Mã xác thực không đúng.")}
            )
    if error is not None:
        raise error
    return codes


def verify_second_factor(user, *, code: str) -> Verified:
    """Check a 6-digit app code or a backup code. Five wrong codes in a row lock for 15 minutes."""
    error: Exception | None = None
    result: Verified | None = None
    token = _normalize(code)
    with transaction.atomic():
        state = _state_for_update(user)
        _check_lock(state, user)
        device = None
        backup_used = _TOTP_RE.match(token) is None
        model = StaticDevice if backup_used else TOTPDevice
        candidates = (
            list(model.objects.select_for_update().filter(user=user, confirmed=True)) if token else []
        )
        if wait := _throttle_wait(candidates):
            raise _throttled_error(wait)  # not counted as a wrong code: no code was checked
        for candidate in candidates:
            if candidate.verify_token(token):  # a backup code is consumed
                device = candidate
                break
        if device is None:
            error = _fail(state, user, stage="login") or InvalidInput(
                _("Mã xác thực không đúng."), fields={"code": _("Mã xác thực không đúng.")}
            )
        else:
            left = StaticToken.objects.filter(device__user=user).count()
            if state.failures:
                state.failures = 0
                state.save(update_fields=["failures"])
            if backup_used:
                audit.record("security.2fa_backup_code_used", by=user, obj=user, changes={"left": left})
            result = Verified(device=device, backup_code_used=backup_used, backup_codes_left=left)
    if error is not None:
        raise error
    assert result is not None
    return result


def reset_second_factor(user, *, by) -> None:
    """Remove every second-factor device of ``user`` and lift any lock (city admin only).

    The person sets up a new authenticator app at the next sign-in; sessions verified with the
    old device stop counting as verified.
    """
    if not permissions.is_city_admin(by):
        raise NotAllowed(_("Chỉ quản trị viên thành phố được đặt lại xác thực 2 bước."))
    with transaction.atomic():
        state = _state_for_update(user)
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        removed += StaticDevice.objects.filter(user=user).delete()[0]
        state.failures = 0
        state.locked_until = None
        state.confirmed_at = None
        state.save(update_fields=["failures", "locked_until", "confirmed_at"])
        audit.record("security.2fa_reset", by=by, obj=user, changes={"devices_removed": removed})
