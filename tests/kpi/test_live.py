"""The unit's KPI page follows the dossiers the same minute (product journey 3): every recorded
dossier event refreshes its agency's month after the commit, debounced per agency and month."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests import factories_dossiers as fd
from thudo.dossiers import actions
from thudo.dossiers import indicators as dossier_indicators
from thudo.kpi import compute, seed, tasks
from thudo.kpi.models import MonthlyAgencyCount

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _indicator(response, code: str) -> dict:
    groups = response.context["result"]["groups"]
    return next(i for g in groups for i in g["indicators"] if i["code"] == code)


def _finish(w, committed):
    """Submit, receive, process, sign and hand over a dossier now, committing after each step."""
    with committed(execute=True):
        d = fd.submit(w)
    with committed(execute=True):
        d = actions.receive(d, by=w.reception)
    with committed(execute=True):
        d = actions.forward(d, by=w.reception, assignee=w.specialist)
    with committed(execute=True):
        d = actions.forward(d, by=w.specialist)
    with committed(execute=True):
        d = actions.approve_and_sign(d, by=w.leader)
    with committed(execute=True):
        return actions.return_result(d, by=w.reception)


@override_settings(TASKS=IMMEDIATE)
def test_finished_dossier_shows_on_the_unit_page_without_a_manual_rollup(
    client, django_capture_on_commit_callbacks
):
    seed.load()
    w = fd.world()
    period = f"{compute.this_month():%Y-%m}"
    client.force_login(w.leader)

    before = client.get(f"/kpi/don-vi/{w.agency.code}/?period={period}")
    assert before.status_code == 200
    assert _indicator(before, "2.1")["denominator"] in (None, 0)

    done = _finish(w, django_capture_on_commit_callbacks)

    page = client.get(f"/kpi/don-vi/{w.agency.code}/?period={period}")
    progress = _indicator(page, "2.1")
    assert (progress["numerator"], progress["denominator"]) == (1, 1)
    assert (_indicator(page, "4.1")["numerator"], _indicator(page, "4.1")["denominator"]) == (1, 1)
    behind = f"/kpi/don-vi/{w.agency.code}/{period}/2.1/numerator/"
    assert behind in page.content.decode()
    assert done.code in client.get(behind).content.decode()


def test_refresh_is_queued_once_per_agency_and_month_until_a_worker_takes_it(
    django_capture_on_commit_callbacks,
):
    """With the database backend (production), a burst of changes waits as one task."""
    seed.load()
    w = fd.world()
    with django_capture_on_commit_callbacks(execute=True):
        first = fd.submit(w)
    with django_capture_on_commit_callbacks(execute=True):
        second = fd.submit(w)
        actions.receive(first, by=w.reception)
    month = f"{compute.this_month():%Y-%m}"
    waiting = DBTaskResult.objects.filter(task_path=tasks.refresh_agency_month.module_path)
    assert list(waiting.values_list("args_kwargs", flat=True)) == [
        {"args": [w.agency.pk, month], "kwargs": {}}
    ]
    # It waits a few seconds for more changes: a worker cannot have taken it before them.
    job = waiting.get()
    assert job.run_after > timezone.now()

    # Its time comes and the worker runs it: the month's counts now include both dossiers.
    job.status = "RUNNING"
    job.save(update_fields=["status"])
    tasks.forget_queued()  # stands for the clock passing run_after
    tasks.refresh_agency_month.call(w.agency.pk, month)
    counts = dict(
        MonthlyAgencyCount.objects.filter(agency=w.agency, month=compute.this_month()).values_list(
            "metric", "value"
        )
    )
    assert counts["online.total"] == 1  # received this month: the first one only
    assert counts["proc.used"] == 1

    # A change after the worker started the refresh queues a new one.
    with django_capture_on_commit_callbacks(execute=True):
        actions.receive(second, by=w.reception)
    assert waiting.filter(status="READY").count() == 1


def test_a_failing_queue_does_not_break_the_dossier_action(monkeypatch, django_capture_on_commit_callbacks):
    seed.load()
    w = fd.world()

    def broken(*args, **kwargs):
        raise RuntimeError("queue down")

    monkeypatch.setattr(tasks, "refresh_agency_month", SimpleNamespace(enqueue=broken))
    with django_capture_on_commit_callbacks(execute=True):
        d = fd.submit(w)
    assert d.pk and d.submitted_at <= timezone.now()
    assert not DBTaskResult.objects.filter(task_path__startswith="thudo.kpi.").exists()


def test_kpi_rollup_command_catches_up_to_the_current_month(capsys):
    """The periodic safety net (cron): ``thudo kpi_rollup`` without arguments."""
    from django.core.management import call_command

    seed.load()
    call_command("kpi_rollup")
    assert f"{compute.this_month():%Y-%m}" in capsys.readouterr().out


def test_a_full_rollup_keeps_a_live_refresh_that_read_after_it(monkeypatch):
    """The full roll-up reads the whole month first and writes agency by agency; a live refresh
    of one agency that ran meanwhile (it saw a newer dossier) is not overwritten with older counts."""
    seed.load()
    w = fd.world()
    month = compute.this_month()
    actions.receive(fd.submit(w), by=w.reception)
    read_all = dossier_indicators.facts_by_agency

    def read_then_a_live_refresh(*args, **kwargs):
        facts = read_all(*args, **kwargs)  # the full pass has read: one dossier received
        if args[0] is None:
            # A second one is received, and its agency's refresh runs before the full pass writes.
            actions.receive(fd.submit(w), by=w.reception)
            tasks.refresh_agency_month.call(w.agency.pk, f"{month:%Y-%m}")
        return facts

    monkeypatch.setattr(dossier_indicators, "facts_by_agency", read_then_a_live_refresh)
    compute.rollup(month)
    received = MonthlyAgencyCount.objects.filter(agency=w.agency, month=month, metric="online.total")
    assert received.values_list("value", flat=True).first() == 2
