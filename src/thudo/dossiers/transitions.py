"""The one table of allowed dossier moves (domain-rules §3; Decree 118/2025/NĐ-CP, one-stop mechanism),
the verbs that make them, the step-role rule of the internal process, and the mapping to the
national public-service portal's status codes.

Every action checks its verb with :func:`refusal` (state, then the step of the internal process)
and its move with :func:`assert_can_move`; pages ask :func:`refusal` too to decide which buttons to
show. Nothing else decides which move is legal or who may act on the current step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from thudo.core import permissions
from thudo.core.errors import Conflict, DomainError, NotAllowed
from thudo.dossiers.deadlines import has_apology
from thudo.dossiers.models import OPEN_STATUSES, PauseKind, Status
from thudo.procedures.models import ProcessStep, StepRole

S = Status

TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.REJECTED, S.WITHDRAWN}),
    S.PROCESSING: frozenset(
        {
            S.PROCESSING,
            S.SUPPLEMENT_REQUESTED,
            S.PAUSED,
            S.TRANSFERRED,
            S.RESULT_READY,
            S.REJECTED,
            S.WITHDRAWN,
        }
    ),
    # Back to "submitted" after an intake completeness request (nobody has received it yet).
    S.SUPPLEMENT_REQUESTED: frozenset({S.SUBMITTED, S.PROCESSING, S.WITHDRAWN, S.REJECTED}),
    S.PAUSED: frozenset({S.PROCESSING, S.WITHDRAWN}),
    S.TRANSFERRED: frozenset({S.PROCESSING}),
    S.RESULT_READY: frozenset({S.RETURNED}),
    S.RETURNED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
"""state → the states it may move to. ``returned``, ``rejected`` and ``withdrawn`` are terminal.
A dossier in processing (or paused) reaches ``withdrawn`` only when the one-stop officer confirms
the applicant's request to stop processing (Decree 118/2025/NĐ-CP, Art. 21): the action checks it."""

# National public-service portal status codes (đồng bộ trạng thái hồ sơ với Cổng DVC quốc gia):
# 1 newly submitted, 2 received, 3 not received, 4 processing, 5 supplement requested,
# 6 financial obligation requested, 7 withdrawn by applicant, 8 processing stopped,
# 9 processing finished, 10 result returned.
PORTAL_NEW = 1
PORTAL_RECEIVED = 2
PORTAL_NOT_RECEIVED = 3
PORTAL_PROCESSING = 4
PORTAL_SUPPLEMENT = 5
PORTAL_FINANCIAL = 6
PORTAL_WITHDRAWN = 7
PORTAL_STOPPED = 8
PORTAL_FINISHED = 9
PORTAL_RETURNED = 10

PORTAL_STATUS: dict[str, int] = {
    S.SUBMITTED: PORTAL_NEW,
    S.PROCESSING: PORTAL_PROCESSING,
    S.SUPPLEMENT_REQUESTED: PORTAL_SUPPLEMENT,
    S.PAUSED: PORTAL_FINANCIAL,
    S.TRANSFERRED: PORTAL_PROCESSING,
    S.RESULT_READY: PORTAL_FINISHED,
    S.RETURNED: PORTAL_RETURNED,
    S.REJECTED: PORTAL_NOT_RECEIVED,
    S.WITHDRAWN: PORTAL_WITHDRAWN,
}


def portal_status(dossier) -> int:
    """The national portal code of a dossier, refined by what the state alone does not say.

    A dossier just accepted (processing at its first step, no hand-over yet) is "2 received"; a
    rejection after acceptance, or a withdrawal confirmed while processing, is "8 processing
    stopped" rather than "3 not received" / "7 withdrawn"; only a pause for a financial obligation
    is "6" — a pause for an inspection or another body's opinion is still "4 processing".
    """
    status = dossier.status
    if status == S.PROCESSING and dossier.received_at and not dossier.events.filter(verb="forward").exists():
        return PORTAL_RECEIVED
    if status in (S.REJECTED, S.WITHDRAWN) and dossier.received_at:
        return PORTAL_STOPPED
    if status == S.PAUSED and dossier.pause_kind != PauseKind.FINANCIAL:
        return PORTAL_PROCESSING
    return PORTAL_STATUS[status]


