"""An ``Idempotency-Key`` replayed with a different body is refused (issue 10, item 4), as Stripe does:
422 ``idempotency_key_reused``; the same body still returns the first dossier."""

import json

import pytest

from tests import factories_dossiers as fd
from thudo.core.errors import InvalidInput
from thudo.dossiers import actions
from thudo.dossiers.models import Dossier

pytestmark = pytest.mark.django_db
BASE = "/api/v1/dossiers"


@pytest.fixture
def w(db):
    return fd.world()


def submit(client, w, *, key="khoa-1", declaration=None, second_file=b"", name="Nguyễn Văn An"):
    client.force_login(w.citizen)
    files = [fd.pdf_file("to-khai.pdf"), fd.pdf_file("giay-chung-sinh.pdf" + second_file.decode())]
    data = {
        "procedure": w.procedure.code,
        "agency": w.agency.code,
        "form_data": json.dumps(declaration or {"ten_tre": "Bé Na"}),
        "applicant_name": name,
        "files": files,
    }
    return client.post(BASE, data=data, HTTP_IDEMPOTENCY_KEY=key)


def test_the_same_body_returns_the_first_dossier(client, w):
    first = submit(client, w)
    again = submit(client, w)
    assert first.status_code == 201 and again.status_code == 201
    assert again.json()["code"] == first.json()["code"]
    assert Dossier.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"declaration": {"ten_tre": "Bé Bông"}},
        {"name": "Trần Thị Bình"},
        {"second_file": b"-khac"},  # another file: different bytes (the title is in the PDF)
    ],
)
def test_the_same_key_with_another_body_is_422(client, w, change):
    first = submit(client, w)
    assert first.status_code == 201
    r = submit(client, w, **change)
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "idempotency_key_reused" and "Idempotency-Key" in body["message"]
    assert Dossier.objects.count() == 1
    # A fresh key for the new body is fine.
    assert submit(client, w, key="khoa-2", **change).status_code == 201


def test_the_rule_lives_in_the_action(w):
    fd.submit(w, key="khoa-action")
    with pytest.raises(InvalidInput) as refused:
        actions.submit_online(
            procedure=w.procedure,
            agency=w.agency,
            applicant=fd.APPLICANT,
            form_data={"ten_tre": "Một bé khác"},
            files=[fd.pdf_file("to-khai.pdf"), fd.pdf_file("chung-sinh.pdf")],
            by=w.citizen,
            idempotency_key="khoa-action",
        )
    assert refused.value.code == "idempotency_key_reused"
    assert fd.submit(w, key="khoa-action").pk == Dossier.objects.get().pk  # the same body: the same dossier
