"""Working-time calendar: deadlines as a citizen or an officer sees them, on real 2024–2027 dates."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thudo.core.workcalendar import (
    DEFAULT_OFFICE_HOURS,
    HCM,
    HOURS_PER_DAY,
    DayOff,
    WorkingCalendar,
)

CAL = WorkingCalendar()
CUTOFF = time(15, 0)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HCM)


# -- the example: Tết 2026 ------------------------------------------------------------


def test_one_working_day_from_friday_before_tet_2026_is_due_the_monday_after_tet():
    due = CAL.add_working_time(at(2026, 2, 13, 16), days=1)

    assert due == at(2026, 2, 23, 16)
    assert due.utcoffset() == timedelta(hours=7)


def test_explain_lists_the_weekends_and_tet_2026_days_with_their_reasons():
    explanation = CAL.explain(at(2026, 2, 13, 16), days=1)

    assert explanation.due == at(2026, 2, 23, 16)
    assert explanation.start_effective == at(2026, 2, 13, 16)
    assert [off.date for off in explanation.skipped] == [date(2026, 2, d) for d in range(14, 23)]
    tet = [off for off in explanation.skipped if date(2026, 2, 16) <= off.date <= date(2026, 2, 20)]
    assert len(tet) == 5
    assert all("Tết" in off.reason for off in tet)
    assert explanation.skipped[0] == DayOff(date(2026, 2, 14), "Cuối tuần")
    assert explanation.skipped[-1] == DayOff(date(2026, 2, 22), "Cuối tuần")


# -- official holidays, swapped days off and make-up Saturdays ----------------------------------


def test_tet_2025_monday_27_to_friday_31_january_are_days_off():
    for d in range(27, 32):
        reason = CAL.day_off_reason(date(2025, 1, d))
        assert reason is not None
        assert "Tết" in reason
    assert CAL.is_working_day(date(2025, 1, 24))
    assert CAL.is_working_day(date(2025, 2, 3))
    # Saturday 1 February is Tết too: the holiday is the reason shown, not the weekend.
    assert "Tết" in CAL.day_off_reason(date(2025, 2, 1))


def test_one_day_from_the_friday_before_tet_2025_is_due_on_monday_3_february():
    assert CAL.add_working_time(at(2025, 1, 24, 10), days=1) == at(2025, 2, 3, 10)


def test_april_may_2025_swap_makes_saturday_26_april_a_full_working_day():
    saturday = date(2025, 4, 26)

    assert CAL.is_working_day(saturday)
    assert CAL.periods(saturday) == (
        (at(2025, 4, 26, 8), at(2025, 4, 26, 12)),
        (at(2025, 4, 26, 13), at(2025, 4, 26, 17)),
    )
    assert CAL.add_working_time(at(2025, 4, 25, 9), days=1) == at(2025, 4, 26, 9)


def test_april_may_2025_gives_30_april_1_and_2_may_off_with_2_may_swapped():
    assert CAL.day_off_reason(date(2025, 4, 30)) is not None
    assert CAL.day_off_reason(date(2025, 5, 1)) is not None
    swapped = CAL.day_off_reason(date(2025, 5, 2))
    assert swapped is not None
    assert "26/04/2025" in swapped
    # Tuesday 29 April + 1 day skips Wed 30, Thu 1, Fri 2 and the weekend.
    assert CAL.add_working_time(at(2025, 4, 29, 10), days=1) == at(2025, 5, 5, 10)


def test_national_day_2025_is_monday_1_and_tuesday_2_september():
    assert CAL.day_off_reason(date(2025, 9, 1)) is not None
    assert CAL.day_off_reason(date(2025, 9, 2)) is not None
    assert CAL.is_working_day(date(2025, 9, 3))
    assert CAL.add_working_time(at(2025, 8, 29, 10), days=1) == at(2025, 9, 3, 10)


def test_national_day_2026_swaps_monday_31_august_for_saturday_22_august():
    assert CAL.is_working_day(date(2026, 8, 22))
    assert CAL.add_working_time(at(2026, 8, 21, 10), days=1) == at(2026, 8, 22, 10)
    swapped = CAL.day_off_reason(date(2026, 8, 31))
    assert swapped is not None
    assert "22/08/2026" in swapped
    assert CAL.day_off_reason(date(2026, 9, 1)) is not None
    assert CAL.day_off_reason(date(2026, 9, 2)) is not None
    # Friday 28 August + 1 day skips the weekend, Mon 31 Aug, Tue 1 and Wed 2 September.
    assert CAL.add_working_time(at(2026, 8, 28, 10), days=1) == at(2026, 9, 3, 10)


def test_an_ordinary_saturday_and_sunday_are_the_weekend():
    assert CAL.day_off_reason(date(2025, 3, 8)) == "Cuối tuần"
    assert CAL.day_off_reason(date(2025, 3, 9)) == "Cuối tuần"
    assert CAL.periods(date(2025, 3, 8)) == ()
    assert CAL.day_off_reason(date(2025, 3, 10)) is None


def test_without_official_holidays_only_the_weekend_is_off():
    plain = WorkingCalendar(use_official_holidays=False)

    assert plain.is_working_day(date(2025, 9, 2))
    assert not plain.is_working_day(date(2025, 4, 26))


# -- within a day -------------------------------------------------------------------------------


def test_two_hours_from_11_00_span_the_lunch_break_and_end_at_14_00():
    assert CAL.add_working_time(at(2025, 3, 3, 11), hours=2) == at(2025, 3, 3, 14)


def test_a_start_in_the_lunch_break_counts_from_13_00():
    assert CAL.add_working_time(at(2025, 3, 3, 12, 30), hours=1) == at(2025, 3, 3, 14)
    assert CAL.next_working_moment(at(2025, 3, 3, 12)) == at(2025, 3, 3, 13)


def test_one_day_from_monday_08_00_is_due_monday_17_00_not_tuesday():
    assert CAL.add_working_time(at(2025, 3, 3, 8), days=1) == at(2025, 3, 3, 17)
    assert CAL.add_working_time(at(2025, 3, 3, 8), hours=4) == at(2025, 3, 3, 12)


def test_exactly_17_00_is_after_office_hours():
    assert CAL.next_working_moment(at(2025, 3, 3, 17)) == at(2025, 3, 4, 8)
    assert CAL.next_working_moment(at(2025, 3, 3, 16, 59)) == at(2025, 3, 3, 16, 59)
    assert CAL.add_working_time(at(2025, 3, 3, 17), minutes=30) == at(2025, 3, 4, 8, 30)


def test_fractional_days_and_hours():
    assert CAL.add_working_time(at(2025, 3, 3, 8), days=Decimal("0.5")) == at(2025, 3, 3, 12)
    assert CAL.add_working_time(at(2025, 3, 3, 8), hours=1.5) == at(2025, 3, 3, 9, 30)
    assert CAL.add_working_time(at(2025, 3, 3, 8), hours=Decimal("2.25")) == at(2025, 3, 3, 10, 15)


def test_thirty_working_days_are_240_hours_and_skip_hung_kings_day_2025():
    start = at(2025, 3, 3, 8)
    due = CAL.add_working_time(start, days=30)

    assert HOURS_PER_DAY == 8
    assert due == CAL.add_working_time(start, hours=240)
    assert CAL.day_off_reason(date(2025, 4, 7)) is not None  # Giỗ Tổ Hùng Vương
    assert due == at(2025, 4, 14, 17)


def test_adding_zero_returns_the_next_working_moment():
    assert CAL.add_working_time(at(2025, 3, 3, 9, 15)) == at(2025, 3, 3, 9, 15)
    assert CAL.add_working_time(at(2025, 3, 8, 9)) == at(2025, 3, 10, 8)


def test_a_utc_start_gives_the_same_due_moment_in_hanoi_time():
    due = CAL.add_working_time(datetime(2026, 2, 13, 9, tzinfo=UTC), days=1)

    assert due == at(2026, 2, 23, 16)
    assert due.tzinfo is HCM


# -- receipt: online arrivals and cut-off -----------------------------------------------------


def test_online_arrival_at_21_00_on_friday_counts_from_monday_08_00():
    friday_night = at(2025, 3, 7, 21)

    assert CAL.start_moment(friday_night) == at(2025, 3, 10, 8)
    assert CAL.add_working_time(friday_night, days=5) == at(2025, 3, 14, 17)
    explanation = CAL.explain(friday_night, days=5)
    assert explanation.start_effective == at(2025, 3, 10, 8)
    assert [off.date for off in explanation.skipped] == [date(2025, 3, 8), date(2025, 3, 9)]


def test_arrival_during_office_hours_starts_the_clock_at_once():
    assert CAL.start_moment(at(2025, 3, 4, 10, 20)) == at(2025, 3, 4, 10, 20)
    assert CAL.start_moment(at(2025, 3, 4, 16)) == at(2025, 3, 4, 16)


def test_cutoff_15_00_moves_a_16_00_arrival_to_the_next_working_day():
    assert CAL.start_moment(at(2025, 3, 4, 16), cutoff=CUTOFF) == at(2025, 3, 5, 8)
    assert CAL.start_moment(at(2025, 3, 4, 14, 59), cutoff=CUTOFF) == at(2025, 3, 4, 14, 59)
    assert CAL.start_moment(at(2025, 3, 4, 15), cutoff=CUTOFF) == at(2025, 3, 4, 15)
    # Friday after the cut-off: Monday; before the 30 April 2025 holidays: Monday 5 May.
    assert CAL.start_moment(at(2025, 3, 7, 15, 30), cutoff=CUTOFF) == at(2025, 3, 10, 8)
    assert CAL.start_moment(at(2025, 4, 29, 16), cutoff=CUTOFF) == at(2025, 5, 5, 8)


def test_explain_with_cutoff_counts_from_the_next_working_day():
    explanation = CAL.explain(at(2025, 3, 4, 16), days=1, cutoff=CUTOFF)

    assert explanation.start_effective == at(2025, 3, 5, 8)
    assert explanation.due == at(2025, 3, 5, 17)
    assert explanation.skipped == ()


# -- administrator overrides --------------------------------------------------------------------


def test_an_extra_day_off_by_decision_moves_the_due_date_and_is_explained():
    cal = WorkingCalendar(extra_days_off={date(2025, 3, 10): "QĐ 1234/QĐ-UBND"})
    start = at(2025, 3, 7, 10)

    assert CAL.add_working_time(start, days=1) == at(2025, 3, 10, 10)
    assert cal.add_working_time(start, days=1) == at(2025, 3, 11, 10)
    assert cal.day_off_reason(date(2025, 3, 10)) == "QĐ 1234/QĐ-UBND"
    assert DayOff(date(2025, 3, 10), "QĐ 1234/QĐ-UBND") in cal.explain(start, days=1).skipped


def test_an_extra_working_saturday_by_decision_brings_the_due_date_forward():
    cal = WorkingCalendar(extra_working_days={date(2025, 3, 8): "QĐ 99/QĐ-UBND làm bù"})

    assert cal.is_working_day(date(2025, 3, 8))
    assert cal.periods(date(2025, 3, 8)) == (
        (at(2025, 3, 8, 8), at(2025, 3, 8, 12)),
        (at(2025, 3, 8, 13), at(2025, 3, 8, 17)),
    )
    assert cal.add_working_time(at(2025, 3, 7, 10), days=1) == at(2025, 3, 8, 10)


def test_an_extra_working_day_overrides_an_official_holiday():
    cal = WorkingCalendar(extra_working_days={date(2025, 9, 2): "QĐ 7/QĐ-UBND"})

    assert cal.is_working_day(date(2025, 9, 2))
    assert cal.add_working_time(at(2025, 8, 29, 10), days=1) == at(2025, 9, 2, 10)


def test_an_extra_day_off_overrides_an_official_make_up_saturday():
    cal = WorkingCalendar(extra_days_off={date(2025, 4, 26): "QĐ 8/QĐ-UBND"})

    assert cal.day_off_reason(date(2025, 4, 26)) == "QĐ 8/QĐ-UBND"


def test_an_override_needs_a_reason_and_a_date():
    with pytest.raises(ValueError, match="reason"):
        WorkingCalendar(extra_days_off={date(2025, 3, 10): " "})
    with pytest.raises(ValueError, match="dates"):
        WorkingCalendar(extra_days_off={at(2025, 3, 10): "QĐ 1"})


# -- per-agency office hours --------------------------------------------------------------------

SATURDAY_MORNING = WorkingCalendar(office_hours={**DEFAULT_OFFICE_HOURS, 5: ((time(8), time(12)),)})


def test_a_saturday_morning_office_counts_saturday_morning():
    assert SATURDAY_MORNING.add_working_time(at(2025, 3, 7, 15), hours=4) == at(2025, 3, 8, 10)
    assert SATURDAY_MORNING.add_working_time(at(2025, 3, 7, 15), hours=6) == at(2025, 3, 8, 12)
    # 2 h on Friday, 4 h on Saturday morning, then Monday.
    assert SATURDAY_MORNING.add_working_time(at(2025, 3, 7, 15), hours=7) == at(2025, 3, 10, 9)
    assert SATURDAY_MORNING.next_working_moment(at(2025, 3, 8, 12)) == at(2025, 3, 10, 8)
    assert SATURDAY_MORNING.day_off_reason(date(2025, 3, 9)) == "Cuối tuần"


def test_a_saturday_morning_office_still_closes_on_a_holiday_saturday():
    assert "Tết" in SATURDAY_MORNING.day_off_reason(date(2025, 2, 1))


def test_a_make_up_saturday_keeps_the_agencys_own_saturday_hours():
    assert SATURDAY_MORNING.periods(date(2025, 4, 26)) == ((at(2025, 4, 26, 8), at(2025, 4, 26, 12)),)


def test_office_hours_are_validated():
    with pytest.raises(ValueError, match="overlap"):
        WorkingCalendar(office_hours={0: ((time(8), time(12)), (time(11), time(17)))})
    with pytest.raises(ValueError, match="end after"):
        WorkingCalendar(office_hours={0: ((time(12), time(8)),)})
    with pytest.raises(ValueError, match="weekday"):
        WorkingCalendar(office_hours={7: ((time(8), time(12)),)})
    with pytest.raises(ValueError, match="at least one"):
        WorkingCalendar(office_hours={})


# -- working time between two moments ---------------------------------------------------------


def test_working_time_between_skips_the_weekend_and_tet():
    assert CAL.working_time_between(at(2026, 2, 13, 16), at(2026, 2, 23, 16)) == timedelta(hours=8)
    assert CAL.working_time_between(at(2025, 3, 7, 16), at(2025, 3, 10, 9)) == timedelta(hours=2)
    assert CAL.working_time_between(at(2025, 3, 3, 12), at(2025, 3, 3, 13)) == timedelta(0)
    assert CAL.working_time_between(at(2025, 3, 3, 0), at(2025, 3, 4, 0)) == timedelta(hours=8)


def test_working_time_between_is_negative_when_the_end_is_earlier():
    assert CAL.working_time_between(at(2026, 2, 23, 16), at(2026, 2, 13, 16)) == -timedelta(hours=8)


def test_working_time_between_agrees_with_add_working_time_over_the_2026_national_day():
    start = at(2026, 8, 20, 14, 10)
    due = CAL.add_working_time(start, days=3, hours=5, minutes=7)

    assert CAL.working_time_between(start, due) == timedelta(hours=3 * 8 + 5, minutes=7)


# -- input errors -----------------------------------------------------------------------------


def test_naive_datetimes_are_refused():
    naive = at(2025, 3, 3, 8).replace(tzinfo=None)
    with pytest.raises(ValueError, match="aware"):
        CAL.add_working_time(naive, days=1)
    with pytest.raises(ValueError, match="aware"):
        CAL.next_working_moment(naive)
    with pytest.raises(ValueError, match="aware"):
        CAL.working_time_between(naive, at(2025, 3, 4))


@pytest.mark.parametrize(
    "duration",
    [{"days": -1}, {"hours": -0.5}, {"minutes": -1}, {"days": 2, "hours": -1}, {"hours": float("nan")}],
)
def test_negative_or_invalid_durations_are_refused(duration):
    with pytest.raises(ValueError, match=r"^(days|hours|minutes) must"):
        CAL.add_working_time(at(2025, 3, 3, 8), **duration)


# -- properties over 2024–2027 --------------------------------------------------------------------

CALENDARS = [
    CAL,
    SATURDAY_MORNING,
    WorkingCalendar(
        extra_days_off={date(2025, 3, 10): "QĐ 1", date(2026, 12, 31): "QĐ 2"},
        extra_working_days={date(2025, 3, 8): "QĐ 3", date(2026, 2, 16): "QĐ 4"},
    ),
    WorkingCalendar(office_hours={1: ((time(7, 30), time(11, 30)),), 3: ((time(13), time(16, 30)),)}),
]
calendars = st.sampled_from(CALENDARS)
# Hypothesis takes naive bounds and attaches the zone itself.
starts = st.datetimes(
    min_value=datetime.combine(date(2024, 1, 1), time()),
    max_value=datetime.combine(date(2027, 12, 31), time(23, 59)),
    timezones=st.just(HCM),
)
minutes = st.integers(min_value=0, max_value=60 * 8 * 70)


def inside_or_at_end(cal: WorkingCalendar, t: datetime) -> bool:
    return any(start <= t <= end for start, end in cal.periods(t.date()))


@given(calendars, starts, minutes, minutes)
def test_more_time_never_gives_an_earlier_due_moment(cal, start, a, b):
    low, high = sorted((a, b))
    assert cal.add_working_time(start, minutes=low) <= cal.add_working_time(start, minutes=high)


@given(calendars, starts, minutes, minutes.filter(bool))
def test_adding_in_two_steps_is_adding_the_sum(cal, start, a, b):
    assert cal.add_working_time(cal.add_working_time(start, minutes=a), minutes=b) == cal.add_working_time(
        start, minutes=a + b
    )


@given(calendars, starts, minutes)
def test_adding_zero_first_changes_nothing(cal, start, b):
    assert cal.add_working_time(cal.add_working_time(start), minutes=b) == cal.add_working_time(
        start, minutes=b
    )


@given(calendars, starts, minutes)
def test_every_due_moment_is_inside_office_hours_or_at_a_period_end(cal, start, x):
    assert inside_or_at_end(cal, cal.add_working_time(start, minutes=x))


@given(calendars, starts, minutes)
def test_working_time_to_the_due_moment_is_the_duration(cal, start, x):
    due = cal.add_working_time(start, minutes=x)

    assert cal.working_time_between(cal.next_working_moment(start), due) == timedelta(minutes=x)
    assert cal.working_time_between(start, due) == timedelta(minutes=x)


@given(calendars, starts, st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=7))
def test_days_are_eight_hours_each(cal, start, days, hours):
    assert cal.add_working_time(start, days=days, hours=hours) == cal.add_working_time(
        start, hours=days * HOURS_PER_DAY + hours
    )


@given(calendars, starts, starts, starts)
def test_working_time_between_adds_up(cal, a, b, c):
    a, b, c = sorted((a, b, c))
    assert cal.working_time_between(a, c) == cal.working_time_between(a, b) + cal.working_time_between(b, c)


@given(calendars, starts)
def test_the_clock_starts_at_the_first_working_moment_from_receipt(cal, received):
    begun = cal.start_moment(received)

    assert begun >= received
    assert any(start <= begun < end for start, end in cal.periods(begun.date()))
    assert cal.working_time_between(received, begun) == timedelta(0)


@given(calendars, starts)
def test_after_the_cutoff_the_clock_starts_at_the_next_working_days_opening(cal, received):
    begun = cal.start_moment(received, cutoff=CUTOFF)

    if cal.is_working_day(received.date()) and received.time() > CUTOFF:
        assert begun.date() > received.date()
        assert begun == cal.periods(begun.date())[0][0]
        assert begun == cal.next_working_moment(datetime.combine(received.date(), time(23, 59), tzinfo=HCM))
    else:
        assert begun == cal.start_moment(received)


@given(
    calendars,
    st.dates(min_value=date(2024, 6, 1), max_value=date(2027, 6, 30)),
    st.integers(min_value=-400, max_value=800),
)
def test_counting_working_days_by_year_is_counting_them_one_by_one(cal, first, span):
    last = first + timedelta(days=span)
    by_hand, d = 0, first
    while d < last:
        d += timedelta(days=1)
        by_hand += cal.is_working_day(d)
    assert cal.working_days_after(first, last) == by_hand


def test_working_days_after_tet_2026():
    # Fri 13/02 → Mon 23/02: the Tết break and two weekends in between; only the Monday counts.
    assert CAL.working_days_after(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert CAL.working_days_after(date(2025, 12, 31), date(2026, 1, 2)) == 1  # 01/01 is a holiday
