"""Granting and removing roles in the admin goes through the actions: audited, permission-checked."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from tests import factories
from tests.htmlforms import fields
from thudo.core.models import AuditRecord, Role, RoleGrant, User

pytestmark = pytest.mark.django_db


def form_data(client, url: str, **changes: str) -> dict:
    data = {k: v for k, v in fields(client.get(url).content.decode()).items() if "__prefix__" not in k}
    data.update({k: [v] for k, v in changes.items()})
    return data


def add_row(data: dict, role: str, agency) -> dict:
    i = int(data["role_grants-TOTAL_FORMS"][0])
    data["role_grants-TOTAL_FORMS"] = [str(i + 1)]
    data[f"role_grants-{i}-role"] = [role]
    data[f"role_grants-{i}-agency"] = [str(agency.pk) if agency else ""]
    return data


@pytest.fixture
def world(db):
    a, b = factories.AgencyFactory(), factories.AgencyFactory()
    city = factories.official(role=Role.CITY_ADMIN, agency=None, username="thanhpho")
    User.objects.filter(pk=city.pk).update(is_staff=True, is_superuser=True)
    # An agency admin whom the city let into the user admin (Django permissions), for agency A only.
    local = factories.official(role=Role.AGENCY_ADMIN, agency=a, username="quantri-a")
    local.is_staff = True
    local.save()
    codenames = ["view_user", "change_user", "view_rolegrant", "add_rolegrant", "change_rolegrant"]
    local.user_permissions.add(*Permission.objects.filter(codename__in=[*codenames, "delete_rolegrant"]))
    return {"a": a, "b": b, "city": User.objects.get(pk=city.pk), "local": local}


def test_city_admin_grants_and_revokes_in_the_admin_with_audit(world, client):
    person = factories.UserFactory()
    url = f"/admin/core/user/{person.pk}/change/"
    client.force_login(world["city"])
    response = client.post(url, add_row(form_data(client, url), Role.SPECIALIST, world["a"]))
    assert response.status_code == 302, response.content.decode()[:2000]
    grant = RoleGrant.objects.get(user=person)
    assert (grant.role, grant.agency) == (Role.SPECIALIST, world["a"])
    record = AuditRecord.objects.filter(verb="role.grant", object_id=str(person.pk)).get()
    assert record.actor_label and record.changes["role"] == Role.SPECIALIST

    data = form_data(client, url, **{"role_grants-0-DELETE": "on"})
    assert client.post(url, data).status_code == 302
    assert not RoleGrant.objects.filter(user=person).exists()
    revoked = AuditRecord.objects.get(verb="role.revoke", object_id=str(person.pk))
    assert revoked.changes == {"role": Role.SPECIALIST, "agency": world["a"].code}


def test_agency_admin_grants_only_within_own_agency(world, client):
    person = factories.UserFactory()
    url = f"/admin/core/user/{person.pk}/change/"
    client.force_login(world["local"])
    refused = client.post(url, add_row(form_data(client, url), Role.SPECIALIST, world["b"]))
    assert refused.status_code == 200
    assert "Bạn không được phân quyền này cho cơ quan này." in refused.content.decode()
    refused = client.post(url, add_row(form_data(client, url), Role.CITY_ADMIN, None))
    assert refused.status_code == 200
    assert not RoleGrant.objects.filter(user=person).exists()
    assert not AuditRecord.objects.filter(verb="role.grant", object_id=str(person.pk)).exists()

    assert client.post(url, add_row(form_data(client, url), Role.LEADER, world["a"])).status_code == 302
    assert RoleGrant.objects.get(user=person).agency == world["a"]
    assert AuditRecord.objects.filter(verb="role.grant", object_id=str(person.pk)).count() == 1


def test_agency_admin_cannot_remove_a_role_of_another_agency_or_the_city(world, client):
    person = factories.official(role=Role.SPECIALIST, agency=world["b"])
    url = f"/admin/core/user/{person.pk}/change/"
    client.force_login(world["local"])
    refused = client.post(url, form_data(client, url, **{"role_grants-0-DELETE": "on"}))
    assert refused.status_code == 200
    assert RoleGrant.objects.filter(user=person).exists()
    moved = client.post(url, form_data(client, url, **{"role_grants-0-agency": str(world["a"].pk)}))
    assert moved.status_code == 200  # moving B's grant to A is revoking in B
    assert RoleGrant.objects.get(user=person).agency == world["b"]
    assert not AuditRecord.objects.filter(verb__startswith="role.", object_id=str(person.pk)).exists()


def test_changing_a_grant_is_a_revocation_and_a_grant(world, client):
    person = factories.official(role=Role.SPECIALIST, agency=world["a"])
    url = f"/admin/core/user/{person.pk}/change/"
    client.force_login(world["city"])
    assert client.post(url, form_data(client, url, **{"role_grants-0-role": Role.LEADER})).status_code == 302
    assert list(RoleGrant.objects.filter(user=person).values_list("role", flat=True)) == [Role.LEADER]
    verbs = (
        AuditRecord.objects.filter(object_id=str(person.pk)).order_by("seq").values_list("verb", flat=True)
    )
    assert list(verbs) == ["role.revoke", "role.grant"]


def test_deleting_a_user_in_the_admin_revokes_the_roles_with_audit(world, client):
    person = factories.official(role=Role.RECEPTION, agency=world["a"])
    client.force_login(world["city"])
    response = client.post(f"/admin/core/user/{person.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()
    assert AuditRecord.objects.filter(verb="role.revoke", object_id=str(person.pk)).exists()
