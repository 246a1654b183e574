"""`thudo demo` sets up a working city, idempotently."""

import pytest
from django.core.management import call_command

from thudo.core.models import AdministrativeUnit, Agency, AuditRecord, User

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_twice_creates_no_duplicates(capsys, monkeypatch):
    from thudo.dossiers import demo as dossiers_demo

    # The full demo builds 200 signed dossiers (minutes of PDF signing); a few prove the same.
    monkeypatch.setattr(dossiers_demo, "TOTAL", 24)
    monkeypatch.setattr(dossiers_demo, "RENDERED_RECENT", 2)
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert "admin" in out and "thudoso-demo-2026" in out
    counts = (AdministrativeUnit.objects.count(), Agency.objects.count(), User.objects.count())
    assert counts[1] == 145  # city, 17 departments and bodies, the city police, 126 communes
    call_command("demo", "--no-serve")
    assert (AdministrativeUnit.objects.count(), Agency.objects.count(), User.objects.count()) == counts
    call_command("audit_verify")
    assert AuditRecord.objects.exists()
