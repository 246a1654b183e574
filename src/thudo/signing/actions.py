"""Every write of the signing app: sign a PDF (PAdES), register an issued file.

Results are PDF documents signed by the leader (PAdES, ETSI EN 319 142; Decree 30/2020/NĐ-CP
art. 13 on electronic documents; Decree 23/2025/NĐ-CP on electronic signatures). Signed bytes
are immutable: a correction is a new document (domain-rules §3), and a file registered once is
never overwritten.
"""

from __future__ import annotations

import hashlib
import io

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thudo.core import audit
from thudo.core.errors import InvalidInput, NotAllowed
from thudo.signing import pki
from thudo.signing.models import IssuedDocument
from thudo.signing.pki import ensure_demo_ca, issue_certificate  # noqa: F401 (part of the write API)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _reader(pdf: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return PdfFileReader(io.BytesIO(pdf), strict=False)
    except Exception as exc:
        raise InvalidInput(_("Tệp không phải PDF hợp lệ."), fields={"pdf": str(exc)[:200]}) from exc


def sign_pdf(pdf: bytes, *, signer, reason: str, location: str = "Hà Nội") -> bytes:
    """Sign ``pdf`` with ``signer``'s active credential (PAdES B-B: SHA-256, certificate chain
    embedded, signing time in the signature). Returns the signed bytes (an incremental update;
    earlier signatures stay valid)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    credential = pki.active_credential(signer)
    if credential is None:
        raise NotAllowed(_("Người ký chưa có chứng thư số còn hiệu lực."), code="no_certificate")
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise InvalidInput(_("Tệp không phải PDF hợp lệ."), fields={"pdf": _("Không phải PDF.")})
    reader = _reader(pdf)
    field_name = f"Signature{len(reader.embedded_signatures) + 1}"
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        name=signer.full_name or signer.get_username(),
        embed_validation_info=False,  # no network here; trust comes from the platform CA
    )
    with transaction.atomic():
        with pki.open_signer(credential) as pyhanko_signer:
            out = signers.PdfSigner(meta, signer=pyhanko_signer).sign_pdf(writer)
        signed = out.getvalue()
        audit.record(
            "signing.signed",
            by=signer,
            obj=credential,
            changes={
                "sha256_in": sha256(pdf),
                "sha256_out": sha256(signed),
                "reason": reason,
                "field": field_name,
            },
        )
    return signed


def _signing_time(pdf: bytes):
    try:
        sigs = _reader(pdf).embedded_signatures
        if sigs:
            return sigs[-1].self_reported_timestamp
    except Exception:  # noqa: S110 (best effort: fall back to now)
        pass
    return None


def register_issued(
    pdf: bytes, *, document_code: str, kind: str, agency, signer=None, by=None
) -> IssuedDocument:
    """Record that this exact file was issued by ``agency``. Registering the same bytes again
    returns the existing row unchanged (no-op)."""
    digest = sha256(pdf)
    existing = IssuedDocument.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    if not document_code:
        raise InvalidInput(_("Thiếu mã văn bản."), fields={"document_code": _("Bắt buộc.")})
    signer_name = (signer.full_name or signer.get_username()) if signer is not None else ""
    try:
        with transaction.atomic():
            issued = IssuedDocument.objects.create(
                sha256=digest,
                document_code=document_code,
                kind=kind,
                agency=agency,
                signed_at=_signing_time(pdf) or timezone.now(),
                signer=signer,
                signer_name=signer_name,
                size=len(pdf),
            )
            audit.record(
                "signing.issued",
                by=by or signer,
                obj=issued,
                changes={"sha256": digest, "code": document_code, "kind": kind},
            )
    except IntegrityError:  # registered concurrently by someone else: same bytes, same facts
        return IssuedDocument.objects.get(sha256=digest)
    return issued
