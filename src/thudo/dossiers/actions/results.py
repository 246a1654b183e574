"""Results: drafts, the leader's signature, return of the result, apology (form 04) and the
applicant's rating."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from thudo.core import audit, permissions, stored
from thudo.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from thudo.core.text import clean
from thudo.dossiers import deadlines, files
from thudo.dossiers.actions._common import (
    _base_context,
    _begin,
    _event,
    _finish,
    _issue_notice,
    _label,
    _lock,
    _move,
    _notify,
    _now,
    _plain_pdf,
    _render,
)
from thudo.dossiers.actions.transfers import _parent_back
from thudo.dossiers.models import (
    ApologyLetter,
    Attachment,
    AttachmentKind,
    Dossier,
    EventVerb,
    NoticeForm,
    Rating,
    ResultDocument,
    Status,
)
from thudo.procedures.models import ResultType
from thudo.signing.actions import register_issued, sign_pdf

RATING_QUESTIONS = ("attitude", "time", "result")


RATING_SCALE = range(1, 6)


def _next_version(d: Dossier) -> int:
    return (d.results.aggregate(m=Max("version"))["m"] or 0) + 1


def build_result_context(d: Dossier, *, signer=None) -> dict[str, Any]:
    """A generic result document for procedures without their own template (in Vietnamese)."""
    with translation.override("vi"):
        return _result_context(d, signer=signer)


#: Keys of ``form_data`` that are not the applicant's answers.
_NOT_ANSWERS = frozenset({"demo", "eform"})


def _fact_text(value: Any) -> str:
    """An answer as printed: ISO dates as dd/mm/yyyy, lists joined, the rest as text."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y") if len(value) == 10 else value
        except ValueError:
            return value
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, list | tuple):
        return ", ".join(_fact_text(v) for v in value)
    if isinstance(value, int | float):
        return number_format(value, use_l10n=True)
    return str(value)


def result_facts(d: Dossier) -> list[tuple[str, str]]:
    """What the applicant declared, as (label, value) rows for the result: the answers of the
    procedure's e-form (``form_data["eform"]``, labelled and ordered by the procedure's
    ``eform_schema`` when it has one), else the plain keys of ``form_data``."""
    data = d.form_data if isinstance(d.form_data, dict) else {}
    answers = data["eform"] if isinstance(data.get("eform"), dict) else data
    schema = getattr(d.procedure, "eform_schema", None) or []
    labels = {f["name"]: f.get("label") or f["name"] for f in schema if isinstance(f, dict) and "name" in f}
    keys = [k for k in labels if k in answers] + [k for k in answers if k not in labels]
    return [
        (labels.get(k) or k.replace("_", " ").capitalize(), _fact_text(answers[k]))
        for k in keys
        if k not in _NOT_ANSWERS and answers[k] not in (None, "", [], {})
    ]


def _result_context(d: Dossier, *, signer=None) -> dict[str, Any]:
    facts = result_facts(d)
    values = {"code": d.code, "name": d.applicant_name, "agency": d.processing_agency.name}
    values["proc"] = d.procedure.name
    paragraphs = [_("Căn cứ hồ sơ %(code)s của %(name)s,") % values]
    if facts:
        paragraphs.append(_("%(agency)s giải quyết yêu cầu %(proc)s với nội dung sau:") % values)
    else:
        paragraphs.append(_("%(agency)s giải quyết yêu cầu: %(proc)s.") % values)
    return {
        **_base_context(d),
        "agency_name": d.processing_agency.name,
        "title": (d.procedure.result_name or d.procedure.name).upper(),
        "subtitle": d.procedure.name,
        "paragraphs": paragraphs,
        "facts": facts,
        "signer_title": _("LÃNH ĐẠO"),
        # A draft is signed by whichever leader approves it: their name, title and the signing
        # time are printed in the signature block when they sign (signing.actions.sign_pdf).
        "signer_name": _label(signer),
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
        stored.delete_files(saved)
        raise
    return result


def _draft(d: Dossier, upload: files.CleanUpload, *, by, at: datetime, saved: list) -> ResultDocument:
    latest = d.results.order_by("-version").first()
    if latest is not None and not latest.signed:
        result = latest
    else:
        result = ResultDocument(dossier=d, version=_next_version(d), supersedes=latest, created_at=at)
    replaced = result.file.name if result.pk else ""
    result.created_by = by
    result.sha256 = upload.sha256
    result.file.save("ket-qua.pdf", files.as_content(upload), save=False)
    saved.append(result.file.name)
    result.save()
    stored.delete_after_commit([replaced])
    return result


def _sign(pdf: bytes, *, signer, reason: str, pin: str | None = None) -> bytes:
    return sign_pdf(pdf, signer=signer, reason=reason, pin=pin)


def draft_to_sign(d: Dossier, *, by) -> bytes | None:
    """The PDF the leader ``by`` is asked to sign: the unsigned draft, or (for a procedure whose
    result is a document and that has none yet) the result :func:`approve_and_sign` would
    render; ``None`` when there is nothing to sign (a result that is not a document)."""
    result = d.results.order_by("-version").first()
    if result is not None and not result.signed:
        with result.file.open("rb") as fh:
            return fh.read()
    if d.procedure.result_type != ResultType.DOCUMENT:
        return None
    return _rendered_result(d, by=by)


def _rendered_result(d: Dossier, *, by) -> bytes:
    """The result the platform renders for ``by`` to sign (a titled blank page when papers are
    not rendered, e.g. bulk demo data)."""
    return _render("result", build_result_context(d, signer=by)) or _plain_pdf(
        f"{d.procedure.result_name or d.procedure.name} — {d.code}"
    )


def approve_and_sign(d: Dossier, *, by, pin: str | None = None, now: datetime | None = None) -> Dossier:
    """The leader approves and signs the result (PAdES, Decree 30/2020/NĐ-CP); it is registered as
    issued (so the verification page recognises it) and kept as the dossier's electronic result;
    the dossier is result_ready (its processing ends now, for the timeliness classification)."""
    at = _now(now)
    saved: list[str] = []
    try:
        with transaction.atomic():
            d = _begin(d, by=by, verb="sign", to=Status.RESULT_READY)
            result = d.results.order_by("-version").first()
            needs_document = d.procedure.result_type == ResultType.DOCUMENT
            if needs_document and (result is None or result.signed):
                data = _rendered_result(d, by=by)
                result = _draft(d, files.pdf_upload(data, "ket-qua.pdf"), by=by, at=at, saved=saved)
            if result is not None and not result.signed:
                with result.file.open("rb") as fh:
                    unsigned = fh.read()
                signed = _sign(
                    unsigned,
                    signer=by,
                    reason=_("Phê duyệt kết quả hồ sơ %(code)s") % {"code": d.code},
                    pin=pin,
                )
                upload = files.pdf_upload(signed, f"Kết quả {d.code}.pdf")
                draft_name = result.file.name
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
                stored.delete_after_commit([draft_name])  # the unsigned draft goes with the signature
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
        stored.delete_files(saved)
        raise
    return d


def _register_issued(pdf: bytes, *, result: ResultDocument, d: Dossier) -> None:
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
        d = _begin(d, by=by, verb="apologize")  # received, open, not apologised yet (transitions)
        if not deadlines.calendar(d).at_least_working_days_before(at, d.due_at, days=1):
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
