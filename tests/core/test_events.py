"""The domain event bus: subscribers by type (base types hear their subclasses), in the
publisher's transaction or after its commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
from django.db import transaction

from thudo.core import events
from thudo.core.registries import Registry

pytestmark = pytest.mark.django_db


@dataclass(frozen=True, kw_only=True)
class Happened(events.Event):
    what: str


@dataclass(frozen=True, kw_only=True)
class HappenedHere(Happened):
    where: str


@pytest.fixture
def subscribe():
    subs = []

    def add(event_type, handler, **kw):
        subs.append(events.subscribe(event_type, handler, **kw))

    yield add
    for sub in subs:
        events.unsubscribe(sub)


def test_a_subscriber_of_a_base_type_hears_every_subclass(subscribe):
    heard = []
    subscribe(Happened, heard.append, when=events.IN_TRANSACTION)
    events.publish(Happened(what="a"))
    events.publish(HappenedHere(what="b", where="Hà Nội"))
    assert [e.what for e in heard] == ["a", "b"]


def test_a_subscriber_of_a_subclass_does_not_hear_the_base(subscribe):
    heard = []
    subscribe(HappenedHere, heard.append, when=events.IN_TRANSACTION)
    events.publish(Happened(what="a"))
    assert heard == []


def test_registering_the_same_handler_twice_runs_it_once(subscribe):
    heard = []
    subscribe(Happened, heard.append, when=events.IN_TRANSACTION)
    subscribe(Happened, heard.append, when=events.IN_TRANSACTION)
    events.publish(Happened(what="a"))
    assert len(heard) == 1


def test_on_commit_subscribers_run_after_the_commit_and_never_after_a_rollback(
    subscribe, django_capture_on_commit_callbacks
):
    heard = []
    subscribe(Happened, heard.append)  # ON_COMMIT is the default
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.publish(Happened(what="kept"))
        assert heard == []  # not yet: the transaction may still roll back
    assert [e.what for e in heard] == ["kept"]

    def change_that_fails():
        with transaction.atomic():
            events.publish(Happened(what="lost"))
            raise RuntimeError("the change failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        change_that_fails()
    assert callbacks == [] and [e.what for e in heard] == ["kept"]


def test_a_failing_on_commit_subscriber_is_logged_and_does_not_stop_the_others(
    subscribe, django_capture_on_commit_callbacks, caplog
):
    heard = []

    def broken(event):
        raise RuntimeError("queue unavailable")

    subscribe(Happened, broken)
    subscribe(Happened, heard.append)
    with (
        caplog.at_level(logging.ERROR),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        events.publish(Happened(what="a"))
    assert [e.what for e in heard] == ["a"]
    assert "queue unavailable" in caplog.text


def test_a_failing_in_transaction_subscriber_rolls_the_change_back(subscribe):
    def broken(event):
        raise RuntimeError("could not write the notice")

    subscribe(Happened, broken, when=events.IN_TRANSACTION)
    with pytest.raises(RuntimeError, match="could not write the notice"):
        events.publish(Happened(what="a"))


def test_publish_returns_the_answers_of_in_transaction_subscribers(subscribe):
    subscribe(Happened, lambda e: f"seen {e.what}", when=events.IN_TRANSACTION)
    subscribe(Happened, lambda e: "after commit")  # not an answer
    assert events.publish(Happened(what="a")) == ["seen a"]


def test_only_domain_events_are_published_or_subscribed():
    with pytest.raises(TypeError):
        events.publish({"what": "a"})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        events.subscribe(dict, print)  # type: ignore[arg-type]


def test_recorded_collects_what_a_block_published():
    with events.recorded(HappenedHere) as seen:
        events.publish(Happened(what="a"))
        events.publish(HappenedHere(what="b", where="x"))
    events.publish(HappenedHere(what="c", where="y"))
    assert [e.what for e in seen] == ["b"]


def test_a_registry_keeps_each_entry_once_in_order():
    sources = Registry[str]("test.sources")
    assert sources.register("dossiers") == "dossiers"
    sources.register("feedback")
    sources.register("dossiers")
    assert list(sources) == ["dossiers", "feedback"] and len(sources) == 2
    sources.unregister("dossiers")
    assert list(sources) == ["feedback"]
