"""The demo CA, leaders' certificates, the demo loader and QR codes."""

import io
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.factories import AgencyFactory, UserFactory, official
from thudo.core.errors import InvalidInput
from thudo.signing import demo, pki, qr
from thudo.signing.models import CertificateAuthority, CredentialKind, SigningCredential

pytestmark = pytest.mark.django_db


def test_demo_ca_is_created_once(settings):
    first = pki.ensure_demo_ca()
    again = pki.ensure_demo_ca()
    assert first.pk == again.pk
    assert CertificateAuthority.objects.count() == 1
    cert = x509.load_pem_x509_certificate(first.cert_pem.encode())
    assert cert.subject == cert.issuer
    assert "Thủ đô số Demo CA" in cert.subject.rfc4514_string()
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_certificate_is_a_passphrase_protected_pkcs12_file_in_the_data_dir(settings):
    agency = AgencyFactory(name="Sở Tư pháp")
    user = official(role="leader", agency=agency)
    credential = pki.issue_certificate(user, title="Giám đốc", agency=agency)

    path = Path(settings.DATA_DIR) / "pki" / credential.p12_path
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(ValueError, match=r"(?i)password|decrypt|invalid|could not"):
        pkcs12.load_key_and_certificates(path.read_bytes(), None)
    key, cert, chain = pkcs12.load_key_and_certificates(
        path.read_bytes(), pki.passphrase(credential.p12_path)
    )
    assert key is not None
    assert f"{cert.serial_number:x}" == credential.serial
    assert "Sở Tư pháp" in credential.subject
    assert "Giám đốc" in credential.subject
    assert [c.subject.rfc4514_string() for c in chain] == [pki.ensure_demo_ca().subject]
    assert credential.kind == CredentialKind.PKCS12
    assert pki.active_credential(user) == credential


def test_a_different_secret_cannot_open_the_key(settings):
    user = official(role="leader", agency=AgencyFactory())
    credential = pki.issue_certificate(user, title="", agency=None)
    settings.SIGNING_KEY_SECRET = "another deployment"
    with pytest.raises(ValueError, match=r"(?i)password|decrypt|invalid|could not"):
        pkcs12.load_key_and_certificates(
            (Path(settings.DATA_DIR) / "pki" / credential.p12_path).read_bytes(),
            pki.passphrase(credential.p12_path),
        )


def test_pkcs11_credential_is_configuration_only():
    user = UserFactory()
    with pytest.raises(InvalidInput):
        pki.register_pkcs11_credential(
            user, agency=None, title="Chủ tịch", module="", token_label="", key_label=""
        )
    credential = pki.register_pkcs11_credential(
        user,
        agency=None,
        title="Chủ tịch",
        module="/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
        token_label="LANHDAO",
        key_label="ky-so",
    )
    assert credential.kind == CredentialKind.PKCS11
    assert credential.pkcs11_cert_label == "ky-so"


def test_demo_gives_every_leader_a_certificate_and_is_idempotent():
    agency = AgencyFactory()
    leaders = [official(role="leader", agency=agency) for _ in range(2)]
    official(role="reception", agency=agency)
    out = io.StringIO()

    assert demo.load(progress=lambda *a: None, stdout=out) == []
    assert demo.load(progress=lambda *a: None, stdout=out) == []

    assert SigningCredential.objects.count() == 2
    assert {c.user for c in SigningCredential.objects.all()} == set(leaders)
    assert "ca-" in out.getvalue()


def test_qr_codes():
    url = "http://127.0.0.1:8000/xac-thuc/" + "a" * 64 + "/"
    svg = qr.qr_svg(url)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    png = qr.qr_png(url)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert qr.qr_data_uri(url).startswith("data:image/png;base64,")
