"""Online payment of fees through a gateway (the national portal's payment platform, or a bank).

``PaymentGateway`` is the interface; ``SimulatedGateway`` is the local demo (create an intent,
then confirm it) that never touches the network. The real gateway is configured with
``THUDO["PAYMENT_GATEWAY"]`` (a dotted path). Every payment is recorded through
:func:`thudo.dossiers.actions.record_payment` (integer đồng, method, reference, time, online).
Online submissions in Hanoi cost 0 đồng (Resolution 77/2025/NQ-HĐND) and need no payment.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from thudo.core.config import config
from thudo.core.errors import Conflict, InvalidInput


@dataclass(frozen=True)
class Intent:
    reference: str
    amount: int
    dossier_code: str


class PaymentGateway:
    """A payment provider: ``create_intent`` then, after the payer's confirmation, ``confirm``."""

    name = "gateway"

    def create_intent(self, *, dossier, amount: int) -> Intent:  # pragma: no cover - interface
        raise NotImplementedError

    def confirm(self, intent: Intent) -> str:  # pragma: no cover - interface
        """Return the gateway status ("paid") or raise Conflict."""
        raise NotImplementedError


class SimulatedGateway(PaymentGateway):
    """Local demo gateway: every intent is confirmed as paid."""

    name = "simulated"

    def create_intent(self, *, dossier, amount: int) -> Intent:
        return Intent(
            reference=f"SIM-{secrets.token_hex(6).upper()}", amount=amount, dossier_code=dossier.code
        )

    def confirm(self, intent: Intent) -> str:
        return "paid"


def gateway() -> PaymentGateway:
    path = config().payment_gateway
    return import_string(path)() if path else SimulatedGateway()


def pay_online(d, *, by, amount: int | None = None):
    """The applicant pays the dossier's fee online (create the intent, confirm, record)."""
    from thudo.dossiers import actions

    amount = d.fee_amount if amount is None else amount
    if amount <= 0:
        raise InvalidInput(_("Hồ sơ này không phải nộp phí."), fields={"amount": str(amount)})
    paid = sum(d.payments.values_list("amount", flat=True))
    if paid >= d.fee_amount > 0:
        raise Conflict(_("Hồ sơ đã được thanh toán."), code="paid")
    gw = gateway()
    intent = gw.create_intent(dossier=d, amount=amount)
    status = gw.confirm(intent)
    return actions.record_payment(
        d,
        by=by,
        method="online",
        amount=amount,
        reference=intent.reference,
        online=True,
        gateway_status=status,
    )
