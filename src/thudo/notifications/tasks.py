"""Background delivery of the outbox (``django.tasks``; worker: ``thudo db_worker``).

``deliver_message`` is enqueued on commit by ``actions.notify`` / ``actions.resend``;
``deliver_due`` (task, or ``thudo deliver_notifications`` from cron) sends whatever is due, so
delivery does not depend on an enqueue having worked. Delivery is at least once: a message can
be sent twice if a worker dies between sending and recording; its key travels with it
(Message-ID, Idempotency-Key) so the receiver shows it once.
"""

from __future__ import annotations

import logging

from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from thudo.notifications import actions, channels
from thudo.notifications.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)


def deliver(message_id: int) -> str:
    """Try one message now. Returns ``sent``, ``failed``, ``dead`` or ``skipped``."""
    message = actions.claim_for_delivery(message_id)
    if message is None:
        return "skipped"
    try:
        channels.get(message.channel).send(message)
    except Exception as exc:  # any failure of a channel is one failed attempt
        logger.warning("delivery of outbox message %s failed: %s", message_id, exc)
        failed = actions.record_failure(message, exc)
        if failed.status == OutboxStatus.FAILED:
            _schedule_retry(failed)
        return failed.status
    actions.record_sent(message)
    return "sent"


def _schedule_retry(message: OutboxMessage) -> None:
    """Ask the task backend to retry at ``next_attempt_at`` if it can defer; otherwise (or if
    that fails) the next ``deliver_due`` run picks the message up."""
    try:
        if deliver_message.get_backend().supports_defer:
            deliver_message.using(run_after=message.next_attempt_at).enqueue(message.pk)
    except Exception:
        logger.exception("could not schedule retry of outbox message %s", message.pk)


def due_ids(*, now=None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    return list(
        OutboxMessage.objects.filter(
            Q(status=OutboxStatus.PENDING) | Q(status=OutboxStatus.FAILED), next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_all_due(*, limit: int = 500) -> dict[str, int]:
    counts = {"sent": 0, "failed": 0, "dead": 0, "skipped": 0}
    for message_id in due_ids(limit=limit):
        counts[deliver(message_id)] += 1
    return counts


@task()
def deliver_message(message_id: int) -> str:
    return deliver(message_id)


@task()
def deliver_due() -> dict[str, int]:
    return deliver_all_due()
