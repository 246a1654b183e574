"""Results: drafts, the leader's signature, return of the result, apology (form 04) and the
applicant's rating."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from thudo.core import audit, permissions
from thudo.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from thudo.core.text import clean
from thudo.dossiers import deadlines, files
from thudo.dossiers.actions._common import (
    _base_context,
    _begin,
    _delete_after_commit,
    _delete_files,
    _event,
    _finish,
    _has_apology,
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
    OPEN_STATUSES,
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

RATING_QUESTIONS = ("attitude", "time", "result")


RATING_SCALE = range(1, 6)
logger = logging.getLogger(__name__)


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
    replaced = result.file.name if result.pk else ""
    result.created_by = by
    result.sha256 = upload.sha256
    result.file.save("ket-qua.pdf", files.as_content(upload), save=False)
    saved.append(result.file.name)
    result.save()
    _delete_after_commit([replaced])
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
                _delete_after_commit([draft_name])  # the unsigned draft goes with the signature
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
