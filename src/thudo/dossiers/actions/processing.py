"""Processing (giải quyết): hand-over between the steps of the internal process, pauses, refusal
and withdrawal."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thudo.core import permissions
from thudo.core.errors import Conflict, InvalidInput
from thudo.core.text import clean
from thudo.dossiers import deadlines
from thudo.dossiers.actions._common import (
    _base_context,
    _begin,
    _finish,
    _issue_notice,
    _label,
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
    Status,
)
from thudo.procedures.models import ProcessStep


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
