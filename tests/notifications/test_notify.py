"""notify(): the notice and the outbox rows commit with the caller's change, once per key."""

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test import override_settings

from tests.factories import UserFactory
from thudo.core.context import public_base_url
from thudo.notifications import actions
from thudo.notifications.models import Notification, OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db


def _notify(user, **kw):
    return actions.notify(
        event="dossier.received",
        subject="Hồ sơ 000.50.01.H26-260302-0001 đã được tiếp nhận",
        body="Ủy ban nhân dân Phường Hoàn Kiếm đã tiếp nhận hồ sơ của bạn.",
        user=user,
        url="/ho-so/000.50.01.H26-260302-0001/",
        **kw,
    )


def test_notify_creates_an_in_app_notice_and_an_email_delivered_after_commit(
    citizen, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        result = _notify(citizen, key="dossier:0001:received")
        assert len(mail.outbox) == 0  # nothing leaves before the commit
    assert len(callbacks) == 1
    notice = Notification.objects.get(user=citizen)
    assert notice.subject.startswith("Hồ sơ 000.50.01.H26-260302-0001")
    assert notice.read_at is None
    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient) == ("email", "vana@example.vn")
    assert message.key == "dossier:0001:received:email"
    assert message.status == OutboxStatus.SENT and message.sent_at is not None
    assert result.notification == notice and result.messages == [message]
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["vana@example.vn"]
    assert sent.subject == notice.subject
    # the link in the e-mail is absolute
    assert f"{public_base_url()}/ho-so/000.50.01.H26-260302-0001/" in sent.body


def test_rollback_leaves_no_notice_no_message_and_sends_nothing(
    citizen, immediate_tasks, django_capture_on_commit_callbacks
):
    def change_that_fails():
        with transaction.atomic():
            _notify(citizen, key="dossier:0001:received")
            raise RuntimeError("the dossier change failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        change_that_fails()
    assert callbacks == []
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_same_key_twice_creates_one_notice_and_one_email(
    citizen, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _notify(citizen, key="dossier:0001:received")
        second = _notify(citizen, key="dossier:0001:received")
    assert not first.duplicate and second.duplicate
    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_without_a_key_each_call_is_a_new_notice(citizen):
    _notify(citizen)
    _notify(citizen)
    assert Notification.objects.filter(user=citizen).count() == 2
    assert OutboxMessage.objects.values("key").distinct().count() == 2


def test_explicit_email_without_an_account_gets_only_an_email():
    result = actions.notify(
        event="dossier.submitted",
        subject="Đã nhận hồ sơ trực tuyến",
        body="Mã tra cứu: 000.50.01.H26-260302-0002",
        email="khach@example.vn",
        key="dossier:0002:submitted",
    )
    assert result.notification is None
    assert not Notification.objects.exists()
    assert list(OutboxMessage.objects.values_list("channel", "recipient")) == [("email", "khach@example.vn")]


def test_a_user_without_email_gets_only_the_in_app_notice():
    user = UserFactory(username="khongemail", email="")
    _notify(user, key="dossier:0003:received")
    assert Notification.objects.filter(user=user).count() == 1
    assert not OutboxMessage.objects.exists()


def test_notice_points_at_the_object():
    from thudo.core.models import Agency

    user = UserFactory(username="codoituong", email="x@example.vn")
    agency = Agency.objects.create(code="000.99.99.H26", name="Cơ quan thử")
    _notify(user, obj=agency)
    notice = Notification.objects.get()
    assert (notice.obj_type, notice.obj_id) == ("core.agency", str(agency.pk))
    assert OutboxMessage.objects.get().obj_type == "core.agency"


def test_sms_and_zalo_are_not_queued_when_their_gateways_are_not_configured(citizen):
    citizen.phone = "0912345678"
    citizen.save()
    _notify(citizen, key="k1")
    assert set(OutboxMessage.objects.values_list("channel", flat=True)) == {"email"}


def test_configured_sms_gateway_gets_its_own_short_message(citizen):
    citizen.phone = "0912 345 678"
    citizen.save()
    thudo = {**settings.THUDO, "SMS_GATEWAY_URL": "http://127.0.0.1:9/sms"}
    with override_settings(THUDO=thudo):
        _notify(citizen, key="k2")
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.recipient == "0912345678"
    assert sms.key == "k2:sms"
    assert sms.body.startswith("Hồ sơ 000.50.01.H26-260302-0001 đã được tiếp nhận http")
