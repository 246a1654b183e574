"""The local mailbox (demo, development): e-mails the platform sends without a mail server are
kept and shown at /hop-thu/ — each person sees the mail sent to them, the city admin all."""

import pytest
from django.test import override_settings

from tests import factories
from tests.factories_notifications import OutboxMessageFactory
from thudo.notifications import mailbox, tasks

pytestmark = pytest.mark.django_db
LOCAL_MAILBOX = {"default": {"BACKEND": mailbox.PATH}}


@pytest.fixture
def local_mailbox():
    with override_settings(MAILERS=LOCAL_MAILBOX):
        yield


def test_a_delivered_email_appears_in_the_recipients_mailbox_only(client, local_mailbox, city_admin):
    lan = factories.UserFactory(email="lan@example.vn")
    other = factories.UserFactory(email="binh@example.vn")
    message = OutboxMessageFactory(
        recipient="lan@example.vn", subject="Hồ sơ H26.00001 đã có kết quả", body="Mời bạn nhận kết quả."
    )
    assert tasks.deliver_message.call(message.pk) == "sent"

    client.force_login(lan)
    page = client.get("/hop-thu/").content.decode()
    assert "Hồ sơ H26.00001 đã có kết quả" in page and "Mời bạn nhận kết quả." in page
    # the notices page points to it
    assert 'href="/hop-thu/"' in client.get("/thong-bao/").content.decode()

    client.force_login(other)
    page = client.get("/hop-thu/").content.decode()
    assert "H26.00001" not in page and "Chưa có thư nào." in page

    client.force_login(city_admin)
    assert "Hồ sơ H26.00001 đã có kết quả" in client.get("/hop-thu/").content.decode()


def test_the_mailbox_needs_sign_in(client, local_mailbox):
    response = client.get("/hop-thu/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_with_a_real_mail_server_there_is_no_mailbox(client):
    # tests deliver to Django's in-memory mailer: no local mailbox
    client.force_login(factories.UserFactory(email="lan@example.vn"))
    response = client.get("/hop-thu/")
    assert response.status_code == 404
    assert 'href="/hop-thu/"' not in client.get("/thong-bao/").content.decode()
