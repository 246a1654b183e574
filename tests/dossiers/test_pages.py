"""Citizen pages of the dossier workflow, through the Django test client: submission, receipt,
"Hồ sơ của tôi", the owner's dossier page and its actions, the public lookup by code and secret."""

import pytest
from django.test import Client

from tests.e2e.journeys import make_world, submit_online, upload
from thudo.dossiers import actions
from thudo.dossiers.models import Dossier, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def login(client, user):
    client.force_login(user)
    return client


def pdf(name="to-khai.pdf"):
    return upload(name)


def submit_url(world):
    return f"/ho-so/nop/{world.procedure.code}/"


def submitted(world) -> Dossier:
    return submit_online(world)


# --- submission ---------------------------------------------------------------------------------


def test_submit_page_asks_anonymous_visitors_to_sign_in(client, world):
    response = client.get(submit_url(world))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# The guided submission itself (steps, draft, kept files, e-form): tests/dossiers/test_submit_wizard.py


# --- my dossiers and the owner's page -----------------------------------------------------------


def test_my_dossiers_lists_only_mine_with_status(client, world):
    d = submitted(world)
    page = login(client, world.citizen_user).get("/ho-so/cua-toi/").content.decode()
    assert d.code in page and "Mới nộp, chờ tiếp nhận" in page
    client.logout()
    page = login(client, world.stranger).get("/ho-so/cua-toi/").content.decode()
    assert d.code not in page
    assert "Bạn chưa nộp hồ sơ nào." in page


def test_dossier_page_is_for_its_owner_only(client, world):
    d = submitted(world)
    assert client.get(f"/ho-so/{d.code}/").status_code == 302  # to the login page
    login(client, world.stranger)
    assert client.get(f"/ho-so/{d.code}/").status_code == 404
    assert client.get(f"/ho-so/{d.code}/phieu/receipt/").status_code == 404
    att = d.attachments.first()
    assert client.get(f"/ho-so/{d.code}/tep/{att.pk}/").status_code == 404
    client.logout()
    login(client, world.citizen_user)
    page = client.get(f"/ho-so/{d.code}/").content.decode()
    assert "Quá trình xử lý" in page and "Nộp hồ sơ" in page
    assert "Rút hồ sơ" in page
    assert client.get(f"/ho-so/{d.code}/tep/{att.pk}/").status_code == 200


def test_owner_withdraws_after_confirming(client, world):
    d = submitted(world)
    login(client, world.citizen_user)
    page = client.get(f"/ho-so/{d.code}/").content.decode()
    assert "Xác nhận rút hồ sơ" in page  # the confirmation step, inside <details>
    assert client.get(f"/ho-so/{d.code}/rut/").status_code == 405  # POST only
    response = client.post(f"/ho-so/{d.code}/rut/", {"reason": "Nộp nhầm"}, follow=True)
    assert "Đã rút hồ sơ." in response.content.decode()
    d.refresh_from_db()
    assert d.status == Status.WITHDRAWN
    page = client.get(f"/ho-so/{d.code}/").content.decode()
    assert "Rút hồ sơ" not in page
    assert "Giấy tiếp nhận và hẹn trả (PDF)" not in page  # never received: no receipt to offer


def test_a_stranger_cannot_withdraw(client, world):
    d = submitted(world)
    login(client, world.stranger)
    assert client.post(f"/ho-so/{d.code}/rut/", {}).status_code == 404
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED


