"""The web shells: Vietnamese by default, English on request, login with throttling."""

import pytest
from django.test import override_settings

from tests import factories

pytestmark = pytest.mark.django_db


def test_home_is_vietnamese_by_default(client):
    page = client.get("/").content.decode()
    assert '<html lang="vi">' in page
    assert "Dịch vụ công thành phố Hà Nội" in page
    assert 'href="#main"' in page  # skip link
    assert "/static/django_htmx/htmx" in page  # htmx from the package, no CDN
    assert "https://" not in page.split("<body")[0]


def test_english_switch(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "Public services of Hanoi" in page


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_login_and_logout_in_vietnamese(client):
    factories.official(role="reception", agency=factories.AgencyFactory(), username="motcua")
    page = client.get("/login/").content.decode()
    assert "Tên đăng nhập" in page and "Mật khẩu" in page
    bad = client.post("/login/", {"username": "motcua", "password": "sai"}).content.decode()
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in bad
    ok = client.post("/login/", {"username": "motcua", "password": factories.PASSWORD})
    assert ok.status_code == 302
    assert client.get("/workspace/").status_code == 200
    client.post("/logout/")
    assert client.get("/workspace/").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_login(client):
    factories.UserFactory(username="nannhan")
    for _ in range(3):
        client.post("/login/", {"username": "nannhan", "password": "doan-sai"})
    locked = client.post("/login/", {"username": "nannhan", "password": factories.PASSWORD})
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()


def test_password_policy_rejects_weak_passwords(db):
    from thudo.core import actions
    from thudo.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        actions.create_user(username="yeu", password="12345678")
    assert "password" in err.value.fields


def test_citizens_do_not_get_the_workspace(client):
    citizen = factories.official(role="citizen", agency=None)
    client.force_login(citizen)
    assert client.get("/workspace/").status_code == 302


def test_domain_errors_on_pages_are_readable_not_500(client):
    response = client.get("/units/2025/99999/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
