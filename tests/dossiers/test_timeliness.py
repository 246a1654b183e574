"""Early / on time / late is decided by one function (issue 10, item 6), and only supplements
requested while processing count towards "more than one supplement = late" (item 5).

``thudo.core.workcalendar.timeliness`` compares moments: on the due day after the due moment is
late. The dossier (``deadlines.classify``), the page's control sheet, the control sheet paper
(form 06) and the service-quality index all decide through it.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests import factories_dossiers as fd
from thudo.core.workcalendar import EARLY, LATE, ON_TIME, WorkingCalendar, timeliness
from thudo.dossiers import actions, deadlines
from thudo.dossiers import indicators as dossier_indicators
from thudo.dossiers.models import Dossier
from thudo.kpi import compute
from thudo.signing import papers

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_MORNING = datetime(2026, 12, 7, 8, 0, tzinfo=HCM)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=HCM)


DUE = at(2026, 12, 9, 10, 0)  # Wednesday 10:00


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        (at(2026, 12, 8, 16, 0), EARLY),  # the day before
        (at(2026, 12, 9, 8, 0), ON_TIME),  # the due day, before the due moment
        (DUE, ON_TIME),  # exactly at the due moment
        (at(2026, 12, 9, 16, 0), LATE),  # the due day, after the due moment
        (at(2026, 12, 10, 8, 0), LATE),
    ],
)
def test_timeliness_compares_moments_not_dates(done, expected):
    assert timeliness(done, DUE) == expected
    assert timeliness(done.astimezone(ZoneInfo("UTC")), DUE) == expected  # whatever the time zone


def test_control_sheet_paper_calls_a_hand_over_after_the_due_time_on_the_due_day_late():
    """Form 06 used to say "Đúng hạn" for a hand-over at 16:00 whose due moment was 10:00."""
    assert papers.handover_status({"due": DUE, "actual": at(2026, 12, 9, 16, 0)}) == "Quá hạn"
    assert papers.handover_status({"due": DUE, "actual": at(2026, 12, 9, 9, 0)}) == "Đúng hạn"
    assert papers.handover_status({"due": DUE, "actual": at(2026, 12, 8, 9, 0)}) == "Trước hạn"
    html = papers.render_html(
        "control_sheet",
        {
            "agency_name": "Ủy ban nhân dân Phường Thử Nghiệm A",
            "dossier_code": "000.00.21.H26-261207-0001",
            "handovers": [
                {"step": "Thẩm định", "from": "A", "to": "B", "due": DUE, "actual": at(2026, 12, 9, 16, 0)}
            ],
        },
    )
    assert "Quá hạn" in html and "Đúng hạn" not in html


def test_at_least_one_working_day_before_is_the_calendars_arithmetic():
    cal = WorkingCalendar()
    due = at(2026, 12, 9, 17, 0)  # Wednesday 17:00
    assert cal.at_least_working_days_before(at(2026, 12, 8, 17, 0), due)  # exactly 8 office hours
    assert cal.at_least_working_days_before(at(2026, 12, 9, 8, 0), due)  # 08:00–17:00: one day
    assert not cal.at_least_working_days_before(at(2026, 12, 9, 9, 0), due)
    # Friday 17:00 → Monday 17:00 is one working day (the weekend does not count).
    assert cal.at_least_working_days_before(at(2026, 12, 4, 17, 0), at(2026, 12, 7, 17, 0))
    assert not cal.at_least_working_days_before(at(2026, 12, 4, 9, 0), at(2026, 12, 7, 17, 0), days=2)


# --- the dossier, its page and the index agree -------------------------------------------------------


@pytest.fixture
def w(db):
    return fd.world()


def _signed(w, d, when) -> Dossier:
    d = actions.forward(d, by=w.reception, now=MONDAY_MORNING)
    d = actions.forward(d, by=w.specialist, now=MONDAY_MORNING)
    return actions.approve_and_sign(d, by=w.leader, now=when)


def _row(d) -> dict:
    return {
        "due_at": d.due_at,
        "supplement_count": d.supplement_count,
        "has_apology": deadlines.has_apology(d),
    }


def test_signed_on_the_due_day_after_the_due_moment_is_late_everywhere(w):
    with actions.papers_rendered(False):
        d = actions.receive(fd.submit(w, at=MONDAY_MORNING), by=w.reception, now=MONDAY_MORNING)
        due = d.due_at  # Wednesday 17:00 (3 working days)
        d = _signed(w, d, due + timedelta(minutes=1))
    assert timeliness(d.finished_at, due) == LATE
    assert deadlines.classify(d) == LATE
    assert not dossier_indicators.is_on_time(_row(d), d.finished_at)


def test_page_control_sheet_marks_a_step_handed_on_after_its_due_moment_late(client, w):
    with actions.papers_rendered(False):
        d = actions.receive(fd.submit(w, at=MONDAY_MORNING), by=w.reception, now=MONDAY_MORNING)
        assert d.step_due_at == at(2026, 12, 7, 10, 0)  # the reception step: 2 working hours
        actions.forward(d, by=w.reception, now=at(2026, 12, 7, 11, 0))  # same day, after 10:00
    client.force_login(w.reception)
    page = client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert "Trễ hạn" in page and "Đúng hạn" not in page


def test_intake_completeness_requests_do_not_make_a_dossier_late(w):
    """Two requests before reception, one while processing: not "more than one supplement"."""
    with actions.papers_rendered(False):
        d = fd.submit(w, at=MONDAY_MORNING)
        for _ in range(2):
            d = actions.request_supplement(d, by=w.reception, reasons="Thiếu", now=MONDAY_MORNING)
            d = actions.supplement(d, by=w.citizen, files=[fd.pdf_file()], now=MONDAY_MORNING)
        d = actions.receive(d, by=w.reception, now=MONDAY_MORNING)
        d = actions.request_supplement(d, by=w.reception, reasons="Thiếu", now=at(2026, 12, 7, 9, 0))
        d = actions.supplement(d, by=w.citizen, files=[fd.pdf_file()], now=at(2026, 12, 7, 10, 0))
        d = _signed(w, d, at(2026, 12, 8, 9, 0))
    assert (d.completion_requests, d.supplement_count) == (2, 1)
    assert deadlines.classify(d) == EARLY
    assert dossier_indicators.is_on_time(_row(d), d.finished_at)
    assert not Dossier.objects.filter(deadlines.late_q(at(2027, 1, 1, 9, 0)), pk=d.pk).exists()
    month = compute.parse_period("2026-12")[0]
    facts = dossier_indicators.facts_by_agency([w.agency.pk], month, now=at(2027, 1, 5, 9, 0))[w.agency.pk]
    assert d.pk in facts["progress.on_time"]


def test_two_supplements_while_processing_still_count_late(w):
    with actions.papers_rendered(False):
        d = actions.receive(fd.submit(w, at=MONDAY_MORNING), by=w.reception, now=MONDAY_MORNING)
        for hour in (9, 11):
            d = actions.request_supplement(d, by=w.reception, reasons="Thiếu", now=at(2026, 12, 7, hour, 0))
            d = actions.supplement(d, by=w.citizen, files=[fd.pdf_file()], now=at(2026, 12, 7, hour + 1, 0))
        d = _signed(w, d, at(2026, 12, 8, 9, 0))
    assert (d.completion_requests, d.supplement_count) == (0, 2)
    assert deadlines.classify(d) == LATE
    assert not dossier_indicators.is_on_time(_row(d), d.finished_at)
