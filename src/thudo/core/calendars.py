"""The calendar service: the one place that builds a working calendar for an agency.

Combines the agency's office hours (default Mon–Fri 08:00–12:00, 13:00–17:00), official holidays,
swapped days off and make-up working days (``holidays``, VN) and the administrator's overrides
(``CalendarOverride``, city-wide or per agency). Nothing else does deadline arithmetic.

Calendars are cached per process for ``TTL`` seconds; actions that change overrides or office
hours clear this process's cache at once, other worker processes pick the change up within TTL.
"""

from __future__ import annotations

import threading
import time as _time
from datetime import date, time
from itertools import pairwise

from django.db.models import Q

from thudo.core.models import Agency, CalendarOverride, OverrideKind
from thudo.core.workcalendar import DEFAULT_OFFICE_HOURS, WorkingCalendar

TTL = 60.0
_lock = threading.Lock()
_cache: dict[int | None, tuple[float, WorkingCalendar]] = {}
_own: tuple[float, frozenset[int]] | None = None  # agencies with a calendar of their own


def parse_office_hours(raw: dict[str, list[list[str]]] | None) -> dict[int, tuple[tuple[time, time], ...]]:
    """``{"0": [["08:00", "12:00"], ...], ...}`` (weekday 0 = Monday) → engine form.

    Raises ValueError with a readable message when the value is malformed.
    """
    if not raw:
        return dict(DEFAULT_OFFICE_HOURS)
    out: dict[int, tuple[tuple[time, time], ...]] = {}
    for key, periods in raw.items():
        weekday = int(key)
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday {key} is not 0–6")
        parsed = []
        for start, end in periods:
            a, b = time.fromisoformat(start), time.fromisoformat(end)
            if not a < b:
                raise ValueError(f"period {start}–{end} ends before it starts")
            parsed.append((a, b))
        parsed.sort()
        for (_, end1), (start2, _) in pairwise(parsed):
            if start2 < end1:
                raise ValueError("periods overlap")
        if parsed:
            out[weekday] = tuple(parsed)
    if not out:
        raise ValueError("no office hours on any weekday")
    return out


def _build(agency_id: int | None) -> WorkingCalendar:
    overrides = CalendarOverride.objects.filter(agency_id__isnull=True)
    if agency_id is not None:
        overrides = overrides | CalendarOverride.objects.filter(agency_id=agency_id)
    days_off: dict[date, str] = {}
    working: dict[date, str] = {}
    # City-wide first, then the agency's own (which wins on the same date).
    for o in sorted(overrides, key=lambda o: o.agency_id is not None):
        reason = o.decision + (f" — {o.note}" if o.note else "")
        if o.kind == OverrideKind.DAY_OFF:
            days_off[o.date] = reason
            working.pop(o.date, None)
        else:
            working[o.date] = reason
            days_off.pop(o.date, None)
    hours_raw = None
    if agency_id is not None:
        hours_raw = Agency.objects.filter(pk=agency_id).values_list("office_hours", flat=True).first()
    return WorkingCalendar(
        office_hours=parse_office_hours(hours_raw), extra_days_off=days_off, extra_working_days=working
    )


def calendar_for(agency: Agency | int | None = None) -> WorkingCalendar:
    """The working calendar of ``agency`` (or the city default). Agencies without days or hours of
    their own share the city's instance (and its per-day cache): a list of tasks or dossiers of a
    hundred units builds one calendar, not a hundred."""
    agency_id = agency.pk if isinstance(agency, Agency) else agency
    now = _time.monotonic()
    if agency_id is not None and agency_id not in _own_cached(now):
        agency_id = None
    with _lock:
        hit = _cache.get(agency_id)
        if hit and now - hit[0] < TTL:
            return hit[1]
    cal = _build(agency_id)
    with _lock:
        _cache[agency_id] = (now, cal)
    return cal


def _own_cached(now: float) -> frozenset[int]:
    global _own
    with _lock:
        if _own is not None and now - _own[0] < TTL:
            return _own[1]
    own = frozenset(own_calendar_agencies())
    with _lock:
        _own = (now, own)
    return own


def own_calendar_agencies() -> set[int]:
    """The agencies whose calendar is not the city default: those with days off or make-up days of
    their own, or office hours of their own (one query, not cached, so that a list's query count is
    the same on every request). Lists that filter by due day compare the other agencies' rows with
    the city calendar and these one by one."""
    own_hours = Q(office_hours__isnull=False) & ~Q(office_hours={})
    found = Agency.objects.filter(Q(overrides__isnull=False) | own_hours).order_by().distinct()
    return set(found.values_list("pk", flat=True))


def forget() -> None:
    """Drop cached calendars (called by actions that change overrides or office hours)."""
    global _own
    with _lock:
        _cache.clear()
        _own = None
