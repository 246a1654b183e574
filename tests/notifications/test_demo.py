"""The demo's months of dossiers leave each person only their newest few notices unread."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.factories_notifications import NotificationFactory
from thudo.notifications import demo

pytestmark = pytest.mark.django_db


def test_the_demo_leaves_only_the_newest_notices_unread():
    busy, quiet = factories.UserFactory(), factories.UserFactory()
    now = timezone.now()
    for days in range(40):
        NotificationFactory(user=busy, created_at=now - timedelta(days=days))
    NotificationFactory.create_batch(2, user=quiet)
    demo.load(progress=None, stdout=io.StringIO())
    unread = busy.notifications.filter(read_at__isnull=True)
    assert unread.count() == demo.UNREAD_KEPT
    assert min(n.created_at for n in unread) == now - timedelta(days=demo.UNREAD_KEPT - 1)  # the newest
    assert quiet.notifications.filter(read_at__isnull=True).count() == 2  # a few stay as they are