def test_supplement_upload_after_a_request(client, world):
    d = submitted(world)
    actions.request_supplement(d, by=world.reception, reasons=["Giấy chứng sinh bị mờ"])
    login(client, world.citizen_user)
    page = client.get(f"/ho-so/{d.code}/").content.decode()
    assert "Bổ sung hồ sơ" in page and "Giấy chứng sinh bị mờ" in page
    # one upload per paper asked, under the officer's reason
    assert 'name="item_0"' in page and 'name="item_1"' not in page
    empty = client.post(f"/ho-so/{d.code}/bo-sung/", {"note": ""})
    assert empty.status_code == 422
    assert "Cần đính kèm giấy tờ bổ sung." in empty.content.decode()
    response = client.post(f"/ho-so/{d.code}/bo-sung/", {"item_0": [pdf("ban-ro.pdf")], "note": "Bản rõ hơn"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status != Status.SUPPLEMENT_REQUESTED


def _returned(world) -> Dossier:
    d = submitted(world)
    actions.receive(d, by=world.reception)
    actions.forward(d, by=world.reception)
    actions.forward(d, by=world.specialist)
    actions.approve_and_sign(d, by=world.leader)
    actions.return_result(d, by=world.reception)
    d.refresh_from_db()
    return d


def test_rating_after_the_result_is_returned(client, world):
    d = _returned(world)
    login(client, world.citizen_user)
    page = client.get(f"/ho-so/{d.code}/").content.decode()
    assert "Đánh giá mức độ hài lòng" in page
    assert "Tải kết quả (PDF đã ký số)" in page
    incomplete = client.post(f"/ho-so/{d.code}/danh-gia/", {"attitude": "5"})
    assert incomplete.status_code == 422
    assert "Vui lòng nhập thông tin này." in incomplete.content.decode()
    response = client.post(
        f"/ho-so/{d.code}/danh-gia/", {"attitude": "5", "time": "4", "result": "5"}, follow=True
    )
    assert "Cảm ơn bạn đã đánh giá." in response.content.decode()
    assert d.rating.scores == {"attitude": 5, "time": 4, "result": 5}
    result = d.results.get(signed=True)
    download = client.get(f"/ho-so/{d.code}/ket-qua/{result.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


# --- public lookup ------------------------------------------------------------------------------


def test_lookup_by_code_and_secret_without_signing_in(client, world):
    d = submitted(world)
    response = client.post("/tra-cuu/", {"code": d.code, "secret": d.secret})
    assert response.status_code == 302
    assert response["Location"] == f"/tra-cuu/{d.code}/"  # the secret stays out of the address
    page = client.get(response["Location"]).content.decode()
    assert d.code in page and "Đăng ký khai sinh" in page
    assert "Nguyễn Thị Hoa" not in page  # the name is masked for the public
    # Another browser, without the session, does not get in with the bare code.
    assert Client().get(response["Location"]).status_code == 404


def test_the_secret_in_a_link_to_the_lookup_form_is_ignored(client, world):
    d = submitted(world)
    page = client.get("/tra-cuu/", {"code": d.code, "secret": d.secret})
    assert page.status_code == 200 and f'value="{d.secret}"' not in page.content.decode()
    assert 'method="post"' in page.content.decode()


def test_lookup_with_a_wrong_secret_finds_nothing(client, world):
    d = submitted(world)
    page = client.post("/tra-cuu/", {"code": d.code, "secret": "SAIMA"}).content.decode()
    assert "Không tìm thấy hồ sơ" in page
    assert client.get(f"/tra-cuu/{d.code}/", {"s": "SAIMA"}).status_code == 404
    empty = client.post("/tra-cuu/", {"code": "", "secret": ""}).content.decode()
    assert "Vui lòng nhập thông tin này." in empty


def test_the_qr_page_offers_the_signed_result(client, world):
    d = _returned(world)
    page = client.get(f"/tra-cuu/{d.code}/", {"s": d.secret}).content.decode()
    assert "Đã trả kết quả" in page
    result = d.results.get(signed=True)
    assert client.get(f"/ho-so/{d.code}/ket-qua/{result.pk}/", {"s": d.secret}).status_code == 200
    assert client.get(f"/ho-so/{d.code}/ket-qua/{result.pk}/", {"s": "SAI"}).status_code == 404


def test_friday_night_submission_counts_from_monday_morning(client, world):
    """Journey 1: submitted at 21:00 on a Friday, the clock starts at 08:00 on Monday; the three
    working days skip the weekend and Tuesday 24/11 (Ngày Văn hóa Việt Nam, a day off in the
    holidays calendar) and end on Thursday at 17:00."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    friday_night = datetime(2026, 11, 20, 21, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    d = submit_online(world, now=friday_night)
    page = login(client, world.citizen_user).get(f"/ho-so/{d.code}/da-nop/").content.decode()
    assert "21:00, Thứ 6 20/11/2026" in page
    assert "08:00, Thứ 2 23/11/2026" in page
    assert "17:00, Thứ 5 26/11/2026" in page


def test_owner_pays_the_fee_online_after_confirming(client, world):
    from tests import factories_procedures

    paid = factories_procedures.published(
        code="2.000001",
        name="Cấp bản sao trích lục hộ tịch",
        fees=[("online", 8000, None, None)],
        papers=[("Tờ khai", "")],
    )
    d = actions.submit_online(
        procedure=paid,
        agency=world.agency,
        applicant=None,
        form_data={},
        files=[pdf()],
        by=world.citizen_user,
    )
    login(client, world.citizen_user)
    page = client.get(f"/ho-so/{d.code}/").content.decode()
    assert "Thanh toán phí, lệ phí: 8000 đồng" in page and "Xác nhận thanh toán" in page
    response = client.post(f"/ho-so/{d.code}/thanh-toan/", follow=True)
    assert "Đã thanh toán trực tuyến." in response.content.decode()
    payment = d.payments.get()
    assert payment.amount == 8000 and payment.online
    assert "Thanh toán phí, lệ phí" not in client.get(f"/ho-so/{d.code}/").content.decode()
