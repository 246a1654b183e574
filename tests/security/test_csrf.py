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
