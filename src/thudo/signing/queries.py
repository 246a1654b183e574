"""Reads of the signing app."""

import re
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from django.utils.translation import gettext as _

from thudo.core import permissions
from thudo.core.errors import NotFound
from thudo.signing.models import CertificateAuthority, IssuedDocument, SigningCredential

SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")


def issued_document(sha256: str, person=None) -> IssuedDocument:
    """The issued file with this SHA-256 (public: the hash is only known to whoever holds the file)."""
    if not SHA256_RE.match(sha256 or ""):
        raise NotFound(_("Mã SHA-256 không hợp lệ."))
    qs = permissions.visible(person, IssuedDocument.objects.select_related("agency", "signer"))
    found = qs.filter(sha256=sha256.lower()).first()
    if found is None:
        raise NotFound(_("Không có văn bản nào được ban hành với mã này."))
    return found


# --- the published trust anchors ------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedCertificate:
    """A certificate anyone may download to check a signed file in any PAdES validator."""

    kind: str  # "ca" (a trust anchor) or "signer" (a signer's certificate; its chain as PEM)
    pk: int
    name: str
    subject: str
    serial: str
    not_before: datetime | None
    not_after: datetime | None
    sha256: str  # fingerprint of the DER encoding, "AB:CD:…"
    issuer: str = ""
    revoked: bool = False


def _fingerprint(pem: str) -> str:
    cert = x509.load_pem_x509_certificate(pem.encode())
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def _published(
    kind: str, row: CertificateAuthority | SigningCredential, name: str, **extra
) -> PublishedCertificate:
    return PublishedCertificate(
        kind=kind,
        pk=row.pk,
        name=name,
        subject=row.subject,
        serial=row.serial,
        not_before=row.not_before,
        not_after=row.not_after,
        sha256=_fingerprint(row.cert_pem),
        **extra,
    )


def trust_anchors() -> list[PublishedCertificate]:
    """The platform's CA certificates, newest first."""
    return [
        _published("ca", ca, ca.name) for ca in CertificateAuthority.objects.order_by("-not_before", "-pk")
    ]


def signer_certificates() -> list[PublishedCertificate]:
    """Every signer's certificate (also revoked or expired ones: files they signed stay checkable)."""
    rows = (
        SigningCredential.objects.exclude(cert_pem="")
        .select_related("user", "agency", "authority")
        .order_by("agency__name", "user__full_name", "-pk")
    )
    return [
        _published(
            "signer",
            c,
            f"{c.user}" + (f" — {c.agency.name}" if c.agency else ""),
            issuer=c.authority.name if c.authority else "",
            revoked=c.revoked_at is not None,
        )
        for c in rows
    ]


def certificate_file(kind: str, pk: int, fmt: str) -> tuple[bytes, str]:
    """(content, file name) of a published certificate: a CA as PEM or DER; a signer as DER (the
    certificate) or PEM (the chain: the signer's certificate, then the platform CA that issued it)."""
    if kind == "ca":
        ca = CertificateAuthority.objects.filter(pk=pk).first()
        if ca is None:
            raise NotFound(_("Không có chứng thư này."))
        pems, stem = [ca.cert_pem], f"thudo-ca-{ca.serial[:16]}"
    elif kind == "signer":
        signers = SigningCredential.objects.exclude(cert_pem="").select_related("authority")
        cred = signers.filter(pk=pk).first()
        if cred is None:
            raise NotFound(_("Không có chứng thư này."))
        pems = [cred.cert_pem] + ([cred.authority.cert_pem] if cred.authority else [])
        stem = f"thudo-signer-{cred.serial[:16]}" + ("-chain" if fmt == "pem" else "")
    else:
        raise NotFound(_("Không có chứng thư này."))
    if fmt == "pem":
        return "".join(p if p.endswith("\n") else p + "\n" for p in pems).encode(), f"{stem}.pem"
    if fmt == "der":
        der = x509.load_pem_x509_certificate(pems[0].encode()).public_bytes(serialization.Encoding.DER)
        return der, f"{stem}.cer"
    raise NotFound(_("Không có chứng thư này."))
