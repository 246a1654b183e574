"""The one table of moves of a report, and who may make them.

Every action asks :func:`check` (state, then permission, then the verb's own condition); pages and
the API ask :func:`actions_for` which buttons to show. Nothing else decides which move is legal.

submitted → accepted (level confirmed or changed) or refused (typed reason; a duplicate is merged
into the original, a complaint or denunciation is diverted) → assigned to a unit (routing rules)
→ in progress → handled → answer published → rated → closed; transfer keeps the state and the
clock; reopen (not satisfied, category allows) goes back to in progress and is counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thudo.core import permissions
from thudo.core.errors import Conflict, NotAllowed
from thudo.feedback.models import Report, Status

S = Status


@dataclass(frozen=True)
class Move:
    verb: str
    label: object
    sources: frozenset[str]
    target: str | None  # None: stays (transfer), or decided by the action (rate)
    permission: str
    owner_only: bool = False


MOVES: dict[str, Move] = {
    m.verb: m
    for m in (
        Move("accept", gettext_lazy("Tiếp nhận"), frozenset({S.SUBMITTED}), S.ACCEPTED, "feedback.triage"),
        Move(
            "refuse", gettext_lazy("Không tiếp nhận"), frozenset({S.SUBMITTED}), S.REFUSED, "feedback.triage"
        ),
        Move(
            "merge",
            gettext_lazy("Gộp vào phản ánh trùng"),
            frozenset({S.SUBMITTED, S.ACCEPTED, S.ASSIGNED}),
            S.REFUSED,
            "feedback.triage",
        ),
        Move(
            "assign",
            gettext_lazy("Giao đơn vị xử lý"),
            frozenset({S.ACCEPTED}),
            S.ASSIGNED,
            "feedback.triage",
        ),
        Move(
            "start", gettext_lazy("Bắt đầu xử lý"), frozenset({S.ASSIGNED}), S.IN_PROGRESS, "feedback.handle"
        ),
        Move(
            "transfer",
            gettext_lazy("Chuyển đơn vị khác"),
            frozenset({S.ASSIGNED, S.IN_PROGRESS}),
            S.ASSIGNED,
            "feedback.handle",
        ),
        Move(
            "handle",
            gettext_lazy("Trả lời kết quả xử lý"),
            frozenset({S.ASSIGNED, S.IN_PROGRESS}),
            S.HANDLED,
            "feedback.handle",
        ),
        Move(
            "publish",
            gettext_lazy("Công khai trả lời"),
            frozenset({S.HANDLED}),
            S.PUBLISHED,
            "feedback.publish",
        ),
        Move(
            "rate",
            gettext_lazy("Đánh giá"),
            frozenset({S.PUBLISHED}),
            S.RATED,
            "feedback.rate",
            owner_only=True,
        ),
        Move(
            "reopen",
            gettext_lazy("Yêu cầu xử lý lại"),
            frozenset({S.RATED}),
            S.IN_PROGRESS,
            "feedback.reopen",
            owner_only=True,
        ),
        Move(
            "close",
            gettext_lazy("Đóng phản ánh"),
            frozenset({S.PUBLISHED, S.RATED}),
            S.CLOSED,
            "feedback.triage",
        ),
    )
}


def _condition(verb: str, report: Report) -> str | None:
    """The verb's own condition beyond state and permission (a sentence, or None)."""
    if verb == "reopen":
        if not report.category.reopen_allowed:
            return _("Lĩnh vực này không cho phép yêu cầu xử lý lại.")
        last = max(report.ratings.all(), key=lambda g: g.round, default=None)
        if last is None or last.satisfied:
            return _("Chỉ được yêu cầu xử lý lại khi đã đánh giá chưa hài lòng.")
    return None


def refusal(person, verb: str, report: Report) -> Exception | None:
    """Why ``person`` may not do ``verb`` on ``report`` now (None: allowed)."""
    move = MOVES[verb]
    if report.status not in move.sources:
        if report.status == S.CLOSED:
            return Conflict(_("Phản ánh đã đóng, không thể thực hiện thao tác này."), code="closed")
        return Conflict(
            _("Không thể “%(verb)s” khi phản ánh ở trạng thái “%(status)s”.")
            % {"verb": move.label, "status": report.get_status_display()},
            code="wrong_state",
        )
    if move.owner_only:
        if person is None or not person.is_authenticated or report.reporter_id != person.pk:
            return NotAllowed(_("Chỉ người gửi phản ánh được thực hiện thao tác này."))
    elif not permissions.can(person, move.permission, report):
        return NotAllowed()
    reason = _condition(verb, report)
    if reason:
        return Conflict(reason, code="condition")
    return None


def check(person, verb: str, report: Report) -> Move:
    problem = refusal(person, verb, report)
    if problem is not None:
        raise problem
    return MOVES[verb]


def actions_for(person, report: Report) -> list[Move]:
    """The moves ``person`` may make now (the buttons on the report's page)."""
    return [m for m in MOVES.values() if refusal(person, m.verb, report) is None]


VERB_LABELS: dict[str, object] = {
    "submit": gettext_lazy("Gửi phản ánh"),
    "follower": gettext_lazy("Gộp phản ánh trùng"),
    **{verb: move.label for verb, move in MOVES.items()},
}
"""How the history names each verb."""
