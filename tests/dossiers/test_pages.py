"""Citizen pages of the dossier workflow, through the Django test client: submission, receipt,
"Hồ sơ của tôi", the owner's dossier page and its actions, the public lookup by code and secret."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

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


def submit_data(world, **extra):
    papers = list(world.procedure.papers.all())
    data = {
        "agency": world.agency.pk,
        "idempotency_key": "k-1",
        "applicant_name": "Nguyễn Thị Hoa",
        "applicant_pin": world.citizen.pin if world.citizen else "001190012345",
        "applicant_phone": "0912345678",
        "applicant_email": "hoa@example.vn",
        "applicant_address": "Số 1 phố Tràng Tiền",
        f"paper_{papers[0].pk}": pdf("to-khai.pdf"),
        f"paper_{papers[1].pk}": pdf("giay-chung-sinh.pdf"),
    }
    data.update(extra)
    return data


def submit_url(world):
    return f"/ho-so/nop/{world.procedure.code}/"


def submitted(world) -> Dossier:
    return submit_online(world)


# --- submission ---------------------------------------------------------------------------------


def test_submit_page_asks_anonymous_visitors_to_sign_in(client, world):
    response = client.get(submit_url(world))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_submit_form_is_prefilled_from_the_verified_identity(client, world):
    page = login(client, world.citizen_user).get(submit_url(world)).content.decode()
    assert "Đăng ký khai sinh" in page
    assert 'value="Nguyễn Thị Hoa"' in page
    if world.citizen:
        assert f'value="{world.citizen.pin}"' in page
        assert "định danh đã xác thực" in page
    # one file input per required paper, several files allowed, and a fresh idempotency key
    assert page.count('type="file"') == 2
    assert page.count("multiple") >= 2
    assert re.search(r'name="idempotency_key" value="[0-9a-f]{32}"', page)
    assert "Ủy ban nhân dân Phường Hoàn Kiếm" in page


def test_submit_without_papers_shows_vietnamese_errors_and_creates_nothing(client, world):
    login(client, world.citizen_user)
    data = submit_data(world)
    for key in [k for k in data if k.startswith("paper_")]:
        del data[key]
    response = client.post(submit_url(world), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Vui lòng sửa các lỗi sau" in page
    assert "Giấy tờ này là bắt buộc" in page
    assert not Dossier.objects.exists()


def test_submit_with_a_bad_number_and_no_agency_says_what_is_wrong(client, world):
    login(client, world.citizen_user)
    page = client.post(
        submit_url(world), submit_data(world, applicant_pin="12345", agency="")
    ).content.decode()
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in page
    assert "Vui lòng nhập thông tin này." in page
    assert not Dossier.objects.exists()


def test_submit_refuses_a_file_that_is_not_a_paper(client, world):
    login(client, world.citizen_user)
    papers = list(world.procedure.papers.all())
    bad = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    response = client.post(submit_url(world), submit_data(world, **{f"paper_{papers[0].pk}": bad}))
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not Dossier.objects.exists()


def test_submit_creates_one_dossier_and_shows_code_secret_due_and_qr(client, world):
    login(client, world.citizen_user)
    response = client.post(submit_url(world), submit_data(world))
    assert response.status_code == 302
    d = Dossier.objects.get()
    assert response["Location"] == f"/ho-so/{d.code}/da-nop/"
    assert d.status == Status.SUBMITTED and d.applicant_user == world.citizen_user
    assert d.attachments.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert d.code in page and d.secret in page
    assert "Ngày hẹn trả kết quả" in page
    assert f"/tra-cuu/{d.code}/?s={d.secret}" in page
    assert 'src="data:image/png;base64,' in page and "Mã QR dẫn tới trang tra cứu" in page
    # the receipt PDF can be downloaded at once
    receipt = client.get(f"/ho-so/{d.code}/phieu/receipt/")
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "application/pdf"


def test_double_submit_with_the_same_form_creates_one_dossier(client, world):
    login(client, world.citizen_user)
    first = client.post(submit_url(world), submit_data(world, idempotency_key="same-form"))
    second = client.post(submit_url(world), submit_data(world, idempotency_key="same-form"))
    assert first["Location"] == second["Location"]
    assert Dossier.objects.count() == 1


def test_the_same_form_key_with_another_body_says_so_and_creates_nothing_more(client, world):
    """Issue 10, item 4, on the page: the hidden key of a form sent again after a change."""
    login(client, world.citizen_user)
    client.post(submit_url(world), submit_data(world, idempotency_key="same-form"))
    changed = submit_data(world, idempotency_key="same-form", applicant_address="Số 2 phố Hàng Bài")
    page = client.post(submit_url(world), changed).content.decode()
    assert "đã được dùng cho một yêu cầu nộp hồ sơ khác" in page
    assert Dossier.objects.count() == 1


def test_an_earlier_paper_can_be_reused(client, world):
    earlier = submitted(world)
    login(client, world.citizen_user)
    papers = list(world.procedure.papers.all())
    old = earlier.attachments.get(paper=papers[1])
    page = client.get(submit_url(world)).content.decode()
    assert "Hoặc dùng lại giấy tờ đã nộp" in page
    data = submit_data(world, idempotency_key="k-2", **{f"reuse_{papers[1].pk}": str(old.pk)})
    del data[f"paper_{papers[1].pk}"]
    assert client.post(submit_url(world), data).status_code == 302
    new = Dossier.objects.exclude(pk=earlier.pk).get()
    assert new.attachments.get(paper=papers[1]).reused_from == old


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
    empty = client.post(f"/ho-so/{d.code}/bo-sung/", {"note": ""})
    assert empty.status_code == 422
    assert "Vui lòng nhập thông tin này." in empty.content.decode()
    response = client.post(f"/ho-so/{d.code}/bo-sung/", {"files": [pdf("ban-ro.pdf")], "note": "Bản rõ hơn"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status != Status.SUPPLEMENT_REQUESTED


def _returned(world) -> Dossier:
    d = submitted(world)
    actions.receive(d, by=world.reception)
    actions.forward(d, by=world.specialist)
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
    response = client.get("/tra-cuu/", {"code": d.code, "secret": d.secret})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert d.code in page and "Đăng ký khai sinh" in page
    assert "Nguyễn Thị Hoa" not in page  # the name is masked for the public


def test_lookup_with_a_wrong_secret_finds_nothing(client, world):
    d = submitted(world)
    page = client.get("/tra-cuu/", {"code": d.code, "secret": "SAIMA"}).content.decode()
    assert "Không tìm thấy hồ sơ" in page
    assert client.get(f"/tra-cuu/{d.code}/", {"s": "SAIMA"}).status_code == 404
    empty = client.get("/tra-cuu/", {"code": "", "secret": ""}).content.decode()
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
