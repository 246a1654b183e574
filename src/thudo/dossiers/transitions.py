"""The one table of allowed dossier moves (domain-rules §3; Decree 118/2025/NĐ-CP, one-stop mechanism)
and the mapping to the national public-service portal's status codes.

Every action checks its move with :func:`assert_can_move`; nothing else decides which move is legal.
"""

from django.utils.translation import gettext as _

from thudo.core.errors import Conflict
from thudo.dossiers.models import PauseKind, Status

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
    S.SUPPLEMENT_REQUESTED: frozenset({S.PROCESSING, S.WITHDRAWN, S.REJECTED}),
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
