"""Intake (tiếp nhận): online submission, registration at the counter, reception by the one-stop
officer, supplement requests and supplements."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from thudo.core import audit, jsoninput, permissions, stored
from thudo.core.errors import InvalidInput, NotAllowed, NotFound
from thudo.core.text import clean
from thudo.dossiers import codes, deadlines, files
from thudo.dossiers.actions import papers as paper_rules
from thudo.dossiers.actions._common import (
    _base_context,
    _begin,
    _duration_text,
    _event,
    _issue_notice,
    _label,
    _lock_probe,
    _move,
    _notify,
    _now,
    _reasons_list,
    _store_attachment,
)
from thudo.dossiers.actions.payments import _payment
from thudo.dossiers.models import (
    Attachment,
    AttachmentKind,
    Dossier,
    DossierChannel,
    EventVerb,
    NoticeForm,
    PaymentMethod,
    Status,
)
from thudo.dossiers.transitions import assert_can_move
from thudo.identity.pins import validate_pin
from thudo.procedures.models import Status as ProcedureStatus
from thudo.procedures.queries import agencies_offering, fee_for, process_for


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
        validate_pin(out["applicant_pin"])
    return out


def _row_id(value) -> int | None:
    """A row id given by a client (``"12"``, ``12``), or None when it cannot be one: not a whole
    number, or outside the database's id range (which SQLite and PostgreSQL would refuse)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


def _paper_of(procedure, paper):
    if paper is None or paper == "":
        return None
    if not hasattr(paper, "pk"):
        pk = _row_id(paper)
        found = procedure.papers.filter(pk=pk).first() if pk else None
    else:
        found = paper if paper.procedure_id == procedure.pk else None
    if found is None:
        raise InvalidInput(_("Thành phần hồ sơ không thuộc thủ tục này."), fields={"files": str(paper)})
    return found


def _prepare_files(
    procedure, items, *, by, check_mandatory: bool, not_asked: set[int] | frozenset[int] = frozenset()
) -> list[tuple[Any, Any]]:
    """Validate every file before anything is stored: ``[(paper|None, CleanUpload|Attachment)]``.

    Items: an uploaded file (or bytes), ``(paper, file)``, ``{"paper": ..., "file": ...}`` or
    ``{"paper": ..., "reuse": Attachment}`` (a paper or result of an earlier dossier of the same
    applicant: re-use of digitised data); or a dict ``{paper id: [file or attachment id, ...]}``.
    Files without a paper fill the mandatory papers in order. Papers in ``not_asked`` need no
    file (:func:`.papers.not_asked`: read from the population database, or given as an e-form).
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
                pk = _row_id(reuse)
                reuse = Attachment.objects.select_related("dossier").filter(pk=pk).first() if pk else None
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
        covered = {p.pk for p, _x in prepared if p is not None}
        missing = paper_rules.missing(procedure.papers.all(), covered=covered, not_asked=not_asked)
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


def _new_dossier(
    *, procedure, agency, applicant, form_data, by, channel: str, at: datetime, key=None
) -> Dossier:
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
        form_data=jsoninput.check_object(form_data or {}, field="form_data"),
        idempotency_key=key,
        **_applicant(applicant, by),
    )
    return d


def _fee(procedure, channel: str, at: datetime) -> int:
    return int(fee_for(procedure, channel, on=timezone.localdate(at)))


def _fingerprint(procedure, agency, applicant, form_data, prepared) -> str:
    """SHA-256 of the submission in canonical form (sorted keys, files by content): what an
    ``Idempotency-Key`` is bound to."""
    body = {
        "procedure": [procedure.code, procedure.version],
        "agency": agency.code,
        "applicant": applicant,
        "form_data": form_data or {},
        "files": [
            [
                paper.pk if paper is not None else None,
                f"reuse:{item.pk}" if isinstance(item, Attachment) else item.sha256,
            ]
            for paper, item in prepared
        ],
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replayed(existing: Dossier, fingerprint: str) -> Dossier:
    """The dossier a replayed key made, when the body is the same (Stripe's rule); 422 otherwise.
    A dossier stored before fingerprints were kept has none: it is returned as before."""
    if existing.idempotency_fingerprint and existing.idempotency_fingerprint != fingerprint:
        raise InvalidInput(
            _("Khóa Idempotency-Key này đã được dùng cho một yêu cầu nộp hồ sơ khác; dùng khóa mới."),
            code="idempotency_key_reused",
            fields={"Idempotency-Key": _("Đã dùng cho một yêu cầu khác.")},
        )
    return existing


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
    dossier (a retried request never creates a second one). A verified citizen is not asked for
    the papers the population database holds, and the e-form answers (``form_data["eform"]``,
    checked against the procedure's schema) stand for the declaration (:mod:`.papers`).
    """
    if by is None or not by.is_authenticated:
        raise NotAllowed(_("Cần đăng nhập để nộp hồ sơ trực tuyến."))
    at = _now(now)
    key = f"{by.pk}:{idempotency_key}"[:100] if idempotency_key else None
    form_data = paper_rules.clean_form_data(procedure, form_data)
    not_asked = paper_rules.not_asked(procedure, by=by, form_data=form_data)
    prepared = _prepare_files(procedure, files, by=by, check_mandatory=True, not_asked=not_asked)
    if not_asked:
        form_data["not_asked"] = sorted(not_asked)
    fingerprint = _fingerprint(procedure, agency, applicant, form_data, prepared) if key else ""
    if key:
        existing = Dossier.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _replayed(existing, fingerprint)
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
            d.idempotency_fingerprint = fingerprint
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
        stored.delete_files(saved)
        if key:
            existing = Dossier.objects.filter(idempotency_key=key).first()
            if existing is not None:
                return _replayed(existing, fingerprint)
        raise
    except BaseException:
        stored.delete_files(saved)
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
        stored.delete_files(saved)
        raise
    return d


def _arrived_complete(d: Dossier) -> datetime:
    """When the complete dossier arrived online: its submission, or the applicant's last
    completion after an intake completeness request."""
    if not d.completion_requests:
        return d.submitted_at
    last = d.events.filter(verb=EventVerb.COMPLETE).aggregate(m=Max("at"))["m"]
    return last or d.submitted_at


def _receive(d: Dossier, *, by, at: datetime, note: str) -> None:
    clock_from = _arrived_complete(d) if d.channel == DossierChannel.ONLINE else at
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
        d = _begin(d, by=by, verb="receive", to=Status.PROCESSING)
        _receive(d, by=by, at=at, note=clean(note))
    return d


def request_supplement(d: Dossier, *, by, reasons, now: datetime | None = None) -> Dossier:
    """Ask the applicant to add or correct papers (form 02). Two different requests (domain-rules §3):

    - before reception (``submitted``): an intake completeness request — no clock runs yet; when the
      applicant completes the dossier it goes back to the one-stop officer to be received (receipt,
      form 01). Counted in ``completion_requests``.
    - while processing: a supplement request — the clock stops until the applicant supplements; more
      than one makes the dossier count as late (Decision 766/QĐ-TTg, indicator 2.1). Counted in
      ``supplement_count``.
    """
    at = _now(now)
    items = _reasons_list(reasons)
    with transaction.atomic():
        d = _begin(d, by=by, verb="request_supplement", to=Status.SUPPLEMENT_REQUESTED)
        if d.received_at is None:
            d.completion_requests += 1
            verb, key = EventVerb.REQUEST_COMPLETION, f"intake{d.completion_requests}"
        else:
            d.supplement_count += 1
            verb, key = EventVerb.REQUEST_SUPPLEMENT, str(d.supplement_count)
        d.paused_since = at
        _move(d, Status.SUPPLEMENT_REQUESTED, verb, by=by, at=at, data={"reasons": items})
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
            key_suffix=key,
        )
    return d


