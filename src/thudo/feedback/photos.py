"""Photos of a report: checked to be images, refused when they are decompression bombs, and
re-encoded from their pixels only, so that NO metadata (EXIF with the GPS position, XMP, IPTC,
comments, ICC) reaches storage (privacy: Decree 13/2023/NĐ-CP on personal data). The orientation
from EXIF is applied to the pixels first, so a phone photo stays upright."""

from __future__ import annotations

import hashlib
import io
import unicodedata
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from thudo.core.config import config
from thudo.core.errors import InvalidInput

MAX_PIXELS = 40_000_000
"""Larger images are refused as likely decompression bombs (a 12 MP phone photo is far below)."""
MAX_PHOTOS = 5
MAX_SIDE = 2560
"""Photos are scaled down to this longest side before storage (a phone photo is 4000 px)."""
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("jpg", "image/jpeg")}


@dataclass(frozen=True)
class CleanPhoto:
    name: str
    data: bytes
    sha256: str
    size: int
    content_type: str
    width: int
    height: int


def max_bytes() -> int:
    return config().max_upload_bytes


def clean(data: bytes, name: str = "photo", *, field: str = "photos") -> CleanPhoto:
    """The photo's pixels, re-encoded without metadata; :class:`InvalidInput` (with ``field``)
    for anything that is not a JPEG, PNG or WebP image, too large, or a decompression bomb."""
    if not data:
        raise InvalidInput(_("Tệp ảnh rỗng."), fields={field: _("Tệp ảnh rỗng.")})
    if len(data) > max_bytes():
        msg = _("Ảnh vượt quá dung lượng cho phép (%(mb)s MB).") % {"mb": max_bytes() // (1024 * 1024)}
        raise InvalidInput(msg, fields={field: msg})
    not_image = _("Tệp “%(name)s” không phải là ảnh (chỉ nhận JPEG, PNG, WebP).") % {"name": name[:80]}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                width, height = probe.size
                if fmt not in FORMATS:
                    raise InvalidInput(not_image, fields={field: not_image})
                if width * height > MAX_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                img = ImageOps.exif_transpose(img)
                img.thumbnail((MAX_SIDE, MAX_SIDE))
                has_alpha = img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info)
                out_fmt = "PNG" if fmt == "PNG" else "JPEG"
                pixels = img.convert("RGBA" if (has_alpha and out_fmt == "PNG") else "RGB")
                # A fresh image holding only the pixels: no info dict, no EXIF, no XMP.
                bare = Image.new(pixels.mode, pixels.size)
                bare.paste(pixels)
                buf = io.BytesIO()
                if out_fmt == "JPEG":
                    bare.save(buf, "JPEG", quality=85, optimize=True)
                else:
                    bare.save(buf, "PNG", optimize=True)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        msg = _("Ảnh “%(name)s” quá lớn về số điểm ảnh, không thể nhận.") % {"name": name[:80]}
        raise InvalidInput(msg, fields={field: msg}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInput(not_image, fields={field: not_image}) from None
    body = buf.getvalue()
    ext, content_type = ("png", "image/png") if out_fmt == "PNG" else ("jpg", "image/jpeg")
    stem = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = "".join(c for c in stem if c.isalnum() or c in " -_")[:60].strip() or "anh"
    return CleanPhoto(
        name=f"{stem}.{ext}",
        data=body,
        sha256=hashlib.sha256(body).hexdigest(),
        size=len(body),
        content_type=content_type,
        width=bare.width,
        height=bare.height,
    )
