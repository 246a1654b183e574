"""Public verification API: is this PDF signed, unmodified, trusted and issued here?"""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from thudo.core.errors import InvalidInput
from thudo.signing import queries
from thudo.signing.verify import verify_pdf

router = Router(tags=["signing"])

MAX_UPLOAD = 20 * 1024 * 1024


class SignatureOut(Schema):
    field_name: str
    signer_name: str
    signer_subject: str
    serial: str
    signed_at: datetime | None
    reason: str
    location: str
    intact: bool
    trusted: bool
    covers_whole_file: bool
    modification_level: str


class ReportOut(Schema):
    sha256: str
    size: int
    is_pdf: bool
    signed: bool
    valid: bool
    signer_name: str
    signer_subject: str
    signed_at: datetime | None
    intact: bool
    trusted: bool
    issued_here: bool
    document_code: str
    document_kind: str
    agency_name: str
    issued_at: datetime | None
    signatures: list[SignatureOut]
    problems: list[str]


class IssuedOut(Schema):
    sha256: str
    document_code: str
    kind: str
    agency_code: str | None
    agency_name: str | None
    signed_at: datetime
    signer_name: str
    size: int
    page_url: str


def read_upload(upload) -> bytes:
    """The uploaded bytes, refusing files over 20 MB (shared by the API and the page)."""
    if upload.size is not None and upload.size > MAX_UPLOAD:
        raise InvalidInput(_("Tệp lớn hơn 20 MB."), fields={"file": _("Tối đa 20 MB.")})
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput(_("Tệp lớn hơn 20 MB."), fields={"file": _("Tối đa 20 MB.")})
    return data


@router.post("/verify", response=ReportOut, summary="Verify a PDF (multipart field `file`)")
def verify(request, file: File[UploadedFile]):
    return verify_pdf(read_upload(file)).as_dict()


@router.get("/issued/{sha256}", response=IssuedOut, summary="Facts of an issued file by its SHA-256")
def issued(request, sha256: str):
    doc = queries.issued_document(sha256, request.user)
    return {
        "sha256": doc.sha256,
        "document_code": doc.document_code,
        "kind": doc.kind,
        "agency_code": doc.agency.code if doc.agency_id else None,
        "agency_name": doc.agency.name if doc.agency_id else None,
        "signed_at": doc.signed_at,
        "signer_name": doc.signer_name,
        "size": doc.size,
        "page_url": request.build_absolute_uri(reverse("signing:issued", args=[doc.sha256])),
    }
