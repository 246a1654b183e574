"""API of the notifications app: a person's own notices; the delivery queue for city admins."""

from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import paginate

from thudo.core.api import signed_in
from thudo.core.pagination import LimitOffsetPagination
from thudo.notifications import actions, queries
from thudo.notifications.models import Channel, OutboxStatus

router = Router(tags=["notifications"], auth=signed_in)


class NotificationOut(Schema):
    id: int
    event: str
    subject: str
    body: str
    url: str
    object_type: str
    object_id: str
    created_at: datetime
    read_at: datetime | None
    read: bool

    @staticmethod
    def resolve_object_type(obj) -> str:
        return obj.obj_type

    @staticmethod
    def resolve_object_id(obj) -> str:
        return obj.obj_id

    @staticmethod
    def resolve_read(obj) -> bool:
        return obj.read_at is not None


class OutboxOut(Schema):
    id: int
    channel: Channel
    recipient: str
    subject: str
    event: str
    key: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None


@router.get("", response=list[NotificationOut], summary="My notifications (unread first)")
@paginate(LimitOffsetPagination)
def list_notifications(request, unread: bool | None = None):
    return queries.for_user(request.user, unread=unread)


@router.get("/outbox", response=list[OutboxOut], summary="Delivery queue (city administrators)")
@paginate(LimitOffsetPagination)
def list_outbox(request, status: OutboxStatus | None = None, channel: Channel | None = None):
    return queries.outbox(request.user, status=status, channel=channel)


@router.post("/outbox/{message_id}/resend", response=OutboxOut, summary="Queue a failed message again")
def resend(request, message_id: int):
    message = queries.outbox_message(request.user, message_id)
    return actions.resend(message, by=request.user)


@router.post("/{notification_id}/read", response=NotificationOut, summary="Mark my notification as read")
def mark_read(request, notification_id: int):
    notification = queries.own(request.user, notification_id)
    return actions.mark_read(notification, by=request.user)
