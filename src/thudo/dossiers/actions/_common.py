"""Shared steps of every dossier action: lock, permission and move checks, history events,
audit, notifications, papers (forms 01–06) and stored files."""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from thudo.core import audit, events, permissions
from thudo.core.context import public_base_url
from thudo.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from thudo.core.text import clean, nfc
from thudo.dossiers import deadlines, files
from thudo.dossiers.events import DossierEventRecorded, applicant_notice_type
from thudo.dossiers.models import (
    Attachment,
    AttachmentKind,
    Dossier,
    DossierEvent,
    NoticeForm,
    Status,
)
from thudo.dossiers.transitions import assert_can_move, refusal
from thudo.signing.papers import render_paper

logger = logging.getLogger(__name__)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _label(by) -> str:
    if by is None or not getattr(by, "is_authenticated", False):
        return ""
    return (getattr(by, "full_name", "") or by.get_username())[:200]


def _lock(d: Dossier) -> Dossier:
    """Re-read the dossier under a row lock; every decision is taken on this fresh copy."""
    locked = Dossier.objects.select_for_update().filter(pk=d.pk).first()
    if locked is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return locked.adopt_related(d)


def _check(by, verb: str, d: Dossier) -> None:
    """NotFound when the person may not even see the dossier (its existence is not revealed)."""
    if permissions.can(by, f"dossier.{verb}", d):
        return
    if permissions.can(by, "dossier.view", d):
        raise NotAllowed()
    raise NotFound(_("Không tìm thấy hồ sơ."))


def _begin(d: Dossier, *, by, verb: str, to: str | None = None, seen_step: int | None = None) -> Dossier:
    """Lock, check permission, then the verb on the fresh row (:func:`transitions.refusal`: the
    state, the step of the internal process and who holds it) and the move: when two people act at
    once, the second one sees the first one's result and gets Conflict. ``seen_step``: the step
    order the caller saw; another one now means somebody else moved the dossier on (Conflict)."""
    locked = _lock(d)
    _check(by, verb, locked)
    if seen_step is not None and locked.status == Status.PROCESSING:
        current = locked.current_step.order if locked.current_step_id else None
        if current != seen_step:
            raise Conflict(_("Hồ sơ đã được chuyển bước bởi người khác."), code="stale")
    refused = refusal(by, verb, locked)
    if refused is not None:
        raise refused
    if to is not None:
        assert_can_move(locked.status, to)
    return locked


def _event(
    d: Dossier,
    verb: str,
    *,
    by,
    at: datetime,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict | None = None,
) -> DossierEvent:
    seq = (d.events.aggregate(m=Max("seq"))["m"] or 0) + 1
    row = DossierEvent.objects.create(
        dossier=d,
        seq=seq,
        verb=verb,
        from_status=from_status,
        to_status=to_status,
        step=d.current_step,
        by=by if getattr(by, "is_authenticated", False) else None,
        by_label=_label(by),
        at=at,
        note=nfc(note).strip(),  # every note NFC, whichever verb wrote it (line breaks kept)
        step_due_at=d.step_due_at,
        data=json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
    )
    _recorded(d, row)
    return row


def _recorded(d: Dossier, row: DossierEvent) -> None:
    """Announce the new history row (the service-quality index follows it after the commit)."""
    events.publish(
        DossierEventRecorded(
            dossier_id=d.pk,
            code=d.code,
            verb=row.verb,
            seq=row.seq,
            at=row.at,
            processing_agency_id=d.processing_agency_id,
        )
    )


def _move(d: Dossier, to: str, verb: str, *, by, at: datetime, note: str = "", data: dict | None = None):
    old = d.status
    d.status = to
    d.save()
    _event(d, verb, by=by, at=at, from_status=old, to_status=to, note=note, data=data)
    audit.record(
        f"dossier.{verb}", by=by, obj=d, changes={"status": [old, to], **({"note": note} if note else {})}
    )


def public_url(d: Dossier) -> str:
    """The dossier's public page (printed as a QR code on every paper): code + secret, on the
    platform's public address (:func:`thudo.core.context.public_base_url`)."""
    from django.urls import NoReverseMatch, reverse

    base = public_base_url()
    try:
        path = reverse("dossiers:lookup_detail", args=[d.code])
    except NoReverseMatch:
        path = f"/api/v1/dossiers/lookup?code={d.code}&"
        return f"{base}{path}secret={d.secret}"
    return f"{base}{path}?s={d.secret}"