def supplement(d: Dossier, *, by, files: list, note: str = "", now: datetime | None = None) -> Dossier:
    """The applicant sends the requested papers.

    After an intake completeness request the dossier is complete again and goes back to the one-stop
    officer (``submitted``; the provisional appointment counts from now); the clock starts when they
    receive it. After a supplement request during processing, processing resumes: under the "pause"
    policy the paused working time is added back to the due moment; under "restart" the full
    duration runs again from the supplement's receipt."""
    at = _now(now)
    locked_probe = _lock_probe(d)
    prepared = _prepare_files(locked_probe.procedure, files, by=by, check_mandatory=False)
    if not prepared:
        raise InvalidInput(_("Cần đính kèm giấy tờ bổ sung."), fields={"files": _("Bắt buộc.")})
    saved: list[str] = []
    try:
        with transaction.atomic():
            d = _begin(d, by=by, verb="supplement")
            intake = d.received_at is None
            to = Status.SUBMITTED if intake else Status.PROCESSING
            assert_can_move(d.status, to)
            _attach_all(d, prepared, kind=AttachmentKind.SUPPLEMENT, by=by, at=at, saved=saved)
            if intake:
                deadlines.start_clock(d, at)  # provisional, confirmed at reception
            else:
                policy = d.process.supplement_policy if d.process_id else "pause"
                if policy == "restart":
                    d.paused_since = None
                    d.clock_started_at = deadlines.clock_start(d, at)
                    d.due_at = deadlines.due_from(d, d.clock_started_at)
                    if not deadlines.has_apology(d):
                        d.original_due_at = d.due_at
                    d.step_due_at = deadlines.step_due(d, d.current_step)
                else:
                    deadlines.add_back_pause(d, at)
            d.paused_since = None
            _move(
                d,
                to,
                EventVerb.COMPLETE if intake else EventVerb.SUPPLEMENT,
                by=by,
                at=at,
                note=clean(note),
                data={"files": len(prepared), "due_at": d.due_at},
            )
    except BaseException:
        stored.delete_files(saved)
        raise
    return d
