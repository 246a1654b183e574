"""One module answers who may do what: roles per agency, subtree grants, owners, public verbs."""

import pytest

from tests import factories
from thudo.core import actions, permissions
from thudo.core.errors import NotAllowed
from thudo.core.models import Agency, CalendarOverride, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    parent = factories.AgencyFactory(code="000.00.40.H26", name="Sở Thử Nghiệm", kind="department")
    child = factories.AgencyFactory(code="000.01.40.H26", name="Chi cục Thử Nghiệm", parent=parent)
    other = factories.AgencyFactory(code="000.00.41.H26", name="Sở Khác", kind="department")
    permissions.forget_agency_tree()
    return {
        "parent": parent,
        "child": child,
        "other": other,
        "anonymous": None,
        "citizen": factories.official(role=Role.CITIZEN, agency=None),
        "reception": factories.official(role=Role.RECEPTION, agency=parent),
        "leader_subtree": factories.official(role=Role.LEADER, agency=parent, subtree=True),
        "agency_admin": factories.official(role=Role.AGENCY_ADMIN, agency=parent),
        "city_admin": factories.official(role=Role.CITY_ADMIN, agency=None),
    }


@pytest.mark.parametrize(
    ("who", "verb", "target", "allowed"),
    [
        ("anonymous", "agency.view", "parent", True),
        ("anonymous", "dossier.receive", "parent", False),
        ("citizen", "dossier.receive", "parent", False),
        ("reception", "dossier.receive", "parent", True),
        ("reception", "dossier.receive", "child", False),
        ("reception", "dossier.receive", "other", False),
        ("reception", "dossier.sign", "parent", False),
        ("leader_subtree", "dossier.sign", "parent", True),
        ("leader_subtree", "dossier.sign", "child", True),
        ("leader_subtree", "dossier.sign", "other", False),
        ("agency_admin", "agency.manage", "parent", True),
        ("agency_admin", "agency.manage", "other", False),
        ("city_admin", "agency.manage", "other", True),
        ("city_admin", "dossier.sign", "child", True),
    ],
)
def test_can_matrix(world, who, verb, target, allowed):
    assert permissions.can(world[who], verb, world[target]) is allowed


def test_inactive_people_can_do_nothing(world):
    leader = world["leader_subtree"]
    leader.is_active = False
    assert not permissions.can(leader, "dossier.sign", world["parent"])


def test_visible_filters_lists_by_the_same_rules(world):
    for agency in ("parent", "child", "other"):
        CalendarOverride.objects.create(
            date=f"2026-12-{10 + len(agency)}", kind="day_off", decision="QĐ", agency=world[agency]
        )
    qs = CalendarOverride.objects.all()
    # days off are public knowledge; managing them is not
    assert permissions.visible(world["anonymous"], qs).count() == 3
    assert permissions.visible(world["anonymous"], qs, "calendar.manage").count() == 0
    assert permissions.visible(world["citizen"], qs, "calendar.manage").count() == 0
    assert permissions.visible(world["reception"], qs, "calendar.manage").count() == 0
    mine = permissions.visible(world["agency_admin"], qs, "calendar.manage")
    assert {o.agency_id for o in mine} == {world["parent"].pk}
    assert permissions.visible(world["city_admin"], qs, "calendar.manage").count() == 3
    # public things are visible to everyone
    assert permissions.visible(None, Agency.objects.all()).count() == Agency.objects.count()


def test_agency_admin_grants_only_in_their_agency(world):
    newcomer = factories.UserFactory()
    actions.grant_role(newcomer, role=Role.SPECIALIST, agency=world["parent"], by=world["agency_admin"])
    assert permissions.can(newcomer, "dossier.process", world["parent"])
    with pytest.raises(NotAllowed):
        actions.grant_role(newcomer, role=Role.SPECIALIST, agency=world["other"], by=world["agency_admin"])
    with pytest.raises(NotAllowed):
        actions.grant_role(newcomer, role=Role.CITY_ADMIN, agency=None, by=world["agency_admin"])
