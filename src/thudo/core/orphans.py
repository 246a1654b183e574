"""Stored files that no row references: found and removed after a grace period.

An upload's bytes are written inside the action's transaction, before the commit (the database row
needs the stored name). When the process dies there (SIGKILL, out of memory, power loss) the
database rolls the transaction back, so no half dossier exists, but the bytes stay on disk,
referenced by nothing. ``remove_orphans`` finds them: it lists the files under the upload folders
of every ``FileField`` of the platform (``dossiers/``, ``results/``, ``kpi/evidence/``,
``procedures/forms/`` ...), asks the database which of them a row still references, and deletes
the rest, but only files older than the grace period (``THUDO["ORPHAN_GRACE_HOURS"]``, default 24
hours), so the file of a submission whose transaction is still running is never touched.

Expired drafts (:mod:`thudo.core.drafts`) are deleted first, with their uploads.

Citizens' papers are personal data (Decree 13/2023/NĐ-CP): a file nobody can reach is deleted
rather than kept, and each removal is written to the audit log. Run it daily:
``thudo remove_orphan_files`` (cron) or the ``remove_orphan_files_task`` task.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models, transaction
from django.tasks import task
from django.utils import timezone

from thudo.core import audit, drafts
from thudo.core.config import config

logger = logging.getLogger(__name__)

_CHUNK = 500
_AUDIT_NAMES = 200


def grace_period() -> timedelta:
    return timedelta(hours=config().orphan_grace_hours)


@dataclass
class OrphanReport:
    """What one run found: files scanned, too young to judge, still referenced, removed."""

    scanned: int = 0
    recent: int = 0
    referenced: int = 0
    removed: list[str] = field(default_factory=list)
    bytes_removed: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would remove" if self.dry_run else "removed"
        return (
            f"scanned={self.scanned} recent={self.recent} referenced={self.referenced} "
            f"{verb}={len(self.removed)} bytes={self.bytes_removed}"
        )


def file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    """Every concrete ``FileField`` (and ``ImageField``) of the installed models."""
    out = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                out.append((model, f))
    return out


def _folder(names: list[str]) -> str | None:
    """The folder all ``names`` share (``kpi/evidence`` for ``kpi/evidence/ab/..``), if any."""
    common: list[str] = []
    for parts in zip(*(Path(n).parts[:-1] for n in names), strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return "/".join(common) or None


def _upload_roots(model, f: models.FileField) -> set[str]:
    """The folder ``f`` writes into, from its ``upload_to`` (three samples, so a random part of
    the path is left out); when that needs a complete instance, the top folders of stored names."""
    try:
        samples = [f.generate_filename(model(), "sample.pdf") for _ in range(3)]
    except Exception:
        samples = []
    if samples and (folder := _folder(samples)):
        return {folder}
    names = model._base_manager.exclude(**{f.name: ""}).values_list(f.name, flat=True)[:1000]
    return {top for name in names if (top := _folder([name]) and Path(name).parts[0])}


def _files_under(storage: Storage, root: str) -> Iterator[tuple[str, float, int]]:
    """``(name, modified timestamp, size)`` of every file under ``root``: walked on the local
    disk, listed through the storage otherwise (an S3 bucket, issue 15)."""
    try:
        base = Path(storage.path(""))
    except NotImplementedError:
        yield from _listed_under(storage, root)
        return
    top = base / root
    if not top.is_dir():
        return
    for folder, _dirs, names in os.walk(top, followlinks=False):
        for name in names:
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            yield path.relative_to(base).as_posix(), st.st_mtime, st.st_size


def _listed_under(storage: Storage, root: str) -> Iterator[tuple[str, float, int]]:
    folders = [root.strip("/")]
    while folders:
        folder = folders.pop()
        try:
            dirs, files = storage.listdir(folder)
        except FileNotFoundError:
            continue
        folders.extend(f"{folder}/{d}" for d in dirs)
        for name in files:
            full = f"{folder}/{name}"
            yield full, storage.get_modified_time(full).timestamp(), storage.size(full)


def _referenced(names: list[str], fields) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(names), _CHUNK):
        chunk = names[i : i + _CHUNK]
        for model, f in fields:
            found.update(
                model._base_manager.filter(**{f"{f.name}__in": chunk}).values_list(f.name, flat=True)
            )
    return found


def remove_orphans(
    *, grace: timedelta | None = None, now: datetime | None = None, dry_run: bool = False
) -> OrphanReport:
    """Delete stored files that no row references and that are older than ``grace``.

    The file list is taken first and the database asked afterwards, so a file whose row commits in
    between is seen as referenced; a file younger than ``grace`` is never judged (its transaction
    may still be running).
    """
    if not dry_run:
        drafts.expire(now=now)  # abandoned drafts first: their files become orphans of nobody
    grace = grace_period() if grace is None else grace
    cutoff = (now or timezone.now()).timestamp() - grace.total_seconds()
    report = OrphanReport(dry_run=dry_run)
    fields = file_fields()
    by_storage: dict[int, tuple[Storage, list, set[str]]] = {}
    for model, f in fields:
        storage = f.storage or default_storage
        entry = by_storage.setdefault(id(storage), (storage, [], set()))
        entry[1].append((model, f))
        entry[2].update(_upload_roots(model, f))
    for storage, storage_fields, roots in by_storage.values():
        old: dict[str, int] = {}
        for root in sorted(roots):
            for name, mtime, size in _files_under(storage, root):
                report.scanned += 1
                if mtime > cutoff:
                    report.recent += 1
                else:
                    old[name] = size
        referenced = _referenced(sorted(old), storage_fields)
        report.referenced += len(referenced)
        for name in sorted(set(old) - referenced):
            size = old[name]
            try:
                if not dry_run:
                    storage.delete(name)
            except FileNotFoundError:
                continue
            except OSError:
                logger.warning("could not remove orphan file %s", name, exc_info=True)
                continue
            report.removed.append(name)
            report.bytes_removed += size
    if report.removed and not dry_run:
        with transaction.atomic():
            audit.record(
                "files.orphans_removed",
                changes={
                    "count": len(report.removed),
                    "bytes": report.bytes_removed,
                    "names": report.removed[:_AUDIT_NAMES],
                },
            )
        logger.info("removed %s orphan file(s), %s bytes", len(report.removed), report.bytes_removed)
    return report


@task()
def remove_orphan_files_task() -> dict[str, int]:
    report = remove_orphans()
    return {"scanned": report.scanned, "removed": len(report.removed), "bytes": report.bytes_removed}
