"""Officials' pages of the dossier workflow: reception desk, counter intake, work queues, the
dossier page with its actions (each behind a confirmation), the leader's signing queue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.e2e.journeys import make_world, submit_online, upload
from thudo.core.models import Draft
from thudo.dossiers import actions
from thudo.dossiers.models import Dossier, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def pdf(name="a.pdf"):
    return upload(name)


def submitted(world, now=None) -> Dossier:
    return submit_online(world, now=now)


def as_(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", ["/can-bo/tiep-nhan/", "/can-bo/ho-so/", "/can-bo/ky-so/"])
def test_workspace_pages_are_for_officials(client, world, url):
    assert client.get(url).status_code == 302  # to the login page
    assert as_(client, world.citizen_user).get(url).status_code == 404
    client.logout()
    assert as_(client, world.reception).get(url).status_code == 200


def test_reception_desk_lists_online_arrivals_and_receives_after_confirming(client, world):
    d = submitted(world)
    as_(client, world.reception)
    page = client.get("/can-bo/tiep-nhan/").content.decode()
    assert "Hồ sơ trực tuyến chờ tiếp nhận" in page and d.code in page
    assert "Tiếp nhận tại quầy" in page
    page = client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert "<details" in page and "Xác nhận: Tiếp nhận" in page
    assert "Nguyễn Thị Hoa" in page  # the applicant's data, for the officer
    response = client.post(f"/can-bo/ho-so/{d.code}/receive/", {"receive-note": ""}, follow=True)
    assert "Tiếp nhận: đã thực hiện với hồ sơ" in response.content.decode()
    d.refresh_from_db()
    assert d.status == Status.PROCESSING and d.due_at is not None
    assert client.get(f"/can-bo/ho-so/{d.code}/receive/").status_code == 405  # never on GET


def test_officials_of_another_agency_do_not_see_the_dossier(client, world):
    d = submitted(world)
    outsider = factories.official(role="reception", agency=world.other_agency, username="motcua2")
    as_(client, outsider)
    assert client.get(f"/can-bo/ho-so/{d.code}/").status_code == 404
    assert client.post(f"/can-bo/ho-so/{d.code}/receive/").status_code == 404
    assert d.code not in client.get("/can-bo/tiep-nhan/").content.decode()
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED


def test_reject_needs_reasons_in_vietnamese(client, world):
    d = submitted(world)
    as_(client, world.reception)
    response = client.post(f"/can-bo/ho-so/{d.code}/reject/", {"reject-reasons": ""})
    assert response.status_code == 422
    assert "Vui lòng nhập thông tin này." in response.content.decode()
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED
    client.post(f"/can-bo/ho-so/{d.code}/reject/", {"reject-reasons": "Không thuộc thẩm quyền"})
    d.refresh_from_db()
    assert d.status == Status.REJECTED


def test_request_supplement_from_the_dossier_page(client, world):
    d = submitted(world)
    as_(client, world.reception)
    client.post(
        f"/can-bo/ho-so/{d.code}/request_supplement/", {"request_supplement-reasons": "Thiếu bản sao"}
    )
    d.refresh_from_db()
    assert d.status == Status.SUPPLEMENT_REQUESTED


def test_an_action_the_person_may_not_take_is_refused_with_a_message(client, world):
    d = submitted(world)
    actions.receive(d, by=world.reception)
    as_(client, world.reception)
    page = client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert "Phê duyệt và ký số" not in page  # not offered to the one-stop officer
    response = client.post(
        f"/can-bo/ho-so/{d.code}/approve_and_sign/", {"approve_and_sign-confirm": "on"}, follow=True
    )
    assert response.status_code in (200, 404)
    d.refresh_from_db()
    assert d.status == Status.PROCESSING


def test_specialist_forwards_and_leader_signs_from_the_signing_queue(client, world):
    d = submitted(world)
    actions.receive(d, by=world.reception)
    as_(client, world.reception)  # the reception step is the one-stop officer's
    client.post(f"/can-bo/ho-so/{d.code}/forward/", {"forward-note": "Đã kiểm tra"})
    client.logout()
    as_(client, world.specialist)
    page = client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert "Chuyển bước tiếp theo" in page
    assert "Phiếu kiểm soát quá trình giải quyết" in page
    client.post(f"/can-bo/ho-so/{d.code}/forward/", {"forward-note": "Trình ký"})
    d.refresh_from_db()
    assert d.current_step.role == "leader"
    client.logout()
    as_(client, world.leader)
    page = client.get("/can-bo/ky-so/").content.decode()
    assert d.code in page and "Xem dự thảo và ký số" in page
    response = client.post(
        f"/can-bo/ho-so/{d.code}/approve_and_sign/",
        {"next": "/can-bo/ky-so/", "approve_and_sign-confirm": "on"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/can-bo/ky-so/"
    d.refresh_from_db()
    assert d.status == Status.RESULT_READY
    assert d.results.get().signed
    page = client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert "Đã ký số" in page
    # the control sheet lists every step with its due and actual time
    assert page.count("Đúng hạn") + page.count("Trước hạn") + page.count("Trễ hạn") >= 3


def test_queues_sort_by_due_time_and_mark_overdue_rows_in_words(client, world):
    month_ago = timezone.now() - timedelta(days=30)
    late = submitted(world, now=month_ago)
    actions.receive(late, by=world.reception, now=month_ago)
    fresh = submitted(world)
    actions.receive(fresh, by=world.reception)
    as_(client, world.specialist)
    page = client.get("/can-bo/ho-so/", {"tab": "agency"}).content.decode()
    assert page.index(late.code) < page.index(fresh.code)
    assert 'class="overdue"' in page and "Quá hạn" in page
    overdue = client.get("/can-bo/ho-so/", {"tab": "overdue"}).content.decode()
    assert late.code in overdue and fresh.code not in overdue
    # htmx asks for the rows only
    partial = client.get("/can-bo/ho-so/", {"tab": "overdue"}, HTTP_HX_REQUEST="true").content.decode()
    assert late.code in partial and "<html" not in partial


def test_counter_intake_creates_a_received_dossier(client, world):
    """Three steps (applicant → scanned papers → review), each saved in the officer's draft."""
    as_(client, world.reception)
    counter = "/can-bo/tiep-nhan/tai-quay/"
    page = client.get(counter, {"thu_tuc": world.procedure.code}).content.decode()
    assert "Đăng ký khai sinh" in page and "Bước 1/3" in page and 'type="file"' not in page
    papers = list(world.procedure.papers.all())
    step1 = {"thu_tuc": world.procedure.code, "step": "nguoi-nop", "agency": world.agency.pk}
    bad = client.post(counter, step1 | {"applicant_name": "Trần Văn Quầy", "applicant_pin": ""})
    assert bad.status_code == 422 and "Vui lòng nhập thông tin này." in bad.content.decode()
    draft = Draft.objects.get(kind="dossier.counter")
    ok = client.post(
        counter,
        step1 | {"draft": draft.pk, "applicant_name": "Trần Văn Quầy", "applicant_pin": "001090012345"},
    )
    assert ok.status_code == 302 and "buoc=giay-to" in ok["Location"]
    page = client.get(ok["Location"]).content.decode()
    assert "Bước 2/3" in page and page.count('type="file"') == 2
    step2 = {"thu_tuc": world.procedure.code, "step": "giay-to", "draft": draft.pk}
    bad = client.post(counter, step2 | {f"paper_{papers[0].pk}": pdf()})
    assert bad.status_code == 422 and "Giấy tờ này là bắt buộc" in bad.content.decode()
    assert not Dossier.objects.exists()
    ok = client.post(counter, step2 | {f"paper_{papers[1].pk}": pdf("b.pdf")})
    assert ok.status_code == 302 and "buoc=xem-lai" in ok["Location"]
    review = client.get(ok["Location"]).content.decode()
    assert "Trần Văn Quầy" in review and "001090012345" in review and "b.pdf" in review
    response = client.post(counter, {"thu_tuc": world.procedure.code, "step": "xem-lai", "draft": draft.pk})
    d = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/can-bo/ho-so/{d.code}/"
    assert d.channel == "counter" and d.status == Status.PROCESSING and d.applicant_name == "Trần Văn Quầy"
    assert d.attachments.filter(kind="paper").count() == 2
    assert all(a.digitised for a in d.attachments.filter(kind="paper"))


