"""Uploads of dossier papers: the platform's one upload check (:mod:`thudo.core.uploads`) under the
names the dossier actions use. Every paper kept is an electronic copy (digitisation: Decree
118/2025/NĐ-CP, Circular 01/2023/TT-VPCP), so the citizen can re-use it in later dossiers (index
4.3, Decision 766/QĐ-TTg).
"""

from __future__ import annotations

from thudo.core.uploads import (
    ALLOWED,
    MAX_IMAGE_PIXELS,
    MAX_NAME_LENGTH,
    CleanUpload,
    as_content,
    max_upload_bytes,
    pdf_upload,
    safe_name,
    validate_upload,
)

__all__ = [
    "ALLOWED",
    "MAX_IMAGE_PIXELS",
    "MAX_NAME_LENGTH",
    "CleanUpload",
    "as_content",
    "max_upload_bytes",
    "pdf_upload",
    "safe_name",
    "validate_upload",
]
