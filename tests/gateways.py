"""A payment gateway for tests: like a real one it is chosen by dotted path
(``THUDO_PAYMENT_GATEWAY=tests.gateways.RecordingGateway``), and it records every charge it
confirms, so a test can count the money taken."""

from __future__ import annotations

import secrets
import threading
import time

from thudo.dossiers.payments import Intent, PaymentGateway


class RecordingGateway(PaymentGateway):
    name = "recording"
    charges: list[Intent] = []  # shared on purpose: every instance records here
    #: Seconds a confirmation takes (a real gateway answers in about a second): widens a race.
    delay = 0.0
    _lock = threading.Lock()

    def create_intent(self, *, dossier, amount: int) -> Intent:
        return Intent(
            reference=f"REC-{secrets.token_hex(6).upper()}", amount=amount, dossier_code=dossier.code
        )

    def confirm(self, intent: Intent) -> str:
        time.sleep(self.delay)
        with self._lock:
            self.charges.append(intent)
        return "paid"
