"""The platform's signing keys: a demo CA, one certificate per leader, and production tokens.

Demo/development: ``ensure_demo_ca()`` creates a self-signed root "Thủ đô số Demo CA" and
``issue_certificate()`` gives a leader an RSA key and certificate signed by it. Both are kept as
PKCS#12 files; the files' passphrases are never stored: each is derived from the deployment's
secret (``settings.SIGNING_KEY_SECRET`` if set, else ``SECRET_KEY``) and the file name with
HMAC-SHA256, so a copied file alone is useless and rotating the secret retires the demo keys
(issue new ones). Where the files are is the key store (``THUDO_SIGNING_KEY_STORE``):
``local``, ``DATA_DIR/pki/`` of one server; or ``shared``, under ``pki/`` in the platform's file
storage (the S3 bucket every app server uses, the default when one is configured), so every
server signs with the same encrypted keys and nobody copies key files between servers.

Production: Vietnamese officials sign with a USB token holding a key and a certificate issued by
a licensed CA (Decree 23/2025/NĐ-CP on electronic signatures and trust services; public-service
signatures chain to the national root of the Ministry of Science and Technology /
Government Cipher Committee for state officials). Such a credential has ``kind=pkcs11`` and the
module path, token label and key/cert labels; signing goes through ``pyhanko.sign.pkcs11``.
See docs/signing.md. That branch needs ``python-pkcs11`` (``pyhanko[pkcs11]``) and a token.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import os
from collections.abc import Iterator
from pathlib import Path

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from thudo.core import audit
from thudo.core.config import config
from thudo.core.errors import InvalidInput, NotAllowed
from thudo.signing.models import CertificateAuthority, CredentialKind, SigningCredential

DEMO_CA_NAME = "Thủ đô số Demo CA"
CA_YEARS = 10
LEAF_YEARS = 3
KEY_SIZE = 2048
PKCS11_PIN_ENV = "THUDO_PKCS11_PIN"


def pki_dir() -> Path:
    path = Path(settings.DATA_DIR) / "pki"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


SHARED_PREFIX = "pki/"


def _shared():
    """The shared key store (the default file storage), or None for ``DATA_DIR/pki``."""
    return storages["default"] if config().signing_key_store == "shared" else None


def key_file_exists(file_name: str) -> bool:
    store = _shared()
    if store is not None:
        return bool(store.exists(SHARED_PREFIX + file_name))
    return (pki_dir() / file_name).exists()


def read_key_file(file_name: str) -> bytes:
    """The encrypted PKCS#12 bytes of ``file_name`` from the key store (FileNotFoundError)."""
    store = _shared()
    if store is None:
        return (pki_dir() / file_name).read_bytes()
    if not store.exists(SHARED_PREFIX + file_name):
        raise FileNotFoundError(file_name)
    with store.open(SHARED_PREFIX + file_name, "rb") as fh:
        return fh.read()


