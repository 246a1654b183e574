"""Check a PDF: who signed it, when, whether it changed since, whether it chains to the
platform's CA, and whether this exact file was issued by an agency here.

Used by the public verification page (/xac-thuc/) and ``POST /api/v1/signing/verify``.
Never raises for bad input: malformed or non-PDF bytes give a report with ``problems``.
Validation is pyHanko's (CMS signature, PAdES byte-range coverage and incremental-update
difference analysis), with the platform CA(s) as the only trust roots and no network fetching.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from thudo.signing import pki
from thudo.signing.models import IssuedDocument, SigningCredential

log = logging.getLogger(__name__)


@dataclass
class SignatureInfo:
    field_name: str = ""
    signer_name: str = ""
    signer_subject: str = ""
    serial: str = ""
    signed_at: datetime | None = None
    reason: str = ""
    location: str = ""
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    modification_level: str = ""


@dataclass
class VerificationReport:
    sha256: str = ""
    size: int = 0
    is_pdf: bool = False
    signed: bool = False
    signer_name: str = ""
    signer_subject: str = ""
    signed_at: datetime | None = None
    intact: bool = False
    trusted: bool = False
    issued_here: bool = False
    document_code: str = ""
    document_kind: str = ""
    agency_name: str = ""
    issued_at: datetime | None = None
    signatures: list[SignatureInfo] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Signed, unmodified and trusted: the answer a citizen wants."""
        return self.signed and self.intact and self.trusted

    def as_dict(self) -> dict:
        return {**asdict(self), "valid": self.valid}


def _common_name(cert) -> str:
    try:
        return cert.subject.native.get("common_name", "") or cert.subject.human_friendly
    except Exception:
        return ""


def _validation_context():
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=pki.trust_roots(), allow_fetching=False, revocation_mode="soft-fail")


def _check_one(embedded, *, last: bool) -> tuple[SignatureInfo, list[str]]:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel

    info = SignatureInfo(field_name=str(embedded.field_name or ""))
    problems: list[str] = []
    sig_obj = embedded.sig_object
    info.reason = str(sig_obj.get("/Reason", "") or "")
    info.location = str(sig_obj.get("/Location", "") or "")
    try:
        cert = embedded.signer_cert
        info.signer_name = _common_name(cert)
        info.signer_subject = cert.subject.human_friendly
        info.serial = f"{cert.serial_number:x}"
    except Exception:
        problems.append(_("Không đọc được chứng thư của người ký."))
    try:
        status = validate_pdf_signature(embedded, signer_validation_context=_validation_context())
    except Exception as exc:
        log.info("signature validation failed: %s", exc)
        problems.append(_("Chữ ký số bị hỏng hoặc không kiểm tra được."))
        return info, problems
    info.signed_at = status.signer_reported_dt or embedded.self_reported_timestamp
    level = status.modification_level
    info.modification_level = level.name if level is not None else ""
    info.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    allowed = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
    if not last:  # later signatures are incremental form-filling updates of earlier ones
        allowed = (*allowed, ModificationLevel.FORM_FILLING)
    info.intact = bool(status.intact and status.valid and level in allowed and status.docmdp_ok is not False)
    info.trusted = bool(status.trusted)
    if not (status.intact and status.valid):
        problems.append(_("Nội dung tệp đã bị thay đổi sau khi ký (chữ ký không còn khớp)."))
    elif not info.intact:
        problems.append(_("Tệp đã được bổ sung hoặc sửa đổi sau khi ký."))
    if not info.trusted:
        problems.append(_("Chứng thư của người ký không do tổ chức cấp chứng thư mà hệ thống tin cậy cấp."))
    revoked = (
        SigningCredential.objects.filter(serial=info.serial, revoked_at__isnull=False).first()
        if info.serial
        else None
    )
    if revoked is not None and (info.signed_at is None or revoked.revoked_at <= info.signed_at):
        info.trusted = False
        problems.append(_("Chứng thư của người ký đã bị thu hồi trước thời điểm ký."))
    return info, problems


def verify_pdf(pdf: bytes) -> VerificationReport:
    """Everything a reader needs to trust (or not) this file."""
    pdf = bytes(pdf or b"")
    report = VerificationReport(sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf))
    issued = IssuedDocument.objects.filter(sha256=report.sha256).select_related("agency").first()
    if issued is not None:
        report.issued_here = True
        report.document_code = issued.document_code
        report.document_kind = issued.kind
        report.agency_name = issued.agency.name if issued.agency_id else ""
        report.issued_at = issued.signed_at
    if not pdf:
        report.problems.append(_("Tệp rỗng."))
        return report
    if b"%PDF-" not in pdf[:1024]:
        report.problems.append(_("Tệp không phải là tệp PDF."))
        return report
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:
        log.info("unreadable PDF: %s", exc)
        report.problems.append(_("Tệp PDF bị hỏng hoặc không đọc được."))
        return report
    report.is_pdf = True
    if not embedded:
        report.problems.append(_("Tệp không có chữ ký số."))
        if not report.issued_here:
            report.problems.append(
                _("Tệp này không có trong danh sách văn bản do cơ quan ban hành trên hệ thống.")
            )
        return report
    report.signed = True
    for index, sig in enumerate(embedded):
        info, problems = _check_one(sig, last=index == len(embedded) - 1)
        report.signatures.append(info)
        report.problems += [p for p in problems if p not in report.problems]
    latest = report.signatures[-1]
    report.signer_name = latest.signer_name
    report.signer_subject = latest.signer_subject
    report.signed_at = latest.signed_at
    report.intact = all(s.intact for s in report.signatures)
    report.trusted = all(s.trusted for s in report.signatures)
    if not report.issued_here:
        report.problems.append(
            _("Tệp này không có trong danh sách văn bản do cơ quan ban hành trên hệ thống.")
        )
    return report
