"""Drafts of the dossier forms: online submission (a guided form), counter reception, supplements.

Every file is checked (:func:`thudo.dossiers.files.validate_upload`) and stored in the draft the
moment it arrives (:func:`attach_papers`), whatever else is wrong with the page, so a citizen or an
officer never uploads a paper twice. The draft is turned into a dossier by the usual verbs
(:func:`submit_draft` → :func:`.intake.submit_online`, :func:`counter_from_draft` →
:func:`.intake.create_at_counter`, :func:`supplement_from_draft` → :func:`.intake.supplement`),
which check everything again; the draft and its files are deleted once the dossier exists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from thudo.core import drafts
from thudo.core.errors import InvalidInput, NotFound
from thudo.core.models import Draft
from thudo.dossiers import files
from thudo.dossiers.actions.intake import create_at_counter, submit_online, supplement
from thudo.dossiers.models import Dossier

SUBMIT = "dossier.submit"
COUNTER = "dossier.counter"
SUPPLEMENT = "dossier.supplement"


def paper_slot(paper) -> str:
    return f"paper-{paper.pk}"


def item_slot(i: int) -> str:
    return f"item-{i}"


def start_submission(procedure, *, by, initial: dict[str, Any] | None = None, now=None) -> Draft:
    """The citizen's draft for ``procedure`` (the open one if there is one): answers pre-filled
    from ``initial`` (the verified identity, the commune of the address)."""
    if by is None or not by.is_authenticated:
        raise NotFound()
    return drafts.start(owner=by, kind=SUBMIT, subject=procedure.code, data=initial or {}, now=now)


def idempotency_key(draft_pk: int) -> str:
    """A draft is submitted once: a second click (or a retried request) finds the same dossier."""
    return f"draft-{draft_pk}"


def submitted_from(draft_pk, *, by) -> Dossier | None:
    """The dossier a (now deleted) draft became, if ``by`` submitted it."""
    if by is None or not by.is_authenticated:
        return None
    return Dossier.objects.filter(idempotency_key=f"{by.pk}:{idempotency_key(draft_pk)}").first()


def save_answers(draft: Draft, *, by, step: str | None = None, now=None, **answers) -> Draft:
    """Keep the answers of one step (only the owner's draft can be written)."""
    _own(draft, by)
    return drafts.save(draft, data=answers, step=step, now=now)


def attach_papers(
    draft: Draft, *, by, slots: dict[str, list], remove: list[str] | tuple[str, ...] = (), now=None
) -> dict[str, str]:
    """Check and store each arriving file at once (``{slot: [uploaded file, ...]}``): the first new
    file of a slot replaces its earlier ones ("thay tệp"), the next ones are added; the slots named
    in ``remove`` ("bỏ tệp", among ``slots``) are emptied first. Returns ``{slot: message}`` for
    the refused files; the accepted ones (and the slot's earlier files, when every new one was
    refused) stay attached."""
    _own(draft, by)
    for slot in set(remove) & set(slots):
        drafts.detach(draft, slot=slot)
    errors: dict[str, str] = {}
    for slot, uploads in slots.items():
        first = True
        for upload in uploads:
            if not upload:
                continue
            try:
                clean = files.validate_upload(upload)
            except InvalidInput as exc:
                errors[slot] = exc.message
                continue
            drafts.attach(draft, slot=slot, upload=clean, replace=first, now=now)
            first = False
    return errors


def discard(draft: Draft, *, by) -> None:
    """The owner gives the draft up (its files are deleted)."""
    _own(draft, by)
    drafts.discard(draft, by=by)


def _stored(draft: Draft) -> dict[str, list[ContentFile]]:
    """The draft's files, read back under their names (the verb checks them again)."""
    out: dict[str, list[ContentFile]] = {}
    for slot, rows in drafts.uploads_by_slot(draft).items():
        for row in rows:
            with row.file.open("rb") as fh:
                out.setdefault(slot, []).append(ContentFile(fh.read(), name=row.original_name))
    return out


def _paper_files(draft: Draft, procedure) -> list[dict[str, Any]]:
    stored = _stored(draft)
    items: list[dict[str, Any]] = [
        {"paper": paper.pk, "file": clean}
        for paper in procedure.papers.all()
        for clean in stored.get(paper_slot(paper), [])
    ]
    for paper_id, attachment_id in (draft.data.get("reuse") or {}).items():
        if attachment_id and not stored.get(f"paper-{paper_id}"):
            items.append({"paper": int(paper_id), "reuse": int(attachment_id)})
    return items


def submit_draft(draft: Draft, *, by, procedure, agency, now: datetime | None = None) -> Dossier:
    """Nộp hồ sơ from the reviewed draft (:func:`.intake.submit_online` decides everything again);
    the draft is deleted once the dossier exists."""
    _own(draft, by)
    data = draft.data
    form_data = {"note": data.get("note", "")}
    if data.get("eform"):
        form_data["eform"] = data["eform"]
    d = submit_online(
        procedure=procedure,
        agency=agency,
        applicant=data.get("applicant") or {},
        form_data=form_data,
        files=_paper_files(draft, procedure),
        by=by,
        idempotency_key=idempotency_key(draft.pk),
        now=now,
    )
    drafts.discard(draft, by=by, reason="submitted")
    return d


def counter_draft(procedure, *, by, pk=None, now=None) -> Draft:
    """The officer's working draft of a counter reception (its scanned papers survive errors)."""
    if pk:
        return drafts.get_own(by, pk, kind=COUNTER)
    return drafts.start(owner=by, kind=COUNTER, subject=procedure.code, resume=False, now=now)


def counter_from_draft(draft: Draft, *, by, procedure, agency, applicant: dict, now=None) -> Dossier:
    _own(draft, by)
    d = create_at_counter(
        procedure=procedure,
        agency=agency,
        applicant=applicant,
        form_data={},
        files=_paper_files(draft, procedure),
        by=by,
        now=now,
    )
    drafts.discard(draft, by=by, reason="submitted")
    return d


def supplement_draft(d: Dossier, *, by, pk=None, now=None) -> Draft:
    if pk:
        return drafts.get_own(by, pk, kind=SUPPLEMENT)
    return drafts.start(owner=by, kind=SUPPLEMENT, subject=d.code, now=now)


def supplement_from_draft(draft: Draft, d: Dossier, *, by, note: str = "", now=None) -> Dossier:
    """Send the papers of every requested item (:func:`.intake.supplement`)."""
    _own(draft, by)
    items = [clean for _slot, cleans in sorted(_stored(draft).items()) for clean in cleans]
    if not items:
        raise InvalidInput(_("Cần đính kèm giấy tờ bổ sung."), fields={"files": _("Bắt buộc.")})
    d = supplement(d, by=by, files=items, note=note, now=now)
    drafts.discard(draft, by=by, reason="submitted")
    return d


def _own(draft: Draft, by) -> None:
    if by is None or draft.owner_id != getattr(by, "pk", None):
        raise NotFound(_("Không tìm thấy bản nháp."))
