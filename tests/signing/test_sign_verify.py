"""Signing a paper (PAdES) and checking it, inside and outside the platform."""

import importlib.util
import io
import subprocess
import sys

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from tests.factories import AgencyFactory, UserFactory
from tests.factories_signing import leader_with_certificate, paper_context
from thudo.core.errors import NotAllowed
from thudo.core.models import AuditRecord
from thudo.signing import actions, pki
from thudo.signing.models import IssuedDocument
from thudo.signing.papers import render_paper
from thudo.signing.verify import verify_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(db):
    user, credential = leader_with_certificate()
    pdf = render_paper("result", paper_context("result"))
    out = actions.sign_pdf(pdf, signer=user, reason="Phê duyệt kết quả giải quyết hồ sơ")
    return user, credential, pdf, out


def test_signed_and_registered_file_verifies_as_intact_trusted_and_issued(signed):
    user, credential, _pdf, out = signed
    actions.register_issued(
        out, document_code="15/QĐ-UBND", kind="result", agency=credential.agency, signer=user
    )

    report = verify_pdf(out)

    assert report.signed and report.intact and report.trusted and report.issued_here
    assert report.valid
    assert report.signer_name == "Lê Quang Huy"
    assert "Ủy ban nhân dân Phường Hoàn Kiếm" in report.signer_subject
    assert report.signed_at is not None
    assert report.document_code == "15/QĐ-UBND"
    assert report.agency_name == "Ủy ban nhân dân Phường Hoàn Kiếm"
    assert report.problems == []
    assert report.signatures[0].reason == "Phê duyệt kết quả giải quyết hồ sơ"
    assert report.signatures[0].location == "Hà Nội"


def test_signing_is_audited(signed):
    user, credential, _pdf, _out = signed
    rec = AuditRecord.objects.filter(verb="signing.signed").get()
    assert rec.actor_id == user.pk
    assert rec.object_id == str(credential.pk)


def test_pyhanko_validator_accepts_the_signature_with_the_demo_ca_as_trust_root(signed):
    _user, _credential, _pdf, out = signed
    ca = pki.ensure_demo_ca()
    vc = ValidationContext(trust_roots=[pki._load_asn1(ca.cert_pem.encode())], allow_fetching=False)
    sig = PdfFileReader(io.BytesIO(out)).embedded_signatures[0]

    status = validate_pdf_signature(sig, vc)

    assert status.bottom_line
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    # PAdES: subfilter ETSI.CAdES.detached, with the CA certificate embedded next to the signer's
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    subjects = {
        c.subject.native["common_name"]
        for c in sig.signed_data["certificates"].native
        and [c.chosen for c in sig.signed_data["certificates"]]
    }
    assert subjects == {"Lê Quang Huy", "Thủ đô số Demo CA"}


