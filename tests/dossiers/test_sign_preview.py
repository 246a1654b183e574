"""The leader sees what she signs (issue 11, item 5): the result to be signed is previewed on her
page (page 1 as an image, the whole PDF inline); signing needs an explicit confirmation, and the
token's PIN on the PKCS#11 path."""

import io

import pytest
from PIL import Image

from tests.e2e.journeys import make_world, submit_online
from thudo.dossiers import actions
from thudo.dossiers.models import Status
from thudo.signing import pki

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_leader(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    world = make_world()
    d = submit_online(world)
    actions.receive(d, by=world.reception)
    actions.forward(d, by=world.reception)
    actions.forward(d, by=world.specialist)
    return world, d


def test_the_leader_previews_the_result_before_signing(client, at_leader):
    world, d = at_leader
    client.force_login(world.leader)
    page = client.get(f"/can-bo/ho-so/{d.code}/", {"mo": "approve_and_sign"}).content.decode()
    assert f'src="/can-bo/ho-so/{d.code}/xem-truoc.png"' in page
    assert "Mở toàn bộ dự thảo kết quả (PDF)" in page
    assert 'id="approve_and_sign" open' in page  # the signing queue's link opens the signing step
    image = client.get(f"/can-bo/ho-so/{d.code}/xem-truoc.png")
    assert image["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).size[0] == 620
    pdf = client.get(f"/can-bo/ho-so/{d.code}/xem-truoc.pdf")
    assert pdf.content.startswith(b"%PDF-") and pdf["Content-Disposition"].startswith("inline;")
    # officials who may not sign do not get the preview
    client.force_login(world.specialist)
    assert client.get(f"/can-bo/ho-so/{d.code}/xem-truoc.png").status_code == 404


def test_signing_without_confirming_is_refused_with_a_message(client, at_leader):
    world, d = at_leader
    client.force_login(world.leader)
    response = client.post(f"/can-bo/ho-so/{d.code}/approve_and_sign/", {})
    assert response.status_code == 422
    assert "Hãy xem dự thảo kết quả và đánh dấu xác nhận trước khi ký." in response.content.decode()
    d.refresh_from_db()
    assert d.status == Status.PROCESSING
    assert "PIN" not in response.content.decode()  # a key file on the server: no PIN asked


def test_a_leader_with_a_token_is_asked_for_its_pin_and_it_reaches_the_token(client, at_leader, monkeypatch):
    world, d = at_leader
    pki.active_credential(world.leader).delete()
    pki.register_pkcs11_credential(
        world.leader,
        agency=world.agency,
        title="Chủ tịch",
        module="/usr/lib/softhsm/libsofthsm2.so",
        token_label="LANH DAO",
        key_label="k",
        cert_label="c",
        by=world.leader,
    )
    seen = {}

    def fake_sign(pdf, *, signer, reason, pin=None):
        seen["pin"] = pin
        return pdf

    monkeypatch.setattr("thudo.dossiers.actions.results._sign", fake_sign)
    client.force_login(world.leader)
    page = client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert "Mã PIN của thiết bị ký số (USB token)" in page and 'type="password"' in page
    client.post(
        f"/can-bo/ho-so/{d.code}/approve_and_sign/",
        {"approve_and_sign-confirm": "on", "approve_and_sign-pin": "123456"},
    )
    assert seen == {"pin": "123456"}