def test_pause_resume_and_apology_from_the_dossier_page(client, world):
    d = submitted(world)
    actions.receive(d, by=world.reception)
    as_(client, world.specialist)
    assert client.post(f"/can-bo/ho-so/{d.code}/pause/", {"pause-reason": ""}).status_code == 422
    pause = {"pause-reason": "Chờ xác minh", "pause-kind": "inspection"}
    client.post(f"/can-bo/ho-so/{d.code}/pause/", pause)
    d.refresh_from_db()
    assert d.status == Status.PAUSED
    assert "Tiếp tục giải quyết" in client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    client.post(f"/can-bo/ho-so/{d.code}/resume/")
    d.refresh_from_db()
    assert d.status == Status.PROCESSING
    bad = client.post(
        f"/can-bo/ho-so/{d.code}/apologize/", {"apologize-new_due": "ngày mai", "apologize-reason": ""}
    )
    assert "Thời điểm không hợp lệ" in bad.content.decode()
    new_due = timezone.localtime(d.due_at + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        f"/can-bo/ho-so/{d.code}/apologize/",
        {"apologize-new_due": new_due, "apologize-reason": "Chờ xác minh"},
    )
    d.refresh_from_db()
    assert hasattr(d, "apology")
    page = client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert "Xác nhận: Xin lỗi và hẹn lại" not in page  # the new date is set only once


def test_one_stop_officer_returns_the_result(client, world):
    d = submitted(world)
    actions.receive(d, by=world.reception)
    actions.forward(d, by=world.reception)
    actions.forward(d, by=world.specialist)
    actions.approve_and_sign(d, by=world.leader)
    as_(client, world.reception)
    assert d.code in client.get("/can-bo/tiep-nhan/").content.decode()  # results to hand over
    client.post(f"/can-bo/ho-so/{d.code}/return_result/")
    d.refresh_from_db()
    assert d.status == Status.RETURNED


def test_forwarding_to_a_person_puts_the_dossier_in_their_own_queue(client, world):
    d = submitted(world)
    actions.receive(d, by=world.reception)
    actions.forward(d, by=world.reception)
    as_(client, world.specialist)
    page = client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert "Giao cho (không bắt buộc)" in page and "Phạm Văn Lãnh Đạo" in page
    client.post(f"/can-bo/ho-so/{d.code}/forward/", {"forward-assignee": world.leader.pk})
    client.logout()
    as_(client, world.leader)
    assert d.code in client.get("/can-bo/ho-so/", {"tab": "mine"}).content.decode()