def write_key_file(file_name: str, data: bytes) -> None:
    """Store a new key file; an existing one is never overwritten (FileExistsError)."""
    store = _shared()
    if store is None:
        fd = os.open(pki_dir() / file_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return
    name = SHARED_PREFIX + file_name
    if store.exists(name):
        raise FileExistsError(file_name)
    saved = store.save(name, ContentFile(data))
    if saved != name:  # pragma: no cover - a concurrent writer took the name in between
        store.delete(saved)
        raise FileExistsError(file_name)


def passphrase(file_name: str) -> bytes:
    """The PKCS#12 passphrase of ``file_name`` (derived, never stored)."""
    secret = config().signing_key_secret
    return (
        hmac.new(secret.encode(), f"thudo.signing.p12:{file_name}".encode(), hashlib.sha256)
        .hexdigest()
        .encode()
    )


def _write_p12(
    file_name: str, key, cert: x509.Certificate, cas: list[x509.Certificate], friendly: str
) -> str:
    data = pkcs12.serialize_key_and_certificates(
        friendly.encode(),
        key,
        cert,
        cas or None,
        serialization.BestAvailableEncryption(passphrase(file_name)),
    )
    write_key_file(file_name, data)  # never overwrites a key file
    return file_name


def _read_p12(file_name: str):
    try:
        data = read_key_file(file_name)
    except FileNotFoundError as exc:
        raise NotAllowed(_("Không tìm thấy tệp khóa ký số %(name)s.") % {"name": file_name}) from exc
    return pkcs12.load_key_and_certificates(data, passphrase(file_name))


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _serial_hex(cert: x509.Certificate) -> str:
    return f"{cert.serial_number:x}"


def _subject_text(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


# --- the demo CA ---------------------------------------------------------------------------------


def ensure_demo_ca() -> CertificateAuthority:
    """The demo root CA, created on first use (idempotent)."""
    existing = CertificateAuthority.objects.filter(name=DEMO_CA_NAME).first()
    if existing is not None and key_file_exists(existing.p12_path):
        return existing
    with transaction.atomic():
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.LOCALITY_NAME, "Hà Nội"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Thủ đô số (thử nghiệm)"),
                x509.NameAttribute(NameOID.COMMON_NAME, DEMO_CA_NAME),
            ]
        )
        now = timezone.now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        file_name = _write_p12(f"ca-{_serial_hex(cert)[:20]}.p12", key, cert, [], DEMO_CA_NAME)
        if existing is not None:
            # The key file was lost: the old CA cannot issue any more, but stays trusted for the
            # files it already signed.
            existing.name = f"{DEMO_CA_NAME} ({existing.serial[:8]})"
            existing.save(update_fields=["name"])
        ca = CertificateAuthority.objects.create(
            name=DEMO_CA_NAME,
            subject=_subject_text(cert),
            serial=_serial_hex(cert),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            cert_pem=_pem(cert),
            p12_path=file_name,
        )
        audit.record("signing.ca_created", by=None, obj=ca, changes={"serial": ca.serial})
    return ca


def ca_pem_path(ca: CertificateAuthority | None = None) -> Path:
    """The CA certificate as a PEM file (for ``pyhanko sign validate --trust``)."""
    ca = ca or ensure_demo_ca()
    path = pki_dir() / f"ca-{ca.serial[:20]}.pem"
    if not path.exists():
        path.write_text(ca.cert_pem)
    return path


# --- leaders' certificates -----------------------------------------------------------------------


def issue_certificate(user, *, title: str, agency, by=None) -> SigningCredential:
    """Issue ``user`` a demo signing certificate (PKCS#12) for ``agency`` from the demo CA."""
    ca = ensure_demo_ca()
    ca_key, ca_cert, _others = _read_p12(ca.p12_path)
    full_name = (getattr(user, "full_name", "") or user.get_username()).strip()
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, "Hà Nội"),
    ]
    if agency is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency.name[:64]))
    if title:
        attrs.append(x509.NameAttribute(NameOID.TITLE, title[:64]))
    attrs += [
        x509.NameAttribute(NameOID.USER_ID, user.get_username()[:64]),
        x509.NameAttribute(NameOID.COMMON_NAME, full_name[:64]),
    ]
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    now = timezone.now()
    not_after = min(now + dt.timedelta(days=365 * LEAF_YEARS), ca_cert.not_valid_after_utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attrs))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    stem = slugify(user.get_username()) or "user"
    with transaction.atomic():
        file_name = _write_p12(f"{stem}-{_serial_hex(cert)[:20]}.p12", key, cert, [ca_cert], full_name)
        credential = SigningCredential.objects.create(
            user=user,
            agency=agency,
            title=title,
            kind=CredentialKind.PKCS12,
            subject=_subject_text(cert),
            serial=_serial_hex(cert),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            cert_pem=_pem(cert),
            authority=ca,
            p12_path=file_name,
        )
        audit.record(
            "signing.certificate_issued",
            by=by,
            obj=credential,
            changes={"serial": credential.serial, "subject": credential.subject},
        )
    return credential


