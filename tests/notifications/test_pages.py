"""Pages: /thong-bao/ lists my notices, marks them read with or without JavaScript."""

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from tests import factories
from tests.factories_notifications import NotificationFactory, OutboxMessageFactory
from thudo.notifications.models import OutboxStatus

pytestmark = pytest.mark.django_db


def test_page_needs_sign_in(client):
    response = client.get("/thong-bao/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_page_lists_unread_first_and_not_others(client, citizen):
    NotificationFactory(user=citizen, subject="Thông báo cũ đã đọc", read_at=timezone.now())
    NotificationFactory(user=citizen, subject="Hồ sơ cần bổ sung giấy tờ")
    NotificationFactory(subject="Thông báo của người khác")
    client.force_login(citizen)
    html = client.get("/thong-bao/").content.decode()
    assert html.index("Hồ sơ cần bổ sung giấy tờ") < html.index("Thông báo cũ đã đọc")
    assert "Thông báo của người khác" not in html
    assert "1 thông báo chưa đọc" in html


def test_mark_read_without_javascript_redirects_back(client, citizen):
    notice = NotificationFactory(user=citizen)
    client.force_login(citizen)
    response = client.post(f"/thong-bao/{notice.pk}/da-doc/")
    assert response.status_code == 302 and response["Location"] == "/thong-bao/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_mark_read_with_htmx_returns_the_updated_item(client, citizen):
    notice = NotificationFactory(user=citizen, subject="Kết quả đã sẵn sàng")
    client.force_login(citizen)
    response = client.post(f"/thong-bao/{notice.pk}/da-doc/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="card" id="notification-{notice.pk}"')
    assert "Đã đọc lúc" in html and "Đánh dấu đã đọc" not in html
    # the unread summary above the list is updated out of band
    assert 'id="unread-summary" hx-swap-oob="true">0 thông báo chưa đọc' in html


def test_someone_elses_notice_is_404(client, citizen):
    notice = NotificationFactory(user=citizen)
    client.force_login(factories.UserFactory(username="tomo"))
    assert client.post(f"/thong-bao/{notice.pk}/da-doc/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read(client, citizen):
    NotificationFactory.create_batch(3, user=citizen)
    client.force_login(citizen)
    response = client.post("/thong-bao/da-doc-het/", follow=True)
    assert "Đã đánh dấu 3 thông báo là đã đọc." in response.content.decode()
    assert not citizen.notifications.filter(read_at__isnull=True).exists()


def test_unread_count_tag(citizen):
    NotificationFactory.create_batch(2, user=citizen)
    request = RequestFactory().get("/")
    request.user = citizen
    html = Template("{% load notifications %}{% unread_count %}").render(Context({"request": request}))
    assert ">2</a>" in html and 'href="/thong-bao/"' in html
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert Template("{% load notifications %}{% unread_count %}").render(Context({"request": request})) == ""


def test_admin_lists_failures_and_resends(client, immediate_tasks, django_capture_on_commit_callbacks):
    admin = factories.UserFactory(username="quantri", is_staff=True, is_superuser=True)
    dead = OutboxMessageFactory(status=OutboxStatus.DEAD, attempts=6, last_error="SMTP server unreachable")
    OutboxMessageFactory(status=OutboxStatus.SENT, subject="Thư đã gửi xong")
    client.force_login(admin)
    page = client.get("/admin/notifications/outboxmessage/", {"status__exact": "dead"}).content.decode()
    assert "SMTP server unreachable" in page and "Thư đã gửi xong" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/notifications/outboxmessage/",
            {"action": "resend_selected", "_selected_action": [dead.pk]},
            follow=True,
        )
    assert "Đã đưa 1 thư vào hàng đợi gửi lại." in response.content.decode()
    dead.refresh_from_db()
    assert dead.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1


def test_admin_outbox_is_hidden_from_staff_who_are_not_city_admins(client):
    staff = factories.official(role="agency_admin", agency=factories.AgencyFactory(), username="qtcq")
    staff.is_staff = True
    staff.save()
    OutboxMessageFactory(recipient="bimat@example.vn")
    client.force_login(staff)
    assert client.get("/admin/notifications/outboxmessage/").status_code == 403
    assert "outboxmessage" not in client.get("/admin/").content.decode()
