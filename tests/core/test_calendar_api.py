"""The calendar service through the API, the CLI, and with the administrator's overrides."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories
from thudo.core import actions
from thudo.core.errors import NotAllowed
from thudo.core.models import OverrideKind

pytestmark = pytest.mark.django_db


def due(client, **params):
    response = client.get("/api/v1/calendar/due", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_friday_before_tet_plus_one_day_is_the_monday_after(client):
    body = due(client, start="2026-02-13T16:00", days=1)
    assert body["due"] == "2026-02-23T16:00:00+07:00"
    reasons = {d["date"]: d["reason"] for d in body["skipped"]}
    assert "Tết" in reasons["2026-02-17"]
    assert set(reasons) >= {"2026-02-16", "2026-02-20", "2026-02-21", "2026-02-22"}


def test_cli_prints_iso_due_first_then_the_days_skipped(capsys):
    call_command("due", "--start", "2026-02-13T16:00", "--days", "1")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2026-02-23T16:00:00+07:00"
    assert any("2026-02-17" in line and "Tết" in line for line in lines[1:])


def test_cli_hours_and_bad_input(capsys):
    call_command("due", "--start", "2026-04-29T16:00", "--hours", "2")
    assert capsys.readouterr().out.splitlines()[0] == "2026-05-04T09:00:00+07:00"  # 30/4 and 1/5 off
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("due", "--start", "hôm qua", "--days", "1")
    with pytest.raises(CommandError, match="âm"):
        call_command("due", "--start", "2026-04-29T16:00", "--days", "-1")


def test_online_arrival_at_night_counts_from_next_working_morning(client):
    body = due(client, start="2026-11-20T21:00", hours=1)  # Friday 21:00
    assert body["start_effective"] == "2026-11-23T08:00:00+07:00"
    assert body["due"] == "2026-11-23T09:00:00+07:00"


def test_cutoff_moves_late_afternoon_requests_to_the_next_day(client):
    body = due(client, start="2026-11-19T15:30", hours=4, cutoff="15:00")
    assert body["start_effective"] == "2026-11-20T08:00:00+07:00"


def test_a_citywide_day_off_added_by_decision_moves_the_due_date(client, city_admin):
    before = due(client, start="2026-12-30T16:00", days=1)["due"]
    actions.add_calendar_override(
        day=date(2026, 12, 31), kind=OverrideKind.DAY_OFF, decision="Quyết định 123/QĐ-UBND", by=city_admin
    )
    after = due(client, start="2026-12-30T16:00", days=1)
    assert before == "2026-12-31T16:00:00+07:00"
    assert after["due"] == "2027-01-04T16:00:00+07:00"  # 31/12 off by decision, 1/1 holiday, weekend
    assert any("123/QĐ-UBND" in d["reason"] for d in after["skipped"])


def test_an_agency_make_up_saturday_and_office_hours(client, city_admin):
    agency = factories.AgencyFactory(code="000.00.99.H26")
    actions.add_calendar_override(
        day=date(2026, 11, 28),
        kind=OverrideKind.WORKING_DAY,
        decision="Công văn 45/UBND",
        agency=agency,
        by=city_admin,
    )
    body = due(client, start="2026-11-27T16:00", hours=2, agency=agency.code)
    assert body["due"] == "2026-11-28T09:00:00+07:00"
    actions.update_agency(
        agency, by=city_admin, office_hours={str(d): [["07:30", "11:30"]] for d in range(5)}
    )
    body = due(client, start="2026-11-16T11:00", hours=1, agency=agency.code)
    assert body["due"] == "2026-11-17T08:00:00+07:00"
    # 24/11/2026 is the new Vietnamese Culture Day holiday: Monday 23rd + 1 h lands on Wednesday.
    assert (
        due(client, start="2026-11-23T11:00", hours=1, agency=agency.code)["due"]
        == "2026-11-25T08:00:00+07:00"
    )


def test_malformed_office_hours_are_refused(city_admin):
    from thudo.core.errors import InvalidInput

    agency = factories.AgencyFactory()
    with pytest.raises(InvalidInput):
        actions.update_agency(agency, by=city_admin, office_hours={"0": [["13:00", "12:00"]]})


def test_only_admins_change_the_calendar(db):
    officer = factories.official(role="specialist", agency=factories.AgencyFactory())
    with pytest.raises(NotAllowed):
        actions.add_calendar_override(
            day=date(2026, 12, 31), kind=OverrideKind.DAY_OFF, decision="QĐ 1", by=officer
        )


def test_calculator_page(client):
    page = client.get("/calendar/due/", {"start": "2026-02-13T16:00", "days": "1"}).content.decode()
    assert "23/02/2026" in page and "Tết" in page
    bad = client.get("/calendar/due/", {"start": "xyz", "days": "1"}).content.decode()
    assert "ISO 8601" in bad