def _notify(d: Dossier, event: str, subject: str, body: str, *, key_suffix: str = "") -> None:
    """Tell the applicant (in-app when they have an account, e-mail when known): publishes the
    typed notice event in this transaction; the notifications app writes the notice and its outbox
    rows in the same transaction."""
    notice = events.Notice(
        topic=event,
        subject=subject,
        body=body,
        user=d.applicant_user,
        email=d.applicant_email,
        obj=d,
        url=public_url(d),
        key=f"dossier:{d.code}:{event}{':' + key_suffix if key_suffix else ''}",
    )
    events.publish(applicant_notice_type(event)(code=d.code, notice=notice))


def _store_attachment(
    d: Dossier,
    upload: files.CleanUpload,
    *,
    kind: str,
    by,
    at: datetime,
    paper=None,
    form: str = "",
    saved: list | None = None,
) -> Attachment:
    att = Attachment(
        dossier=d,
        paper=paper,
        kind=kind,
        form=form,
        original_name=upload.name,
        sha256=upload.sha256,
        size=upload.size,
        content_type=upload.content_type,
        digitised=True,
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
        uploaded_at=at,
    )
    att.file.save("upload", files.as_content(upload), save=False)
    if saved is not None:
        saved.append(att.file.name)
    att.save()
    return att


_papers_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("dossier_papers", default=True)


@contextlib.contextmanager
def papers_rendered(enabled: bool):
    """Turn rendering of forms 01–05 on or off in this context (bulk demo data renders only a few)."""
    token = _papers_enabled.set(enabled)
    try:
        yield
    finally:
        _papers_enabled.reset(token)


def _plain_pdf(title: str) -> bytes:
    """A one-page PDF carrying only a title: the draft result when templates are not rendered."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _render(kind: str, ctx: dict) -> bytes | None:
    """Render a paper through the signing service; ``None`` when rendering is turned off."""
    if not _papers_enabled.get():
        return None
    return render_paper(kind, ctx)


def _base_context(d: Dossier) -> dict[str, Any]:
    agency = d.processing_agency if d.processing_agency_id else d.receiving_agency
    return {
        "agency_name": d.receiving_agency.name,
        "parent_agency_name": agency.parent.name if agency.parent_id else "",
        "dossier_code": d.code,
        "applicant_name": d.applicant_name,
        "applicant_address": d.applicant_address,
        "applicant_phone": d.applicant_phone,
        "applicant_email": d.applicant_email,
        "procedure_name": d.procedure.name,
        "qr_url": public_url(d),
        "received_at": d.received_at,
    }


def _duration_text(procedure) -> str:
    value = procedure.duration_value
    number = int(value) if value == int(value) else value
    unit = _("ngày làm việc") if procedure.duration_unit == "working_days" else _("giờ làm việc")
    return f"{number:02d} {unit}" if isinstance(number, int) else f"{number} {unit}"


def _issue_notice(d: Dossier, form: str, ctx: dict, *, by, at: datetime) -> Attachment | None:
    """Render an agency paper (forms 01–05) and keep it with the dossier as an ``Attachment``
    of kind ``notice`` (so the applicant can download it like any other file of the dossier)."""
    pdf = _render(form, ctx)
    if pdf is None:
        return None
    with translation.override("vi"):
        name = f"{dict(NoticeForm.choices)[form].split(' (')[0]} {d.code}.pdf"
    return _store_attachment(
        d, files.pdf_upload(pdf, name), kind=AttachmentKind.NOTICE, form=form, by=by, at=at
    )


def _reasons_list(reasons) -> list[str]:
    if isinstance(reasons, str):
        reasons = [reasons]
    out = [clean(r) for r in (reasons or []) if clean(r)]
    if not out:
        raise InvalidInput(_("Cần nêu lý do."), fields={"reasons": _("Bắt buộc.")})
    return out


def _lock_probe(d: Dossier) -> Dossier:
    fresh = Dossier.objects.select_related("procedure").filter(pk=d.pk).first()
    if fresh is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return fresh


def _finish(d: Dossier, at: datetime) -> None:
    if d.paused_since is not None:
        # The clock stopped when the wait began; the end of processing is measured on that clock.
        deadlines.add_back_pause(d, at)
    d.finished_at = at
