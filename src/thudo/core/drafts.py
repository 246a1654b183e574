"""Drafts of multi-step forms (bản nháp): the generic write path, shared by every guided form.

A guided form (dossier submission, counter reception, later citizen reports and document drafts)
keeps its answers in one :class:`~thudo.core.models.Draft` per person and form, saved on every
step, and stores each upload the moment it arrives (:func:`attach`), before any other field is
checked: a validation error never empties a file input again. The app that owns the form checks
the file (:func:`thudo.core.uploads.validate_upload`) and hands over the clean bytes; this module only
keeps them. Files are deleted after the transaction commits (:func:`discard`, :func:`expire`);
``core.orphans.remove_orphans`` calls :func:`expire` first, so abandoned drafts and their files
disappear with the daily sweep (personal data is not kept longer than needed, Decree
13/2023/NĐ-CP).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from thudo.core import audit, stored
from thudo.core.config import config
from thudo.core.errors import NotFound
from thudo.core.models import Draft, DraftUpload

logger = logging.getLogger(__name__)


class CleanFile(Protocol):
    """What :func:`attach` needs of a checked upload (:class:`thudo.core.uploads.CleanUpload` fits)."""

    name: str
    data: bytes
    sha256: str
    size: int
    content_type: str


def lifetime() -> timedelta:
    return timedelta(days=config().draft_days)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- reads --------------------------------------------------------------------------------------


def open_drafts(owner: Any, kind: str | None = None) -> QuerySet[Draft]:
    """The person's unexpired drafts, newest first (the "tiếp tục" list)."""
    if owner is None or not owner.is_authenticated:
        return Draft.objects.none()
    qs = Draft.objects.filter(owner=owner, expires_at__gt=timezone.now())
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-updated_at", "-pk")


def get_own(owner: Any, pk: Any, *, kind: str) -> Draft:
    """A draft of ``owner``; anybody else's (or an expired one) is "not found", never "forbidden"."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Không tìm thấy bản nháp.")) from None
    draft = open_drafts(owner, kind).filter(pk=number).first()
    if draft is None:
        raise NotFound(_("Không tìm thấy bản nháp (có thể đã hết hạn hoặc đã nộp)."))
    return draft


def uploads_by_slot(draft: Draft | None) -> dict[str, list[DraftUpload]]:
    """The draft's files by slot (nothing for no draft)."""
    out: dict[str, list[DraftUpload]] = {}
    if draft is None:
        return out
    for u in DraftUpload.objects.filter(draft=draft):
        out.setdefault(u.slot, []).append(u)
    return out


def uploads_by_subject(owner: Any, kind: str, *, prefix: str = "") -> dict[str, list[DraftUpload]]:
    """The files of the person's open drafts of ``kind`` whose subject starts with ``prefix``, by
    subject (one query): a page with several small forms shows what each one keeps."""
    drafts = open_drafts(owner, kind).filter(subject__startswith=prefix)
    out: dict[str, list[DraftUpload]] = {}
    for u in DraftUpload.objects.filter(draft__in=drafts).select_related("draft").order_by("pk"):
        out.setdefault(u.draft.subject, []).append(u)
    return out


# --- writes -------------------------------------------------------------------------------------


def start(
    *,
    owner: Any,
    kind: str,
    subject: str = "",
    data: dict[str, Any] | None = None,
    resume: bool = True,
    now: datetime | None = None,
) -> Draft:
    """A new draft for ``owner``; with ``resume`` (one draft per form and subject) the open one is
    returned instead. An officer's counter form never resumes: each walk-in gets a fresh draft."""
    at = _now(now)
    with transaction.atomic():
        existing = (
            Draft.objects.select_for_update()
            .filter(owner=owner, kind=kind, subject=subject, expires_at__gt=at)
            .order_by("-updated_at")
            .first()
            if resume
            else None
        )
        if existing is not None:
            return existing
        return Draft.objects.create(
            owner=owner,
            kind=kind,
            subject=subject,
            data=data or {},
            created_at=at,
            updated_at=at,
            expires_at=at + lifetime(),
        )


def save(
    draft: Draft, *, data: dict[str, Any] | None = None, step: str | None = None, now: datetime | None = None
) -> Draft:
    """Merge ``data`` into the draft's answers (top-level keys replaced), remember the step and
    push the expiry back."""
    at = _now(now)
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        if data:
            draft.data = {**draft.data, **data}
        if step is not None:
            draft.step = step
        draft.updated_at = at
        draft.expires_at = at + lifetime()
        draft.save(update_fields=["data", "step", "updated_at", "expires_at"])
    return draft


def attach(
    draft: Draft, *, slot: str, upload: CleanFile, replace: bool = True, now: datetime | None = None
) -> DraftUpload:
    """Store one checked file in ``slot`` at once; ``replace`` drops the slot's earlier files
    ("thay tệp"). The replaced files are deleted after commit. Without ``replace``, the same file
    (name and content) sent again in the slot — a person choosing it once more after an error — is
    kept once."""
    at = _now(now)
    if not replace:
        same = draft.uploads.filter(slot=slot, sha256=upload.sha256, original_name=upload.name).first()
        if same is not None:
            return same
    row = DraftUpload(
        draft=draft,
        slot=slot,
        original_name=upload.name,
        sha256=upload.sha256,
        size=upload.size,
        content_type=upload.content_type,
        uploaded_at=at,
    )
    row.file.save("upload", ContentFile(upload.data, name="upload"), save=False)
    try:
        with transaction.atomic():
            Draft.objects.select_for_update().filter(pk=draft.pk).update(
                updated_at=at, expires_at=at + lifetime()
            )
            if replace:
                _delete_rows(draft.uploads.filter(slot=slot))
            row.save()
    except BaseException:
        stored.delete_files([row.file.name or ""])
        raise
    return row


def detach(draft: Draft, *, slot: str) -> int:
    """Remove the files of one slot."""
    with transaction.atomic():
        return _delete_rows(draft.uploads.filter(slot=slot))


def discard(draft: Draft, *, by: Any = None, reason: str = "discarded") -> None:
    """Delete a draft and its files (after commit): on submission, on the owner's request."""
    with transaction.atomic():
        _delete_rows(DraftUpload.objects.filter(draft_id=draft.pk))
        Draft.objects.filter(pk=draft.pk).delete()
        if reason != "submitted":
            audit.record("draft.discard", by=by, changes={"kind": draft.kind, "subject": draft.subject})


def expire(*, now: datetime | None = None) -> int:
    """Delete every expired draft and its files; the number of drafts removed."""
    at = _now(now)
    with transaction.atomic():
        expired = Draft.objects.filter(expires_at__lte=at)
        ids = list(expired.values_list("pk", flat=True))
        if not ids:
            return 0
        files = _delete_rows(DraftUpload.objects.filter(draft_id__in=ids))
        Draft.objects.filter(pk__in=ids).delete()
        audit.record("draft.expire", changes={"drafts": len(ids), "files": files})
    return len(ids)


def _delete_rows(qs: QuerySet[DraftUpload]) -> int:
    names = [str(n) for n in qs.values_list("file", flat=True)]
    qs.delete()
    stored.delete_after_commit(names)
    return len(names)
