"""Deleting stored files that a change no longer refers to (uploads, drafts, replaced results).

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

logger = logging.getLogger(__name__)


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
