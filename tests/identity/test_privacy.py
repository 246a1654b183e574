"""Personal data: audited official reads, the person's export, erasure (Decree 13/2023/NĐ-CP)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import AgencyFactory, UserFactory, official
from tests.factories_identity import CitizenFactory
from thudo.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from thudo.core.models import AuditRecord, User
from thudo.dossiers.queries import agencies_handling_citizen
from thudo.identity import actions, queries
from thudo.identity.models import Citizen
from thudo.identity.pins import pin_hash

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    return CitizenFactory(
        user=UserFactory(username="hoa.le", full_name="Lê Thị Hoa", email="hoa@example.vn"),
        full_name="Lê Thị Hoa",
        sex="female",
        pin=None,
        birth_date=None,
    )


@pytest.fixture(autouse=True)
def _valid_pin(request):
    """Give the fixture citizen a number consistent with birth date and sex."""
    from datetime import date

    if "citizen" in request.fixturenames:
        c = request.getfixturevalue("citizen")
        c.birth_date, c.pin, c.address = date(1978, 9, 2), "001178246810", "Số 3 phố Huế"
        c.save()


def reads(citizen):
    return AuditRecord.objects.filter(verb="citizen.read", object_id=str(citizen.pk))


def test_official_lookup_is_audited_with_masked_number(citizen):
    reception = official(role="reception", agency=AgencyFactory(), username="motcua")
    found = queries.citizen_for_official(reception, "001178246810", purpose="tiếp nhận hồ sơ")
    assert found == citizen
    record = reads(citizen).get()
    assert record.actor_id == reception.pk
    assert record.changes == {"pin": "001******810", "purpose": "tiếp nhận hồ sơ"}
    assert "001178246810" not in record.object_label
    assert "Lê Thị Hoa" not in record.object_label


@pytest.mark.parametrize("role", ["specialist", "leader", "clerk", "agency_admin"])
def test_officials_without_lookup_see_nothing_outside_their_dossiers(citizen, role):
    person = official(role=role, agency=AgencyFactory())
    with pytest.raises(NotAllowed):
        queries.citizen_for_official(person, "001178246810")
    assert not reads(citizen).exists()


def test_citizens_and_anonymous_cannot_look_up(citizen):
    from django.contrib.auth.models import AnonymousUser

    for person in (UserFactory(), AnonymousUser(), None):
        with pytest.raises(NotAllowed):
            queries.citizen_for_official(person, "001178246810")


def test_own_record_is_not_an_audited_read(citizen):
    assert queries.read_citizen(citizen.user, citizen) == citizen
    assert not reads(citizen).exists()
    assert list(queries.visible_citizens(citizen.user)) == [citizen]
    assert list(queries.visible_citizens(UserFactory())) == []


def test_city_admin_reads_are_audited_too(citizen, city_admin):
    queries.read_citizen(city_admin, citizen)
    assert reads(citizen).get().actor_id == city_admin.pk


def test_lookup_unknown_and_malformed_numbers(citizen):
    reception = official(role="reception", agency=AgencyFactory())
    with pytest.raises(NotFound):
        queries.citizen_for_official(reception, "001178000000")
    with pytest.raises(InvalidInput):
        queries.citizen_for_official(reception, "12")


def test_export_contains_the_data_and_who_read_it(citizen):
    reception = official(role="reception", agency=AgencyFactory(), username="motcua")
    queries.citizen_for_official(reception, citizen.pin)
    data = actions.export_person(citizen, by=citizen.user)
    assert data["citizen"]["pin"] == "001178246810"
    assert data["citizen"]["full_name"] == "Lê Thị Hoa"
    assert data["account"]["username"] == "hoa.le"
    assert [e["verb"] for e in data["access_log"]] == ["citizen.read"]
    assert data["access_log"][0]["by"] == str(reception)
    assert AuditRecord.objects.filter(verb="citizen.export", object_id=str(citizen.pk)).exists()
    with pytest.raises(NotAllowed):
        actions.export_person(citizen, by=UserFactory())


def test_export_page_downloads_json(client, citizen):
    client.force_login(citizen.user)
    response = client.get("/tai-khoan/du-lieu/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["citizen"]["full_name"] == "Lê Thị Hoa"
    assert "/tai-khoan/du-lieu/" in client.get("/tai-khoan/").content.decode()


def test_erase_pseudonymises_and_cannot_be_found_by_name(citizen, city_admin):
    reception = official(role="reception", agency=AgencyFactory())
    assert queries.search_citizens(reception, "le thi hoa") == [citizen]
    user_pk = citizen.user_id
    actions.erase_person(citizen, by=city_admin)
    citizen.refresh_from_db()
    assert citizen.pin is None
    assert citizen.pin_hash == pin_hash("001178246810")
    assert "Lê Thị Hoa" not in (citizen.full_name, citizen.address)
    assert citizen.phone == citizen.email == ""
    user = User.objects.get(pk=user_pk)
    assert not user.is_active
    assert "Hoa" not in user.full_name
    assert "hoa" not in user.username
    assert user.email == ""
    assert queries.search_citizens(reception, "le thi hoa") == []
    assert not Citizen.objects.filter(full_name__icontains="Hoa").exists()
    with pytest.raises(NotFound):
        queries.citizen_for_official(reception, "001178246810")
    record = AuditRecord.objects.get(verb="citizen.erase", object_id=str(citizen.pk))
    assert record.actor_id == city_admin.pk
    assert record.changes == {"pin": "001******810"}
    assert not AuditRecord.objects.filter(object_label__contains="001178246810").exists()
    with pytest.raises(Conflict):
        actions.erase_person(citizen, by=city_admin)


def test_only_the_person_or_a_city_admin_may_erase(citizen):
    with pytest.raises(NotAllowed):
        actions.erase_person(citizen, by=official(role="reception", agency=AgencyFactory()))
    actions.erase_person(citizen, by=citizen.user)
    assert Citizen.objects.get(pk=citizen.pk).erased_at is not None


def test_commands_export_and_erase(citizen):
    out = StringIO()
    call_command("export_person", "001178246810", stdout=out)
    assert json.loads(out.getvalue())["citizen"]["full_name"] == "Lê Thị Hoa"
    with pytest.raises(CommandError, match="--yes"):
        call_command("erase_person", "001178246810")
    assert Citizen.objects.get(pk=citizen.pk).erased_at is None
    call_command("erase_person", "001178246810", "--yes", stdout=StringIO())
    assert Citizen.objects.get(pk=citizen.pk).erased_at is not None
    with pytest.raises(CommandError, match="đã được xóa"):
        call_command("erase_person", "001178246810", "--yes")
    out = StringIO()
    call_command("export_person", "001178246810", stdout=out)
    assert json.loads(out.getvalue())["citizen"]["pin"] == ""
    with pytest.raises(CommandError, match="Không có công dân"):
        call_command("export_person", "001178000000")
    with pytest.raises(CommandError, match="12 chữ số"):
        call_command("export_person", "123")
    assert AuditRecord.objects.filter(verb="citizen.export").count() == 2


def test_officials_see_a_citizen_through_their_agency_dossiers():
    from tests import factories_dossiers as fd

    w = fd.world()
    citizen = CitizenFactory(user=w.citizen, full_name="Nguyễn Văn An")
    outsider = official(role="specialist", agency=w.other_agency, username="chuyenvien.khac")
    with pytest.raises(NotAllowed):
        queries.read_citizen(w.specialist, citizen)
    fd.submit(w)
    assert queries.read_citizen(w.specialist, citizen, purpose="thẩm định") == citizen
    assert queries.citizen_for_official(w.specialist, citizen.pin) == citizen
    with pytest.raises(NotAllowed):
        queries.read_citizen(outsider, citizen)
    assert list(reads(citizen).values_list("actor_id", flat=True)) == [w.specialist.pk] * 2


def test_the_dossiers_app_registers_itself_as_a_handler_of_citizens():
    """identity learns who handles a citizen from what the apps above register, not by importing them."""
    assert agencies_handling_citizen in list(queries.CITIZEN_HANDLERS)
