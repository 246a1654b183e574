"""The one table of task moves, the verbs that make them and the side each verb is done from.

Every action asks :func:`refusal` (state and condition) and :func:`may_act` (permission on the
right side); pages and the API ask :func:`may` to decide which buttons to show. Nothing else
decides which move is legal.

Sides (Decree 314/2025/NĐ-CP: the lead unit answers for progress and result; the assigner closes):

- ``lead``: the lead unit's officials (and the lead person) accept, report, ask for more time;
  the unit's leaders also split the task among the unit's sections and designate the lead person;
- ``assigner``: the assigning agency's leaders (and the assigner) close, return, decide extensions
  and cancel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from thudo.core import permissions
from thudo.core.errors import Conflict, DomainError, InvalidInput
from thudo.tasks.models import OPEN_STATES, State, Task

S = State

TRANSITIONS: dict[str, frozenset[str]] = {
    S.ASSIGNED: frozenset({S.ACCEPTED, S.IN_PROGRESS, S.REPORTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.REPORTED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.IN_PROGRESS, S.REPORTED, S.CANCELLED}),
    S.REPORTED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}
"""state → the states it may move to; ``closed`` and ``cancelled`` are terminal. A report made
on a task not yet accepted accepts it too (the unit started work without pressing the button)."""

LEAD = "lead"
ASSIGNER = "assigner"


def _has_deadline(t: Task) -> DomainError | None:
    if t.deadline is None:
        return InvalidInput(
            _("Nhiệm vụ thường xuyên, không có thời hạn nên không thể đề nghị gia hạn."), code="no_deadline"
        )
    return None


def _has_pending(t: Task) -> bool:
    return t.extensions.filter(decision="pending").exists()


def _no_pending(t: Task) -> DomainError | None:
    if t.deadline is not None and _has_pending(t):
        return Conflict(_("Nhiệm vụ đã có đề nghị gia hạn đang chờ quyết định."), code="pending")
    return _has_deadline(t)


def _pending(t: Task) -> DomainError | None:
    if not _has_pending(t):
        return Conflict(_("Không có đề nghị gia hạn nào đang chờ quyết định."), code="no_request")
    return None


@dataclass(frozen=True)
class Verb:
    sources: frozenset[str]
    target: str | None  # None: the state stays
    side: str
    permission: str
    when: Callable[[Task], DomainError | None] | None = None


_OPEN = frozenset(OPEN_STATES)

VERBS: dict[str, Verb] = {
    "accept": Verb(frozenset({S.ASSIGNED}), S.ACCEPTED, LEAD, "task.accept"),
    "report_progress": Verb(_OPEN, S.IN_PROGRESS, LEAD, "task.report"),
    "report_done": Verb(_OPEN, S.REPORTED, LEAD, "task.report"),
    "request_extension": Verb(_OPEN, None, LEAD, "task.request_extension", _no_pending),
    "split": Verb(frozenset({S.ACCEPTED, S.IN_PROGRESS}), None, LEAD, "task.assign"),
    # Phân công người chủ trì: the lead unit's leader names the official who handles the task.
    # "task.assign" (leaders only), so neither a specialist nor the lead person names it.
    "designate": Verb(_OPEN, None, LEAD, "task.assign"),
    "close": Verb(frozenset({S.REPORTED}), S.CLOSED, ASSIGNER, "task.close"),
    "return": Verb(frozenset({S.REPORTED}), S.IN_PROGRESS, ASSIGNER, "task.return"),
    "approve_extension": Verb(_OPEN, None, ASSIGNER, "task.decide_extension", _pending),
    "refuse_extension": Verb(_OPEN, None, ASSIGNER, "task.decide_extension", _pending),
    "cancel": Verb(_OPEN, S.CANCELLED, ASSIGNER, "task.cancel"),
}


def can_move(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())


def refusal(verb: str, t: Task) -> DomainError | None:
    """Why ``verb`` may not be done on ``t`` now (state, condition), or ``None``."""
    spec = VERBS[verb]
    if t.state not in spec.sources or (spec.target and not can_move(t.state, spec.target)):
        return Conflict(
            _("Không thể thực hiện thao tác này khi nhiệm vụ ở trạng thái “%(a)s”.")
            % {"a": State(t.state).label},
            code="invalid_transition",
        )
    if spec.when is not None:
        return spec.when(t)
    return None


def may_act(person: Any, verb: str, t: Task) -> bool:
    """Does ``person`` hold the verb's permission on the verb's side of ``t``?"""
    spec = VERBS[verb]
    if person is None or not getattr(person, "is_authenticated", False) or not person.is_active:
        return False
    if permissions.is_city_admin(person):
        return True
    if spec.side == LEAD:
        if t.lead_person_id == person.pk and spec.permission != "task.assign":
            return True
        agency_id = t.lead_agency_id
    else:
        if t.assigner_id == person.pk:
            return True
        agency_id = t.assigner_agency_id
    return agency_id in permissions.agencies_for(person, spec.permission)


def may(person: Any, verb: str, t: Task) -> bool:
    """Would the action accept ``verb`` from ``person`` on ``t`` now? Pages ask this for buttons."""
    return may_act(person, verb, t) and refusal(verb, t) is None


def verbs_for(person: Any, t: Task) -> list[str]:
    """The verbs ``person`` may do on ``t`` now, in the table's order."""
    return [v for v in VERBS if may(person, v, t)]
