"""The platform's CA certificate and each signer's chain are published on the verification page,
so a citizen can check a signed result in any PAdES validator, outside the platform."""

import hashlib
import io
import re

import pytest
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from tests.factories_signing import leader_with_certificate, paper_context
from tests.signing.test_sign_verify import _pyhanko_cli, needs_cli
from thudo.signing import actions
from thudo.signing.papers import render_paper

pytestmark = pytest.mark.django_db
LINK = re.compile(r'href="(/xac-thuc/chung-thu/(ca|signer)-\d+\.(pem|der))"')


@pytest.fixture
def signed_result(db):
    user, credential = leader_with_certificate()
    pdf = render_paper("result", paper_context("result"))
    return credential, actions.sign_pdf(pdf, signer=user, reason="Phê duyệt kết quả giải quyết hồ sơ")


def _links(client) -> dict[tuple[str, str], str]:
    page = client.get("/xac-thuc/")
    assert page.status_code == 200
    return {(kind, fmt): href for href, kind, fmt in LINK.findall(page.content.decode())}


def _validate(pdf: bytes, roots: list[asn1_x509.Certificate]):
    sig = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    return validate_pdf_signature(sig, ValidationContext(trust_roots=roots, allow_fetching=False))


def test_verification_page_offers_the_ca_with_its_fingerprint(client, signed_result):
    links = _links(client)
    assert {("ca", "pem"), ("ca", "der"), ("signer", "pem"), ("signer", "der")} <= set(links)
    der = client.get(links["ca", "der"])
    assert der["Content-Type"] == "application/pkix-cert"
    assert "attachment" in der["Content-Disposition"]
    fingerprint = hashlib.sha256(der.content).hexdigest().upper()
    shown = ":".join(fingerprint[i : i + 2] for i in range(0, 64, 2))
    assert shown in client.get("/xac-thuc/").content.decode()


def test_the_downloaded_ca_validates_a_signed_result_in_pyhanko(client, signed_result):
    _credential, pdf = signed_result
    links = _links(client)
    from_der = asn1_x509.Certificate.load(client.get(links["ca", "der"]).content)
    status = _validate(pdf, [from_der])
    assert status.bottom_line and status.intact and status.trusted
    _type, _headers, body = asn1_pem.unarmor(client.get(links["ca", "pem"]).content)
    assert asn1_x509.Certificate.load(body).sha256 == from_der.sha256
    assert not _validate(pdf, []).trusted  # without the anchor nothing is trusted


def test_the_signer_chain_leads_from_the_signer_to_the_ca(client, signed_result):
    _credential, pdf = signed_result
    links = _links(client)
    chain = [
        asn1_x509.Certificate.load(der)
        for _t, _h, der in asn1_pem.unarmor(client.get(links["signer", "pem"]).content, multiple=True)
    ]
    assert len(chain) == 2
    signer = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0].signer_cert
    assert chain[0].sha256 == signer.sha256
    assert chain[1].subject == chain[0].issuer
    assert chain[0].sha256 == asn1_x509.Certificate.load(client.get(links["signer", "der"]).content).sha256
    assert _validate(pdf, [chain[-1]]).trusted


@needs_cli
def test_pyhanko_command_line_trusts_the_downloaded_pem(client, signed_result, tmp_path):
    _credential, pdf = signed_result
    anchor = tmp_path / "thudo-ca.pem"
    anchor.write_bytes(client.get(_links(client)["ca", "pem"]).content)
    result = tmp_path / "ket-qua.pdf"
    result.write_bytes(pdf)
    done = _pyhanko_cli("--trust", str(anchor), str(result))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith(":INTACT:TRUSTED,UNTOUCHED")


def test_unknown_certificates_are_not_found(client, db):
    assert client.get("/xac-thuc/chung-thu/ca-999999.pem").status_code == 404
    assert client.get("/xac-thuc/chung-thu/signer-999999.der").status_code == 404
    assert client.get("/xac-thuc/chung-thu/other-1.pem").status_code == 404
