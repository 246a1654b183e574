"""Two requests notifying with the same key at once still tell the citizen once (PostgreSQL)."""

import threading

import pytest
from django.db import connection, transaction

from tests.factories import UserFactory
from thudo.notifications import actions
from thudo.notifications.models import Notification, OutboxMessage

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_notify_with_one_key_creates_one_notice():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row-level concurrency")
    user = UserFactory(username="dongthoi", email="dongthoi@example.vn")
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        from django.db import connection as conn

        try:
            barrier.wait()
            with transaction.atomic():
                results.append(
                    actions.notify(
                        event="dossier.received",
                        subject="Đã tiếp nhận",
                        body="…",
                        user=user,
                        key="dossier:race:received",
                    )
                )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(not r.duplicate for r in results) == 1
    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
