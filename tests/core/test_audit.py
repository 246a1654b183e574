"""The audit log is append-only and hash-chained; audit_verify names the first broken record."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories
from thudo.core import actions, audit
from thudo.core.models import AuditChainHead, AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(city_admin):
    agency = factories.AgencyFactory()
    for i in range(5):
        actions.update_agency(agency, by=city_admin, short_name=f"Tên {i}")
    return AuditRecord.objects.order_by("seq")


def test_actions_write_who_what_when_and_changes(chain, city_admin):
    rec = chain.last()
    assert rec.verb == "agency.update"
    assert rec.actor_id == city_admin.pk
    assert rec.changes == {"short_name": ["Tên 3", "Tên 4"]}
    assert rec.object_type == "core.agency"
    assert [r.seq for r in chain] == list(range(1, chain.count() + 1))


def test_intact_chain_verifies(chain, capsys):
    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out


def test_an_altered_record_is_named(chain):
    victim = chain[2]
    AuditRecord.objects.filter(pk=victim.pk).update(changes={"short_name": ["x", "y"]})
    with pytest.raises(CommandError, match=f"#{victim.seq}"):
        call_command("audit_verify")


def test_a_removed_record_is_detected(chain):
    victim = chain[1]
    AuditRecord.objects.filter(pk=victim.pk).delete()
    with pytest.raises(CommandError, match=f"#{victim.seq}"):
        call_command("audit_verify")


def test_removing_the_newest_record_is_detected(chain):
    last = chain.last()
    AuditRecord.objects.filter(pk=last.pk).delete()
    with pytest.raises(CommandError, match="removed"):
        call_command("audit_verify")


def test_records_cannot_be_edited_or_deleted_through_the_model(chain):
    rec = chain.first()
    rec.verb = "something.else"
    with pytest.raises(ValueError, match="append-only"):
        rec.save()
    with pytest.raises(ValueError, match="append-only"):
        rec.delete()


def test_rewriting_a_record_and_its_hash_still_breaks_the_chain(chain):
    victim = chain[2]
    victim.changes = {"forged": True}
    forged_hash = audit.compute_hash(victim)
    AuditRecord.objects.filter(pk=victim.pk).update(changes=victim.changes, hash=forged_hash)
    breaks = list(audit.verify())
    assert breaks and breaks[0].seq == victim.seq + 1
    assert AuditChainHead.objects.get().last_seq == chain.count()


@pytest.mark.django_db(transaction=True)
def test_a_read_record_that_does_not_wait_for_the_disk_is_chained_like_any_other(city_admin):
    """An official's read is recorded in its own transaction without waiting for the WAL flush
    (PostgreSQL); it still takes its place in the chain and the setting does not outlive it."""
    from django.db import connection

    agency = factories.AgencyFactory()
    actions.update_agency(agency, by=city_admin, short_name="Trước")
    read = audit.record("agency.view", by=city_admin, obj=agency, wait_for_disk=False)
    actions.update_agency(agency, by=city_admin, short_name="Sau")
    verbs = list(AuditRecord.objects.order_by("seq").values_list("verb", flat=True))
    assert verbs[-3:] == ["agency.update", "agency.view", "agency.update"]
    assert AuditRecord.objects.get(seq=read.seq).hash == read.hash
    assert list(audit.verify()) == []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
