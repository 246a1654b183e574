"""Checked uploads (tệp đính kèm), shared by every form and endpoint that takes files: validation by
content, safe names, the bytes ready to store under a random path.

Rules: only PDF, JPEG, PNG, DOC, DOCX and XLSX, recognised by their bytes (``filetype``), never by
the name or the client's content type; at most ``THUDO["MAX_UPLOAD_MB"]`` (default 20) MB; empty
files, malformed or encrypted PDFs and decompression-bomb images are refused. The original name is
kept (NFC, without path parts or control characters) for display only; the stored path is random.
Used by dossier papers (``dossiers.files``), task attachments (``tasks.actions``) and the guided
forms' drafts (:mod:`thudo.core.drafts` keeps what this module accepted).
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import warnings
from dataclasses import dataclass

import filetype
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from thudo.core.config import config
from thudo.core.errors import InvalidInput

ALLOWED: dict[str, tuple[str, tuple[str, ...]]] = {
    # sniffed MIME → (canonical extension, accepted extensions)
    "application/pdf": ("pdf", ("pdf",)),
    "image/jpeg": ("jpg", ("jpg", "jpeg")),
    "image/png": ("png", ("png",)),
    "application/msword": ("doc", ("doc",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", ("docx",)),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", ("xlsx",)),
}
MAX_IMAGE_PIXELS = 40_000_000
"""A scanned A4 page at 600 dpi is ~35 megapixels; anything larger is refused as a likely bomb."""
MAX_NAME_LENGTH = 150


def max_upload_bytes() -> int:
    return config().max_upload_bytes


@dataclass(frozen=True)
class CleanUpload:
    """A validated upload, ready to store."""

    name: str
    data: bytes
    sha256: str
    size: int
    content_type: str


def safe_name(raw: str | None) -> str:
    """The display name: NFC, last path component only, no control/format characters, no leading dots."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
    name = " ".join(name.split()).lstrip(". ")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        name = (
            (stem[: MAX_NAME_LENGTH - len(ext) - 1] + dot + ext)
            if dot and len(ext) < 10
            else name[:MAX_NAME_LENGTH]
        )
    return name or "tep-dinh-kem"


def _refuse(name: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={"files": f"{name}: {message}"}, code="invalid_file")


def _check_pdf(name: str, data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _refuse(name, _("Tệp PDF được đặt mật khẩu; vui lòng nộp bản không mã hóa."))
        if len(reader.pages) == 0:
            raise _refuse(name, _("Tệp PDF không có trang nào."))
    except InvalidInput:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise _refuse(name, _("Tệp PDF bị hỏng hoặc không đọc được.")) from exc


def _check_image(name: str, data: bytes) -> None:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _refuse(name, _("Ảnh quá lớn (quá nhiều điểm ảnh)."))
                img.verify()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(name, _("Ảnh quá lớn (quá nhiều điểm ảnh).")) from exc
    except Exception as exc:  # Pillow raises many types for broken images
        raise _refuse(name, _("Tệp ảnh bị hỏng hoặc không đọc được.")) from exc


def validate_upload(upload, *, name: str | None = None) -> CleanUpload:
    """Check one uploaded file (a Django ``UploadedFile``/``File`` or ``bytes``); raise InvalidInput."""
    display = safe_name(name or getattr(upload, "name", None))
    limit = max_upload_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _refuse(display, _("Tệp vượt quá %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(limit + 1)
    if not data:
        raise _refuse(display, _("Tệp rỗng."))
    if len(data) > limit:
        raise _refuse(display, _("Tệp vượt quá %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    kind = filetype.guess(data)
    mime = kind.mime if kind else ""
    if mime not in ALLOWED:
        raise _refuse(display, _("Chỉ nhận tệp PDF, JPG, PNG, DOC, DOCX hoặc XLSX."))
    if mime == "application/pdf":
        _check_pdf(display, data)
    elif mime.startswith("image/"):
        _check_image(display, data)
    canonical, accepted = ALLOWED[mime]
    _stem, dot, ext = display.rpartition(".")
    if not dot or ext.lower() not in accepted:
        display = f"{display}.{canonical}"
    return CleanUpload(
        name=display,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type=mime,
    )


def as_content(clean: CleanUpload) -> ContentFile:
    """A storage-ready file; the name is ignored by the random ``upload_to``."""
    return ContentFile(clean.data, name="upload")


def pdf_upload(data: bytes, name: str) -> CleanUpload:
    """A PDF the platform produced itself (receipts, results): no sniffing needed."""
    return CleanUpload(
        name=safe_name(name),
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type="application/pdf",
    )
