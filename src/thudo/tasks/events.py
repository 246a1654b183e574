"""The domain events the tasks app publishes (:mod:`thudo.core.events`; catalogue in
``docs/architecture.md``). The notifications app writes the notices, ``kpi`` refreshes the lead
unit's month; this app imports neither."""

from __future__ import annotations

from dataclasses import dataclass

from thudo.core.events import PersonNotified
from thudo.core.indicators import AgencyFactsChanged


@dataclass(frozen=True, kw_only=True)
class TaskNotified(PersonNotified):
    """A person on one side of task ``task_id`` is told what the other side did (assignment,
    report, extension decision, return, closure, cancellation) or reminded of the deadline."""

    task_id: int
    verb: str


@dataclass(frozen=True, kw_only=True)
class TaskFactsChanged(AgencyFactsChanged):
    """A task of lead unit ``agency_id`` was assigned, reported, reopened or cancelled at ``at``:
    the unit's task counts of that month change."""

    task_id: int
