"""Fees and charges recorded against a dossier (cash, transfer, online gateway)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from thudo.core import audit
from thudo.core.errors import Conflict, InvalidInput
from thudo.core.text import clean
from thudo.dossiers.actions._common import _check, _event, _lock, _now
from thudo.dossiers.models import (
    Dossier,
    EventVerb,
    Payment,
    PaymentMethod,
    Status,
)


def _payment(
    d: Dossier, *, by, method: str, amount: int, reference: str, online: bool, at: datetime, gateway_status=""
):
    if method not in PaymentMethod.values:
        raise InvalidInput(_("Hình thức thanh toán không hợp lệ."), fields={"method": method})
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidInput(_("Số tiền phải là số nguyên dương (đồng)."), fields={"amount": str(amount)})
    p = Payment.objects.create(
        dossier=d,
        channel=d.channel,
        method=method,
        amount=amount,
        reference=clean(reference)[:100],
        paid_at=at,
        online=online,
        gateway_status=gateway_status,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _event(d, EventVerb.PAYMENT, by=by, at=at, data={"amount": amount, "method": method, "online": online})
    audit.record(
        "dossier.record_payment", by=by, obj=d, changes={"amount": amount, "method": method, "online": online}
    )
    return p


def record_payment(
    d: Dossier,
    *,
    by,
    method: str,
    amount: int,
    reference: str = "",
    online: bool = False,
    gateway_status: str = "",
    now: datetime | None = None,
) -> Payment:
    """Record a fee paid (integer đồng): by the one-stop officer (cash, transfer) or by the applicant
    through a payment gateway (``online=True``; see :mod:`thudo.dossiers.payments`)."""
    at = _now(now)
    with transaction.atomic():
        d = _lock(d)
        verb = "pay" if online else "record_payment"
        _check(by, verb, d)
        if d.status in (Status.REJECTED, Status.WITHDRAWN):
            raise Conflict(_("Hồ sơ đã kết thúc."))
        return _payment(
            d,
            by=by,
            method=method,
            amount=amount,
            reference=reference,
            online=online,
            at=at,
            gateway_status=gateway_status,
        )
