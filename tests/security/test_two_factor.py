"""Second sign-in step for officials (TOTP), lock after wrong codes, backup codes, admin reset,
and officials' idle session expiry."""

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from thudo.core.models import AuditRecord, RoleGrant
from thudo.security import actions
from thudo.security.policy import OFFICIAL_IDLE_SECONDS
from thudo.security.views import otpauth_uri

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_require_2fa")]

WORKSPACE = "/workspace/"


@pytest.fixture
def _require_2fa():
    with override_settings(THUDO_REQUIRE_2FA=True):
        yield


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def password_login(client, username, next_url=WORKSPACE):
    return client.post(
        f"/login/?next={next_url}",
        {"username": username, "password": factories.PASSWORD, "next": next_url},
    )


def wait_out_throttle(user) -> None:
    """The person waits the seconds django-otp's throttle asks for after a wrong code."""
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)


def wrong_code(client, user):
    wait_out_throttle(user)
    return client.post("/xac-thuc-2-buoc/", {"code": "000000"})


@pytest.fixture
def officer(db):
    agency = factories.AgencyFactory()
    return factories.official(role="reception", agency=agency, username="canbo1")


@pytest.fixture
def officer_with_device(officer):
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    backup = StaticDevice.objects.create(user=officer, name="backup", confirmed=True)
    backup.token_set.create(token="abcd2345")
    return officer, device


def test_official_without_device_is_sent_to_setup_then_reaches_workspace(client, officer):
    response = password_login(client, "canbo1")
    assert response.status_code == 302
    assert response["Location"].startswith("/xac-thuc-2-buoc/")
    # Any workspace page waits for the second step.
    response = client.get(WORKSPACE)
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith("/xac-thuc-2-buoc/thiet-lap/")

    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body
    assert "Xác nhận thiết lập" in body
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert page["Cache-Control"] == "no-store"

    done = client.post("/xac-thuc-2-buoc/thiet-lap/", {"code": code_for(device), "next": WORKSPACE})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    for code in codes:
        assert code in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(WORKSPACE).status_code == 200
    assert AuditRecord.objects.filter(verb="security.2fa_setup", object_id=str(officer.pk)).exists()


def test_setup_page_shows_the_otpauth_key(client, officer):
    client.force_login(officer)
    page = client.get("/xac-thuc-2-buoc/thiet-lap/")
    device = TOTPDevice.objects.get(user=officer)
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    assert page.context["manual_key"].replace(" ", "") == secret
    assert page.context["manual_key"] in page.content.decode()
    uri = otpauth_uri(device, "canbo1")
    assert uri.startswith("otpauth://totp/")
    assert f"secret={secret}" in uri
    assert "canbo1" in uri


def test_wrong_setup_code_is_refused(client, officer):
    client.force_login(officer)
    client.get("/xac-thuc-2-buoc/thiet-lap/")
    response = client.post("/xac-thuc-2-buoc/thiet-lap/", {"code": "000000"})
    assert response.status_code == 422
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    assert client.get(WORKSPACE).status_code == 302


def test_official_with_device_enters_code(client, officer_with_device):
    _officer, device = officer_with_device
    response = password_login(client, "canbo1")
    assert response["Location"].startswith("/xac-thuc-2-buoc/?")
    assert client.get(WORKSPACE).status_code == 302
    response = client.post("/xac-thuc-2-buoc/", {"code": code_for(device), "next": WORKSPACE})
    assert response.status_code == 302
    assert response["Location"] == WORKSPACE
    assert client.get(WORKSPACE).status_code == 200


def test_unverified_official_cannot_replace_an_existing_device(client, officer_with_device):
    officer, _ = officer_with_device
    client.force_login(officer)
    response = client.get("/xac-thuc-2-buoc/thiet-lap/")
    assert response.status_code == 302
    assert response["Location"].startswith("/xac-thuc-2-buoc/?")
    assert TOTPDevice.objects.filter(user=officer).count() == 1


