"""Identity verification against the registry: the page button, the API, the action's rules."""

from datetime import date

import pytest

from tests.factories import UserFactory
from tests.factories_identity import CitizenFactory, registered_citizen
from thudo.core.errors import InvalidInput, NotAllowed
from thudo.core.models import AuditRecord
from thudo.identity import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    user = UserFactory(username="congdan.thu")
    citizen, record = registered_citizen(user=user, full_name="Phạm Minh Đức", address="")
    return citizen, record


def signed_in(client, citizen):
    client.force_login(citizen.user)
    return client


def test_match_marks_verified_and_prefills(person):
    citizen, record = person
    result = actions.verify_identity(citizen, by=citizen.user)
    citizen.refresh_from_db()
    assert citizen.verified_at is not None
    assert citizen.address == record.permanent_address
    assert result.permanent_address == record.permanent_address
    assert AuditRecord.objects.filter(verb="citizen.verify", object_id=str(citizen.pk)).exists()


def test_registry_spelling_and_sex_win(person):
    citizen, record = person
    record.full_name, record.sex = "PHẠM MINH ĐỨC", "male"
    record.save()
    citizen.full_name = "pham minh duc"
    citizen.save()
    actions.verify_identity(citizen, by=citizen.user)
    citizen.refresh_from_db()
    assert citizen.full_name == "PHẠM MINH ĐỨC"
    assert citizen.user.full_name == "PHẠM MINH ĐỨC"


def test_existing_address_is_kept(person):
    citizen, _record = person
    citizen.address = "Ngõ 10 phố Huế"
    citizen.save()
    actions.verify_identity(citizen, by=citizen.user)
    citizen.refresh_from_db()
    assert citizen.address == "Ngõ 10 phố Huế"


def test_mismatch_is_a_clear_vietnamese_error_and_is_logged(person):
    citizen, _record = person
    citizen.full_name = "Phạm Minh Đăng"
    citizen.save()
    with pytest.raises(InvalidInput) as info:
        actions.verify_identity(citizen, by=citizen.user)
    assert info.value.code == "identity_mismatch"
    assert "không khớp với Cơ sở dữ liệu quốc gia về dân cư" in info.value.message
    citizen.refresh_from_db()
    assert citizen.verified_at is None
    assert AuditRecord.objects.filter(verb="citizen.verify_failed", object_id=str(citizen.pk)).exists()


def test_somebody_else_cannot_verify_my_record(person):
    citizen, _record = person
    with pytest.raises(NotAllowed):
        actions.verify_identity(citizen, by=UserFactory())


def test_profile_button_verifies(client, person):
    citizen, _record = person
    signed_in(client, citizen)
    body = client.get("/tai-khoan/").content.decode()
    assert "Xác thực định danh" in body
    assert "Chưa xác thực" in body
    assert citizen.masked_pin in body
    assert citizen.pin not in body
    response = client.post("/tai-khoan/xac-thuc/", follow=True)
    body = response.content.decode()
    assert "Đã xác thực định danh" in body
    assert "Đã xác thực" in body
    assert "Chưa xác thực" not in body


def test_profile_button_reports_mismatch(client, person):
    citizen, _record = person
    citizen.birth_date = date(citizen.birth_date.year, 12, 31)
    citizen.save()
    signed_in(client, citizen)
    body = client.post("/tai-khoan/xac-thuc/", follow=True).content.decode()
    assert "Thông tin không khớp" in body
    assert "Chưa xác thực" in body


def test_api_verify_match(client, person):
    citizen, record = person
    signed_in(client, citizen)
    response = client.post("/api/v1/identity/verify")
    assert response.status_code == 200
    data = response.json()
    assert data["verified"] is True
    assert data["prefill"]["full_name"] == "Phạm Minh Đức"
    assert data["prefill"]["permanent_address"] == record.permanent_address
    assert data["prefill"]["birth_date"] == citizen.birth_date.isoformat()


def test_api_verify_mismatch_is_422(client, person):
    citizen, record = person
    record.delete()
    signed_in(client, citizen)
    response = client.post("/api/v1/identity/verify")
    assert response.status_code == 422
    assert response.json()["code"] == "identity_mismatch"


def test_api_requires_sign_in(client):
    assert client.post("/api/v1/identity/verify").status_code == 401
    assert client.get("/api/v1/identity/me").status_code == 401


def test_api_me_shows_masked_number(client, person):
    citizen, _record = person
    signed_in(client, citizen)
    data = client.get("/api/v1/identity/me").json()
    assert data["pin_masked"] == citizen.pin[:3] + "******" + citizen.pin[-3:]
    assert citizen.pin not in str(data)
    assert data["verified"] is False
    assert data["full_name"] == "Phạm Minh Đức"


def test_api_me_without_citizen_record_is_404(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/api/v1/identity/me").status_code == 404


def test_profile_edit_contact_details(client, person):
    citizen, _record = person
    signed_in(client, citizen)
    response = client.post("/tai-khoan/", {"phone": "abc", "email": "x@y.vn", "address": ""})
    assert response.status_code == 422
    assert "10 chữ số" in response.content.decode()
    client.post("/tai-khoan/", {"phone": "0987 654 321", "email": "Moi@Example.vn", "address": "Số 1"})
    citizen.refresh_from_db()
    assert (citizen.phone, citizen.email, citizen.address) == ("0987654321", "moi@example.vn", "Số 1")
    assert AuditRecord.objects.get(verb="citizen.update").changes == {"fields": ["address", "email", "phone"]}


def test_name_is_locked_after_verification(person):
    citizen, _record = person
    actions.update_profile(citizen, by=citizen.user, full_name="Phạm Đức")
    citizen.refresh_from_db()
    assert citizen.full_name == "Phạm Đức"
    citizen.full_name = "Phạm Minh Đức"
    citizen.save()
    actions.verify_identity(citizen, by=citizen.user)
    citizen.refresh_from_db()
    with pytest.raises(InvalidInput) as info:
        actions.update_profile(citizen, by=citizen.user, full_name="Tên Khác")
    assert "full_name" in info.value.fields


def test_update_keeps_number_consistent(person):
    citizen, _record = person
    with pytest.raises(InvalidInput) as info:
        actions.update_profile(citizen, by=citizen.user, birth_date=date(1901, 1, 1))
    assert "năm sinh 1901" in info.value.fields["birth_date"]


def test_counter_citizen_without_account_needs_an_official():
    citizen = CitizenFactory()
    with pytest.raises(NotAllowed):
        actions.verify_identity(citizen, by=None)


def test_failed_attempts_are_limited(client, person):
    citizen, record = person
    record.delete()
    signed_in(client, citizen)
    codes = [client.post("/api/v1/identity/verify").json()["code"] for _ in range(6)]
    assert codes == ["identity_mismatch"] * 5 + ["too_many_attempts"]
    body = client.post("/tai-khoan/xac-thuc/", follow=True).content.decode()
    assert "quá 5 lần trong 24 giờ" in body
