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

Fact names are namespaced by the source (``tasks.``, ``feedback.``; a source may declare other
``prefixes``, as the dossiers' facts of the 2026 index do) and unique across sources.
When an app's data changes, its action publishes :class:`AgencyFactsChanged` (or a subclass) in
its transaction; ``kpi`` subscribes to that base type and refreshes the agency's month after the
commit, as it does for dossier events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from thudo.core.events import Event
from thudo.core.models import AgencyKind
from thudo.core.registries import Registry

# The units the index ranks (Decision 766): departments and city bodies, and commune committees.
DEPARTMENT_KINDS = (AgencyKind.DEPARTMENT, AgencyKind.CITY_OFFICE, AgencyKind.SERVICE_CENTER)
COMMUNE_KINDS = (AgencyKind.COMMUNE_COMMITTEE,)

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
    # The first moment the source has data for (where a roll-up of every month begins), or None.
    since: Callable[[], dt.datetime | None] | None = field(default=None, repr=False)
    # The namespaces of the facts (default: the source's name).
    prefixes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        prefixes = tuple(f"{p}." for p in (self.prefixes or (self.name,)))
        stray = [f for f in self.facts if not f.startswith(prefixes)]
        if stray:
            raise ValueError(f"facts of source {self.name!r} must start with {prefixes}: {stray}")


SOURCES: Registry[IndicatorSource] = Registry("core.indicator_sources")


def fact_labels() -> dict[str, str]:
    """Every registered fact with its label."""
    return {name: label for source in SOURCES for name, label in source.facts.items()}


def first_moment() -> dt.datetime | None:
    """The earliest moment any source has data for."""
    moments = [m for source in SOURCES if source.since is not None and (m := source.since()) is not None]
    return min(moments, default=None)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def previous_month(month: dt.date) -> dt.date:
    return dt.date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month's first moment and the next month's first moment (Asia/Ho_Chi_Minh)."""
    tz = timezone.get_default_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
    nm = next_month(month)
    return start, dt.datetime(nm.year, nm.month, 1, tzinfo=tz)


def count_all(
    month: dt.date, agency_ids: Sequence[int] | None, now: dt.datetime
) -> dict[int, dict[str, int]]:
    """Every registered source's facts for one month, merged per agency (zeros left out)."""
    out: dict[int, dict[str, int]] = {}
    seen: dict[str, str] = {}
    for source in SOURCES:
        for name in source.facts:
            if seen.setdefault(name, source.name) != source.name:
                raise ValueError(
                    f"fact {name!r} is counted by two sources: {seen[name]!r} and {source.name!r}"
                )
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


@dataclass(frozen=True, eq=False)
class TargetValue:
    """A digital-transformation target whose current value the platform computes (the targets
    board's ``computed`` targets name it in ``Target.query``): registered by the app that owns the
    data, read by ``kpi`` without importing that app."""

    name: str
    label: str
    value: Callable[[], Decimal | None] = field(repr=False)


TARGET_VALUES: Registry[TargetValue] = Registry("core.target_values")


def target_value(name: str) -> Decimal | None:
    """The current value of the registered computed target ``name`` (None: unknown or no data)."""
    for entry in TARGET_VALUES:
        if entry.name == name:
            return entry.value()
    return None