def test_five_wrong_codes_lock_the_second_step(client, officer_with_device):
    officer, device = officer_with_device
    client.force_login(officer)
    for _ in range(4):
        assert wrong_code(client, officer).status_code == 422
    locked = wrong_code(client, officer)
    assert locked.status_code == 429
    assert "tạm khóa" in locked.content.decode()
    # Even the right code is refused while locked.
    again = client.post("/xac-thuc-2-buoc/", {"code": code_for(device)})
    assert again.status_code == 429
    assert client.get(WORKSPACE).status_code == 302
    assert AuditRecord.objects.filter(verb="security.2fa_failed").count() == 5
    assert AuditRecord.objects.filter(verb="security.2fa_locked").count() == 1


def test_lock_expires_after_fifteen_minutes(client, officer_with_device):
    from datetime import timedelta

    from django.utils import timezone

    from thudo.security.models import SecondFactorState

    officer, device = officer_with_device
    client.force_login(officer)
    for _ in range(5):
        wrong_code(client, officer)
    state = SecondFactorState.objects.get(user=officer)
    assert state.locked_until - timezone.now() > timedelta(minutes=14)
    SecondFactorState.objects.filter(pk=state.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    response = client.post("/xac-thuc-2-buoc/", {"code": code_for(device), "next": WORKSPACE})
    assert response.status_code == 302
    assert client.get(WORKSPACE).status_code == 200


def test_a_code_sent_too_soon_after_a_wrong_one_is_told_to_wait(client, officer_with_device):
    officer, device = officer_with_device
    client.force_login(officer)
    assert wrong_code(client, officer).status_code == 422
    # django-otp refuses every code for a moment after a wrong one: the page says so, in seconds,
    # instead of calling the right code wrong; the refused attempt is not counted as wrong.
    too_soon = client.post("/xac-thuc-2-buoc/", {"code": code_for(device)})
    assert too_soon.status_code == 429
    body = too_soon.content.decode()
    assert "thử lại sau 1 giây" in body and "không đúng" not in body
    assert AuditRecord.objects.filter(verb="security.2fa_failed").count() == 1
    wait_out_throttle(officer)
    assert client.post("/xac-thuc-2-buoc/", {"code": code_for(device), "next": WORKSPACE}).status_code == 302


def test_backup_code_works_once(client, officer_with_device):
    officer, _ = officer_with_device
    client.force_login(officer)
    response = client.post("/xac-thuc-2-buoc/", {"code": "ABCD-2345", "next": WORKSPACE})
    assert response.status_code == 302
    assert client.get(WORKSPACE).status_code == 200
    assert AuditRecord.objects.filter(verb="security.2fa_backup_code_used").exists()

    client.logout()
    client.force_login(officer)
    assert client.post("/xac-thuc-2-buoc/", {"code": "abcd2345"}).status_code == 422
    assert client.get(WORKSPACE).status_code == 302


def test_citizen_is_never_asked(client):
    citizen = factories.UserFactory(username="congdan1")
    RoleGrant.objects.create(user=citizen, role="citizen", agency=None)
    response = password_login(client, "congdan1", next_url="/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    for path in ("/", "/thong-bao/", "/api/v1/me"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert client.session.get_expiry_age() != OFFICIAL_IDLE_SECONDS
    assert not AuditRecord.objects.filter(verb__startswith="security.").exists()


def test_unverified_official_api_session_is_refused_but_bearer_token_works(client, officer):
    from thudo.core import actions as core_actions

    client.force_login(officer)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["code"] == "otp_required"

    _token, raw = core_actions.create_api_token(officer, name="tich-hop", by=officer)
    from django.test import Client

    integration = Client(HTTP_HOST="127.0.0.1")
    response = integration.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_admin_site_waits_for_second_step(client, city_admin):
    city_admin.is_staff = True
    city_admin.save()
    client.force_login(city_admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/xac-thuc-2-buoc/")


def test_public_portal_stays_open_to_unverified_official(client, officer):
    client.force_login(officer)
    assert client.get("/").status_code == 200


def test_city_admin_resets_second_factor(client, officer_with_device, city_admin):
    officer, _ = officer_with_device
    actions.reset_second_factor(officer, by=city_admin)
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    record = AuditRecord.objects.get(verb="security.2fa_reset")
    assert record.actor_id == city_admin.pk
    client.force_login(officer)
    response = client.get("/xac-thuc-2-buoc/")
    assert response["Location"].startswith("/xac-thuc-2-buoc/thiet-lap/")


def test_only_city_admin_may_reset(officer_with_device):
    officer, _ = officer_with_device
    other = factories.official(role="agency_admin", agency=factories.AgencyFactory(), username="qt2")
    from thudo.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        actions.reset_second_factor(officer, by=other)
    assert TOTPDevice.objects.filter(user=officer).exists()


def test_admin_action_resets(client, officer_with_device, city_admin):
    officer, _device = officer_with_device
    city_admin.is_staff = True
    city_admin.save()
    TOTPDevice.objects.create(user=city_admin, name="app", confirmed=True)
    admin_device = TOTPDevice.objects.get(user=city_admin)
    client.force_login(city_admin)
    client.post("/xac-thuc-2-buoc/", {"code": code_for(admin_device)})
    response = client.post(
        "/admin/security/officialaccount/",
        {"action": "reset_second_factor", "_selected_action": [officer.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_official_session_expires_after_30_idle_minutes(client, officer):
    with override_settings(THUDO_REQUIRE_2FA=False):
        password_login(client, "canbo1")
        assert client.get(WORKSPACE).status_code == 200
        assert client.session.get_expiry_age() == OFFICIAL_IDLE_SECONDS
        assert client.cookies["sessionid"]["max-age"] == OFFICIAL_IDLE_SECONDS


def test_enforcement_off_lets_officials_in(client, officer):
    with override_settings(THUDO_REQUIRE_2FA=False):
        response = password_login(client, "canbo1")
        assert response["Location"] == WORKSPACE
        assert client.get(WORKSPACE).status_code == 200


def test_second_step_never_redirects_off_site(client, officer_with_device):
    officer, device = officer_with_device
    client.force_login(officer)
    response = client.post("/xac-thuc-2-buoc/", {"code": code_for(device), "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == WORKSPACE


def test_login_keeps_the_page_asked_for(client, officer_with_device):
    response = password_login(client, "canbo1", next_url="/thong-bao/")
    assert response["Location"] == "/xac-thuc-2-buoc/?next=%2Fthong-bao%2F"


def test_reset_command_for_a_locked_out_official(officer_with_device, city_admin):
    from django.core.management import call_command

    officer, _ = officer_with_device
    call_command("reset_2fa", "canbo1", "--by", city_admin.username)
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_verified_official_uses_the_api_with_the_session(client, officer_with_device):
    officer, device = officer_with_device
    client.force_login(officer)
    assert client.get("/api/v1/me").status_code == 403
    client.post("/xac-thuc-2-buoc/", {"code": code_for(device)})
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "canbo1"


def test_idle_clock_is_refreshed_at_most_once_a_minute(client, officer, monkeypatch):
    from thudo.security import middleware

    with override_settings(THUDO_REQUIRE_2FA=False):
        password_login(client, "canbo1")
        clock = [1_000_000.0]
        monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
        client.get(WORKSPACE)
        first = client.session["_idle_touched"]
        clock[0] += 30
        client.get(WORKSPACE)
        assert client.session["_idle_touched"] == first  # no session write within the minute
        clock[0] += 31
        client.get(WORKSPACE)
        assert client.session["_idle_touched"] == first + 61
        assert client.session.get_expiry_age() == OFFICIAL_IDLE_SECONDS
