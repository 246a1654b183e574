import pytest
from django.test import Client

from tests import factories


@pytest.mark.django_db
def test_forms_refuse_posts_without_the_csrf_token():
    browser = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    factories.UserFactory(username="nguoidung")
    response = browser.post("/login/", {"username": "nguoidung", "password": factories.PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session

    page = browser.get("/login/")
    token = page.cookies["csrftoken"].value
    ok = browser.post(
        "/login/",
        {"username": "nguoidung", "password": factories.PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert ok.status_code == 302


@pytest.mark.django_db
def test_session_api_calls_need_the_csrf_token():
    """A page's session cookie alone cannot drive the API (a forged cross-site POST)."""
    browser = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    browser.force_login(factories.UserFactory(username="nguoidung"))
    forged = browser.post("/api/v1/notifications/999999/read")
    assert forged.status_code == 403
    assert forged.json()["code"] == "csrf_failed"  # the typed error, in Vietnamese
    assert "CSRF" in forged.json()["message"] and "tải lại trang" in forged.json()["message"]
    browser.get("/")
    token = browser.cookies["csrftoken"].value
    genuine = browser.post("/api/v1/notifications/999999/read", HTTP_X_CSRFTOKEN=token)
    assert genuine.status_code == 404  # past authentication: the notification simply does not exist
    assert genuine.json()["code"] == "not_found"


@pytest.mark.django_db
def test_anonymous_api_posts_are_401_not_a_csrf_failure():
    """Nobody is signed in: the answer says so (the fuzzer's anonymous caller got "CSRF check
    Failed", in English, before)."""
    response = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1").post("/api/v1/identity/verify")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
