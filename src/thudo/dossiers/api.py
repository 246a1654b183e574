"""Dossier API at /api/v1/dossiers: submit, list, read, one POST per transition, files, public lookup.

Thin: validate, call :mod:`thudo.dossiers.actions` or :mod:`thudo.dossiers.queries`, shape the
answer. Invisible dossiers are 404; forbidden transitions 409 (``thudo.core.errors``).
"""

from datetime import datetime

from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import Form, Query, Router, Schema, Status
from ninja.pagination import paginate

from thudo.core import jsoninput
from thudo.core.api import signed_in
from thudo.core.errors import InvalidInput, NotFound
from thudo.core.models import Agency, User
from thudo.core.pagination import LimitOffsetPagination, Shaped
from thudo.core.replica import reads_from_replica
from thudo.dossiers import actions, deadlines, queries
from thudo.dossiers.models import Dossier
from thudo.dossiers.schemas import (
    ApologyIn,
    AttachmentOut,
    DossierOut,
    EventOut,
    ForwardIn,
    NoteIn,
    PauseIn,
    PaymentIn,
    PaymentOut,
    PublicOut,
    RateIn,
    RatingOut,
    ReasonIn,
    ReasonsIn,
    ResultOut,
    TransferIn,
)
from thudo.dossiers.transitions import portal_status, status_label
from thudo.procedures.queries import get_published

router = Router(tags=["dossiers"], auth=signed_in)


# --- shaping ------------------------------------------------------------------------------------


def _ref(obj) -> dict:
    return {"code": obj.code, "name": obj.name}


def _step(step) -> dict | None:
    return {"order": step.order, "name": step.name, "role": step.role} if step is not None else None


def dossier_out(d: Dossier, person, *, detail: bool = False, now: datetime | None = None) -> dict:
    owner = person is not None and d.applicant_user_id == getattr(person, "pk", None)
    return {
        "code": d.code,
        "status": d.status,
        "status_label": status_label(d),
        "portal_status": portal_status(d) if detail else None,
        "channel": d.channel,
        "procedure": _ref(d.procedure),
        "receiving_agency": _ref(d.receiving_agency),
        "processing_agency": _ref(d.processing_agency),
        "applicant_name": d.applicant_name,
        "submitted_at": d.submitted_at,
        "received_at": d.received_at,
        "clock_started_at": d.clock_started_at,
        "due_at": d.due_at,
        "original_due_at": d.original_due_at,
        "overdue": getattr(d, "overdue", None) if hasattr(d, "overdue") else deadlines.is_overdue(d, now),
        "classification": deadlines.classify(d, now) if detail else None,
        "current_step": _step(d.current_step),
        "step_due_at": d.step_due_at,
        "assignee": d.assignee.get_username() if d.assignee_id else None,
        "supplement_count": d.supplement_count,
        "finished_at": d.finished_at,
        "returned_at": d.returned_at,
        "fee_amount": d.fee_amount,
        "parent": d.parent.code if d.parent_id else None,
        "secret": d.secret if owner else None,
    }


def _get(request, code: str) -> Dossier:
    return queries.by_code(request.user, code)


def _files(request, field: str = "files") -> list:
    return request.FILES.getlist(field)


# --- submission and reads -----------------------------------------------------------------------


