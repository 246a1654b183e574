import pytest
from django.test import override_settings

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate_tasks():
    """Tasks run in-process when enqueued (after commit), instead of waiting for a worker."""
    with override_settings(TASKS=IMMEDIATE):
        yield


@pytest.fixture
def citizen(db):
    from tests.factories import UserFactory

    return UserFactory(username="nguyenvana", full_name="Nguyễn Văn A", email="vana@example.vn")


@pytest.fixture
def frozen(monkeypatch):
    """A controllable clock: ``frozen.advance(minutes=...)``."""
    from datetime import UTC, datetime, timedelta

    from django.utils import timezone

    class Clock:
        now = datetime.now(UTC)

        def advance(self, **kw):
            self.now += timedelta(**kw)

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock
