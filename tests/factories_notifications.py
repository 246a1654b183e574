"""Factories of the notifications app."""

import factory

from tests.factories import UserFactory
from thudo.notifications.models import Channel, Notification, OutboxMessage, OutboxStatus


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    event = "dossier.received"
    subject = factory.Sequence(lambda n: f"Hồ sơ H26.{n:05d} đã được tiếp nhận")
    body = "Cơ quan đã tiếp nhận hồ sơ của bạn."
    url = ""


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    channel = Channel.EMAIL
    recipient = factory.Sequence(lambda n: f"nguoidan{n}@example.vn")
    subject = "Hồ sơ đã được tiếp nhận"
    body = "Cơ quan đã tiếp nhận hồ sơ của bạn."
    event = "dossier.received"
    key = factory.Sequence(lambda n: f"test:{n}:email")
    status = OutboxStatus.PENDING
