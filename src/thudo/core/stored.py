"""Stored files: handing one out as a download, and deleting those a change no longer refers to
(uploads, drafts, replaced results).

Citizens' papers are personal data (Decree 13/2023/NĐ-CP): a file that no row refers to any more
is deleted as soon as the change that dropped it commits, not left for the orphan sweep
(:mod:`thudo.core.orphans`), which only catches what a crash left behind.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)


def download(stored: FieldFile, name: str, content_type: str = "") -> FileResponse:
    """A stored file as an attachment named ``name``, never sniffed into another type."""
    response = FileResponse(stored.open("rb"), content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def delete_files(names: Iterable[str]) -> None:
    """Delete the stored files now; a failure is logged (the orphan sweep removes it later)."""
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover - the orphan sweep removes it later
            logger.warning("could not delete stored file %s", name)


def delete_after_commit(names: Iterable[str]) -> None:
    """Delete the stored files once the current transaction commits (never if it rolls back)."""
    doomed = [str(n) for n in names if n]
    if doomed:
        transaction.on_commit(functools.partial(delete_files, doomed))
