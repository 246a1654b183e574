"""Events the feedback app publishes (catalogue: docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass

from thudo.core.events import PersonNotified
from thudo.core.indicators import AgencyFactsChanged


@dataclass(frozen=True, kw_only=True)
class FeedbackFactsChanged(AgencyFactsChanged):
    """A report counted by ``agency_id`` (receiving agency or handling unit) changed at ``at``:
    ``kpi`` refreshes that agency's month."""

    report_id: int
    verb: str


@dataclass(frozen=True, kw_only=True)
class FeedbackNotified(PersonNotified):
    """Something to tell a person about report ``code`` (the reporter, a follower, the unit's
    officials when a deadline comes near)."""

    code: str
