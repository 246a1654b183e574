"""Reads of the notifications app, filtered by who asks."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from thudo.core import permissions
from thudo.core.errors import NotAllowed, NotFound
from thudo.notifications.models import MailboxMessage, Notification, OutboxMessage, OutboxStatus


def for_user(person, *, unread: bool | None = None) -> QuerySet[Notification]:
    """The person's own notices, unread first, newest first. Nobody, not even a city
    administrator, reads another person's notices here."""
    if person is None or not person.is_authenticated:
        return Notification.objects.none()
    qs = permissions.visible(person, Notification.objects.filter(user=person))
    if unread is not None:
        qs = qs.filter(read_at__isnull=unread)
    return qs.order_by(F("read_at").desc(nulls_first=True), "-created_at", "-pk")


def own(person, notification_id: int) -> Notification:
    notification = for_user(person).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound(_("Không tìm thấy thông báo."))
    return notification


def unread_count(person) -> int:
    return for_user(person, unread=True).count()


def outbox(person, *, status: str | None = None, channel: str | None = None) -> QuerySet[OutboxMessage]:
    """The delivery queue, for city administrators (``notification.manage``)."""
    if not permissions.can(person, "notification.manage"):
        raise NotAllowed(_("Chỉ quản trị thành phố được xem hàng đợi thông báo."))
    qs = permissions.visible(person, OutboxMessage.objects.all(), verb="notification.manage")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return qs.order_by("-created_at", "-pk")


def outbox_message(person, message_id: int) -> OutboxMessage:
    message = outbox(person).filter(pk=message_id).first()
    if message is None:
        raise NotFound(_("Không tìm thấy thư đi."))
    return message


def mailbox(person) -> QuerySet[MailboxMessage]:
    """The local mailbox: the e-mails sent to the person's own address; everything for city
    administrators (``notification.manage``). Newest first."""
    if person is None or not person.is_authenticated:
        return MailboxMessage.objects.none()
    qs = MailboxMessage.objects.all()
    if not permissions.can(person, "notification.manage"):
        if not person.email:
            return MailboxMessage.objects.none()
        qs = qs.filter(recipient__iexact=person.email)
    return qs.order_by("-sent_at", "-pk")


__all__ = ["OutboxStatus", "for_user", "mailbox", "outbox", "outbox_message", "own", "unread_count"]


# --- for operations (registered as the "outbox" queue in core.monitoring) ------------------------


def outbox_backlog(now: datetime) -> int:
    """Messages due to be sent (waiting, or failed and to be retried) whose time has come."""
    return OutboxMessage.objects.filter(
        status__in=(OutboxStatus.PENDING, OutboxStatus.FAILED), next_attempt_at__lte=now
    ).count()


def outbox_dead() -> int:
    """Messages given up on after every retry (dead letters)."""
    return OutboxMessage.objects.filter(status=OutboxStatus.DEAD).count()