@router.post("", response={201: DossierOut}, summary="Submit a dossier online (multipart)")
def submit(
    request,
    procedure: Form[str],
    agency: Form[str],
    form_data: Form[str] = "{}",
    papers: Form[str] = "",
    applicant_name: Form[str] = "",
    applicant_pin: Form[str] = "",
    applicant_phone: Form[str] = "",
    applicant_email: Form[str] = "",
    applicant_address: Form[str] = "",
):
    """Fields: ``procedure`` (code), ``agency`` (code of the receiving agency), ``form_data``
    (JSON object), ``files`` (one or more), ``papers`` (optional comma-separated paper ids, in the
    order of ``files``), applicant fields (default: the signed-in person's citizen record).
    Header ``Idempotency-Key``: the same key from the same person returns the same dossier."""
    proc = get_published(procedure)
    where = Agency.objects.filter(code=agency).first()
    if where is None:
        raise InvalidInput(_("Không tìm thấy cơ quan."), fields={"agency": agency})
    data = jsoninput.parse_object(form_data or "{}", field="form_data")
    uploads = _files(request)
    paper_ids = [p.strip() for p in papers.split(",")] if papers else []
    items = [
        (paper_ids[i] if i < len(paper_ids) and paper_ids[i] else None, f) for i, f in enumerate(uploads)
    ]
    applicant = None
    if applicant_name:
        applicant = {
            "name": applicant_name,
            "pin": applicant_pin,
            "phone": applicant_phone,
            "email": applicant_email,
            "address": applicant_address,
        }
    d = actions.submit_online(
        procedure=proc,
        agency=where,
        applicant=applicant,
        form_data=data,
        files=items,
        by=request.user,
        idempotency_key=request.headers.get("Idempotency-Key") or None,
    )
    return Status(201, dossier_out(d, request.user, detail=True))


class ListFilter(Schema):
    status: str | None = None
    agency: str | None = None
    overdue: bool | None = None
    q: str | None = None


@router.get("", response=list[DossierOut], summary="Dossiers the signed-in person may see")
@paginate(LimitOffsetPagination)
def list_dossiers(request, filters: Query[ListFilter]):
    qs = deadlines.annotate_overdue(queries.filtered(request.user, **filters.dict()))
    return Shaped(qs.select_related("parent"), lambda d: dossier_out(d, request.user))


@router.get("/queues/{kind}", response=list[DossierOut], summary="A work queue, most urgent first")
@paginate(LimitOffsetPagination)
def queue(request, kind: str):
    qs = queries.queue(request.user, kind=kind).select_related("parent")
    return Shaped(qs, lambda d: dossier_out(d, request.user))


@router.get("/lookup", response=PublicOut, auth=None, summary="Public lookup by code and secret")
@reads_from_replica
def lookup(request, code: str, secret: str):
    if "\x00" in code + secret:  # no code or secret holds NUL; PostgreSQL text cannot (was a 500)
        raise NotFound(_("Mã hồ sơ hoặc mã tra cứu không đúng."))
    v = queries.public_lookup(code, secret)
    return {
        "code": v.code,
        "procedure": v.procedure.name,
        "agency": v.processing_agency.name,
        "status": v.status,
        "status_label": v.status_label,
        "submitted_at": v.submitted_at,
        "due_at": v.due_at,
        "overdue": v.overdue,
        "applicant": v.applicant_name,
        "result_available": v.result_available,
        "timeline": v.timeline,
    }


@router.get("/{code}", response=DossierOut, summary="One dossier")
def get_dossier(request, code: str):
    return dossier_out(_get(request, code), request.user, detail=True)


@router.get("/{code}/events", response=list[EventOut], summary="History (process control sheet rows)")
def events(request, code: str):
    d = _get(request, code)
    return [
        {
            "seq": e.seq,
            "verb": e.verb,
            "label": e.get_verb_display(),
            "from_status": e.from_status,
            "to_status": e.to_status,
            "step": _step(e.step),
            "by": e.by_label,
            "at": e.at,
            "note": e.note,
            "step_due_at": e.step_due_at,
            "data": e.data,
        }
        for e in queries.events(d)
    ]


def _attachment_out(a) -> dict:
    return {
        "id": a.pk,
        "kind": a.kind,
        "form": a.form,
        "name": a.original_name,
        "paper": a.paper.name if a.paper_id else None,
        "size": a.size,
        "content_type": a.content_type,
        "sha256": a.sha256,
        "digitised": a.digitised,
        "reused": a.reused_from_id is not None,
        "uploaded_at": a.uploaded_at,
    }


