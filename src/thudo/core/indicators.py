"""Indicator sources: how an app that owns data lets the monthly index count it (ADR 0011).

The ``kpi`` app rolls up, per agency and month, the facts every registered source counts, and
stores them as :class:`thudo.kpi.models.MonthlyAgencyCount` rows under the fact's name. An
indicator of the index (or of a unit's scoreboard) is a ratio of such facts, whatever app counted
them, so ``kpi`` computes and publishes task, feedback or document indicators without importing
those apps. The owning app registers its source in its ``AppConfig.ready``::

    indicators.SOURCES.register(indicators.IndicatorSource(
        name="tasks",
        facts={"tasks.received": _("Nhiệm vụ được giao"), ...},
        count=task_facts,            # (month, agency_ids or None, now) -> {agency_id: {fact: n}}
    ))

Fact names are namespaced by the source (``tasks.``, ``feedback.``) and unique across sources.
When an app's data changes, its action publishes :class:`AgencyFactsChanged` (or a subclass) in
its transaction; ``kpi`` subscribes to that base type and refreshes the agency's month after the
commit, as it does for dossier events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from thudo.core.events import Event
from thudo.core.registries import Registry

# (first day of the month, the agencies to count — None for all —, the moment counting stops
# for the current month) -> {agency id: {fact name: count}}; facts that are 0 may be left out.
CountFn = Callable[[dt.date, Sequence[int] | None, dt.datetime], Mapping[int, Mapping[str, int]]]


@dataclass(frozen=True, eq=False)
class IndicatorSource:
    """What one app can count per agency and month.

    ``facts`` maps each fact name to its label (shown where an indicator names its data);
    ``count`` computes them for one month in one pass (never one query per agency)."""

    name: str
    facts: Mapping[str, str]
    count: CountFn = field(repr=False)

    def __post_init__(self) -> None:
        stray = [f for f in self.facts if not f.startswith(f"{self.name}.")]
        if stray:
            raise ValueError(f"facts of source {self.name!r} must start with {self.name!r}.: {stray}")


SOURCES: Registry[IndicatorSource] = Registry("core.indicator_sources")


def fact_labels() -> dict[str, str]:
    """Every registered fact with its label."""
    return {name: label for source in SOURCES for name, label in source.facts.items()}


def count_all(
    month: dt.date, agency_ids: Sequence[int] | None, now: dt.datetime
) -> dict[int, dict[str, int]]:
    """Every registered source's facts for one month, merged per agency (zeros left out)."""
    out: dict[int, dict[str, int]] = {}
    for source in SOURCES:
        for agency_id, facts in source.count(month, agency_ids, now).items():
            row = out.setdefault(agency_id, {})
            for name, value in facts.items():
                if value:
                    row[name] = int(value)
    return out


@dataclass(frozen=True, kw_only=True)
class AgencyFactsChanged(Event):
    """Something one agency is counted by changed at ``at`` (its month is refreshed). Apps publish
    this (or a subclass) from their actions; ``kpi`` subscribes to it."""

    agency_id: int
    at: dt.datetime
