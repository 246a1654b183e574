"""Who may act on the current step of the internal process, on every path (issue 10, item 1).

The rule lives in the actions (``transitions.refusal``): a step is done by a holder of its role at
the agency, the leader's step ends with the signature and only there. The API and the page's POST
route (not only its list of buttons) obey it; city admins hold no step role.
"""

import json

import pytest

from tests import factories
from tests import factories_dossiers as fd
from thudo.dossiers import actions
from thudo.dossiers.models import Dossier, Status

pytestmark = pytest.mark.django_db
BASE = "/api/v1/dossiers"


@pytest.fixture
def w(db):
    return fd.world()


def at_step(w, order: int) -> Dossier:
    """A received dossier handed on by each step's holder up to step ``order`` (1 reception,
    2 specialist, 3 leader)."""
    with actions.papers_rendered(False):
        d = actions.receive(fd.submit(w), by=w.reception)
        if order >= 2:
            d = actions.forward(d, by=w.reception)
        if order >= 3:
            d = actions.forward(d, by=w.specialist)
    return d


def post_json(client, user, url, body=None):
    client.force_login(user)
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def unchanged(d: Dossier, order: int) -> bool:
    d.refresh_from_db()
    return d.status == Status.PROCESSING and d.current_step.order == order and not d.results.exists()


# --- API ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [1, 2])
def test_api_leader_cannot_sign_before_the_leaders_step(client, w, order):
    d = at_step(w, order)
    r = post_json(client, w.leader, f"{BASE}/{d.code}/sign")
    assert r.status_code == 409, r.content
    assert r.json()["code"] == "wrong_step"
    assert unchanged(d, order)


@pytest.mark.parametrize(("order", "status", "code"), [(2, 403, "not_your_step"), (3, 409, "wrong_step")])
def test_api_one_stop_officer_cannot_forward_past_other_peoples_steps(client, w, order, status, code):
    d = at_step(w, order)
    r = post_json(client, w.reception, f"{BASE}/{d.code}/forward", {"note": ""})
    assert r.status_code == status, r.content
    assert r.json()["code"] == code and r.json()["message"]
    assert unchanged(d, order)


def test_api_each_step_is_handed_on_by_its_holder(client, w):
    d = at_step(w, 1)
    assert post_json(client, w.specialist, f"{BASE}/{d.code}/forward").status_code == 403
    assert post_json(client, w.reception, f"{BASE}/{d.code}/forward").status_code == 200
    assert post_json(client, w.specialist, f"{BASE}/{d.code}/forward").status_code == 200
    r = post_json(client, w.leader, f"{BASE}/{d.code}/sign")
    assert r.status_code == 200 and r.json()["status"] == "result_ready"


def test_api_city_admin_holds_no_step(client, w):
    admin = factories.official(role="city_admin", agency=None, username="thanhpho")
    d = at_step(w, 1)
    r = post_json(client, admin, f"{BASE}/{d.code}/forward")
    assert r.status_code == 403 and r.json()["code"] == "not_your_step"
    assert unchanged(d, 1)


def test_api_assignee_must_hold_the_next_steps_role(client, w):
    d = at_step(w, 1)
    r = post_json(client, w.reception, f"{BASE}/{d.code}/forward", {"assignee": w.leader.username})
    assert r.status_code == 422 and "assignee" in r.json()["fields"]
    assert unchanged(d, 1)


def test_api_specialist_drafts_and_transfers_only_at_their_step(client, w):
    d = at_step(w, 1)
    client.force_login(w.specialist)
    assert client.post(f"{BASE}/{d.code}/result").status_code == 403
    r = post_json(client, w.specialist, f"{BASE}/{d.code}/transfer", {"to_agency": w.other_agency.code})
    assert r.status_code == 403
    assert unchanged(d, 1)


# --- the page's POST route ------------------------------------------------------------------------


def work_page(client, user, d) -> str:
    client.force_login(user)
    return client.get(f"/can-bo/ho-so/{d.code}/").content.decode()


@pytest.mark.parametrize("order", [1, 2])
def test_page_post_leader_cannot_sign_before_the_leaders_step(client, w, order):
    d = at_step(w, order)
    assert "Xác nhận: Phê duyệt và ký số" not in work_page(client, w.leader, d)
    r = client.post(
        f"/can-bo/ho-so/{d.code}/approve_and_sign/", {"approve_and_sign-confirm": "on"}, follow=True
    )
    assert "chỉ phê duyệt, ký số ở bước của lãnh đạo" in r.content.decode()
    assert unchanged(d, order)


@pytest.mark.parametrize("order", [2, 3])
def test_page_post_one_stop_officer_cannot_forward_past_other_peoples_steps(client, w, order):
    d = at_step(w, order)
    assert "Xác nhận: Chuyển bước tiếp theo" not in work_page(client, w.reception, d)
    r = client.post(f"/can-bo/ho-so/{d.code}/forward/", {"forward-note": ""}, follow=True)
    assert "Hồ sơ đang ở bước" in r.content.decode()
    assert unchanged(d, order)


def test_page_shows_each_holder_their_own_step_buttons(client, w):
    d = at_step(w, 2)
    page = work_page(client, w.specialist, d)
    assert "Xác nhận: Chuyển bước tiếp theo" in page and "Xác nhận: Chuyển liên thông" in page
    assert "Xác nhận: Phê duyệt và ký số" not in page
    d = at_step(w, 3)
    page = work_page(client, w.leader, d)
    assert "Xác nhận: Phê duyệt và ký số" in page
    assert "Xác nhận: Chuyển bước tiếp theo" not in page  # the leader's step ends with the signature