def status_label(dossier) -> str:
    """The state as the applicant and officers read it: a pause says what it waits for, and a
    pending request to stop processing is shown next to the state."""
    if dossier.status == S.PAUSED and dossier.pause_kind:
        label = PauseKind(dossier.pause_kind).label
    else:
        label = Status(dossier.status).label
    if dossier.withdrawal_requested_at and dossier.status in (S.PROCESSING, S.PAUSED, S.TRANSFERRED):
        return _("%(status)s — đã đề nghị dừng giải quyết") % {"status": label}
    return str(label)


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def assert_can_move(from_status: str, to_status: str) -> None:
    """Raise :class:`Conflict` (409) unless the table allows ``from_status → to_status``."""
    if not can_move(from_status, to_status):
        labels = dict(Status.choices)
        raise Conflict(
            _("Không thể chuyển hồ sơ từ trạng thái “%(a)s” sang “%(b)s”.")
            % {"a": labels.get(from_status, from_status), "b": labels.get(to_status, to_status)},
            code="invalid_transition",
        )


# --- verbs: which states each verb acts from, and the step of the internal process -----------------


def _received(d) -> bool:
    return d.received_at is not None


def _apology_refusal(d) -> DomainError | None:
    """Form 04 moves an appointment, which exists once the dossier is received; only once."""
    if not _received(d) or d.due_at is None:
        return Conflict(_("Hồ sơ chưa được tiếp nhận nên chưa có ngày hẹn trả."))
    if has_apology(d):
        return Conflict(
            _("Hồ sơ đã được hẹn lại một lần; ngày hẹn chỉ được điều chỉnh một lần."), code="once"
        )
    return None


@dataclass(frozen=True)
class Verb:
    """What a verb needs: the states it acts from, the states it leads to (empty: the state stays),
    whether it acts on the current step of the internal process (``step``), and a condition on the
    dossier beyond its state (``when``: the refusal, or ``None`` when it holds)."""

    sources: frozenset[str]
    targets: frozenset[str] = frozenset()
    step: bool = False
    when: Callable[..., DomainError | None] | None = None


_RECEIVED_OPEN = frozenset({S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.PAUSED, S.TRANSFERRED})
_STOPPABLE = frozenset({S.PROCESSING, S.PAUSED, S.TRANSFERRED})


def _no_pending_request(d) -> DomainError | None:
    if d.withdrawal_requested_at is not None:
        return Conflict(_("Đã có đề nghị dừng giải quyết đang chờ xác nhận."), code="pending")
    return None


def _pending_request(d) -> DomainError | None:
    """Decree 118/2025/NĐ-CP, Art. 21: the desk stops a received dossier only on the applicant's
    request (:func:`thudo.dossiers.actions.request_withdrawal`)."""
    if d.withdrawal_requested_at is None:
        return Conflict(
            _("Chỉ dừng giải quyết khi người nộp hồ sơ có đề nghị dừng giải quyết."), code="no_request"
        )
    return None


VERBS: dict[str, Verb] = {
    "receive": Verb(frozenset({S.SUBMITTED}), frozenset({S.PROCESSING})),
    "request_supplement": Verb(frozenset({S.SUBMITTED, S.PROCESSING}), frozenset({S.SUPPLEMENT_REQUESTED})),
    # An intake completeness request returns the dossier to reception; a processing one to processing.
    "supplement": Verb(frozenset({S.SUPPLEMENT_REQUESTED}), frozenset({S.SUBMITTED, S.PROCESSING})),
    "reject": Verb(frozenset({S.SUBMITTED, S.PROCESSING, S.SUPPLEMENT_REQUESTED}), frozenset({S.REJECTED})),
    "withdraw": Verb(frozenset({S.SUBMITTED, S.SUPPLEMENT_REQUESTED}), frozenset({S.WITHDRAWN})),
    # After reception the applicant only asks to stop; the one-stop desk confirms or declines.
    "request_withdrawal": Verb(_STOPPABLE, when=_no_pending_request),
    "confirm_withdrawal": Verb(
        frozenset({S.PROCESSING, S.PAUSED}), frozenset({S.WITHDRAWN}), when=_pending_request
    ),
    "decline_withdrawal": Verb(_STOPPABLE, when=_pending_request),
    "pause": Verb(frozenset({S.PROCESSING}), frozenset({S.PAUSED})),
    "resume": Verb(frozenset({S.PAUSED}), frozenset({S.PROCESSING})),
    "forward": Verb(frozenset({S.PROCESSING}), frozenset({S.PROCESSING}), step=True),
    "transfer": Verb(frozenset({S.PROCESSING}), frozenset({S.TRANSFERRED}), step=True),
    # A draft while processing is the current step's work; after signing, a correction (new version).
    "draft_result": Verb(frozenset({S.PROCESSING, S.RESULT_READY}), step=True),
    "sign": Verb(frozenset({S.PROCESSING}), frozenset({S.RESULT_READY}), step=True),
    "return_result": Verb(frozenset({S.RESULT_READY}), frozenset({S.RETURNED})),
    "apologize": Verb(_RECEIVED_OPEN, when=_apology_refusal),
    "record_payment": Verb(frozenset({*OPEN_STATUSES, S.RESULT_READY})),
    "pay": Verb(frozenset({*OPEN_STATUSES, S.RESULT_READY})),
    "rate": Verb(frozenset({S.RETURNED})),
}
"""verb (as in the permission ``dossier.<verb>``) → what it needs. The moves it makes are in
:data:`TRANSITIONS`; a verb whose ``targets`` are empty leaves the state as it is."""

