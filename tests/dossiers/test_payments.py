"""Payments (issue 10, item 2): the amount is the fee the server computes for the dossier's channel,
never the client's; nothing is paid on a fee-free dossier, nothing twice; exactly one charge per
fee under any concurrency. API and page both; the rules live in ``actions.payments``."""

import json

import pytest
from django.db import connections
from django.test import Client

from tests import factories
from tests import factories_dossiers as fd
from tests.gateways import RecordingGateway
from thudo.dossiers.models import Payment

pytestmark = pytest.mark.django_db
BASE = "/api/v1/dossiers"
FEE = 1_200_000


@pytest.fixture
def recording(settings):
    settings.THUDO = {**settings.THUDO, "PAYMENT_GATEWAY": "tests.gateways.RecordingGateway"}
    RecordingGateway.charges.clear()
    yield RecordingGateway
    RecordingGateway.charges.clear()
    RecordingGateway.delay = 0.0


def paid_world():
    """A dossier submitted online for a procedure whose online fee is 1,200,000 đồng."""
    w = fd.world(fees=(("online", FEE), ("counter", FEE)))
    return w, fd.submit(w)


def pay(client, d, body):
    return client.post(f"{BASE}/{d.code}/payments", data=json.dumps(body), content_type="application/json")


def signed_in(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def test_online_payment_charges_the_fee_the_server_computes(recording):
    w, d = paid_world()
    r = pay(signed_in(w.citizen), d, {"online": True})
    assert r.status_code == 201, r.content
    assert r.json()["amount"] == FEE and r.json()["online"] is True
    assert [c.amount for c in recording.charges] == [FEE]
    # Paid: a second payment is refused, and nothing is charged.
    again = pay(signed_in(w.citizen), d, {"online": True})
    assert again.status_code == 409 and again.json()["code"] == "paid"
    assert len(recording.charges) == 1


@pytest.mark.parametrize("amount", [1, FEE - 1, FEE + 1, 2 * FEE, 2**63, 10**30, 0, -5])
def test_an_amount_other_than_the_fee_is_refused_online_and_at_the_counter(recording, amount):
    w, d = paid_world()
    for client, body in (
        (signed_in(w.citizen), {"online": True, "amount": amount}),
        (signed_in(w.reception), {"method": "cash", "amount": amount}),
    ):
        r = pay(client, d, body)
        assert r.status_code == 422, r.content
        assert r.json()["code"] in ("amount_mismatch", "invalid") and "amount" in r.json()["fields"]
    assert not Payment.objects.exists() and not recording.charges


def test_the_fee_itself_is_accepted_when_given(recording):
    w, d = paid_world()
    r = pay(signed_in(w.reception), d, {"method": "cash", "amount": FEE, "reference": "BL-01"})
    assert r.status_code == 201 and r.json()["amount"] == FEE
    assert pay(signed_in(w.reception), d, {"method": "cash"}).status_code == 409  # overpayment


def test_nothing_is_paid_on_a_fee_free_dossier(recording):
    w = fd.world()  # online fee 0 đồng (Hanoi, Resolution 77/2025/NQ-HĐND)
    d = fd.submit(w)
    for client, body in (
        (signed_in(w.citizen), {"online": True}),
        (signed_in(w.reception), {"method": "cash", "amount": 8000}),
        (signed_in(w.reception), {"method": "cash"}),
    ):
        r = pay(client, d, body)
        assert r.status_code == 422 and r.json()["code"] == "no_fee", r.content
    assert not Payment.objects.exists() and not recording.charges


def test_the_payment_page_goes_through_the_gateway_once(recording):
    w, d = paid_world()
    client = signed_in(w.citizen)
    page = client.post(f"/ho-so/{d.code}/thanh-toan/", follow=True).content.decode()
    assert "Đã thanh toán trực tuyến." in page
    again = client.post(f"/ho-so/{d.code}/thanh-toan/", follow=True).content.decode()
    assert "Hồ sơ đã được thanh toán." in again
    assert [c.amount for c in recording.charges] == [FEE]
    assert Payment.objects.get().amount == FEE


def test_the_page_refuses_to_pay_a_fee_free_dossier(recording):
    w = fd.world()
    d = fd.submit(w)
    page = signed_in(w.citizen).post(f"/ho-so/{d.code}/thanh-toan/", follow=True).content.decode()
    assert "không phải nộp phí" in page
    assert not Payment.objects.exists() and not recording.charges


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_parallel_online_payments_charge_once(recording):
    if connections["default"].vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    w, d = paid_world()
    recording.delay = 0.3  # a gateway takes time to confirm: the race window of a real one
    clients = [signed_in(w.citizen) for _ in range(3)]
    statuses, errors = factories.in_threads(3, lambda i: pay(clients[i], d, {"online": True}).status_code)
    assert errors == []
    assert sorted(statuses) == [201, 409, 409]
    assert Payment.objects.filter(dossier=d).count() == 1
    assert len(recording.charges) == 1
