"""The demo feedback: realistic reports in every state, through the actions, fast."""

from __future__ import annotations

import io
import time

import pytest

from tests import factories_feedback as ff
from thudo.feedback import demo
from thudo.feedback.models import Rating, Report, Status

pytestmark = pytest.mark.django_db


def test_demo_reports_cover_the_lifecycle(monkeypatch):
    ff.place("Phường Demo Một")
    ff.place("Phường Demo Hai")
    for n in range(3):
        ff.citizen(f"Công Dân {n}", f"090000000{n}")
    monkeypatch.setattr(demo, "TOTAL", 60)
    out = io.StringIO()
    started = time.monotonic()
    demo.load_later(progress=lambda *a: None, stdout=out)
    assert time.monotonic() - started < 60
    assert Report.objects.count() == 60
    states = set(Report.objects.values_list("status", flat=True))
    assert {Status.CLOSED, Status.REFUSED} <= states
    assert Rating.objects.exists()
    demo.load_later(progress=lambda *a: None, stdout=out)  # idempotent
    assert Report.objects.count() == 60
