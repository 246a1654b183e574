"""Working-time calendar: the one place that does date arithmetic on deadlines.

Pure Python (no Django): agencies' settings and administrators' overrides are passed in as plain
data, so the rules can be tested fast and exhaustively.

Rules implemented (design: domain rules §2, "Working time"):

* Office hours default to Monday–Friday 08:00–12:00 and 13:00–17:00, Asia/Ho_Chi_Minh: the
  40-hour week of Decision 188/1999/QĐ-TTg. They are configurable per agency.
* Days off: the public holidays of the Labour Code 2019 (Law 45/2019/QH14), art. 112, and the
  days off swapped every year by the notices of the Prime Minister / Ministry of Home Affairs
  (Bộ Nội vụ) together with their make-up working Saturdays, as published by the ``holidays``
  package (``VN``: holidays, observed days and ``weekend_workdays``); plus administrator
  overrides (an extra day off, or an extra make-up working day), each with its decision number.
* Durations in working days are converted at :data:`HOURS_PER_DAY` hours per day ("30 working
  days = 240 hours", as approved internal processes budget them) and laid on the office hours.
* A dossier's clock starts when a complete, valid dossier is received (Decree 118/2025/NĐ-CP);
  an online submission arriving outside office hours counts as received at the start of the next
  working period; some procedures have a cut-off hour after which the next working day counts.

Time model: office periods are half-open ``[start, end)``. A moment exactly at a period's end
(e.g. 17:00) is *outside* office hours: something received then counts from the next period.
A deadline, however, may fall exactly at a period's end: Monday 08:00 + 1 working day is
Monday 17:00 (the end of that working day), not Tuesday 08:00.

All datetimes must be aware; results are in the calendar's time zone.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import pairwise
from types import MappingProxyType
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "DEFAULT_OFFICE_HOURS",
    "EARLY",
    "HCM",
    "HOURS_PER_DAY",
    "LATE",
    "ON_TIME",
    "DayOff",
    "Explanation",
    "WorkingCalendar",
    "timeliness",
]

HCM = ZoneInfo("Asia/Ho_Chi_Minh")

HOURS_PER_DAY = 8
"""Hours in one working day when a duration in days is converted ("30 working days = 240 hours")."""

EARLY = "early"
ON_TIME = "on_time"
LATE = "late"


def timeliness(done: datetime, due: datetime, tz: ZoneInfo | None = None) -> str:
    """Early, on time or late: the one rule (domain-rules §2), used for dossiers, for every step of
    the process control sheet (form 06) and for the service-quality index.

    Late is *after the due moment* (moments are compared, not dates: a result at 16:00 on the due
    day whose due moment is 10:00 is late); on time is on the due day (in ``tz``), not after the
    due moment; early is before the due day.
    """
    if done > due:
        return LATE
    tz = tz or HCM
    if done.astimezone(tz).date() == due.astimezone(tz).date():
        return ON_TIME
    return EARLY


_MORNING = (time(8, 0), time(12, 0))
_AFTERNOON = (time(13, 0), time(17, 0))

DEFAULT_OFFICE_HOURS: Mapping[int, tuple[tuple[time, time], ...]] = MappingProxyType(
    dict.fromkeys(range(5), (_MORNING, _AFTERNOON))
)
"""Monday (0) to Friday (4), 08:00–12:00 and 13:00–17:00: Decision 188/1999/QĐ-TTg (40-hour week)."""

REASON_WEEKEND = "Cuối tuần"
REASON_NO_OFFICE_HOURS = "Không có giờ làm việc"

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
_MAX_IDLE_DAYS = 3660
"""Longest run of days without office time we accept before declaring the calendar broken."""
_US_PER_MINUTE = 60_000_000
_US_PER_HOUR = 60 * _US_PER_MINUTE
_EMPTY: Mapping[date, str] = MappingProxyType({})


@dataclass(frozen=True)
class DayOff:
    """A date without office time, with the reason shown to users."""

    date: date
    reason: str


@dataclass(frozen=True)
class Explanation:
    """How a due moment was computed: when the clock started and which days it skipped."""

    due: datetime
    start_effective: datetime
    skipped: tuple[DayOff, ...]


class _Day(NamedTuple):
    reason: str | None
    periods: tuple[tuple[datetime, datetime], ...]
    total: timedelta


def _validate_office_hours(
    office_hours: Mapping[int, Iterable[tuple[time, time]]],
) -> Mapping[int, tuple[tuple[time, time], ...]]:
    result: dict[int, tuple[tuple[time, time], ...]] = {}
    for weekday, raw_periods in office_hours.items():
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValueError(f"office hours: weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
        periods = [(start, end) for start, end in raw_periods]
        for start, end in periods:
            if not isinstance(start, time) or not isinstance(end, time):
                raise ValueError(f"office hours: periods must be pairs of times, got {(start, end)!r}")
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("office hours: times must be naive (wall-clock in the calendar's zone)")
            if not start < end:
                raise ValueError(f"office hours: period must end after it starts, got {start}–{end}")
        periods.sort()
        for (_, previous_end), (start, _) in pairwise(periods):
            if start < previous_end:
                raise ValueError(f"office hours: periods overlap on weekday {weekday}")
        if periods:
            result[weekday] = tuple(periods)
    if not result:
        raise ValueError("office hours: at least one weekday needs office hours")
    return MappingProxyType(result)


def _validate_overrides(overrides: Mapping[date, str], name: str) -> Mapping[date, str]:
    for day, reason in overrides.items():
        if not isinstance(day, date) or isinstance(day, datetime):
            raise ValueError(f"{name}: keys must be dates, got {day!r}")
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"{name}: {day} needs a reason (e.g. the decision's number)")
    return MappingProxyType(dict(overrides))


def _to_decimal(value: int | Decimal | float, name: str) -> Decimal:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{name} must be finite, got {value!r}")
    if number < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return number


@functools.lru_cache(maxsize=32)
def official_holidays(year: int) -> holidays.HolidayBase:
    """Vietnam's official holidays, swapped days off and make-up Saturdays of one year, built once
    per process and shared by every agency's calendar (building them takes about 10 ms a year;
    a list of tasks of a hundred units used to pay that for each unit). Only read, and only for
    dates of ``year``, so the shared object never grows."""
    return holidays.country_holidays("VN", years=year, language="vi")


class WorkingCalendar:
    """Office hours and days off of one agency, and deadline arithmetic on them.

    ``office_hours`` maps weekday (0 = Monday … 6 = Sunday) to its office periods (naive wall-clock
    times in ``tz``); weekdays absent from it are the weekend. ``extra_days_off`` and
    ``extra_working_days`` are administrator overrides, date → reason (the decision's number).
    ``use_official_holidays`` applies the Labour Code 2019 art. 112 holidays and the yearly swapped
    days off and make-up working Saturdays (Prime Minister / Ministry of Home Affairs notices) from
    the ``holidays`` package.

    An instance is immutable and caches per year and per date, so build one per agency and reuse it.
    """

    def __init__(
        self,
        *,
        office_hours: Mapping[int, Iterable[tuple[time, time]]] = DEFAULT_OFFICE_HOURS,
        extra_days_off: Mapping[date, str] = _EMPTY,
        extra_working_days: Mapping[date, str] = _EMPTY,
        tz: ZoneInfo = HCM,
        use_official_holidays: bool = True,
    ) -> None:
        self.office_hours = _validate_office_hours(office_hours)
        self.extra_days_off = _validate_overrides(extra_days_off, "extra_days_off")
        self.extra_working_days = _validate_overrides(extra_working_days, "extra_working_days")
        self.tz = tz
        self.use_official_holidays = use_official_holidays
        # Make-up working days on a weekday without office hours work like the first weekday
        # that has them (Monday with the defaults).
        self._fallback_hours = self.office_hours[min(self.office_hours)]
        self._holidays_by_year: dict[int, holidays.HolidayBase] = {}
        self._days: dict[date, _Day] = {}
        self._running: dict[int, list[int]] = {}

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(office_hours={dict(self.office_hours)!r}, tz={self.tz.key!r}, "
            f"extra_days_off={len(self.extra_days_off)}, extra_working_days={len(self.extra_working_days)}, "
            f"use_official_holidays={self.use_official_holidays!r})"
        )

    # -- days -------------------------------------------------------------------------------

    def _official(self, year: int) -> holidays.HolidayBase:
        found = self._holidays_by_year.get(year)
        if found is None:
            found = official_holidays(year)
            self._holidays_by_year[year] = found
        return found

    def day_off_reason(self, d: date) -> str | None:
        """Why ``d`` has no office time, or ``None`` if it is a working day.

        Precedence: administrator's make-up working day > administrator's day off > official
        holiday, observed or swapped day off (Labour Code 2019 art. 112; yearly Prime Minister /
        Ministry of Home Affairs notices) > official make-up working Saturday > weekday without
        office hours (the weekend, Decision 188/1999/QĐ-TTg).
        """
        return self._day(d).reason

    def _reason(self, d: date) -> str | None:
        if d in self.extra_working_days:
            return None
        reason = self.extra_days_off.get(d)
        if reason is not None:
            return reason
        if self.use_official_holidays:
            official = self._official(d.year)
            name = official.get(d)
            if name:
                return str(name)
            if d in official.weekend_workdays:
                return None
        if d.weekday() not in self.office_hours:
            return REASON_WEEKEND if d.weekday() >= 5 else REASON_NO_OFFICE_HOURS
        return None

    def _day(self, d: date) -> _Day:
        found = self._days.get(d)
        if found is not None:
            return found
        if isinstance(d, datetime):
            raise TypeError("expected a date, got a datetime")
        reason = self._reason(d)
        if reason is None:
            wall = self.office_hours.get(d.weekday(), self._fallback_hours)
            periods = tuple(
                (datetime.combine(d, start, tzinfo=self.tz), datetime.combine(d, end, tzinfo=self.tz))
                for start, end in wall
            )
        else:
            periods = ()
        found = _Day(reason, periods, sum((end - start for start, end in periods), _ZERO))
        self._days[d] = found
        return found

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` has office time (see :meth:`day_off_reason`)."""
        return self._day(d).reason is None

    def periods(self, d: date) -> tuple[tuple[datetime, datetime], ...]:
        """Aware office periods ``[start, end)`` on ``d``; empty on a day off.

        A make-up working day on a weekday without office hours (a make-up Saturday) uses the
        office hours of the first weekday that has them (Monday with the defaults). A make-up day
        on a weekday that has office hours keeps that weekday's own hours.
        """
        return self._day(d).periods

    def _running_count(self, year: int) -> list[int]:
        """For each day of ``year`` (index = day of year − 1), the working days from 1 January to
        that day inclusive; built once per year and calendar."""
        found = self._running.get(year)
        if found is None:
            found, total, d = [], 0, date(year, 1, 1)
            while d.year == year:
                total += self.is_working_day(d)
                found.append(total)
                d += _ONE_DAY
            self._running[year] = found
        return found

    def working_days_after(self, first: date, last: date) -> int:
        """How many working days ``d`` have ``first < d <= last`` (0 when ``last <= first``), in
        a few steps per year whatever the distance (a task overdue for a year, on every row)."""
        if last <= first:
            return 0
        head = self._running_count(first.year)
        n = -head[first.timetuple().tm_yday - 1]
        for year in range(first.year, last.year):
            n += self._running_count(year)[-1]
        return n + self._running_count(last.year)[last.timetuple().tm_yday - 1]

    def days_off_between(self, first: date, last: date) -> tuple[DayOff, ...]:
        """Every day off from ``first`` to ``last`` inclusive, with its reason."""
        result = []
        d = first
        while d <= last:
            reason = self._day(d).reason
            if reason is not None:
                result.append(DayOff(d, reason))
            d += _ONE_DAY
        return tuple(result)

    # -- moments ----------------------------------------------------------------------------

    def _aware(self, t: datetime, name: str = "datetime") -> datetime:
        if not isinstance(t, datetime):
            raise TypeError(f"{name} must be a datetime, got {type(t).__name__}")
        if t.tzinfo is None or t.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware, got naive {t.isoformat()}")
        return t.astimezone(self.tz)

    def _first_period_from(self, d: date) -> datetime:
        """Start of the first office period on ``d`` or later."""
        for _ in range(_MAX_IDLE_DAYS):
            periods = self._day(d).periods
            if periods:
                return periods[0][0]
            d += _ONE_DAY
        raise ValueError(f"no working day within {_MAX_IDLE_DAYS} days from {d}: check the calendar")

    def next_working_moment(self, t: datetime) -> datetime:
        """``t`` itself if it is inside an office period ``[start, end)``, else the next period's start.

        Exactly 12:00 or 17:00 is outside office hours (periods are half-open).
        """
        t = self._aware(t)
        for start, end in self._day(t.date()).periods:
            if t < end:
                return start if t < start else t
        return self._first_period_from(t.date() + _ONE_DAY)

    def start_moment(self, received_at: datetime, *, cutoff: time | None = None) -> datetime:
        """When the clock starts for a complete dossier received at ``received_at``.

        The clock starts at receipt of a complete, valid dossier (Decree 118/2025/NĐ-CP); an online
        submission outside office hours counts from the start of the next working period. With a
        per-procedure ``cutoff`` (e.g. 15:00 for civil status and certification), a dossier received
        *after* the cut-off on a working day counts from the start of the next working day; one
        received at exactly the cut-off still counts the same day.
        """
        t = self._aware(received_at, "received_at")
        if cutoff is not None:
            if cutoff.tzinfo is not None:
                raise ValueError("cutoff must be a naive wall-clock time")
            day = t.date()
            if self._day(day).periods and t.time() > cutoff:
                return self._first_period_from(day + _ONE_DAY)
        return self.next_working_moment(t)

    # -- durations --------------------------------------------------------------------------

    @staticmethod
    def _duration(
        days: int | Decimal | float,
        hours: int | Decimal | float,
        minutes: int | Decimal | float,
        duration: timedelta | None,
    ) -> timedelta:
        microseconds = (
            _to_decimal(days, "days") * (HOURS_PER_DAY * _US_PER_HOUR)
            + _to_decimal(hours, "hours") * _US_PER_HOUR
            + _to_decimal(minutes, "minutes") * _US_PER_MINUTE
        )
        total = timedelta(microseconds=int(microseconds.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)))
        if duration is not None:
            if duration < _ZERO:
                raise ValueError(f"duration must not be negative, got {duration!r}")
            total += duration
        return total

    def add_working_time(
        self,
        start: datetime,
        *,
        days: int | Decimal = 0,
        hours: int | Decimal | float = 0,
        minutes: int = 0,
        duration: timedelta | None = None,
    ) -> datetime:
        """The moment when ``days`` + ``hours`` + ``minutes`` (+ ``duration``) of office time have passed.

        ``days`` count :data:`HOURS_PER_DAY` hours each and are laid on the office hours (Decision
        188/1999/QĐ-TTg), skipping days off (Labour Code 2019 art. 112, yearly swap notices,
        administrator overrides). Counting starts at :meth:`next_working_moment` of ``start``.
        The result is inside an office period or exactly at a period's end: Monday 08:00 + 1 day
        is Monday 17:00. Adding zero returns ``next_working_moment(start)``.
        """
        t = self._aware(start, "start")
        remaining = self._duration(days, hours, minutes, duration)
        if not remaining:
            return self.next_working_moment(t)
        d = t.date()
        day = self._day(d)
        for period_start, period_end in day.periods:
            if t >= period_end:
                continue
            begin = max(period_start, t)
            available = period_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        idle = 0
        while True:
            d += _ONE_DAY
            day = self._day(d)
            if not day.periods:
                idle += 1
                if idle > _MAX_IDLE_DAYS:
                    raise ValueError(f"no working day within {_MAX_IDLE_DAYS} days before {d}")
                continue
            idle = 0
            if remaining > day.total:
                remaining -= day.total
                continue
            for period_start, period_end in day.periods:
                available = period_end - period_start
                if remaining <= available:
                    return period_start + remaining
                remaining -= available
            raise AssertionError("unreachable: remaining fits in the day's total")  # pragma: no cover

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Office time in ``[a, b]``; negative if ``b`` is before ``a``."""
        a = self._aware(a, "a")
        b = self._aware(b, "b")
        if b < a:
            return -self.working_time_between(b, a)
        first, last = a.date(), b.date()
        total = _ZERO
        d = first
        while d <= last:
            day = self._day(d)
            if day.periods:
                if first < d < last:
                    total += day.total
                else:
                    for start, end in day.periods:
                        low = max(start, a)
                        high = min(end, b)
                        if high > low:
                            total += high - low
            d += _ONE_DAY
        return total

    def at_least_working_days_before(self, moment: datetime, deadline: datetime, *, days: int = 1) -> bool:
        """Is ``moment`` at least ``days`` working days (of :data:`HOURS_PER_DAY` office hours)
        before ``deadline``? E.g. the apology letter (form 04) is due "at least one working day
        before the due date" (Decree 118/2025/NĐ-CP; domain-rules §3)."""
        return self.working_time_between(moment, deadline) >= self._duration(days, 0, 0, None)

    def explain(
        self,
        start: datetime,
        *,
        days: int | Decimal = 0,
        hours: int | Decimal | float = 0,
        minutes: int = 0,
        cutoff: time | None = None,
    ) -> Explanation:
        """Due moment for a dossier received at ``start``, with the clock's start and the days skipped.

        ``start_effective`` is :meth:`start_moment` (Decree 118/2025/NĐ-CP); ``skipped`` lists every
        day off from the day of receipt to the due day, with its reason (holiday name, swapped day,
        weekend, or the administrator's decision number).
        """
        received = self._aware(start, "start")
        start_effective = self.start_moment(received, cutoff=cutoff)
        due = self.add_working_time(start_effective, days=days, hours=hours, minutes=minutes)
        return Explanation(
            due=due,
            start_effective=start_effective,
            skipped=self.days_off_between(received.date(), due.date()),
        )
