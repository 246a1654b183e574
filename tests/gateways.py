"""A payment gateway for tests: like a real one it is chosen by dotted path
(``THUDO_PAYMENT_GATEWAY=tests.gateways.RecordingGateway``), and it records every charge it
confirms, so a test can count the money taken."""

from __future__ import annotations

import secrets
import threading

from thudo.dossiers.payments import Intent, PaymentGateway


class RecordingGateway(PaymentGateway):
    name = "recording"
    charges: list[Intent] = []
    _lock = threading.Lock()

    def create_intent(self, *, dossier, amount: int) -> Intent:
        return Intent(
            reference=f"REC-{secrets.token_hex(6).upper()}", amount=amount, dossier_code=dossier.code
        )

    def confirm(self, intent: Intent) -> str:
        with self._lock:
            self.charges.append(intent)
        return "paid"
