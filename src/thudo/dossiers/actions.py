"""Every write of the dossiers app: one function per verb of the one-stop mechanism.

Each action: ``transaction.atomic()``, a row lock on the dossier (two officers acting at once:
exactly one wins, the other gets :class:`Conflict`), the permission check
(``permissions.can(by, "dossier.<verb>", d)``), the transition check
(:func:`thudo.dossiers.transitions.assert_can_move`), the change, a :class:`DossierEvent` (history
and process control sheet, form 06), ``audit.record`` and the notification to the applicant
(``thudo.notifications.actions.notify`` writes outbox rows in this transaction; delivery happens
after commit).

Legal basis: Decree 118/2025/NĐ-CP (one-stop mechanism: receipt, supplement, refusal, apology,
transfer between agencies, return of results), Circular 03/2025/TT-VPCP (forms 01–06),
Decree 45/2020/NĐ-CP and Decree 42/2022/NĐ-CP (online submission), Resolution 77/2025/NQ-HĐND
(Hanoi: online fees 0 đồng). Deadlines: :mod:`thudo.dossiers.deadlines`.

Every action accepts ``now=`` (default: the current time) so that demo data and tests can act at
an explicit moment without mocking clocks.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thudo.core import audit, permissions
from thudo.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from thudo.core.text import clean, nfc
from thudo.dossiers import codes, deadlines, files
from thudo.dossiers.models import (
    OPEN_STATUSES,
    ApologyLetter,
    Attachment,
    AttachmentKind,
    Dossier,
    DossierChannel,
    DossierEvent,
    EventVerb,
    NoticeForm,
    Payment,
    PaymentMethod,
    Rating,
    ResultDocument,
    Status,
)
from thudo.dossiers.transitions import assert_can_move
from thudo.procedures.models import ProcessStep

logger = logging.getLogger(__name__)

RATING_QUESTIONS = ("attitude", "time", "result")
RATING_SCALE = range(1, 6)


# --- helpers ------------------------------------------------------------------------------------


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


def _begin(d: Dossier, *, by, verb: str, to: str | None = None, from_: str | None = None) -> Dossier:
    """Lock, check permission, then check the move on the fresh row: when two people act at once,
    the second one sees the first one's result and gets Conflict."""
    locked = _lock(d)
    _check(by, verb, locked)
    if from_ is not None and locked.status != from_:
        assert_can_move(locked.status, "-")  # raises Conflict naming the current state
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
    _kpi_changed(d, at)
    return DossierEvent.objects.create(
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


def _kpi_changed(d: Dossier, at: datetime) -> None:
    """The service-quality index follows every recorded event (refreshed after the commit)."""
    try:
        from thudo.kpi.tasks import dossier_changed
    except ImportError:  # pragma: no cover - kpi app not installed
        return
    dossier_changed(d, at=at)


def _move(d: Dossier, to: str, verb: str, *, by, at: datetime, note: str = "", data: dict | None = None):
    old = d.status
    d.status = to
    d.save()
    _event(d, verb, by=by, at=at, from_status=old, to_status=to, note=note, data=data)
    audit.record(
        f"dossier.{verb}", by=by, obj=d, changes={"status": [old, to], **({"note": note} if note else {})}
    )


def public_url(d: Dossier) -> str:
    """The dossier's public page (printed as a QR code on every paper): code + secret."""
    from django.conf import settings
    from django.urls import NoReverseMatch, reverse

    base = getattr(settings, "THUDO", {}).get("PUBLIC_BASE_URL", "").rstrip("/")
    try:
        path = reverse("dossiers:lookup_detail", args=[d.code])
    except NoReverseMatch:
        path = f"/api/v1/dossiers/lookup?code={d.code}&"
        return f"{base}{path}secret={d.secret}"
    return f"{base}{path}?s={d.secret}"


def _notify(d: Dossier, event: str, subject: str, body: str, *, key_suffix: str = "") -> None:
    """Tell the applicant (in-app when they have an account, e-mail when known), in this transaction."""
    try:
        from thudo.notifications.actions import notify
    except ImportError:  # pragma: no cover - notifications app not installed
        logger.warning("notifications app unavailable: %s for %s not sent", event, d.code)
        return
    notify(
        event=event,
        subject=subject,
        body=body,
        user=d.applicant_user,
        email=d.applicant_email,
        obj=d,
        url=public_url(d),
        key=f"dossier:{d.code}:{event}{':' + key_suffix if key_suffix else ''}",
    )


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


def _delete_files(names: Iterable[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover
            logger.warning("could not delete orphan upload %s", name)


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
    """Render a paper through the signing app; ``None`` when rendering is off or unavailable."""
    if not _papers_enabled.get():
        return None
    try:
        from thudo.signing.papers import render_paper
    except ImportError:  # pragma: no cover
        logger.warning("signing.papers unavailable: %s not rendered", kind)
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


def build_receipt_context(d: Dossier, *, by=None) -> dict[str, Any]:
    """Context of the receipt and appointment (form 01, Circular 03/2025/TT-VPCP); in Vietnamese
    whatever the language of the person acting (papers are Vietnamese)."""
    with translation.override("vi"):
        return _receipt_context(d, by=by)


def _receipt_context(d: Dossier, *, by=None) -> dict[str, Any]:
    papers = [
        {"name": a.paper.name if a.paper_id else a.original_name, "form": _("Bản điện tử"), "copies": 1}
        for a in d.attachments.filter(
            kind__in=[AttachmentKind.PAPER, AttachmentKind.SUPPLEMENT]
        ).select_related("paper")
    ]
    return {
        **_base_context(d),
        "papers": papers,
        "legal_duration": _duration_text(d.procedure),
        "received_at": d.received_at,
        "appointment_at": d.due_at,
        "return_place": d.receiving_agency.name,
        "lookup_secret": d.secret,
        "receiver_name": _label(by),
        "signer_title": _("NGƯỜI TIẾP NHẬN"),
        "signer_name": _label(by),
        "date": d.received_at,
    }


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


# --- applicant and files ------------------------------------------------------------------------

APPLICANT_KEYS = ("name", "pin", "birth_date", "phone", "email", "address")


def _applicant(applicant, by) -> dict[str, Any]:
    """``applicant`` is an identity ``Citizen``, a dict with :data:`APPLICANT_KEYS` (``full_name``
    accepted for ``name``), or ``None`` (the signed-in person's own citizen record)."""
    if applicant is None and by is not None:
        try:
            applicant = by.citizen
        except (ObjectDoesNotExist, AttributeError):
            applicant = {"name": getattr(by, "full_name", "") or by.get_username(), "email": by.email}
    if isinstance(applicant, dict):
        data = dict(applicant)
        data.setdefault("name", data.pop("full_name", ""))
    else:
        data = {
            "name": getattr(applicant, "full_name", ""),
            "pin": getattr(applicant, "pin", "") or "",
            "birth_date": getattr(applicant, "birth_date", None),
            "phone": getattr(applicant, "phone", ""),
            "email": getattr(applicant, "email", ""),
            "address": getattr(applicant, "address", ""),
        }
    out = {
        "applicant_name": clean(data.get("name")),
        "applicant_pin": clean(data.get("pin")),
        "applicant_birth_date": data.get("birth_date") or None,
        "applicant_phone": clean(data.get("phone")),
        "applicant_email": clean(data.get("email")),
        "applicant_address": clean(data.get("address")),
    }
    if not out["applicant_name"]:
        raise InvalidInput(_("Cần họ tên người nộp hồ sơ."), fields={"applicant_name": _("Bắt buộc.")})
    if out["applicant_pin"]:
        try:
            from thudo.identity.pins import validate_pin
        except ImportError:  # pragma: no cover
            pass
        else:
            validate_pin(out["applicant_pin"])
    return out


def _paper_of(procedure, paper):
    if paper is None or paper == "":
        return None
    if not hasattr(paper, "pk"):
        found = procedure.papers.filter(pk=int(paper)).first()
    else:
        found = paper if paper.procedure_id == procedure.pk else None
    if found is None:
        raise InvalidInput(_("Thành phần hồ sơ không thuộc thủ tục này."), fields={"files": str(paper)})
    return found


def _prepare_files(procedure, items, *, by, check_mandatory: bool) -> list[tuple[Any, Any]]:
    """Validate every file before anything is stored: ``[(paper|None, CleanUpload|Attachment)]``.

    Items: an uploaded file (or bytes), ``(paper, file)``, ``{"paper": ..., "file": ...}`` or
    ``{"paper": ..., "reuse": Attachment}`` (a paper or result of an earlier dossier of the same
    applicant: re-use of digitised data); or a dict ``{paper id: [file or attachment id, ...]}``.
    Files without a paper fill the mandatory papers in order.
    """
    prepared: list[list[Any]] = []
    if isinstance(items, dict):
        # {paper id (or None): [file | attachment id to re-use, ...]} as the submission page sends.
        items = [
            {"paper": paper, ("reuse" if isinstance(x, int | Attachment) else "file"): x}
            for paper, xs in items.items()
            for x in (xs if isinstance(xs, list | tuple) else [xs])
        ]
    for item in items or []:
        paper, upload, reuse = None, None, None
        if isinstance(item, Attachment):
            reuse = item
        elif isinstance(item, tuple):
            paper, upload = item
        elif isinstance(item, dict):
            paper, upload, reuse = item.get("paper"), item.get("file"), item.get("reuse")
        else:
            upload = item
        paper = _paper_of(procedure, paper)
        if reuse is not None:
            if not isinstance(reuse, Attachment):
                reuse = Attachment.objects.select_related("dossier").filter(pk=int(reuse)).first()
            if (
                reuse is None
                or by is None
                or reuse.dossier.applicant_user_id != by.pk
                or reuse.kind == AttachmentKind.NOTICE
            ):
                raise InvalidInput(
                    _("Không tìm thấy giấy tờ để dùng lại."), fields={"files": _("Không hợp lệ.")}
                )
            prepared.append([paper, reuse])
        else:
            prepared.append([paper, files.validate_upload(upload)])
    if check_mandatory:
        mandatory = [p for p in procedure.papers.all() if p.mandatory]
        covered = {p.pk for p, _x in prepared if p is not None}
        missing = [p for p in mandatory if p.pk not in covered]
        for row in prepared:
            if row[0] is None and missing:
                row[0] = missing.pop(0)
        if missing:
            raise InvalidInput(
                _("Thiếu thành phần hồ sơ bắt buộc: %(names)s.")
                % {"names": "; ".join(p.name for p in missing)},
                fields={"files": _("Thiếu thành phần hồ sơ bắt buộc.")},
                code="incomplete",
            )
    return [(p, f) for p, f in prepared]


def _attach_all(d: Dossier, prepared, *, kind: str, by, at: datetime, saved: list) -> list[Attachment]:
    out = []
    for paper, item in prepared:
        if isinstance(item, Attachment):
            att = Attachment.objects.create(
                dossier=d,
                paper=paper,
                kind=kind,
                original_name=item.original_name,
                file=item.file.name,
                sha256=item.sha256,
                size=item.size,
                content_type=item.content_type,
                digitised=True,
                reused_from=item.reused_from or item,
                uploaded_by=by,
                uploaded_at=at,
            )
        else:
            att = _store_attachment(d, item, kind=kind, by=by, at=at, paper=paper, saved=saved)
        out.append(att)
    return out


def _process_and_first_step(d: Dossier):
    try:
        from thudo.procedures.queries import process_for

        process = process_for(d.procedure, d.processing_agency)
    except NotFound:
        process = None
    first = process.steps.order_by("order").first() if process else None
    return process, first


def _start_processing(d: Dossier, *, at: datetime, clock_from: datetime) -> None:
    """Receipt of a complete dossier: clock, process and first step (no save)."""
    d.received_at = at
    deadlines.start_clock(d, clock_from)
    d.process, d.current_step = _process_and_first_step(d)
    d.step_due_at = deadlines.step_due(d, d.current_step)


# --- submission ---------------------------------------------------------------------------------


def _new_dossier(
    *, procedure, agency, applicant, form_data, by, channel: str, at: datetime, key=None
) -> Dossier:
    from thudo.procedures.models import Status as ProcedureStatus
    from thudo.procedures.queries import agencies_offering

    if procedure.status != ProcedureStatus.PUBLISHED:
        raise InvalidInput(_("Thủ tục không còn được áp dụng."), fields={"procedure": procedure.code})
    if not agencies_offering(procedure).filter(pk=agency.pk).exists():
        raise InvalidInput(
            _("%(agency)s không tiếp nhận thủ tục này.") % {"agency": agency.name},
            fields={"agency": agency.code},
        )
    processing = procedure.agency if procedure.agency_id else agency
    d = Dossier(
        code=codes.new_code(agency, at),
        secret=codes.new_secret(),
        procedure=procedure,
        receiving_agency=agency,
        processing_agency=processing,
        channel=channel,
        status=Status.SUBMITTED,
        submitted_at=at,
        form_data=form_data or {},
        idempotency_key=key,
        **_applicant(applicant, by),
    )
    return d


def _fee(procedure, channel: str, at: datetime) -> int:
    from thudo.procedures.queries import fee_for

    return int(fee_for(procedure, channel, on=timezone.localdate(at)))


def submit_online(
    *,
    procedure,
    agency,
    applicant,
    form_data: dict,
    files: list,
    by,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Dossier:
    """A citizen submits a dossier online (Decree 45/2020/NĐ-CP, Decree 42/2022/NĐ-CP).

    The receiving agency is ``agency`` (one that offers the procedure); the processing agency is the
    procedure's department, or the chosen commune for commune-level procedures. The fee is the
    online fee (0 đồng in Hanoi, Resolution 77/2025/NQ-HĐND). The due date is shown at once: it
    counts from the next working period when the dossier arrives outside office hours or after the
    procedure's cut-off hour. The same ``idempotency_key`` from the same person returns the same
    dossier (a retried request never creates a second one).
    """
    if by is None or not by.is_authenticated:
        raise NotAllowed(_("Cần đăng nhập để nộp hồ sơ trực tuyến."))
    at = _now(now)
    key = f"{by.pk}:{idempotency_key}"[:100] if idempotency_key else None
    if key:
        existing = Dossier.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
    prepared = _prepare_files(procedure, files, by=by, check_mandatory=True)
    saved: list[str] = []
    try:
        with transaction.atomic():
            d = _new_dossier(
                procedure=procedure,
                agency=agency,
                applicant=applicant,
                form_data=form_data,
                by=by,
                channel=DossierChannel.ONLINE,
                at=at,
                key=key,
            )
            d.applicant_user = by
            d.fee_amount = _fee(procedure, "online", at)
            # Provisional appointment, shown at once; confirmed when the one-stop officer receives it.
            deadlines.start_clock(d, at)
            d.save()
            _attach_all(d, prepared, kind=AttachmentKind.PAPER, by=by, at=at, saved=saved)
            _event(d, EventVerb.SUBMIT, by=by, at=at, to_status=Status.SUBMITTED)
            audit.record(
                "dossier.submit", by=by, obj=d, changes={"procedure": procedure.code, "agency": agency.code}
            )
            _notify(
                d,
                "dossier.submitted",
                _("Đã nộp hồ sơ %(code)s") % {"code": d.code},
                _("Hồ sơ %(code)s (%(name)s) đã được gửi tới %(agency)s. Mã tra cứu: %(secret)s.")
                % {"code": d.code, "name": procedure.name, "agency": agency.name, "secret": d.secret},
            )
    except IntegrityError:
        _delete_files(saved)
        if key:
            existing = Dossier.objects.filter(idempotency_key=key).first()
            if existing is not None:
                return existing
        raise
    except BaseException:
        _delete_files(saved)
        raise
    return d


def create_at_counter(
    *,
    procedure,
    agency,
    applicant,
    form_data: dict | None = None,
    files: list | None = None,
    by,
    payment_method: str = PaymentMethod.CASH,
    payment_reference: str = "",
    note: str = "",
    now: datetime | None = None,
) -> Dossier:
    """The one-stop officer registers a paper dossier handed in at the counter and receives it at
    once (checked complete, digitised, receipt 01 issued). The counter fee, if any, is recorded as
    paid with ``payment_method``."""
    at = _now(now)
    if not (
        permissions.is_city_admin(by) or agency.pk in permissions.agencies_for(by, "dossier.create_counter")
    ):
        raise NotAllowed()
    prepared = _prepare_files(procedure, files, by=by, check_mandatory=True)
    saved: list[str] = []
    try:
        with transaction.atomic():
            d = _new_dossier(
                procedure=procedure,
                agency=agency,
                applicant=applicant,
                form_data=form_data,
                by=by,
                channel=DossierChannel.COUNTER,
                at=at,
            )
            d.fee_amount = _fee(procedure, "counter", at)
            deadlines.start_clock(d, at)
            d.save()
            _attach_all(d, prepared, kind=AttachmentKind.PAPER, by=by, at=at, saved=saved)
            _event(d, EventVerb.CREATE_COUNTER, by=by, at=at, to_status=Status.SUBMITTED, note=note)
            audit.record(
                "dossier.create_counter",
                by=by,
                obj=d,
                changes={"procedure": procedure.code, "agency": agency.code},
            )
            if d.fee_amount > 0:
                _payment(
                    d,
                    by=by,
                    method=payment_method,
                    amount=d.fee_amount,
                    reference=payment_reference,
                    online=False,
                    at=at,
                )
            _receive(d, by=by, at=at, note=note)
    except BaseException:
        _delete_files(saved)
        raise
    return d


# --- reception ----------------------------------------------------------------------------------


def _receive(d: Dossier, *, by, at: datetime, note: str) -> None:
    clock_from = d.submitted_at if d.channel == DossierChannel.ONLINE and d.supplement_count == 0 else at
    _start_processing(d, at=at, clock_from=clock_from)
    d.attachments.filter(kind__in=[AttachmentKind.PAPER, AttachmentKind.SUPPLEMENT]).update(digitised=True)
    # Render the receipt (a PDF, the slow part) before ``_move`` appends to the audit chain: the chain
    # head stays locked until commit, so everything done after it serialises every writer (bench/).
    _issue_notice(d, NoticeForm.RECEIPT, build_receipt_context(d, by=by), by=by, at=at)
    _move(d, Status.PROCESSING, EventVerb.RECEIVE, by=by, at=at, note=note, data={"due_at": d.due_at})
    _notify(
        d,
        "dossier.received",
        _("Hồ sơ %(code)s đã được tiếp nhận") % {"code": d.code},
        _("Hồ sơ %(code)s đã được tiếp nhận. Hẹn trả kết quả: %(due)s.")
        % {
            "code": d.code,
            "due": timezone.localtime(d.due_at).strftime("%H:%M %d/%m/%Y") if d.due_at else "—",
        },
    )


def receive(d: Dossier, *, by, note: str = "", now: datetime | None = None) -> Dossier:
    """The one-stop officer accepts a complete online dossier (tiếp nhận): status processing, the
    first step of the internal process, the clock confirmed (from the online arrival, per
    ``start_moment``), receipt and appointment issued (form 01)."""
    at = _now(now)
    with transaction.atomic():
        d = _begin(d, by=by, verb="receive", to=Status.PROCESSING, from_=Status.SUBMITTED)
        _receive(d, by=by, at=at, note=clean(note))
    return d


def request_supplement(d: Dossier, *, by, reasons, now: datetime | None = None) -> Dossier:
    """Ask the applicant to add or correct papers (form 02). The clock stops until they do; more than
    one request makes the dossier count as late (Decision 766/QĐ-TTg, indicator 2.1)."""
    at = _now(now)
    items = _reasons_list(reasons)
    with transaction.atomic():
        d = _begin(d, by=by, verb="request_supplement", to=Status.SUPPLEMENT_REQUESTED)
        d.supplement_count += 1
        d.paused_since = at
        _move(
            d,
            Status.SUPPLEMENT_REQUESTED,
            EventVerb.REQUEST_SUPPLEMENT,
            by=by,
            at=at,
            data={"reasons": items},
        )
        _issue_notice(
            d,
            NoticeForm.SUPPLEMENT_REQUEST,
            {**_base_context(d), "items": [{"what": r, "why": ""} for r in items], "signer_name": _label(by)},
            by=by,
            at=at,
        )
        _notify(
            d,
            "dossier.supplement_requested",
            _("Hồ sơ %(code)s cần bổ sung") % {"code": d.code},
            _("Vui lòng bổ sung hồ sơ %(code)s: %(items)s") % {"code": d.code, "items": "; ".join(items)},
            key_suffix=str(d.supplement_count),
        )
    return d


def supplement(d: Dossier, *, by, files: list, note: str = "", now: datetime | None = None) -> Dossier:
    """The applicant sends the requested papers; processing resumes. Under the "pause" policy the
    paused working time is added back to the due moment; under "restart" the full duration runs
    again from the supplement's receipt. A dossier not yet received starts its clock now."""
    at = _now(now)
    locked_probe = _lock_probe(d)
    prepared = _prepare_files(locked_probe.procedure, files, by=by, check_mandatory=False)
    if not prepared:
        raise InvalidInput(_("Cần đính kèm giấy tờ bổ sung."), fields={"files": _("Bắt buộc.")})
    saved: list[str] = []
    try:
        with transaction.atomic():
            d = _begin(d, by=by, verb="supplement", to=Status.PROCESSING, from_=Status.SUPPLEMENT_REQUESTED)
            _attach_all(d, prepared, kind=AttachmentKind.SUPPLEMENT, by=by, at=at, saved=saved)
            if d.received_at is None:
                _start_processing(d, at=at, clock_from=at)
            else:
                policy = d.process.supplement_policy if d.process_id else "pause"
                if policy == "restart":
                    d.paused_since = None
                    d.clock_started_at = deadlines.clock_start(d, at)
                    d.due_at = deadlines.due_from(d, d.clock_started_at)
                    if not _has_apology(d):
                        d.original_due_at = d.due_at
                    d.step_due_at = deadlines.step_due(d, d.current_step)
                else:
                    deadlines.add_back_pause(d, at)
            d.paused_since = None
            _move(
                d,
                Status.PROCESSING,
                EventVerb.SUPPLEMENT,
                by=by,
                at=at,
                note=clean(note),
                data={"files": len(prepared), "due_at": d.due_at},
            )
    except BaseException:
        _delete_files(saved)
        raise
    return d


def _lock_probe(d: Dossier) -> Dossier:
    fresh = Dossier.objects.select_related("procedure").filter(pk=d.pk).first()
    if fresh is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return fresh


def _has_apology(d: Dossier) -> bool:
    return ApologyLetter.objects.filter(dossier=d).exists()


def _finish(d: Dossier, at: datetime) -> None:
    if d.paused_since is not None:
        # The clock stopped when the wait began; the end of processing is measured on that clock.
        deadlines.add_back_pause(d, at)
    d.finished_at = at


def reject(d: Dossier, *, by, reasons, now: datetime | None = None) -> Dossier:
    """Refuse the dossier with written reasons (form 03; after acceptance: processing stopped)."""
    at = _now(now)
    items = _reasons_list(reasons)
    with transaction.atomic():
        d = _begin(d, by=by, verb="reject", to=Status.REJECTED)
        _finish(d, at)
        _move(d, Status.REJECTED, EventVerb.REJECT, by=by, at=at, data={"reasons": items})
        _issue_notice(
            d,
            NoticeForm.REFUSAL,
            {**_base_context(d), "reasons": items, "signer_name": _label(by)},
            by=by,
            at=at,
        )
        _notify(
            d,
            "dossier.rejected",
            _("Hồ sơ %(code)s bị từ chối") % {"code": d.code},
            _("Hồ sơ %(code)s bị từ chối: %(reasons)s") % {"code": d.code, "reasons": "; ".join(items)},
        )
        _parent_back(d, by=by, at=at)
    return d


def withdraw(d: Dossier, *, by, reason: str = "", now: datetime | None = None) -> Dossier:
    """The applicant withdraws the dossier (or the one-stop officer records their request); a notice
    that processing stops is issued (form 05)."""
    at = _now(now)
    with transaction.atomic():
        d = _begin(d, by=by, verb="withdraw", to=Status.WITHDRAWN)
        _finish(d, at)
        _move(d, Status.WITHDRAWN, EventVerb.WITHDRAW, by=by, at=at, note=clean(reason))
        _issue_notice(
            d,
            NoticeForm.STOP_NOTICE,
            {
                **_base_context(d),
                "reason": clean(reason) or gettext_lazy("Theo đề nghị của người nộp hồ sơ."),
                "requested_at": at,
            },
            by=by,
            at=at,
        )
        _parent_back(d, by=by, at=at)
    return d


def pause(d: Dossier, *, by, reason: str, now: datetime | None = None) -> Dossier:
    """Stop the clock: waiting for a financial obligation, an inspection or another body's opinion."""
    at = _now(now)
    reason = clean(reason)
    if not reason:
        raise InvalidInput(_("Cần nêu lý do tạm dừng."), fields={"reason": _("Bắt buộc.")})
    with transaction.atomic():
        d = _begin(d, by=by, verb="pause", to=Status.PAUSED)
        d.paused_since = at
        _move(d, Status.PAUSED, EventVerb.PAUSE, by=by, at=at, note=reason)
    return d


def resume(d: Dossier, *, by, now: datetime | None = None) -> Dossier:
    """Restart the clock; the paused working time is added to the due moment."""
    at = _now(now)
    with transaction.atomic():
        d = _begin(d, by=by, verb="resume", to=Status.PROCESSING, from_=Status.PAUSED)
        delta = deadlines.add_back_pause(d, at)
        _move(
            d,
            Status.PROCESSING,
            EventVerb.RESUME,
            by=by,
            at=at,
            data={"added": delta.total_seconds(), "due_at": d.due_at},
        )
    return d


# --- processing ---------------------------------------------------------------------------------


def _check_assignee(d: Dossier, step, assignee) -> None:
    if assignee is None:
        return
    from thudo.core.models import RoleGrant

    ok = (
        permissions.is_city_admin(assignee)
        or RoleGrant.objects.filter(
            user=assignee, role=step.role, agency_id__in=[d.processing_agency_id, d.receiving_agency_id]
        ).exists()
    )
    if not ok:
        raise InvalidInput(
            _("Người được giao không có vai trò của bước này tại cơ quan giải quyết."),
            fields={"assignee": str(assignee)},
        )


def forward(
    d: Dossier,
    *,
    by,
    note: str = "",
    assignee=None,
    from_step: int | None = None,
    now: datetime | None = None,
) -> Dossier:
    """Hand the dossier to the next step of the internal process (a row of the control sheet, form 06).

    ``assignee`` (optional) must hold the next step's role in the processing agency. ``from_step``
    (optional, the step order the caller saw) turns a concurrent double hand-over into Conflict.
    """
    at = _now(now)
    with transaction.atomic():
        d = _begin(d, by=by, verb="forward", to=Status.PROCESSING, from_=Status.PROCESSING)
        current = d.current_step
        if from_step is not None and (current.order if current else None) != from_step:
            raise Conflict(_("Hồ sơ đã được chuyển bước bởi người khác."), code="stale")
        if d.process_id is None or current is None:
            raise Conflict(_("Hồ sơ không có quy trình nội bộ để chuyển bước."))
        steps = list(ProcessStep.objects.filter(process_id=d.process_id).order_by("order"))
        nxt = next((s for s in steps if s.order > current.order), None)
        if nxt is None:
            raise Conflict(_("Đây là bước cuối: trình ký kết quả."), code="last_step")
        _check_assignee(d, nxt, assignee)
        # Close the current step on the control sheet, then open the next one.
        d.current_step = nxt
        d.assignee = assignee
        d.step_due_at = deadlines.step_due(d, nxt, steps)
        _move(
            d,
            Status.PROCESSING,
            EventVerb.FORWARD,
            by=by,
            at=at,
            note=clean(note),
            data={
                "from_step": current.order,
                "to_step": nxt.order,
                "assignee": getattr(assignee, "pk", None),
            },
        )
    return d


def transfer(
    d: Dossier, *, by, to_agency, procedure=None, note: str = "", now: datetime | None = None
) -> Dossier:
    """Liên thông: a child dossier goes to ``to_agency`` (with copies of the papers); this dossier
    waits (transferred) and goes back to processing by itself when the child has its result.
    Returns the child."""
    at = _now(now)
    with transaction.atomic():
        d = _begin(d, by=by, verb="transfer", to=Status.TRANSFERRED)
        if to_agency.pk == d.processing_agency_id:
            raise InvalidInput(
                _("Chọn một cơ quan khác để liên thông."), fields={"to_agency": to_agency.code}
            )
        child_procedure = procedure or d.procedure
        child = Dossier(
            code=codes.new_code(to_agency, at),
            secret=codes.new_secret(),
            procedure=child_procedure,
            receiving_agency=to_agency,
            processing_agency=child_procedure.agency
            if child_procedure.agency_id and procedure
            else to_agency,
            applicant_user=d.applicant_user,
            applicant_name=d.applicant_name,
            applicant_pin=d.applicant_pin,
            applicant_birth_date=d.applicant_birth_date,
            applicant_phone=d.applicant_phone,
            applicant_email=d.applicant_email,
            applicant_address=d.applicant_address,
            channel=d.channel,
            status=Status.SUBMITTED,
            submitted_at=at,
            parent=d,
            form_data=d.form_data,
        )
        deadlines.start_clock(child, at)
        child.save()
        for att in d.attachments.filter(kind__in=[AttachmentKind.PAPER, AttachmentKind.SUPPLEMENT]):
            Attachment.objects.create(
                dossier=child,
                paper=att.paper if att.paper_id and child_procedure.pk == d.procedure_id else None,
                kind=AttachmentKind.PAPER,
                original_name=att.original_name,
                file=att.file.name,
                sha256=att.sha256,
                size=att.size,
                content_type=att.content_type,
                digitised=True,
                reused_from=att.reused_from or att,
                uploaded_by=by,
                uploaded_at=at,
            )
        _event(child, EventVerb.SUBMIT, by=by, at=at, to_status=Status.SUBMITTED, data={"parent": d.code})
        audit.record("dossier.submit", by=by, obj=child, changes={"parent": d.code})
        _move(
            d,
            Status.TRANSFERRED,
            EventVerb.TRANSFER,
            by=by,
            at=at,
            note=clean(note),
            data={"child": child.code},
        )
    return child


def _parent_back(child: Dossier, *, by, at: datetime) -> None:
    """When a transferred child is done (result ready, returned, refused or withdrawn), its parent
    goes back to processing in the same transaction."""
    if child.parent_id is None:
        return
    parent = Dossier.objects.select_for_update().get(pk=child.parent_id)
    if parent.status != Status.TRANSFERRED:
        return
    _move(
        parent,
        Status.PROCESSING,
        EventVerb.CHILD_DONE,
        by=by,
        at=at,
        data={"child": child.code, "child_status": child.status},
    )


def _next_version(d: Dossier) -> int:
    return (d.results.aggregate(m=Max("version"))["m"] or 0) + 1


def build_result_context(d: Dossier, *, signer=None) -> dict[str, Any]:
    """A generic result document for procedures without their own template (in Vietnamese)."""
    with translation.override("vi"):
        return _result_context(d, signer=signer)


def _result_context(d: Dossier, *, signer=None) -> dict[str, Any]:
    return {
        **_base_context(d),
        "agency_name": d.processing_agency.name,
        "title": (d.procedure.result_name or d.procedure.name).upper(),
        "subtitle": d.procedure.name,
        "paragraphs": [
            _("Căn cứ hồ sơ %(code)s của %(name)s,") % {"code": d.code, "name": d.applicant_name},
            _("%(agency)s giải quyết yêu cầu: %(proc)s.")
            % {"agency": d.processing_agency.name, "proc": d.procedure.name},
        ],
        "signer_title": _("LÃNH ĐẠO"),
        "signer_name": _label(signer) or _("(chờ ký)"),
    }


def attach_result(d: Dossier, *, by, pdf: bytes | None = None, now: datetime | None = None) -> ResultDocument:
    """The specialist drafts the result (a PDF; without one, the generic result is rendered). An
    unsigned draft is replaced; after signing, a correction is a new version that supersedes it."""
    at = _now(now)
    upload = files.validate_upload(pdf, name="ket-qua.pdf") if pdf is not None else None
    if upload is not None and upload.content_type != "application/pdf":
        raise InvalidInput(_("Kết quả phải là tệp PDF."), fields={"pdf": _("Không hợp lệ.")})
    saved: list[str] = []
    try:
        with transaction.atomic():
            d = _begin(d, by=by, verb="draft_result")
            if d.status not in (Status.PROCESSING, Status.RESULT_READY):
                raise Conflict(_("Chỉ dự thảo kết quả khi hồ sơ đang giải quyết."))
            if upload is None:
                data = _render("result", build_result_context(d))
                if data is None:
                    raise Conflict(_("Chưa thể lập kết quả tự động; vui lòng tải tệp PDF."))
                upload = files.pdf_upload(data, "ket-qua.pdf")
            result = _draft(d, upload, by=by, at=at, saved=saved)
            _event(d, EventVerb.ATTACH_RESULT, by=by, at=at, data={"version": result.version})
            audit.record(
                "dossier.draft_result",
                by=by,
                obj=d,
                changes={"version": result.version, "sha256": result.sha256},
            )
    except BaseException:
        _delete_files(saved)
        raise
    return result


def _draft(d: Dossier, upload: files.CleanUpload, *, by, at: datetime, saved: list) -> ResultDocument:
    latest = d.results.order_by("-version").first()
    if latest is not None and not latest.signed:
        result = latest
    else:
        result = ResultDocument(dossier=d, version=_next_version(d), supersedes=latest, created_at=at)
    result.created_by = by
    result.sha256 = upload.sha256
    result.file.save("ket-qua.pdf", files.as_content(upload), save=False)
    saved.append(result.file.name)
    result.save()
    return result


def _sign(pdf: bytes, *, signer, reason: str) -> bytes:
    from thudo.signing.actions import sign_pdf

    return sign_pdf(pdf, signer=signer, reason=reason)


def approve_and_sign(d: Dossier, *, by, now: datetime | None = None) -> Dossier:
    """The leader approves and signs the result (PAdES, Decree 30/2020/NĐ-CP); it is registered as
    issued (so the verification page recognises it) and kept as the dossier's electronic result;
    the dossier is result_ready (its processing ends now, for the timeliness classification)."""
    at = _now(now)
    saved: list[str] = []
    try:
        with transaction.atomic():
            d = _begin(d, by=by, verb="sign", to=Status.RESULT_READY)
            result = d.results.order_by("-version").first()
            from thudo.procedures.models import ResultType

            needs_document = d.procedure.result_type == ResultType.DOCUMENT
            if needs_document and (result is None or result.signed):
                data = _render("result", build_result_context(d, signer=by)) or _plain_pdf(
                    f"{d.procedure.result_name or d.procedure.name} — {d.code}"
                )
                result = _draft(d, files.pdf_upload(data, "ket-qua.pdf"), by=by, at=at, saved=saved)
            if result is not None and not result.signed:
                with result.file.open("rb") as fh:
                    unsigned = fh.read()
                signed = _sign(
                    unsigned, signer=by, reason=_("Phê duyệt kết quả hồ sơ %(code)s") % {"code": d.code}
                )
                upload = files.pdf_upload(signed, f"Ket qua {d.code}.pdf")
                result.file.save("ket-qua.pdf", files.as_content(upload), save=False)
                saved.append(result.file.name)
                result.sha256 = upload.sha256
                result.signed = True
                result.signed_by = by
                result.signed_at = at
                result.document_code = result.document_code or f"{d.code}/KQ-{result.version}"
                result.save()
                att = Attachment.objects.create(
                    dossier=d,
                    kind=AttachmentKind.RESULT,
                    original_name=upload.name,
                    file=result.file.name,
                    sha256=upload.sha256,
                    size=upload.size,
                    content_type=upload.content_type,
                    digitised=True,
                    uploaded_by=by,
                    uploaded_at=at,
                )
                _register_issued(signed, result=result, d=d)
                del att
            _finish(d, at)
            _move(
                d,
                Status.RESULT_READY,
                EventVerb.SIGN,
                by=by,
                at=at,
                data={
                    "version": getattr(result, "version", None),
                    "classification": deadlines.classify(d, at),
                },
            )
            _notify(
                d,
                "dossier.result_ready",
                _("Hồ sơ %(code)s đã có kết quả") % {"code": d.code},
                _("Kết quả hồ sơ %(code)s đã được ký số; bạn có thể tải về hoặc nhận tại %(agency)s.")
                % {"code": d.code, "agency": d.receiving_agency.name},
            )
            _parent_back(d, by=by, at=at)
    except BaseException:
        _delete_files(saved)
        raise
    return d


def _register_issued(pdf: bytes, *, result: ResultDocument, d: Dossier) -> None:
    try:
        from thudo.signing.actions import register_issued
    except ImportError:  # pragma: no cover
        logger.warning("signing.actions.register_issued unavailable for %s", d.code)
        return
    register_issued(pdf, document_code=result.document_code, kind="result", agency=d.processing_agency)


def return_result(d: Dossier, *, by, now: datetime | None = None) -> Dossier:
    """The one-stop officer hands over the result (trả kết quả); the applicant may then rate."""
    at = _now(now)
    with transaction.atomic():
        d = _begin(d, by=by, verb="return_result", to=Status.RETURNED)
        d.returned_at = at
        _move(d, Status.RETURNED, EventVerb.RETURN, by=by, at=at)
        _notify(
            d,
            "dossier.returned",
            _("Đã trả kết quả hồ sơ %(code)s") % {"code": d.code},
            _("Kết quả hồ sơ %(code)s đã được trả. Mời bạn đánh giá mức độ hài lòng.") % {"code": d.code},
        )
        _parent_back(d, by=by, at=at)
    return d


def apologize(
    d: Dossier, *, by, new_due: datetime, reason: str, now: datetime | None = None
) -> ApologyLetter:
    """Apology and new appointment (form 04): only while open, at least one working day before the
    due moment, only once; ``due_at`` becomes ``new_due`` (``original_due_at`` keeps the first), and
    the dossier still counts as late (Decree 118/2025/NĐ-CP; domain-rules §3)."""
    at = _now(now)
    reason = clean(reason)
    if not reason:
        raise InvalidInput(_("Cần nêu lý do chậm trễ."), fields={"reason": _("Bắt buộc.")})
    if new_due is None or timezone.is_naive(new_due):
        raise InvalidInput(_("Ngày hẹn mới không hợp lệ."), fields={"new_due": _("Không hợp lệ.")})
    with transaction.atomic():
        d = _begin(d, by=by, verb="apologize")
        if d.status not in OPEN_STATUSES:
            raise Conflict(_("Hồ sơ đã kết thúc, không thể hẹn lại."))
        if _has_apology(d):
            raise Conflict(
                _("Hồ sơ đã được hẹn lại một lần; ngày hẹn chỉ được điều chỉnh một lần."), code="once"
            )
        if d.due_at is None:
            raise Conflict(_("Hồ sơ chưa có ngày hẹn trả."))
        cal = deadlines._cal(d)
        if cal.working_time_between(at, d.due_at).total_seconds() < 8 * 3600:
            raise Conflict(
                _("Văn bản xin lỗi phải được gửi chậm nhất một ngày làm việc trước hạn trả kết quả."),
                code="too_late",
            )
        if new_due <= d.due_at:
            raise InvalidInput(
                _("Ngày hẹn mới phải sau ngày hẹn cũ."), fields={"new_due": _("Không hợp lệ.")}
            )
        old = d.due_at
        letter = ApologyLetter.objects.create(
            dossier=d, reason=reason, old_due=old, new_due=new_due, issued_by=by, issued_at=at
        )
        d.original_due_at = d.original_due_at or old
        d.due_at = new_due
        d.save()
        _event(d, EventVerb.APOLOGIZE, by=by, at=at, note=reason, data={"old_due": old, "new_due": new_due})
        audit.record("dossier.apologize", by=by, obj=d, changes={"due_at": [old, new_due], "reason": reason})
        _issue_notice(
            d,
            NoticeForm.APOLOGY,
            {
                **_base_context(d),
                "agency_name": d.processing_agency.name,
                "reason": reason,
                "old_due": old,
                "new_due": new_due,
            },
            by=by,
            at=at,
        )
        _notify(
            d,
            "dossier.late_apology",
            _("Xin lỗi vì hồ sơ %(code)s chậm trả kết quả") % {"code": d.code},
            _(
                "%(agency)s xin lỗi vì hồ sơ %(code)s chưa có kết quả đúng hẹn (%(reason)s). "
                "Hẹn trả mới: %(due)s."
            )
            % {
                "agency": d.processing_agency.name,
                "code": d.code,
                "reason": reason,
                "due": timezone.localtime(new_due).strftime("%H:%M %d/%m/%Y"),
            },
        )
    return letter


def rate(d: Dossier, *, by, scores: dict, comment: str = "", now: datetime | None = None) -> Rating:
    """The applicant rates the handling after the result is returned (default 1–5 on attitude, time,
    result), once."""
    at = _now(now)
    clean_scores = {}
    for q in RATING_QUESTIONS:
        value = (scores or {}).get(q)
        if not isinstance(value, int) or isinstance(value, bool) or value not in RATING_SCALE:
            raise InvalidInput(_("Điểm đánh giá phải từ 1 đến 5."), fields={q: _("Không hợp lệ.")})
        clean_scores[q] = value
    with transaction.atomic():
        d = _lock(d)
        if by is None or not by.is_authenticated or d.applicant_user_id != by.pk:
            if permissions.can(by, "dossier.view", d):
                raise NotAllowed(_("Chỉ người nộp hồ sơ được đánh giá."))
            raise NotFound(_("Không tìm thấy hồ sơ."))
        if d.status != Status.RETURNED:
            raise Conflict(_("Chỉ đánh giá sau khi nhận kết quả."))
        if Rating.objects.filter(dossier=d).exists():
            raise Conflict(_("Hồ sơ đã được đánh giá."), code="once")
        rating = Rating.objects.create(dossier=d, scores=clean_scores, comment=clean(comment), rated_at=at)
        _event(d, EventVerb.RATE, by=by, at=at, data={"scores": clean_scores})
        audit.record("dossier.rate", by=by, obj=d, changes={"scores": clean_scores})
    return rating


# --- payments -----------------------------------------------------------------------------------


def _payment(
    d: Dossier, *, by, method: str, amount: int, reference: str, online: bool, at: datetime, gateway_status=""
):
    if method not in PaymentMethod.values:
        raise InvalidInput(_("Hình thức thanh toán không hợp lệ."), fields={"method": method})
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidInput(_("Số tiền phải là số nguyên dương (đồng)."), fields={"amount": str(amount)})
    p = Payment.objects.create(
        dossier=d,
        channel=d.channel,
        method=method,
        amount=amount,
        reference=clean(reference)[:100],
        paid_at=at,
        online=online,
        gateway_status=gateway_status,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _event(d, EventVerb.PAYMENT, by=by, at=at, data={"amount": amount, "method": method, "online": online})
    audit.record(
        "dossier.record_payment", by=by, obj=d, changes={"amount": amount, "method": method, "online": online}
    )
    return p


def record_payment(
    d: Dossier,
    *,
    by,
    method: str,
    amount: int,
    reference: str = "",
    online: bool = False,
    gateway_status: str = "",
    now: datetime | None = None,
) -> Payment:
    """Record a fee paid (integer đồng): by the one-stop officer (cash, transfer) or by the applicant
    through a payment gateway (``online=True``; see :mod:`thudo.dossiers.payments`)."""
    at = _now(now)
    with transaction.atomic():
        d = _lock(d)
        verb = "pay" if online else "record_payment"
        _check(by, verb, d)
        if d.status in (Status.REJECTED, Status.WITHDRAWN):
            raise Conflict(_("Hồ sơ đã kết thúc."))
        return _payment(
            d,
            by=by,
            method=method,
            amount=amount,
            reference=reference,
            online=online,
            at=at,
            gateway_status=gateway_status,
        )
