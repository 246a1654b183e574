"""The replica router's decisions, without a replica (the real standby is in test_read_replica.py)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from thudo.core import replica
from thudo.core.models import User

router = replica.ReplicaRouter()


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(replica, "configured", lambda: True)


def decide(request, *, write_first=False, atomic=False):
    seen = {}

    @replica.reads_from_replica
    def view(request):
        if write_first:
            router.db_for_write(User)
        if atomic:
            with transaction.atomic():
                seen["db"] = router.db_for_read(User)
        else:
            seen["db"] = router.db_for_read(User)
        return HttpResponse("ok")

    view(request)
    return seen["db"]


@pytest.mark.django_db(transaction=True)
def test_only_reads_of_marked_views_go_to_the_replica(with_replica):
    rf = RequestFactory()
    assert decide(rf.get("/tra-cuu/")) == "replica"
    assert router.db_for_read(User) is None  # outside a marked view: the primary
    assert decide(rf.post("/tra-cuu/")) is None  # not a safe method
    assert decide(rf.get("/tra-cuu/"), write_first=True) is None  # read-your-writes
    assert decide(rf.get("/tra-cuu/"), atomic=True) is None  # inside a transaction
    pinned = rf.get("/tra-cuu/")
    pinned.COOKIES[replica.PIN_COOKIE] = "1"
    assert decide(pinned) is None  # this browser wrote a moment ago
    assert router.db_for_write(User) == "default"
    assert router.allow_migrate("replica", "core") is False


def test_without_a_replica_nothing_changes():
    assert decide(RequestFactory().get("/tra-cuu/")) is None


def test_a_write_pins_the_browser_to_the_primary_for_a_few_seconds(with_replica, settings):
    settings.REPLICA_PIN_SECONDS = 7
    rf = RequestFactory()
    middleware = replica.ReplicaPinMiddleware(lambda request: HttpResponse("ok"))
    cookie = middleware(rf.post("/api/v1/dossiers")).cookies[replica.PIN_COOKIE]
    assert cookie["max-age"] == 7 and cookie["httponly"]
    assert replica.PIN_COOKIE not in middleware(rf.get("/tra-cuu/")).cookies