def register_pkcs11_credential(
    user,
    *,
    agency,
    title: str,
    module: str,
    token_label: str,
    key_label: str,
    cert_label: str = "",
    cert_pem: str = "",
    by=None,
) -> SigningCredential:
    """Record that ``user`` signs with a PKCS#11 token (production path; see docs/signing.md).

    ``cert_pem`` (the token's certificate, optional) fills in subject, serial and validity."""
    if not module or not token_label or not key_label:
        raise InvalidInput(
            _("Cần đường dẫn thư viện PKCS#11, nhãn token và nhãn khóa."),
            fields={
                k: _("Bắt buộc.")
                for k, v in (("module", module), ("token_label", token_label), ("key_label", key_label))
                if not v
            },
        )
    with transaction.atomic():
        credential = SigningCredential.objects.create(
            user=user,
            agency=agency,
            title=title,
            kind=CredentialKind.PKCS11,
            pkcs11_module=module,
            pkcs11_token_label=token_label,
            pkcs11_key_label=key_label,
            pkcs11_cert_label=cert_label or key_label,
            **_cert_facts(cert_pem),
        )
        audit.record(
            "signing.token_registered",
            by=by,
            obj=credential,
            changes={"token": token_label, "key": key_label},
        )
    return credential


def _cert_facts(cert_pem: str) -> dict:
    if not cert_pem:
        return {}
    try:
        cert = x509.load_pem_x509_certificate(cert_pem.encode())
    except ValueError as exc:
        raise InvalidInput(_("Chứng thư không đúng định dạng PEM."), fields={"cert_pem": str(exc)}) from exc
    return {
        "cert_pem": _pem(cert),
        "subject": _subject_text(cert),
        "serial": _serial_hex(cert),
        "not_before": cert.not_valid_before_utc,
        "not_after": cert.not_valid_after_utc,
    }


def active_credential(user, *, at: dt.datetime | None = None) -> SigningCredential | None:
    """The newest credential of ``user`` that is not revoked and (if known) valid at ``at``."""
    at = at or timezone.now()
    for credential in SigningCredential.objects.filter(user=user, revoked_at__isnull=True):
        if credential.not_before and credential.not_before > at:
            continue
        if credential.not_after and credential.not_after < at:
            continue
        return credential
    return None


@contextlib.contextmanager
def open_signer(credential: SigningCredential, *, pin: str | None = None) -> Iterator:
    """A pyHanko ``Signer`` for the credential (a PKCS#11 session is closed on exit). ``pin``:
    the token's user PIN the signer typed (else ``THUDO_PKCS11_PIN``, else none: a PIN pad)."""
    if credential.kind == CredentialKind.PKCS12:
        from pyhanko.sign.signers import SimpleSigner

        data = read_key_file(credential.p12_path)
        yield SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=passphrase(credential.p12_path))
        return
    # Production: a USB token. Not exercised by the test suite (needs python-pkcs11 and a token).
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    pin = pin or os.environ.get(PKCS11_PIN_ENV) or None
    session = open_pkcs11_session(
        credential.pkcs11_module,
        token_criteria=TokenCriteria(label=credential.pkcs11_token_label),
        user_pin=pin,
    )
    try:
        yield PKCS11Signer(
            session,
            cert_label=credential.pkcs11_cert_label or credential.pkcs11_key_label,
            key_label=credential.pkcs11_key_label,
            other_certs_to_pull=None,  # pull every certificate on the token (the CA chain)
        )
    finally:
        session.close()


# --- trust -----------------------------------------------------------------------------------------


def trust_roots() -> list[asn1_x509.Certificate]:
    """The platform's CA certificates plus the PEM files of ``THUDO_SIGNING_TRUST_ROOTS``."""
    roots = [_load_asn1(ca.cert_pem.encode()) for ca in CertificateAuthority.objects.all()]
    for path in config().signing_trust_roots:
        roots.append(_load_asn1(Path(path).read_bytes()))
    return roots


def _load_asn1(data: bytes) -> asn1_x509.Certificate:
    if asn1_pem.detect(data):
        _type, _headers, data = asn1_pem.unarmor(data)
    return asn1_x509.Certificate.load(data)
