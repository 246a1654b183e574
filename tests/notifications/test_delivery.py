"""Delivery: one e-mail per message, retries with back-off, dead after six attempts."""

import hashlib
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from tests.factories_notifications import OutboxMessageFactory
from thudo.notifications import tasks
from thudo.notifications.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db
MAIL_DOWN = {"default": {"BACKEND": "tests.notifications.backends.DownEmailBackend"}}


def test_delivering_sends_one_email_and_a_second_delivery_sends_nothing():
    message = OutboxMessageFactory(recipient="vana@example.vn", key="dossier:0001:received:email")
    assert tasks.deliver_message.call(message.pk) == "sent"
    assert tasks.deliver_message.call(message.pk) == "skipped"  # at-least-once enqueue, one e-mail
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["vana@example.vn"]
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.sent_at is not None
    # the Message-ID comes from the key: a redelivered copy carries the same one
    digest = hashlib.sha256(b"dossier:0001:received:email").hexdigest()[:32]
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<{digest}@thudoso>"


def test_failures_back_off_then_the_message_is_dead(frozen):
    message = OutboxMessageFactory(next_attempt_at=frozen.now)
    waits = []
    with override_settings(MAILERS=MAIL_DOWN):
        for _attempt in range(6):
            before = frozen.now
            assert tasks.deliver_all_due()["skipped"] == 0
            message.refresh_from_db()
            waits.append(message.next_attempt_at - before)
            # not due yet: nothing is tried early
            frozen.advance(seconds=30)
            assert tasks.deliver_all_due() == {"sent": 0, "failed": 0, "dead": 0, "skipped": 0}
            frozen.now = message.next_attempt_at
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 6
    assert "SMTP server unreachable" in message.last_error
    assert waits[:5] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=12),
    ]
    frozen.advance(days=30)
    assert tasks.deliver_all_due()["sent"] == 0  # a dead message is not retried by itself
    assert mail.outbox == []


def test_a_failed_message_is_sent_by_the_next_due_run(frozen):
    message = OutboxMessageFactory(next_attempt_at=frozen.now)
    with override_settings(MAILERS=MAIL_DOWN):
        assert tasks.deliver_message.call(message.pk) == OutboxStatus.FAILED
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 1)
    frozen.advance(minutes=1)
    assert tasks.deliver_all_due()["sent"] == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1


def test_the_command_delivers_what_is_due_even_if_enqueueing_never_happened(capsys):
    OutboxMessageFactory.create_batch(3)
    call_command("deliver_notifications")
    assert "sent=3" in capsys.readouterr().out
    assert len(mail.outbox) == 3
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()


def test_a_message_being_sent_by_another_worker_is_not_sent_again(frozen):
    from thudo.notifications import actions

    message = OutboxMessageFactory(next_attempt_at=frozen.now)
    claimed = actions.claim_for_delivery(message.pk)  # another worker holds the lease
    assert claimed is not None
    assert tasks.deliver_all_due()["sent"] == 0
    assert mail.outbox == []


class _Gateway(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        type(self).received.append((dict(self.headers), json.loads(self.rfile.read(length))))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    _Gateway.received = []
    _Gateway.status = 200
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, _Gateway
    server.shutdown()
    server.server_close()


def test_sms_gateway_receives_the_message_with_its_idempotency_key(gateway, citizen):
    from thudo.notifications import actions

    server, handler = gateway
    citizen.phone = "0912345678"
    citizen.save()
    url = f"http://127.0.0.1:{server.server_port}/sms"
    with override_settings(THUDO={**settings.THUDO, "SMS_GATEWAY_URL": url, "SMS_GATEWAY_TOKEN": "bi-mat"}):
        actions.notify(
            event="dossier.result_ready",
            subject="Đã có kết quả hồ sơ 0004",
            body="Mời ông/bà đến nhận kết quả.",
            user=citizen,
            key="dossier:0004:result_ready",
        )
        sms = OutboxMessage.objects.get(channel="sms")
        assert tasks.deliver(sms.pk) == "sent"
    headers, body = handler.received[0]
    assert body["to"] == "0912345678"
    assert body["text"] == "Đã có kết quả hồ sơ 0004"
    assert headers["Idempotency-Key"] == "dossier:0004:result_ready:sms"
    assert headers["Authorization"] == "Bearer bi-mat"


def test_gateway_error_is_a_failed_attempt(gateway):
    server, handler = gateway
    handler.status = 503
    message = OutboxMessageFactory(channel="sms", recipient="0912345678", key="x:sms")
    url = f"http://127.0.0.1:{server.server_port}/sms"
    with override_settings(THUDO={**settings.THUDO, "SMS_GATEWAY_URL": url}):
        assert tasks.deliver(message.pk) == OutboxStatus.FAILED
    message.refresh_from_db()
    assert "503" in message.last_error
    assert message.attempts == 1


def test_a_message_for_a_channel_switched_off_later_fails_visibly():
    message = OutboxMessageFactory(channel="zalo", recipient="0912345678", key="y:zalo")
    assert tasks.deliver(message.pk) == OutboxStatus.FAILED
    message.refresh_from_db()
    assert "not configured" in message.last_error


def test_integration_webhook_gets_one_event_per_notice(gateway, citizen):
    from thudo.core.models import Agency
    from thudo.notifications import actions

    server, handler = gateway
    agency = Agency.objects.create(code="000.98.98.H26", name="Cơ quan thử webhook")
    url = f"http://127.0.0.1:{server.server_port}/hook"
    with override_settings(THUDO={**settings.THUDO, "NOTIFY_WEBHOOK_URL": url}):
        actions.notify(event="agency.changed", subject="Đổi tên", body="…", obj=agency, key="agency:x")
        hook = OutboxMessage.objects.get(channel="webhook")
        assert tasks.deliver(hook.pk) == "sent"
    _headers, body = handler.received[0]
    assert body["event"] == "agency.changed"
    assert body["object"] == {"type": "core.agency", "id": str(agency.pk)}
    assert body["key"] == "agency:x:webhook"
