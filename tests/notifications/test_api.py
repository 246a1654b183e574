"""API /api/v1/notifications: own notices only; the outbox for city administrators."""

import pytest
from django.core import mail
from django.test import override_settings

from tests import factories
from tests.factories_notifications import NotificationFactory, OutboxMessageFactory
from thudo.core.models import AuditRecord
from thudo.notifications.models import OutboxStatus

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def test_anonymous_gets_401(client):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.get("/api/v1/notifications/outbox").status_code == 401


def test_list_shows_only_my_notices_unread_first(client, citizen):
    from django.utils import timezone

    read = NotificationFactory(user=citizen, subject="Đã đọc", read_at=timezone.now())
    unread = NotificationFactory(user=citizen, subject="Chưa đọc", url="/ho-so/1/")
    NotificationFactory(subject="Của người khác")
    client.force_login(citizen)
    body = client.get("/api/v1/notifications").json()
    assert body["count"] == 2
    assert [n["id"] for n in body["items"]] == [unread.pk, read.pk]
    first = body["items"][0]
    assert set(first) == {
        "id",
        "event",
        "subject",
        "body",
        "url",
        "object_type",
        "object_id",
        "created_at",
        "read_at",
        "read",
    }
    assert (first["subject"], first["read"], first["url"]) == ("Chưa đọc", False, "/ho-so/1/")
    only_unread = client.get("/api/v1/notifications", {"unread": "true"}).json()
    assert [n["id"] for n in only_unread["items"]] == [unread.pk]


def test_list_is_paginated(client, citizen):
    NotificationFactory.create_batch(5, user=citizen)
    client.force_login(citizen)
    body = client.get("/api/v1/notifications", {"limit": 2, "offset": 2}).json()
    assert body["count"] == 5 and len(body["items"]) == 2


def test_mark_read(client, citizen):
    notice = NotificationFactory(user=citizen)
    client.force_login(citizen)
    response = client.post(f"/api/v1/notifications/{notice.pk}/read")
    assert response.status_code == 200
    assert response.json()["read"] is True and response.json()["read_at"]
    assert client.get("/api/v1/notifications", {"unread": "true"}).json()["count"] == 0


@pytest.mark.parametrize("who", ["other_citizen", "city_admin"])
def test_nobody_reads_or_marks_someone_elses_notice(client, citizen, city_admin, who):
    notice = NotificationFactory(user=citizen)
    other = city_admin if who == "city_admin" else factories.UserFactory(username="nguoikhac")
    client.force_login(other)
    response = client.post(f"/api/v1/notifications/{notice.pk}/read")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get("/api/v1/notifications").json()["count"] == 0
    notice.refresh_from_db()
    assert notice.read_at is None


def test_outbox_is_for_city_admins_only(client, citizen):
    OutboxMessageFactory(status=OutboxStatus.FAILED)
    client.force_login(citizen)
    response = client.get("/api/v1/notifications/outbox")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    agency_admin = factories.official(role="agency_admin", agency=factories.AgencyFactory())
    client.force_login(agency_admin)
    assert client.get("/api/v1/notifications/outbox").status_code == 403
    message = OutboxMessageFactory(status=OutboxStatus.DEAD)
    assert client.post(f"/api/v1/notifications/outbox/{message.pk}/resend").status_code == 403


def test_city_admin_sees_failures_and_resends(client, city_admin, django_capture_on_commit_callbacks):
    failed = OutboxMessageFactory(
        status=OutboxStatus.DEAD, attempts=6, last_error="ConnectionRefusedError: SMTP server unreachable"
    )
    OutboxMessageFactory(status=OutboxStatus.SENT)
    client.force_login(city_admin)
    body = client.get("/api/v1/notifications/outbox", {"status": "dead"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == failed.pk
    assert item["status"] == "dead" and item["attempts"] == 6
    assert "SMTP" in item["last_error"]
    assert client.get("/api/v1/notifications/outbox", {"status": "nonsense"}).status_code == 422

    with override_settings(TASKS=IMMEDIATE), django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/notifications/outbox/{failed.pk}/resend")
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == OutboxStatus.SENT  # re-queued and delivered on commit
    assert len(mail.outbox) == 1
    record = AuditRecord.objects.get(verb="notification.resend")
    assert record.actor_id == city_admin.pk and record.object_id == str(failed.pk)
    assert record.changes["status"] == ["dead", "pending"]


def test_resending_a_sent_message_is_a_conflict(client, city_admin):
    sent = OutboxMessageFactory(status=OutboxStatus.SENT)
    client.force_login(city_admin)
    response = client.post(f"/api/v1/notifications/outbox/{sent.pk}/resend")
    assert response.status_code == 409
    assert client.post("/api/v1/notifications/outbox/999999/resend").status_code == 404
