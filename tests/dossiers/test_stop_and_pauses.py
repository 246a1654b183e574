"""The applicant's request to stop processing (Decree 118/2025/NĐ-CP, Art. 21) and typed pauses:
on the write path (actions), through the API and through the pages."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests import factories_dossiers as fd
from thudo.core.errors import Conflict, InvalidInput, NotAllowed
from thudo.dossiers import actions, queries
from thudo.dossiers.models import NoticeForm, PauseKind, Status
from thudo.dossiers.transitions import PORTAL_FINANCIAL, PORTAL_PROCESSING, portal_status, status_label

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 12, 7, 8, 0, tzinfo=HCM)
API = "/api/v1/dossiers"
pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return fd.world()


@pytest.fixture
def received(w):
    with actions.papers_rendered(False):
        return actions.receive(fd.submit(w, at=MONDAY), by=w.reception, now=MONDAY)


def post_json(client, user, url, body):
    client.force_login(user)
    return client.post(url, data=json.dumps(body), content_type="application/json")


# --- the rule, in the actions --------------------------------------------------------------------


def test_applicant_cannot_stop_a_received_dossier_alone(w, received):
    with pytest.raises(Conflict) as err:
        actions.withdraw(received, by=w.citizen, reason="Không cần nữa")
    assert err.value.code == "request_needed"  # the applicant may only ask; the officer confirms


def test_officer_cannot_stop_processing_without_the_applicants_request(w, received):
    with pytest.raises(Conflict) as err:
        actions.withdraw(received, by=w.reception, reason="Tự ý dừng")
    assert err.value.code == "no_request"
    received.refresh_from_db()
    assert received.status == Status.PROCESSING


def test_request_then_confirmation_stops_processing_with_form_05(w, received):
    d = actions.request_withdrawal(received, by=w.citizen, reason="Đã có giấy tờ khác")
    assert d.status == Status.PROCESSING and d.withdrawal_requested_at is not None
    assert "đề nghị dừng giải quyết" in status_label(d)
    assert d in queries.queue(w.reception, kind="reception")  # the one-stop desk sees the request
    d = actions.withdraw(d, by=w.reception)
    assert d.status == Status.WITHDRAWN
    assert d.finished_at is not None
    assert portal_status(d) == 8  # processing stopped, not "7 withdrawn before reception"
    assert d.events.filter(verb="request_withdrawal").exists()
    assert d.events.filter(verb="withdraw").get().note == "Đã có giấy tờ khác"


def test_withdrawal_before_reception_needs_no_request(w):
    with actions.papers_rendered(False):
        d = actions.withdraw(fd.submit(w, at=MONDAY), by=w.citizen, reason="Nộp nhầm")
    assert d.status == Status.WITHDRAWN
    assert portal_status(d) == 7


def test_request_before_reception_says_to_withdraw_directly(w):
    d = fd.submit(w, at=MONDAY)
    with pytest.raises(Conflict) as err:
        actions.request_withdrawal(d, by=w.citizen, reason="x")
    assert err.value.code == "withdraw_directly"


def test_only_the_applicant_requests_and_only_the_desk_confirms(w, received):
    with pytest.raises(NotAllowed):
        actions.request_withdrawal(received, by=w.reception, reason="x")
    d = actions.request_withdrawal(received, by=w.citizen, reason="x")
    with pytest.raises(NotAllowed):
        actions.withdraw(d, by=w.specialist)  # a specialist may not stop the dossier
    with pytest.raises(Conflict):
        actions.request_withdrawal(d, by=w.citizen, reason="lần hai")  # one pending request


def test_declined_request_lets_processing_go_on_and_tells_the_applicant(w, received):
    d = actions.request_withdrawal(received, by=w.citizen, reason="x")
    d = actions.decline_withdrawal(d, by=w.reception, reason="Kết quả đang trình ký")
    assert d.status == Status.PROCESSING and d.withdrawal_requested_at is None
    assert d.events.filter(verb="decline_withdrawal").exists()
    with pytest.raises(Conflict):
        actions.withdraw(d, by=w.reception)


def test_pause_must_say_what_it_waits_for(w, received):
    with pytest.raises(InvalidInput) as err:
        actions.pause(received, by=w.reception, reason="Chờ")
    assert "kind" in err.value.fields
    with pytest.raises(InvalidInput):
        actions.pause(received, by=w.reception, reason="Chờ", kind="coffee")


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (PauseKind.FINANCIAL, PORTAL_FINANCIAL),
        (PauseKind.INSPECTION, PORTAL_PROCESSING),
        (PauseKind.OPINION, PORTAL_PROCESSING),
    ],
)
def test_each_pause_kind_has_its_own_status(w, received, kind, code):
    d = actions.pause(received, by=w.reception, reason="Chờ", kind=kind)
    assert portal_status(d) == code
    assert status_label(d) == PauseKind(kind).label
    assert queries.public_lookup(d.code, d.secret).status_label == PauseKind(kind).label
    d = actions.resume(d, by=w.reception)
    assert d.pause_kind == "" and status_label(d) == Status.PROCESSING.label


# --- through the API ----------------------------------------------------------------------------


def test_api_stop_request_and_confirmation(client, w, received):
    code = received.code
    r = post_json(client, w.citizen, f"{API}/{code}/withdraw", {"reason": "x"})
    assert r.status_code == 409 and r.json()["code"] == "request_needed"
    r = post_json(client, w.citizen, f"{API}/{code}/withdrawal-request", {"reason": "Không cần nữa"})
    assert r.status_code == 200, r.content
    assert "đề nghị dừng" in r.json()["status_label"]
    r = post_json(client, w.reception, f"{API}/{code}/withdraw", {})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "withdrawn"


def test_api_decline_needs_a_reason_and_a_request(client, w, received):
    code = received.code
    r = post_json(client, w.reception, f"{API}/{code}/withdrawal-request/decline", {"reason": "x"})
    assert r.status_code == 409
    post_json(client, w.citizen, f"{API}/{code}/withdrawal-request", {"reason": "x"})
    r = post_json(client, w.reception, f"{API}/{code}/withdrawal-request/decline", {"reason": ""})
    assert r.status_code == 422 and "reason" in r.json()["fields"]


def test_api_pause_without_kind_is_a_typed_error(client, w, received):
    r = post_json(client, w.reception, f"{API}/{received.code}/pause", {"reason": "Chờ"})
    assert r.status_code == 422 and "kind" in r.json()["fields"]
    r = post_json(client, w.reception, f"{API}/{received.code}/pause", {"reason": "Chờ", "kind": "opinion"})
    assert r.status_code == 200
    assert r.json()["status_label"] == PauseKind.OPINION.label


# --- through the pages ---------------------------------------------------------------------------


def test_citizen_page_asks_to_stop_and_officer_page_confirms(client, w, received):
    client.force_login(w.citizen)
    page = client.get(f"/ho-so/{received.code}/")
    assert "Đề nghị dừng giải quyết hồ sơ" in page.content.decode()
    r = client.post(f"/ho-so/{received.code}/de-nghi-dung/", {"reason": ""})
    assert r.status_code == 422  # the reason is required; the form comes back with the error
    r = client.post(f"/ho-so/{received.code}/de-nghi-dung/", {"reason": "Không cần nữa"})
    assert r.status_code == 302
    received.refresh_from_db()
    assert received.withdrawal_requested_at is not None

    client.force_login(w.reception)
    work = client.get(f"/can-bo/ho-so/{received.code}/").content.decode()
    assert "Xác nhận dừng giải quyết" in work
    client.force_login(w.specialist)
    assert "Xác nhận dừng giải quyết" not in client.get(f"/can-bo/ho-so/{received.code}/").content.decode()


def test_confirmed_stop_issues_the_stop_notice(w):
    d = actions.receive(fd.submit(w, at=MONDAY), by=w.reception, now=MONDAY)
    d = actions.request_withdrawal(d, by=w.citizen, reason="Đã có giấy tờ khác")
    d = actions.withdraw(d, by=w.reception)
    notice = d.attachments.get(form=NoticeForm.STOP_NOTICE)
    assert notice.original_name.startswith("Thông báo dừng giải quyết hồ sơ")