def _pyhanko_cli(*args):
    """``python -m pyhanko sign validate --trust-replace --trust <ca.pem> <file.pdf>`` as a citizen would."""
    return subprocess.run(
        [sys.executable, "-m", "pyhanko", "sign", "validate", "--trust-replace", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


needs_cli = pytest.mark.skipif(
    importlib.util.find_spec("pyhanko.cli") is None,
    reason="pyhanko-cli is not installed (pip install pyhanko-cli)",
)


@needs_cli
def test_pyhanko_command_line_validates_the_file_outside_the_platform(signed, tmp_path):
    _user, _credential, _pdf, out = signed
    ca_pem = pki.ca_pem_path()
    good = tmp_path / "ket-qua.pdf"
    good.write_bytes(out)
    at = out.index(b"WeasyPrint")
    bad = tmp_path / "ket-qua-sua.pdf"
    bad.write_bytes(out[:at] + b"X" + out[at + 1 :])

    done = _pyhanko_cli("--trust", str(ca_pem), str(good))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith(":INTACT:TRUSTED,UNTOUCHED")

    done = _pyhanko_cli("--trust", str(ca_pem), str(bad))
    assert done.returncode != 0
    assert ":INVALID" in done.stdout


def test_one_changed_byte_after_signing_is_detected(signed):
    _user, _credential, _pdf, out = signed
    at = out.index(b"WeasyPrint")
    tampered = out[:at] + b"X" + out[at + 1 :]

    report = verify_pdf(tampered)

    assert report.signed
    assert not report.intact
    assert not report.valid
    assert any("thay đổi" in p for p in report.problems)


def test_content_appended_after_signing_is_detected(signed):
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    _user, _credential, _pdf, out = signed
    writer = IncrementalPdfFileWriter(io.BytesIO(out))
    info = writer.root["/Pages"]["/Kids"][0]
    info[NameObject("/Rotate")] = __import__("pyhanko.pdf_utils.generic", fromlist=["x"]).NumberObject(90)
    writer.update_container(info)
    writer.root[NameObject("/Lang")] = TextStringObject("en")
    writer.update_root()
    buf = io.BytesIO()
    writer.write(buf)

    report = verify_pdf(buf.getvalue())

    assert report.signed
    assert not report.intact


def test_a_file_signed_by_a_certificate_from_another_ca_is_not_trusted(signed):
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from thudo.signing.models import CertificateAuthority

    _user, _credential, _pdf, out = signed
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Một CA khác")])
    other = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2040, 1, 1, tzinfo=dt.UTC))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    # the platform now trusts only that other CA
    CertificateAuthority.objects.update(cert_pem=other.public_bytes(serialization.Encoding.PEM).decode())

    report = verify_pdf(out)

    assert report.signed and report.intact
    assert not report.trusted
    assert any("tin cậy" in p for p in report.problems)


def test_unsigned_pdf_is_reported_as_unsigned():
    report = verify_pdf(render_paper("refusal", paper_context("refusal")))
    assert report.is_pdf
    assert not report.signed
    assert not report.valid
    assert "Tệp không có chữ ký số." in report.problems


@pytest.mark.parametrize(
    "garbage", [b"", b"hello", b"\x00\xff" * 1000, b"%PDF-1.7\n garbage that is not a pdf"]
)
def test_garbage_gives_a_problem_not_an_exception(garbage):
    report = verify_pdf(garbage)
    assert not report.signed
    assert report.problems


def test_register_issued_is_immutable_and_idempotent(signed):
    _user, credential, pdf, out = signed
    first = actions.register_issued(out, document_code="15/QĐ-UBND", kind="result", agency=credential.agency)
    again = actions.register_issued(out, document_code="99/KHAC", kind="other", agency=AgencyFactory())

    assert again.pk == first.pk
    assert IssuedDocument.objects.get().document_code == "15/QĐ-UBND"
    assert AuditRecord.objects.filter(verb="signing.issued").count() == 1
    # the unsigned original is a different file: not "issued"
    assert not verify_pdf(pdf).issued_here


def test_a_second_signature_keeps_the_first_one_valid(signed):
    _user, credential, _pdf, out = signed
    other, _ = leader_with_certificate(
        agency=credential.agency, username="phochutich", full_name="Phạm Văn Đức"
    )

    twice = actions.sign_pdf(out, signer=other, reason="Ký nháy")
    report = verify_pdf(twice)

    assert [s.signer_name for s in report.signatures] == ["Lê Quang Huy", "Phạm Văn Đức"]
    assert report.intact and report.trusted


def test_person_without_certificate_cannot_sign():
    pdf = render_paper("result", paper_context("result"))
    with pytest.raises(NotAllowed):
        actions.sign_pdf(pdf, signer=UserFactory(), reason="x")


def test_revoked_certificate_cannot_sign_and_its_old_signatures_are_flagged(signed):
    from django.utils import timezone

    user, credential, pdf, out = signed
    credential.revoked_at = timezone.now()
    credential.save(update_fields=["revoked_at"])

    with pytest.raises(NotAllowed):
        actions.sign_pdf(pdf, signer=user, reason="x")
    # revoked after signing: the earlier signature still stands
    assert verify_pdf(out).trusted
