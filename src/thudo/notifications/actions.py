"""Every write of the notifications app.

``notify`` runs inside the caller's transaction (other apps reach it by publishing an event
that carries a notice, see :func:`notice_published`): the in-app notice and the
outbox rows commit (or roll back) with the domain change that caused them, and delivery is
enqueued only after the commit. A ``key`` makes the call idempotent, so a retried request or a
re-run job never tells a citizen the same thing twice.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from thudo.core import audit, permissions
from thudo.core.errors import Conflict, NotAllowed, NotFound
from thudo.core.events import PersonNotified
from thudo.notifications import channels
from thudo.notifications.models import MailboxMessage, Notification, OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)


@dataclass
class Notified:
    """What one ``notify`` call created (nothing when ``duplicate``)."""

    notification: Notification | None = None
    messages: list[OutboxMessage] = field(default_factory=list)
    duplicate: bool = False


def _object_ref(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def _enqueue(message_ids: list[int]) -> None:
    """Hand the messages to the task backend. Failure here only delays delivery:
    ``deliver_due`` (cron or worker) picks up every due message anyway."""
    from thudo.notifications.tasks import deliver_message

    for message_id in message_ids:
        try:
            deliver_message.enqueue(message_id)
        except Exception:
            logger.exception("could not enqueue delivery of outbox message %s", message_id)


def notify(
    *,
    event: str,
    subject: str,
    body: str,
    user=None,
    email: str = "",
    phone: str = "",
    url: str = "",
    obj=None,
    key: str | None = None,
) -> Notified:
    """Tell a person about ``event``: an in-app notice (if ``user``) and one outbox message per
    enabled channel that can reach them (e-mail to ``email`` or ``user.email``; SMS/Zalo to
    ``phone`` or ``user.phone`` when those gateways are configured; the integration webhook when
    configured). Runs in the caller's transaction; delivery is enqueued on commit.

    ``key`` (e.g. ``"dossier:<code>:received"``) makes the call idempotent: a second call with
    the same key creates nothing. Outbox keys are ``"<key>:<channel>"``.
    """
    object_type, object_id = _object_ref(obj)
    reach = channels.Reach(
        email=email or (getattr(user, "email", "") or ""),
        phone=phone or (getattr(user, "phone", "") or ""),
    )
    base_key = key or f"auto:{uuid.uuid4().hex}"
    result = Notified()
    with transaction.atomic():
        if key and (
            Notification.objects.filter(key=key).exists()
            or OutboxMessage.objects.filter(key__in=[f"{key}:{name}" for name in channels.CHANNELS]).exists()
        ):
            return Notified(duplicate=True)
        try:
            # A savepoint: when a concurrent call with the same key commits first, the unique
            # key makes this one a no-op instead of breaking the caller's transaction.
            with transaction.atomic():
                if user is not None:
                    result.notification = Notification.objects.create(
                        user=user,
                        event=event,
                        subject=subject[:255],
                        body=body,
                        url=url,
                        obj_type=object_type,
                        obj_id=object_id,
                        key=key,
                    )
                for channel in channels.enabled():
                    recipient = channel.recipient_for(reach)
                    if not recipient:
                        continue
                    msg_subject, msg_body = channel.compose(subject=subject, body=body, url=url)
                    result.messages.append(
                        OutboxMessage.objects.create(
                            channel=channel.name,
                            recipient=recipient,
                            user=user,
                            subject=msg_subject[:255],
                            body=msg_body,
                            event=event,
                            obj_type=object_type,
                            obj_id=object_id,
                            key=f"{base_key}:{channel.name}",
                        )
                    )
        except IntegrityError:
            if not key:
                raise
            return Notified(duplicate=True)
        ids = [m.pk for m in result.messages]
        if ids:
            transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return result


def notice_published(event: PersonNotified) -> bool:
    """Subscriber (``NotificationsConfig.ready``, in the publisher's transaction) of every event
    that carries a :class:`~thudo.core.events.Notice`: writes it through :func:`notify`. Returns
    whether anything new was written (``False`` for a key already used)."""
    n = event.notice
    result = notify(
        event=n.topic,
        subject=n.subject,
        body=n.body,
        user=n.user,
        email=n.email,
        phone=n.phone,
        url=n.url,
        obj=n.obj,
        key=n.key,
    )
    return not result.duplicate


def mark_read(notification: Notification, *, by) -> Notification:
    """The person has read their notice. Only the addressee may; others get 404 (not 403), so
    nobody learns which notices exist. Not an official act: not audited."""
    with transaction.atomic():
        locked = Notification.objects.select_for_update().filter(pk=notification.pk).first()
        if locked is None or by is None or not by.is_authenticated or locked.user_id != by.pk:
            raise NotFound(_("Không tìm thấy thông báo."))
        if locked.read_at is None:
            locked.read_at = timezone.now()
            locked.save(update_fields=["read_at"])
    notification.read_at = locked.read_at
    return locked


def mark_all_read(*, by, keep_latest: int = 0) -> int:
    """Mark every unread notice of ``by`` as read, but the ``keep_latest`` newest; returns how many."""
    if by is None or not by.is_authenticated:
        return 0
    with transaction.atomic():
        unread = Notification.objects.filter(user=by, read_at__isnull=True)
        if keep_latest:
            newest = unread.order_by("-created_at", "-pk").values_list("pk", flat=True)[:keep_latest]
            unread = unread.exclude(pk__in=list(newest))
        return unread.update(read_at=timezone.now())


def resend(message: OutboxMessage, *, by) -> OutboxMessage:
    """Put a failed or dead message back in the queue with a fresh retry budget (city
    administrators, ``notification.manage``). Audited: the administrator decides that the
    citizen is contacted again."""
    if not permissions.can(by, "notification.manage"):
        raise NotAllowed(_("Chỉ quản trị thành phố được gửi lại thông báo."))
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().filter(pk=message.pk).first()
        if locked is None:
            raise NotFound(_("Không tìm thấy thư đi."))
        if locked.status not in (OutboxStatus.FAILED, OutboxStatus.DEAD):
            raise Conflict(_("Chỉ gửi lại được thư đang lỗi hoặc đã ngừng thử."))
        before = {"status": locked.status, "attempts": locked.attempts, "last_error": locked.last_error}
        locked.status = OutboxStatus.PENDING
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit.record(
            "notification.resend",
            by=by,
            obj=locked,
            changes=audit.diff(before, {"status": locked.status, "attempts": 0}),
        )
        message_id = locked.pk
        transaction.on_commit(lambda: _enqueue([message_id]), robust=True)
    for name in ("status", "attempts", "next_attempt_at"):
        setattr(message, name, getattr(locked, name))
    return locked


# --- delivery bookkeeping (called by tasks.deliver_message) ------------------------------------

# Waits after the 1st, 2nd, ... failed attempt; after MAX_ATTEMPTS failures the message is dead.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = 6
# While one worker sends, the row is "leased": nobody else picks it up until this has passed.
# Sending happens outside the row lock so a slow gateway never holds a database lock.
LEASE = timedelta(minutes=10)


def claim_for_delivery(message_id: int, *, now=None) -> OutboxMessage | None:
    """Lock the message, check it is still due and unsent, lease it to this worker.

    ``None`` when another worker holds it (skip_locked on PostgreSQL; SQLite serialises
    writers), when it was sent already (at-least-once delivery: a duplicate enqueue is harmless)
    or when it is not due yet.
    """
    now = now or timezone.now()
    with transaction.atomic():
        qs = OutboxMessage.objects.filter(
            pk=message_id,
            status__in=(OutboxStatus.PENDING, OutboxStatus.FAILED),
            next_attempt_at__lte=now,
        )
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        elif connection.features.has_select_for_update:
            qs = qs.select_for_update()
        message = qs.first()
        if message is None:
            return None
        message.next_attempt_at = now + LEASE
        message.save(update_fields=["next_attempt_at"])
    return message


def record_sent(message: OutboxMessage) -> None:
    now = timezone.now()
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxStatus.SENT, sent_at=now, last_error="", attempts=F("attempts") + 1
        )
    message.status, message.sent_at = OutboxStatus.SENT, now
    message.attempts += 1


def record_failure(message: OutboxMessage, error: BaseException) -> OutboxMessage:
    """Count the failed attempt; schedule the next with exponential back-off, or give up."""
    now = timezone.now()
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        locked.attempts += 1
        locked.last_error = f"{type(error).__name__}: {error}"[:2000]
        if locked.attempts >= MAX_ATTEMPTS:
            locked.status = OutboxStatus.DEAD
            locked.next_attempt_at = now
        else:
            locked.status = OutboxStatus.FAILED
            locked.next_attempt_at = now + BACKOFF[min(locked.attempts, len(BACKOFF)) - 1]
        locked.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    if locked.status == OutboxStatus.DEAD:
        logger.error("outbox message %s is dead after %s attempts: %s", locked.pk, locked.attempts, error)
    return locked


def keep_in_mailbox(emails) -> int:
    """Keep e-mails in the local mailbox (``mailbox.MailboxBackend``), one row per recipient.
    Not audited: the outbox row of each message already records that it was sent."""
    rows = []
    for email in emails:
        email.message()  # the headers are valid, as a real mail server would require
        message_id = str(email.extra_headers.get("Message-ID", ""))
        for recipient in email.recipients():
            rows.append(
                MailboxMessage(
                    recipient=recipient[:254],
                    sender=str(email.from_email or "")[:254],
                    subject=str(email.subject)[:255],
                    body=str(email.body),
                    message_id=message_id[:255],
                )
            )
    with transaction.atomic():
        MailboxMessage.objects.bulk_create(rows)
    return len(emails)
