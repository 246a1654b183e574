"""Queues that operations watches, registered by the apps that own them (ADR 0011 registries).

An app with work waiting in a table of its own (the notifications outbox) registers a
:class:`QueueSource` in its ``AppConfig.ready``; ``/metrics`` shows each queue's backlog and dead
letters and ``/readyz`` fails when a backlog passes ``THUDO_OUTBOX_BACKLOG_MAX`` (the ops app),
without importing the owner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from thudo.core.registries import Registry


@dataclass(frozen=True)
class QueueSource:
    """``name``: the queue (a metric label, e.g. ``outbox``); ``backlog(now)``: items due and not
    done; ``dead()``: items given up on after every retry (dead letters)."""

    name: str
    backlog: Callable[[datetime], int]
    dead: Callable[[], int]


QUEUES: Registry[QueueSource] = Registry("core.monitored_queues")
