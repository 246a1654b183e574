"""Fees and charges recorded against a dossier (cash, transfer, online gateway).

The amount is never the client's: it is the fee fixed for the dossier's channel when it was
submitted (``Dossier.fee_amount``, from :func:`thudo.procedures.queries.fee_for`) less what is
already paid. A client may repeat the amount; any other figure is refused (``amount_mismatch``).
Nothing is paid on a fee-free dossier (``no_fee``) or twice (``paid``). The "already paid" check
and the gateway's charge both happen after the dossier's row lock is taken, in one transaction:
parallel payments of one dossier charge exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from thudo.core import audit
from thudo.core.errors import Conflict, InvalidInput
from thudo.core.text import clean
from thudo.dossiers import payments as gateways
from thudo.dossiers.actions._common import _begin, _event, _now
from thudo.dossiers.models import (
    Dossier,
    EventVerb,
    Payment,
    PaymentMethod,
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


def amount_due(d: Dossier, payments: Iterable[Payment] | None = None) -> int:
    """The fee still owed on ``d`` (0 when fee-free or paid): the one place that says how much.
    ``payments``: the dossier's payments when the caller has them loaded already (a page)."""
    if payments is None:
        paid = d.payments.aggregate(total=Sum("amount"))["total"] or 0
    else:
        paid = sum(p.amount for p in payments)
    return max(d.fee_amount - paid, 0)


def _owed(d: Dossier, amount: int | None) -> int:
    """On the locked row: the amount to take, or the reason nothing may be taken."""
    if d.fee_amount <= 0:
        raise InvalidInput(
            _("Hồ sơ này không phải nộp phí."), code="no_fee", fields={"amount": _("Không phải nộp phí.")}
        )
    due = amount_due(d)
    if due <= 0:
        raise Conflict(_("Hồ sơ đã được thanh toán."), code="paid")
    if amount is not None and amount != due:
        raise InvalidInput(
            _("Số tiền phải đúng bằng phí, lệ phí còn phải nộp: %(due)d đồng.") % {"due": due},
            code="amount_mismatch",
            fields={"amount": str(due)},
        )
    return due


def record_payment(
    d: Dossier,
    *,
    by,
    method: str,
    amount: int | None = None,
    reference: str = "",
    now: datetime | None = None,
) -> Payment:
    """The one-stop officer records the fee paid at the counter (cash, transfer). ``amount``, when
    given, must equal the fee still owed; the recorded amount is always the server's."""
    at = _now(now)
    with transaction.atomic():
        d = _begin(d, by=by, verb="record_payment")  # the state, from the one verb table
        due = _owed(d, amount)
        return _payment(d, by=by, method=method, amount=due, reference=reference, online=False, at=at)


def pay_online(d: Dossier, *, by, amount: int | None = None, now: datetime | None = None) -> Payment:
    """The applicant pays the fee still owed through the configured gateway
    (:mod:`thudo.dossiers.payments`): intent, confirmation and record under the dossier's row lock,
    so a second parallel payment waits, then finds the fee paid (``paid``) and charges nothing."""
    at = _now(now)
    with transaction.atomic():
        d = _begin(d, by=by, verb="pay")
        due = _owed(d, amount)
        gateway = gateways.gateway()
        intent = gateway.create_intent(dossier=d, amount=due)
        status = gateway.confirm(intent)
        return _payment(
            d,
            by=by,
            method=PaymentMethod.ONLINE,
            amount=due,
            reference=intent.reference,
            online=True,
            at=at,
            gateway_status=status,
        )