for _verb in VERBS.values():  # the verbs never make a move the table forbids
    assert all(can_move(a, b) for a in _verb.sources for b in _verb.targets), _verb


# --- the step-role rule ------------------------------------------------------------------------------


def step_agencies(d, step: ProcessStep) -> set[int]:
    """Where the holder of ``step`` must hold its role: the reception step at the receiving agency
    (or the processing agency's own desk); the specialist's and leader's steps at the processing
    agency."""
    if step.role == StepRole.RECEPTION:
        return {d.receiving_agency_id, d.processing_agency_id}
    return {d.processing_agency_id}


def holds_step(person, d, step: ProcessStep) -> bool:
    """Does ``person`` hold the role of ``step`` where it is done? City admins are no exception: a
    step is done by someone granted its role in the agency (the control sheet, form 06, records who
    did each step; a result is signed by the agency's leader)."""
    return bool(step_agencies(d, step) & permissions.agencies_with_role(person, step.role))


def step_holders(d, step: ProcessStep) -> QuerySet:
    """The people who may do ``step`` of ``d`` (e.g. to assign the next step to one of them)."""
    return permissions.role_holders(step.role, step_agencies(d, step))


def is_signing_step(d, step: ProcessStep) -> bool:
    """The step that ends with the leader's signature: the last leader step of the process (or its
    last step when it has no leader step). Later steps (handing over the result) follow ``sign``."""
    steps = process_steps(d)
    leaders = [s for s in steps if s.role == StepRole.LEADER]
    signing = leaders[-1] if leaders else (steps[-1] if steps else None)
    return signing is not None and signing.pk == step.pk


def process_steps(d) -> list[ProcessStep]:
    """The steps of the dossier's internal process, in order (read once per copy of the dossier)."""
    cache = getattr(d, "_process_steps", None)
    if cache is None or cache[0] != d.process_id:
        steps = list(ProcessStep.objects.filter(process_id=d.process_id).order_by("order"))
        cache = (d.process_id, steps)
        d._process_steps = cache
    return cache[1]


def _step_refusal(person, verb: str, d) -> DomainError | None:
    step = d.current_step if d.current_step_id else None
    if d.status != S.PROCESSING or step is None:
        return None
    signing = is_signing_step(d, step)
    if verb == "sign" and not signing:
        return Conflict(
            _("Hồ sơ đang ở bước “%(step)s”; chỉ phê duyệt, ký số ở bước của lãnh đạo.")
            % {"step": step.name},
            code="wrong_step",
        )
    if verb in ("forward", "draft_result", "transfer") and signing:
        return Conflict(
            _("Hồ sơ đang ở bước “%(step)s”: bước này kết thúc bằng phê duyệt, ký số.") % {"step": step.name},
            code="wrong_step",
        )
    if not holds_step(person, d, step):
        return NotAllowed(
            _("Hồ sơ đang ở bước “%(step)s” do %(role)s thực hiện; bạn không có vai trò này tại cơ quan.")
            % {"step": step.name, "role": step.get_role_display().lower()},
            code="not_your_step",
        )
    return None


def refusal(person, verb: str, d) -> DomainError | None:
    """Why ``person`` may not do ``verb`` on ``d`` now, or ``None`` when the state and the step of
    the internal process allow it (the permission itself is :func:`thudo.core.permissions.can`).

    The state must be one the verb acts from (:data:`VERBS`), its condition must hold, and while the
    dossier is processing at a step, a step verb (forward, transfer, draft, sign) is done by a
    holder of that step's role (:func:`holds_step`): ``sign`` only at the signing step, the other
    step verbs never there.
    """
    spec = VERBS[verb]
    if d.status not in spec.sources:
        labels = dict(Status.choices)
        return Conflict(
            _("Không thể thực hiện thao tác này khi hồ sơ ở trạng thái “%(a)s”.")
            % {"a": labels.get(d.status, d.status)},
            code="invalid_transition",
        )
    if spec.when is not None and (refused := spec.when(d)) is not None:
        return refused
    if spec.step:
        return _step_refusal(person, verb, d)
    return None


def may(person, verb: str, d) -> bool:
    """Would the action accept ``verb`` from ``person`` on ``d`` now (permission, state, step)?
    Pages ask this to decide which buttons to show."""
    return permissions.can(person, f"dossier.{verb}", d) and refusal(person, verb, d) is None
