"""The dossier actions announce what happened as typed events; the apps above (kpi,
notifications) hear them through their own subscriptions, never through an import by dossiers."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests import factories_dossiers as fd
from thudo.core import events
from thudo.dossiers import actions
from thudo.dossiers.events import (
    ApplicantNotified,
    DossierEventRecorded,
    DossierReceived,
    DossierSubmitted,
    applicant_notice_type,
)
from thudo.kpi import compute, tasks
from thudo.notifications import actions as notification_actions
from thudo.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return fd.world()


def test_every_history_row_is_announced_with_its_agency_and_moment(w):
    with events.recorded(DossierEventRecorded) as seen, actions.papers_rendered(False):
        d = fd.submit(w)
        d = actions.receive(d, by=w.reception)
    assert [(e.code, e.verb, e.seq) for e in seen] == [(d.code, "submit", 1), (d.code, "receive", 2)]
    assert {e.processing_agency_id for e in seen} == {w.agency.pk}
    assert [e.at for e in seen] == list(d.events.order_by("seq").values_list("at", flat=True))


def test_the_applicant_notices_are_typed_events_carrying_what_to_say(w):
    with events.recorded(ApplicantNotified) as seen, actions.papers_rendered(False):
        d = fd.submit(w)
        d = actions.receive(d, by=w.reception)
    assert [type(e) for e in seen] == [DossierSubmitted, DossierReceived]
    received = seen[1].notice
    assert received.topic == "dossier.received" and received.key == f"dossier:{d.code}:dossier.received"
    assert received.user == w.citizen and received.obj == d
    assert d.code in received.subject and "Hẹn trả kết quả" in received.body
    # the notifications app wrote them, in the action's transaction
    assert list(
        Notification.objects.filter(user=w.citizen).order_by("pk").values_list("event", flat=True)
    ) == [
        "dossier.submitted",
        "dossier.received",
    ]


def test_a_notice_topic_without_its_own_type_is_still_published():
    assert applicant_notice_type("dossier.received") is DossierReceived
    assert applicant_notice_type("dossier.something_new") is ApplicantNotified


def test_the_notice_rolls_back_with_the_action(w):
    def request_that_fails():
        with actions.papers_rendered(False), transaction.atomic():
            fd.submit(w)
            raise RuntimeError("the rest of the request failed")

    with pytest.raises(RuntimeError):
        request_that_fails()
    assert not Notification.objects.exists()


def test_dossiers_do_not_depend_on_their_subscribers(w):
    """Without the notifications subscription the action still succeeds; nobody is told."""
    sub = next(
        s for s in events.subscribers(DossierReceived) if s.handler is notification_actions.notice_published
    )
    events.unsubscribe(sub)
    try:
        with actions.papers_rendered(False):
            d = actions.receive(fd.submit(w), by=w.reception)
    finally:
        events.subscribe(sub.event_type, sub.handler, when=sub.when)
    assert d.status == "processing"
    assert not Notification.objects.exists()


def test_the_service_index_is_refreshed_after_the_commit_for_the_dossiers_agency_and_month(
    w, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks, "schedule_refresh", lambda agency_id, month: queued.append((agency_id, month)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks, actions.papers_rendered(False):
        d = fd.submit(w)
    assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert queued == [(w.agency.pk, f"{compute.this_month(d.submitted_at):%Y-%m}")]
