"""Online payment of fees through a gateway (the national portal's payment platform, or a bank).

``PaymentGateway`` is the interface; ``SimulatedGateway`` is the local demo (create an intent,
then confirm it) that never touches the network and **confirms every payment**. The gateway is
chosen with ``THUDO_PAYMENT_GATEWAY`` (setting and environment variable): a dotted path to a
``PaymentGateway`` subclass, or ``simulated``. Development (``THUDO_DEBUG=1``) defaults to
``simulated``; anywhere else nothing is chosen by default, and then the platform refuses to start
(system check ``thudo.E001``, run by every command and by the WSGI/ASGI entry points) and
:func:`gateway` refuses to charge. ``thudo check --deploy`` warns while ``simulated`` is chosen
(``thudo.W001``). ``thudo demo`` chooses ``simulated`` itself.

Payments are actions: :func:`thudo.dossiers.actions.pay_online` (the applicant, through the
gateway) and :func:`thudo.dossiers.actions.record_payment` (the officer, at the counter); both
take the fee the server computes, never the client's amount. Online submissions in Hanoi cost
0 đồng (Resolution 77/2025/NQ-HĐND) and need no payment.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from thudo.core.config import config


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


SIMULATED = "simulated"


def gateway_class() -> type[PaymentGateway]:
    """The configured gateway's class; ImproperlyConfigured when none is chosen or the path is
    not a :class:`PaymentGateway`."""
    chosen = config().payment_gateway.strip()
    if not chosen:
        raise ImproperlyConfigured(
            "No payment gateway is chosen: set THUDO_PAYMENT_GATEWAY to the dotted path of the "
            f"gateway class, or to '{SIMULATED}' for a demo (it confirms every payment)."
        )
    if chosen == SIMULATED:
        return SimulatedGateway
    try:
        cls = import_string(chosen)
    except ImportError as exc:
        raise ImproperlyConfigured(f"THUDO_PAYMENT_GATEWAY={chosen!r} cannot be imported: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, PaymentGateway)):
        raise ImproperlyConfigured(f"THUDO_PAYMENT_GATEWAY={chosen!r} is not a PaymentGateway subclass.")
    return cls


def gateway() -> PaymentGateway:
    return gateway_class()()


@checks.register(checks.Tags.security)
def check_gateway_chosen(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """thudo.E001: no (valid) gateway chosen — every command refuses to run, and so does the
    WSGI/ASGI application (``conf/wsgi.py``)."""
    try:
        gateway_class()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="thudo.E001")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_gateway_is_real(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """thudo.W001 (``check --deploy``): the simulated gateway confirms every payment."""
    if config().payment_gateway.strip() == SIMULATED:
        return [
            checks.Warning(
                "THUDO_PAYMENT_GATEWAY=simulated: every online payment is confirmed without any money "
                "changing hands. Use it for demos only; production needs a real gateway.",
                id="thudo.W001",
            )
        ]
    return []


def refuse_to_start_without_gateway() -> None:
    """For the WSGI/ASGI entry points (Django runs no system checks there): raise
    ImproperlyConfigured unless a gateway is chosen."""
    gateway_class()
