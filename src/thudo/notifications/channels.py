"""Delivery channels: one small interface, one class per way of reaching a person.

``Channel.send(message)`` delivers one :class:`~thudo.notifications.models.OutboxMessage` or
raises (any exception counts as a failed attempt and is retried by ``tasks.deliver_message``).
``recipient_for`` says where this channel would reach a person (empty: not reachable), and
``enabled`` whether the channel is configured at all; a disabled channel gets no outbox rows.

SMS, Zalo (ZNS) and the integration webhook are plain HTTP adapters configured in
``settings.THUDO`` (``SMS_GATEWAY_URL`` / ``SMS_GATEWAY_TOKEN``, ``ZALO_ZNS_URL`` /
``ZALO_ZNS_TOKEN``, ``NOTIFY_WEBHOOK_URL`` / ``NOTIFY_WEBHOOK_TOKEN``): they POST JSON to the
gateway the city contracts, with the message key as ``Idempotency-Key``. A new channel is one
more subclass in :data:`CHANNELS`.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.core.mail import EmailMessage, mailers

from thudo.core.config import config
from thudo.notifications.models import Channel as ChannelName

HTTP_TIMEOUT = 15  # seconds; a gateway slower than this counts as failed and is retried later


class DeliveryError(Exception):
    """The channel could not deliver; the message is retried with back-off."""


@dataclass(frozen=True)
class Reach:
    """What is known about how to reach a person."""

    email: str = ""
    phone: str = ""


def absolute_url(url: str) -> str:
    if not url or "://" in url:
        return url
    base = config().public_base_url
    return f"{base}/{url.lstrip('/')}"


class Channel:
    """Base class. Subclasses set ``name`` and implement ``send``."""

    name: str = ""

    def enabled(self) -> bool:
        return True

    def recipient_for(self, reach: Reach) -> str:
        return ""

    def compose(self, *, subject: str, body: str, url: str) -> tuple[str, str]:
        """(subject, body) of the message on this channel."""
        link = absolute_url(url)
        return subject, f"{body}\n\n{link}" if link else body

    def send(self, message) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class EmailChannel(Channel):
    """E-mail through Django's default mailer (``MAILERS["default"]``)."""

    name = ChannelName.EMAIL

    def recipient_for(self, reach: Reach) -> str:
        return reach.email.strip()

    def send(self, message) -> None:
        digest = hashlib.sha256(message.key.encode()).hexdigest()[:32]
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            to=[message.recipient],
            headers={
                # The same key gives the same Message-ID: mail systems drop a redelivered copy.
                "Message-ID": f"<{digest}@thudoso>",
                "X-Thudo-Event": message.event,
            },
        )
        sent = mailers.default.send_messages([email])
        if not sent:
            raise DeliveryError("mailer accepted no message")


class HttpChannel(Channel):
    """POST a JSON message to a configured gateway. Disabled when the URL is not set."""

    url_setting = ""
    token_setting = ""

    def gateway(self) -> str:
        return config().gateway_url(self.url_setting)

    def enabled(self) -> bool:
        return bool(self.gateway())

    def payload(self, message) -> dict:
        return {
            "to": message.recipient,
            "subject": message.subject,
            "text": message.body,
            "event": message.event,
            "key": message.key,
        }

    def send(self, message) -> None:
        url = self.gateway()
        if not url.startswith(("https://", "http://")):
            raise DeliveryError(f"{self.name}: gateway URL not configured")
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.key}
        token = config().gateway_url(self.token_setting)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(self.payload(message), ensure_ascii=False).encode()
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310 (http(s) checked above)
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"{self.name}: gateway answered {exc.code}") from exc
        except OSError as exc:
            raise DeliveryError(f"{self.name}: {exc}") from exc
        if not 200 <= status < 300:
            raise DeliveryError(f"{self.name}: gateway answered {status}")


class SmsChannel(HttpChannel):
    """SMS through the city's brand-name SMS gateway; short text: subject and link."""

    name = ChannelName.SMS
    url_setting = "SMS_GATEWAY_URL"
    token_setting = "SMS_GATEWAY_TOKEN"  # noqa: S105 (setting name, not a secret)

    def recipient_for(self, reach: Reach) -> str:
        return "".join(ch for ch in reach.phone if ch.isdigit() or ch == "+")

    def compose(self, *, subject: str, body: str, url: str) -> tuple[str, str]:
        link = absolute_url(url)
        return subject, f"{subject} {link}".strip()


class ZaloChannel(SmsChannel):
    """Zalo Notification Service (ZNS) through a configured relay; addressed by phone number."""

    name = ChannelName.ZALO
    url_setting = "ZALO_ZNS_URL"
    token_setting = "ZALO_ZNS_TOKEN"  # noqa: S105 (setting name, not a secret)


class WebhookChannel(HttpChannel):
    """One JSON event per notice to an integration endpoint (e.g. the city's data-sharing
    platform). The recipient is the endpoint itself."""

    name = ChannelName.WEBHOOK
    url_setting = "NOTIFY_WEBHOOK_URL"
    token_setting = "NOTIFY_WEBHOOK_TOKEN"  # noqa: S105 (setting name, not a secret)

    def recipient_for(self, reach: Reach) -> str:
        return self.gateway()

    def payload(self, message) -> dict:
        return {
            "event": message.event,
            "subject": message.subject,
            "text": message.body,
            "object": {"type": message.obj_type, "id": message.obj_id} if message.obj_type else None,
            "key": message.key,
        }


CHANNELS: dict[str, Channel] = {
    c.name: c for c in (EmailChannel(), SmsChannel(), ZaloChannel(), WebhookChannel())
}


def get(name: str) -> Channel:
    return CHANNELS[name]


def enabled() -> list[Channel]:
    return [c for c in CHANNELS.values() if c.enabled()]