@router.get("/{code}/attachments", response=list[AttachmentOut], summary="Files of the dossier")
def list_attachments(request, code: str):
    return [_attachment_out(a) for a in queries.attachments(_get(request, code))]


def serve_attachment(request, code: str, attachment_id: int) -> FileResponse:
    """Download one file after the permission check (404 when the dossier is not visible)."""
    a = queries.attachment_for(request.user, code, attachment_id)
    try:
        fh = a.file.open("rb")
    except FileNotFoundError as exc:
        raise NotFound(_("Tệp không còn trên máy chủ.")) from exc
    response = FileResponse(fh, as_attachment=True, filename=a.original_name, content_type=a.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/{code}/attachments/{attachment_id}", summary="Download a file", response={200: None})
def download_attachment(request, code: str, attachment_id: int):
    return serve_attachment(request, code, attachment_id)


@router.get("/{code}/results", response=list[ResultOut], summary="Result versions")
def list_results(request, code: str):
    return [
        {
            "version": r.version,
            "sha256": r.sha256,
            "signed": r.signed,
            "signed_at": r.signed_at,
            "document_code": r.document_code,
            "supersedes": r.supersedes.version if r.supersedes_id else None,
        }
        for r in queries.results(_get(request, code)).select_related("supersedes")
    ]


# --- transitions --------------------------------------------------------------------------------


def _act(request, code: str) -> Dossier:
    """The dossier an official or the applicant is about to act on. The action checks permission
    and writes its own audit record, so no separate read record is written."""
    return queries.by_code(request.user, code, audit_read=False)


def _done(request, d: Dossier) -> dict:
    """The dossier as the action left it: its row read again (one query on the primary key), the
    related rows ``d`` (the action's copy) already holds reused while they still match."""
    return dossier_out(Dossier.objects.get(pk=d.pk).adopt_related(d), request.user, detail=True)


@router.post("/{code}/receive", response=DossierOut, summary="Receive (one-stop officer)")
def receive(request, code: str, body: NoteIn):
    return _done(request, actions.receive(_act(request, code), by=request.user, note=body.note))


@router.post("/{code}/request-supplement", response=DossierOut, summary="Request supplementary papers")
def request_supplement(request, code: str, body: ReasonsIn):
    return _done(
        request, actions.request_supplement(_act(request, code), by=request.user, reasons=body.reasons)
    )


@router.post("/{code}/supplement", response=DossierOut, summary="Send supplementary papers (multipart)")
def supplement(request, code: str, note: Form[str] = ""):
    d = actions.supplement(_act(request, code), by=request.user, files=_files(request), note=note)
    return _done(request, d)


@router.post("/{code}/reject", response=DossierOut, summary="Refuse with reasons")
def reject(request, code: str, body: ReasonsIn):
    return _done(request, actions.reject(_act(request, code), by=request.user, reasons=body.reasons))


@router.post(
    "/{code}/withdraw",
    response=DossierOut,
    summary="Withdraw before reception",
)
def withdraw(request, code: str, body: ReasonIn):
    return _done(request, actions.withdraw(_act(request, code), by=request.user, reason=body.reason))


@router.post(
    "/{code}/withdrawal-request", response=DossierOut, summary="The applicant asks to stop processing"
)
def request_withdrawal(request, code: str, body: ReasonIn):
    d = actions.request_withdrawal(_act(request, code), by=request.user, reason=body.reason)
    return _done(request, d)


@router.post(
    "/{code}/withdrawal-request/confirm",
    response=DossierOut,
    summary="The one-stop officer stops processing on the applicant's request (form 05)",
)
def confirm_withdrawal(request, code: str, body: ReasonIn):
    d = actions.confirm_withdrawal(_act(request, code), by=request.user, reason=body.reason)
    return _done(request, d)


@router.post(
    "/{code}/withdrawal-request/decline",
    response=DossierOut,
    summary="The one-stop officer declines the request to stop processing",
)
def decline_withdrawal(request, code: str, body: ReasonIn):
    d = actions.decline_withdrawal(_act(request, code), by=request.user, reason=body.reason)
    return _done(request, d)


@router.post("/{code}/pause", response=DossierOut, summary="Pause the clock (typed: what it waits for)")
def pause(request, code: str, body: PauseIn):
    d = actions.pause(_act(request, code), by=request.user, reason=body.reason, kind=body.kind)
    return _done(request, d)


@router.post("/{code}/resume", response=DossierOut, summary="Resume the clock")
def resume(request, code: str):
    return _done(request, actions.resume(_act(request, code), by=request.user))


@router.post("/{code}/forward", response=DossierOut, summary="Hand over to the next process step")
def forward(request, code: str, body: ForwardIn):
    assignee = None
    if body.assignee:
        assignee = User.objects.filter(username=body.assignee, is_active=True).first()
        if assignee is None:
            raise InvalidInput(_("Không tìm thấy người được giao."), fields={"assignee": body.assignee})
    d = actions.forward(
        _act(request, code), by=request.user, note=body.note, assignee=assignee, from_step=body.from_step
    )
    return _done(request, d)


@router.post("/{code}/transfer", response={201: DossierOut}, summary="Transfer to another agency (child)")
def transfer(request, code: str, body: TransferIn):
    to = Agency.objects.filter(code=body.to_agency).first()
    if to is None:
        raise InvalidInput(_("Không tìm thấy cơ quan."), fields={"to_agency": body.to_agency})
    procedure = None
    if body.procedure:
        procedure = get_published(body.procedure)
    child = actions.transfer(
        _act(request, code), by=request.user, to_agency=to, procedure=procedure, note=body.note
    )
    return Status(201, dossier_out(child, request.user, detail=True))


@router.post("/{code}/result", response=ResultOut, summary="Draft the result (multipart: pdf, optional)")
def attach_result(request, code: str):
    upload = request.FILES.get("pdf")
    r = actions.attach_result(_act(request, code), by=request.user, pdf=upload.read() if upload else None)
    return {
        "version": r.version,
        "sha256": r.sha256,
        "signed": r.signed,
        "signed_at": r.signed_at,
        "document_code": r.document_code,
        "supersedes": r.supersedes.version if r.supersedes_id else None,
    }


@router.post("/{code}/sign", response=DossierOut, summary="Approve and sign the result (leader)")
def sign(request, code: str):
    return _done(request, actions.approve_and_sign(_act(request, code), by=request.user))


@router.post("/{code}/return", response=DossierOut, summary="Hand over the result")
def return_result(request, code: str):
    return _done(request, actions.return_result(_act(request, code), by=request.user))


@router.post("/{code}/apologize", response=DossierOut, summary="Apology and new appointment (once)")
def apologize(request, code: str, body: ApologyIn):
    d = _act(request, code)
    actions.apologize(d, by=request.user, new_due=body.new_due, reason=body.reason)
    return _done(request, d)


@router.post("/{code}/rate", response={201: RatingOut}, summary="Rate the handling (applicant, after return)")
def rate(request, code: str, body: RateIn):
    r = actions.rate(_act(request, code), by=request.user, scores=body.scores, comment=body.comment)
    return Status(201, {"scores": r.scores, "comment": r.comment})


@router.post("/{code}/payments", response={201: PaymentOut}, summary="Record a payment / pay online")
def pay(request, code: str, body: PaymentIn):
    """``online``: the applicant pays through the gateway; otherwise the one-stop officer records a
    counter payment. The amount is always the fee still owed, computed by the server; ``amount`` is
    optional and, when given, must equal it (422 ``amount_mismatch``)."""
    d = _act(request, code)
    if body.online:
        p = actions.pay_online(d, by=request.user, amount=body.amount)
    else:
        p = actions.record_payment(
            d, by=request.user, method=body.method, amount=body.amount, reference=body.reference
        )
    return Status(
        201,
        {
            "method": p.method,
            "amount": p.amount,
            "reference": p.reference,
            "paid_at": p.paid_at,
            "online": p.online,
        },
    )
