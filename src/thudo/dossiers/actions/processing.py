"""Processing (giải quyết): hand-over between the steps of the internal process, typed pauses,
refusal, and withdrawal or the stop of processing at the applicant's request."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thudo.core import audit, permissions
from thudo.core.errors import Conflict, InvalidInput
from thudo.core.text import clean
from thudo.dossiers import deadlines
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
    _reasons_list,
)
from thudo.dossiers.actions.transfers import _parent_back
from thudo.dossiers.models import (
    Dossier,
    EventVerb,
    NoticeForm,
    PauseKind,
    Status,
)
from thudo.dossiers.transitions import holds_step, process_steps


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


_BEFORE_RECEPTION = (Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED)
_STOPPABLE = (Status.PROCESSING, Status.PAUSED, Status.TRANSFERRED)


def request_withdrawal(d: Dossier, *, by, reason: str, now: datetime | None = None) -> Dossier:
    """The applicant asks to stop the processing of a received dossier (đề nghị dừng giải quyết,
    Decree 118/2025/NĐ-CP, Art. 21). Nothing stops yet: the one-stop officer checks where the
    dossier stands and confirms (:func:`confirm_withdrawal`) or declines (:func:`decline_withdrawal`)."""
    at = _now(now)
    reason = clean(reason)
    if not reason:
        raise InvalidInput(_("Cần nêu lý do đề nghị dừng giải quyết."), fields={"reason": _("Bắt buộc.")})
    with transaction.atomic():
        d = _lock(d)
        if d.status in _BEFORE_RECEPTION and permissions.can(by, "dossier.request_withdrawal", d):
            raise Conflict(
                _("Hồ sơ chưa được tiếp nhận: bạn có thể rút hồ sơ ngay, không cần đề nghị."),
                code="withdraw_directly",
            )
        d = _begin(d, by=by, verb="request_withdrawal")
        d.withdrawal_requested_at = at
        d.withdrawal_reason = reason
        d.save(update_fields=["withdrawal_requested_at", "withdrawal_reason", "updated_at"])
        _event(d, EventVerb.REQUEST_WITHDRAWAL, by=by, at=at, note=reason)
        audit.record("dossier.request_withdrawal", by=by, obj=d, changes={"reason": reason})
        _notify(
            d,
            "dossier.withdrawal_requested",
            _("Đã gửi đề nghị dừng giải quyết hồ sơ %(code)s") % {"code": d.code},
            _("Bộ phận một cửa sẽ kiểm tra và thông báo việc dừng giải quyết hồ sơ %(code)s.")
            % {"code": d.code},
        )
    return d


def withdraw(d: Dossier, *, by, reason: str = "", now: datetime | None = None) -> Dossier:
    """The applicant withdraws a dossier not yet received (submitted, or waiting for an intake
    completion), or the one-stop officer records their wish; a notice that processing stops is
    issued (form 05; national portal: 7 withdrawn). A received dossier is stopped only through
    :func:`request_withdrawal` and :func:`confirm_withdrawal`."""
    at = _now(now)
    with transaction.atomic():
        d = _lock(d)
        if (
            d.status in _STOPPABLE
            and not permissions.can(by, "dossier.confirm_withdrawal", d)
            and permissions.can(by, "dossier.request_withdrawal", d)
        ):
            raise Conflict(
                _("Hồ sơ đã được tiếp nhận: hãy gửi đề nghị dừng giải quyết; bộ phận một cửa sẽ xác nhận."),
                code="request_needed",
            )
        d = _begin(d, by=by, verb="withdraw", to=Status.WITHDRAWN)
        _stop(d, by=by, at=at, reason=clean(reason), requested_at=at)
    return d


def confirm_withdrawal(d: Dossier, *, by, reason: str = "", now: datetime | None = None) -> Dossier:
    """The one-stop officer stops a received dossier on the applicant's pending request (Decree
    118/2025/NĐ-CP, Art. 21): form 05 is issued and the applicant told (portal: 8 processing
    stopped)."""
    at = _now(now)
    with transaction.atomic():
        d = _begin(d, by=by, verb="confirm_withdrawal", to=Status.WITHDRAWN)
        requested_at = d.withdrawal_requested_at
        _stop(d, by=by, at=at, reason=clean(reason) or d.withdrawal_reason, requested_at=requested_at)
        _notify(
            d,
            "dossier.stopped",
            _("Hồ sơ %(code)s đã dừng giải quyết") % {"code": d.code},
            _("Theo đề nghị của bạn, hồ sơ %(code)s đã dừng giải quyết.") % {"code": d.code},
        )
    return d


def _stop(d: Dossier, *, by, at: datetime, reason: str, requested_at: datetime | None) -> None:
    _finish(d, at)
    d.paused_since = None
    _move(d, Status.WITHDRAWN, EventVerb.WITHDRAW, by=by, at=at, note=reason)
    _issue_notice(
        d,
        NoticeForm.STOP_NOTICE,
        {
            **_base_context(d),
            "reason": reason or gettext_lazy("Theo đề nghị của người nộp hồ sơ."),
            "requested_at": requested_at or at,
        },
        by=by,
        at=at,
    )
    _parent_back(d, by=by, at=at)


def decline_withdrawal(d: Dossier, *, by, reason: str, now: datetime | None = None) -> Dossier:
    """The one-stop officer declines the applicant's request to stop processing, with a reason
    (e.g. the result is already being signed); processing goes on and the applicant is told."""
    at = _now(now)
    reason = clean(reason)
    if not reason:
        raise InvalidInput(_("Cần nêu lý do."), fields={"reason": _("Bắt buộc.")})
    with transaction.atomic():
        d = _begin(d, by=by, verb="decline_withdrawal")
        d.withdrawal_requested_at = None
        d.withdrawal_reason = ""
        d.save(update_fields=["withdrawal_requested_at", "withdrawal_reason", "updated_at"])
        _event(d, EventVerb.DECLINE_WITHDRAWAL, by=by, at=at, note=reason)
        audit.record("dossier.decline_withdrawal", by=by, obj=d, changes={"reason": reason})
        _notify(
            d,
            "dossier.withdrawal_declined",
            _("Hồ sơ %(code)s tiếp tục được giải quyết") % {"code": d.code},
            _("Đề nghị dừng giải quyết hồ sơ %(code)s không được chấp nhận: %(reason)s")
            % {"code": d.code, "reason": reason},
            key_suffix=str(at.timestamp()),
        )
    return d


def pause(d: Dossier, *, by, reason: str, kind: str | None = None, now: datetime | None = None) -> Dossier:
    """Stop the clock, saying what the dossier waits for (:class:`PauseKind`): a financial
    obligation of the applicant, an inspection, or another body's opinion. Each kind is shown to
    the applicant as its own status and maps to its own national-portal code."""
    at = _now(now)
    reason = clean(reason)
    errors = {}
    if not reason:
        errors["reason"] = _("Bắt buộc.")
    if kind not in PauseKind.values:
        errors["kind"] = _("Chọn một trong: %(kinds)s.") % {"kinds": ", ".join(PauseKind.values)}
    if errors:
        raise InvalidInput(_("Cần nêu loại và lý do tạm dừng."), fields=errors)
    with transaction.atomic():
        d = _begin(d, by=by, verb="pause", to=Status.PAUSED)
        d.paused_since = at
        d.pause_kind = kind
        _move(d, Status.PAUSED, EventVerb.PAUSE, by=by, at=at, note=reason, data={"kind": kind})
    return d


def resume(d: Dossier, *, by, now: datetime | None = None) -> Dossier:
    """Restart the clock; the paused working time is added to the due moment."""
    at = _now(now)
    with transaction.atomic():
        d = _begin(d, by=by, verb="resume", to=Status.PROCESSING)
        delta = deadlines.add_back_pause(d, at)
        d.pause_kind = ""
        _move(
            d,
            Status.PROCESSING,
            EventVerb.RESUME,
            by=by,
            at=at,
            data={"added": delta.total_seconds(), "due_at": d.due_at},
        )
    return d


def _check_assignee(d: Dossier, step, assignee) -> None:
    if assignee is None or holds_step(assignee, d, step):
        return
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

    Only a holder of the current step's role hands it on (:func:`transitions.refusal`); the leader's
    signing step ends with ``approve_and_sign``, not here. ``assignee`` (optional) must hold the next
    step's role where it is done. ``from_step`` (optional, the step order the caller saw) turns a
    concurrent double hand-over into Conflict.
    """
    at = _now(now)
    with transaction.atomic():
        d = _begin(d, by=by, verb="forward", to=Status.PROCESSING, seen_step=from_step)
        current = d.current_step
        if d.process_id is None or current is None:
            raise Conflict(_("Hồ sơ không có quy trình nội bộ để chuyển bước."))
        steps = process_steps(d)
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
