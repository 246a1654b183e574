"""The domain event bus: how an app tells the others what happened without importing them.

An action publishes a typed event (a frozen dataclass, subclass of :class:`Event`) inside its own
transaction; the apps that care subscribe to the event's type in their ``AppConfig.ready``. The
acting app never imports its subscribers, so an app low in the import order (``dossiers``) can
drive an app above it (``kpi``, ``notifications``, later the integration outbox).

Two moments a subscriber can run at (ADR 0011):

- ``IN_TRANSACTION``: at once, inside the publisher's transaction. For rows that must commit or
  roll back with the change that caused them (the applicant's notice and its outbox messages): a
  failure rolls the action back, exactly as if the action had written those rows itself.
- ``ON_COMMIT`` (the default): after the publisher's transaction commits
  (``transaction.on_commit(..., robust=True)``), never when it rolls back. For work that may be
  lost or repeated without harm (queueing the KPI refresh): a failure is logged and never breaks the
  action; the scheduled jobs repair what a lost side effect left behind.

A subscriber registered for a base class receives every subclass: ``subscribe(ApplicantNotice, …)``
hears every event that carries something to tell the applicant, whichever app publishes it.

The catalogue of events (who publishes, who subscribes) is in ``docs/architecture.md``.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every domain event: a fact, named in the past tense, with the values a subscriber
    needs (so it has no reason to import the publisher's internals)."""


@dataclass(frozen=True, kw_only=True)
class Notice:
    """What to tell one person about an object, in their language of record (Vietnamese).

    ``topic`` names the kind of notice (``dossier.received``); ``key`` makes it idempotent (a
    retried action never tells the person twice)."""

    topic: str
    subject: str
    body: str
    key: str
    user: Any = None
    email: str = ""
    phone: str = ""
    url: str = ""
    obj: Any = None


@dataclass(frozen=True, kw_only=True)
class PersonNotified(Event):
    """Base of the events that carry a :class:`Notice` for a person. The notifications app
    subscribes to this base type in the publisher's transaction and writes the notice and its
    outbox rows; publishers need not know that app."""

    notice: Notice


class When(enum.Enum):
    IN_TRANSACTION = "in_transaction"
    ON_COMMIT = "on_commit"


IN_TRANSACTION = When.IN_TRANSACTION
ON_COMMIT = When.ON_COMMIT

Handler = Callable[[Any], object]


@dataclass(frozen=True)
class Subscription:
    event_type: type[Event]
    handler: Handler
    when: When


_subscriptions: list[Subscription] = []


def subscribe(event_type: type[Event], handler: Handler, *, when: When = ON_COMMIT) -> Subscription:
    """Register ``handler(event)`` for ``event_type`` and its subclasses. Call it from the
    subscribing app's ``AppConfig.ready``; registering the same handler twice is a no-op."""
    if not (isinstance(event_type, type) and issubclass(event_type, Event)):
        raise TypeError(f"{event_type!r} is not a domain event type")
    sub = Subscription(event_type, handler, when)
    if sub not in _subscriptions:
        _subscriptions.append(sub)
    return sub


def unsubscribe(sub: Subscription) -> None:
    if sub in _subscriptions:
        _subscriptions.remove(sub)


def subscribers(event_type: type[Event]) -> list[Subscription]:
    """The subscriptions an event of ``event_type`` reaches, in registration order."""
    return [s for s in _subscriptions if issubclass(event_type, s.event_type)]


def publish(event: Event) -> list[object]:
    """Dispatch ``event`` to its subscribers: ``IN_TRANSACTION`` ones now (their errors propagate
    and roll the publisher's transaction back), ``ON_COMMIT`` ones after the commit (errors logged).
    Returns the answers of the ``IN_TRANSACTION`` subscribers, in registration order (e.g. whether
    a notice was new); a publisher never depends on who answered."""
    if not isinstance(event, Event):
        raise TypeError(f"{event!r} is not a domain event")
    answers: list[object] = []
    for sub in subscribers(type(event)):
        if sub.when is IN_TRANSACTION:
            answers.append(sub.handler(event))
        else:
            transaction.on_commit(functools.partial(sub.handler, event), robust=True)
    return answers


@contextmanager
def recorded(event_type: type[Event] = Event) -> Iterator[list[Event]]:
    """Collect the events of ``event_type`` published in this block, as they are published
    (tests, and anything that wants to see what an action announced)."""
    seen: list[Event] = []
    sub = subscribe(event_type, seen.append, when=IN_TRANSACTION)
    try:
        yield seen
    finally:
        unsubscribe(sub)
