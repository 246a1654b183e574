"""Every write of the signing app: sign a PDF (PAdES), register an issued file.

Results are PDF documents signed by the leader (PAdES, ETSI EN 319 142; Decree 30/2020/NĐ-CP
art. 13 on electronic documents; Decree 23/2025/NĐ-CP on electronic signatures). Signed bytes
are immutable: a correction is a new document (domain-rules §3), and a file registered once is
never overwritten.
"""

from __future__ import annotations

import hashlib
import io
import tempfile

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thudo.core import audit
from thudo.core.errors import InvalidInput, NotAllowed
from thudo.signing import papers, pki
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


MM = 72 / 25.4  # PDF points per millimetre


def signature_place(pdf: bytes) -> tuple[int, tuple[float, float, float, float]] | None:
    """(page index, box in PDF points ``(x1, y1, x2, y2)``) of the empty box a paper of
    :mod:`thudo.signing.papers` keeps for the visible signature; ``None`` for other PDFs (an
    uploaded result) and when the file is unreadable."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(pdf))
        dest = reader.named_destinations.get(papers.SIGNATURE_ANCHOR)
        if dest is None:
            return None
        page = reader.get_destination_page_number(dest)
        left, top = float(dest.left), float(dest.top)
    except Exception:
        return None
    width, height = (v * MM for v in papers.STAMP_MM)
    return page, (left, top - height, left + width, top)


#: Distance of the visible signature from the right and bottom edges of the first page of a PDF
#: that keeps no signature box (an uploaded result), in millimetres.
CORNER_MARGIN_MM = 12


def corner_place(pdf: bytes) -> tuple[int, tuple[float, float, float, float]] | None:
    """(0, box) at the bottom right of the first page, :data:`CORNER_MARGIN_MM` inside its
    visible area, for a PDF without a signature box (an uploaded result); ``None`` when the file
    is unreadable, the page is turned (``/Rotate``) or too small to hold the block."""
    from pypdf import PdfReader

    try:
        first = PdfReader(io.BytesIO(pdf)).pages[0]
        if int(first.get("/Rotate", 0) or 0) % 360:
            return None
        box = first.cropbox
        left, bottom, right, top = (float(v) for v in (box.left, box.bottom, box.right, box.top))
    except Exception:
        return None
    width, height = (v * MM for v in papers.STAMP_MM)
    margin = CORNER_MARGIN_MM * MM
    if right - left < width + 2 * margin or top - bottom < height + 2 * margin:
        return None
    x2, y1 = right - margin, bottom + margin
    return 0, (x2 - width, y1, x2, y1 + height)


def sign_pdf(pdf: bytes, *, signer, reason: str, location: str = "Hà Nội", pin: str | None = None) -> bytes:
    """Sign ``pdf`` with ``signer``'s active credential (PAdES B-B: SHA-256, certificate chain
    embedded, signing time in the signature). Returns the signed bytes (an incremental update;
    earlier signatures stay valid). ``pin``: the PKCS#11 token's PIN typed by the signer.

    The first signature is visible: the signer's name, title, agency and signing time are drawn
    on the page in the same revision as the signature (so the signature covers it and any reader,
    printer or text extractor sees it), with the signature field's widget over it — in the empty
    box of the signature block of a paper rendered by :mod:`thudo.signing.papers`, else (an
    uploaded result) at the bottom right of the first page, on a white ground over whatever is
    printed there (:func:`corner_place`). Later signatures are invisible (drawing on the page
    after a first signature would count as a change to the signed document), and so is a
    signature on a turned or tiny first page."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.stamp import NoOpStampStyle, StaticStampStyle

    credential = pki.active_credential(signer)
    if credential is None:
        raise NotAllowed(_("Người ký chưa có chứng thư số còn hiệu lực."), code="no_certificate")
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise InvalidInput(_("Tệp không phải PDF hợp lệ."), fields={"pdf": _("Không phải PDF.")})
    reader = _reader(pdf)
    field_name = f"Signature{len(reader.embedded_signatures) + 1}"
    place = None
    if not reader.embedded_signatures:
        place = signature_place(pdf) or corner_place(pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    name = signer.full_name or signer.get_username()
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        name=name,
        embed_validation_info=False,  # no network here; trust comes from the platform CA
    )
    with transaction.atomic(), tempfile.NamedTemporaryFile(suffix=".pdf") as stamp_file:
        options: dict = {}
        if place is not None:
            page, box = place
            stamp_file.write(
                papers.render_signature_stamp(
                    signer_name=name,
                    signer_title=credential.title,
                    agency_name=credential.agency.name if credential.agency_id else "",
                    signed_at=timezone.now(),
                )
            )
            stamp_file.flush()
            stamp = StaticStampStyle.from_pdf_file(stamp_file.name, border_width=0).create_stamp(
                writer, BoxConstraints(width=box[2] - box[0], height=box[3] - box[1]), {}
            )
            _ensure_contents(writer, page)
            stamp.apply(page, box[0], box[1])
            options = {
                "new_field_spec": fields.SigFieldSpec(
                    field_name, on_page=page, box=tuple(round(v) for v in box)
                ),
                "stamp_style": NoOpStampStyle(),
            }
        with pki.open_signer(credential, pin=pin) as pyhanko_signer:
            out = signers.PdfSigner(meta, signer=pyhanko_signer, **options).sign_pdf(writer)
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
                "visible": place is not None,
            },
        )
    return signed


def _ensure_contents(writer, page: int) -> None:
    """Give a page without content (a blank page, allowed by the PDF standard) an empty content
    array and resources, so that pyHanko can add the visible signature to it."""
    from pyhanko.pdf_utils import generic

    page_ref, resources = writer.find_page_for_modification(page)  # resources may be inherited
    page_obj = page_ref.get_object()
    changed = False
    if "/Contents" not in page_obj:
        page_obj[generic.pdf_name("/Contents")] = writer.add_object(generic.ArrayObject())
        changed = True
    if resources is None:
        page_obj[generic.pdf_name("/Resources")] = generic.DictionaryObject()
        changed = True
    if changed:
        writer.mark_update(page_ref)


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
