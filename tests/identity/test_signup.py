"""Sign-up page end to end: Vietnamese field errors, success signs the person in."""

from datetime import date

import pytest

from tests.factories_identity import CitizenFactory
from thudo.core.models import Role, RoleGrant, User
from thudo.identity.models import Citizen

pytestmark = pytest.mark.django_db

GOOD = {
    "full_name": "Nguyễn Văn An",
    "pin": "001090123456",
    "birth_date": "1990-05-17",
    "sex": "male",
    "phone": "0912 345 678",
    "email": "An.Nguyen@Example.vn",
    "username": "nguyenvanan",
    "password": "mat-khau-rat-dai-2026",
    "password2": "mat-khau-rat-dai-2026",
}


def test_page_is_in_vietnamese(client):
    response = client.get("/dang-ky/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Đăng ký tài khoản công dân" in body
    assert "Số định danh cá nhân" in body


def test_success_creates_citizen_and_signs_in(client):
    response = client.post("/dang-ky/", GOOD, follow=True)
    assert response.redirect_chain[-1][0] == "/tai-khoan/"
    body = response.content.decode()
    assert "001******456" in body
    assert "001090123456" not in body
    assert "Chưa xác thực" in body
    assert response.context["user"].username == "nguyenvanan"
    citizen = Citizen.objects.get(pin="001090123456")
    assert citizen.user.username == "nguyenvanan"
    assert citizen.phone == "0912345678"
    assert citizen.email == "an.nguyen@example.vn"
    assert citizen.birth_date == date(1990, 5, 17)
    assert RoleGrant.objects.filter(user=citizen.user, role=Role.CITIZEN, agency=None).exists()


def test_decomposed_name_is_stored_composed(client):
    import unicodedata

    client.post("/dang-ky/", {**GOOD, "full_name": unicodedata.normalize("NFD", "Nguyễn Văn An")})
    citizen = Citizen.objects.get(pin=GOOD["pin"])
    assert citizen.full_name == unicodedata.normalize("NFC", "Nguyễn Văn An")
    assert citizen.user.full_name == citizen.full_name


def _errors(client, **changes):
    response = client.post("/dang-ky/", {**GOOD, **changes})
    assert response.status_code == 422
    assert not User.objects.filter(username=changes.get("username", GOOD["username"])).exists() or (
        "username" in changes
    )
    assert not Citizen.objects.filter(pin=GOOD["pin"]).exists()
    assert "Vui lòng sửa các ô được đánh dấu." in response.content.decode()
    return {name: " ".join(errs) for name, errs in response.context["form"].errors.items()}


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"pin": "00109012345"}, "pin", "đúng 12 chữ số"),
        ({"pin": "00109012345x"}, "pin", "chỉ gồm chữ số"),
        ({"pin": "099090123456"}, "pin", "Mã tỉnh"),
        ({"birth_date": "1991-05-17"}, "pin", "năm sinh 1991"),
        ({"sex": "female"}, "pin", "giới tính"),
        ({"full_name": ""}, "full_name", "bắt buộc"),
        ({"birth_date": "17-05-1990x"}, "birth_date", "Ngày sinh không hợp lệ"),
        ({"phone": "12345"}, "phone", "10 chữ số"),
        ({"email": "khong-phai-email"}, "email", "thư điện tử không hợp lệ"),
        ({"password": "ngan", "password2": "ngan"}, "password", "quá ngắn"),
        ({"password2": "khac-mat-khau-2026"}, "password2", "không giống nhau"),
    ],
)
def test_field_errors_in_vietnamese(client, changes, field, text):
    errors = _errors(client, **changes)
    assert field in errors
    assert text.lower() in errors[field].lower()


def test_future_birth_date(client):
    errors = _errors(client, birth_date="2999-01-01", pin="001999123456")
    assert "tương lai" in errors["birth_date"]


def test_all_mistakes_shown_at_once(client):
    errors = _errors(client, pin="123", phone="1", email="x")
    assert {"pin", "phone", "email"} <= set(errors)


def test_taken_username_and_registered_pin(client):
    other = CitizenFactory(pin=GOOD["pin"], full_name="Người Khác", birth_date=date(1990, 1, 1))
    User.objects.create_user("nguyenvanan", password="x-mat-khau-2026")
    response = client.post("/dang-ky/", GOOD)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "đã được dùng" in errors["username"][0]
    assert "đã có tài khoản" in errors["pin"][0]
    other.refresh_from_db()
    assert other.user is None


def test_counter_record_is_claimed_when_name_and_birth_date_agree(client):
    counter = CitizenFactory(pin=GOOD["pin"], full_name="NGUYEN VAN AN", birth_date=date(1990, 5, 17))
    response = client.post("/dang-ky/", GOOD)
    assert response.status_code == 302
    counter.refresh_from_db()
    assert counter.user.username == "nguyenvanan"
    assert Citizen.objects.count() == 1


def test_signed_in_person_is_sent_to_profile(client):
    client.post("/dang-ky/", GOOD)
    assert client.get("/dang-ky/").headers["Location"] == "/tai-khoan/"


def test_anonymous_profile_offers_login_and_sign_up(client):
    body = client.get("/tai-khoan/").content.decode()
    assert "/dang-ky/" in body
    assert "/login/" in body


def test_rule_errors_shown_alongside_missing_fields(client):
    data = {**GOOD, "pin": "00109012345", "password": "ngan", "password2": "ngan"}
    del data["sex"]
    response = client.post("/dang-ky/", data)
    assert response.status_code == 422
    errors = {name: " ".join(errs) for name, errs in response.context["form"].errors.items()}
    assert "bắt buộc" in errors["sex"]
    assert "đúng 12 chữ số" in errors["pin"]
    assert "quá ngắn" in errors["password"]
