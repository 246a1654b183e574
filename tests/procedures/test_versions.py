"""Publishing: versions, read-only published procedures, process durations within the law."""

from decimal import Decimal

import pytest

from tests import factories
from tests import factories_procedures as fp
from thudo.core.errors import Conflict, InvalidInput, NotAllowed
from thudo.core.models import AuditRecord
from thudo.procedures import actions, queries
from thudo.procedures.models import Procedure, Status

pytestmark = pytest.mark.django_db


def test_publish_refuses_a_process_longer_than_the_legal_duration_and_names_the_excess():
    p = fp.draft(duration_value=Decimal(1), duration_unit="working_days")  # 8 working hours
    process = fp.process(p, [("Tiếp nhận", "reception", 2), ("Thẩm định", "specialist", 7.5)], publish=False)
    with pytest.raises(InvalidInput) as exc:
        actions.publish_process(process, by=None)
    assert "1.5" in exc.value.message and "8" in exc.value.message
    assert "steps" in exc.value.fields
    process.refresh_from_db()
    assert process.status == Status.DRAFT


def test_publishing_a_procedure_rechecks_its_processes_against_a_shortened_duration():
    p = fp.draft(duration_value=Decimal(2))
    fp.process(p, [("Xử lý", "specialist", 12)])
    actions.edit_draft(p, by=None, duration_value=Decimal(1))
    with pytest.raises(InvalidInput) as exc:
        actions.publish(p, by=None)
    assert "4" in exc.value.message  # 12 h against 8 h: 4 h too many
    p.refresh_from_db()
    assert p.status == Status.DRAFT


def test_a_process_that_fits_exactly_is_published():
    p = fp.draft(duration_value=Decimal(4), duration_unit="working_hours")
    process = fp.process(p, [("Tiếp nhận", "reception", 1), ("Ký", "leader", 3)])
    assert process.status == Status.PUBLISHED


def test_published_procedure_is_read_only():
    p = fp.published()
    with pytest.raises(Conflict):
        actions.edit_draft(p, by=None, name="Tên khác")
    with pytest.raises(Conflict):
        actions.set_papers(p, by=None, papers=[{"name": "Tờ khai"}])
    with pytest.raises(Conflict):
        actions.set_fees(p, by=None, fees=[])
    with pytest.raises(Conflict):
        actions.publish(p, by=None)
    assert Procedure.objects.get(pk=p.pk).name == "Đăng ký khai sinh"


def test_published_process_is_read_only():
    p = fp.draft()
    process = fp.process(p)
    with pytest.raises(Conflict):
        actions.set_process_steps(
            process, by=None, steps=[{"name": "X", "role": "leader", "duration_hours": 1}]
        )


def test_a_new_version_supersedes_the_published_one():
    v1 = fp.published(
        papers=[("Tờ khai", "Mẫu TK")],
        fees=[("counter", 5000, None, None)],
        steps=[("Xử lý", "specialist", 4)],
    )
    v2 = actions.new_draft_from(v1, by=None)
    assert (v2.version, v2.status) == (2, Status.DRAFT)
    assert [x.name for x in v2.papers.all()] == ["Tờ khai"]
    assert queries.fee_for(v2, "counter", v2.fees.first().valid_from) == 5000
    # Only one draft at a time.
    with pytest.raises(Conflict):
        actions.new_draft_from(v1, by=None)
    actions.edit_draft(v2, by=None, name="Đăng ký khai sinh (sửa đổi)")
    # The public still sees version 1 until version 2 is published.
    assert queries.get_published("1.001193").version == 1
    actions.publish(v2, by=None)
    v1.refresh_from_db()
    assert v1.status == Status.SUPERSEDED
    current = queries.get_published("1.001193")
    assert (current.version, current.name) == (2, "Đăng ký khai sinh (sửa đổi)")
    assert Procedure.objects.filter(code="1.001193", status=Status.PUBLISHED).count() == 1
    # The copied process applies to the new version.
    assert [s.name for s in queries.process_for(current, None).steps.all()] == ["Xử lý"]


def test_a_new_process_supersedes_the_previous_one_of_the_same_agency():
    p = fp.draft()
    first = fp.process(p, [("A", "reception", 1)])
    second = fp.process(p, [("B", "reception", 2)])
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED
    assert queries.process_for(p, None) == second


def test_every_action_is_audited():
    before = AuditRecord.objects.count()
    p = fp.draft()
    actions.set_papers(p, by=None, papers=[{"name": "Tờ khai"}])
    fp.process(p)
    actions.publish(p, by=None)
    verbs = list(AuditRecord.objects.order_by("seq").values_list("verb", flat=True)[before:])
    assert verbs == [
        "procedure.create_draft",
        "procedure.set_papers",
        "process.create",
        "process.set_steps",
        "process.publish",
        "procedure.publish",
    ]


def test_department_procedure_needs_an_agency_and_commune_procedure_must_not_have_one():
    with pytest.raises(InvalidInput):
        fp.draft(level="department", agency=None)
    with pytest.raises(InvalidInput):
        fp.draft(level="commune", agency=fp.department())


def test_invalid_values_are_reported_per_field():
    with pytest.raises(InvalidInput) as exc:
        fp.draft(duration_value="abc", online_level="sometimes")
    assert set(exc.value.fields) == {"duration_value", "online_level"}
    for bad in ("NaN", "-1", "100000"):
        with pytest.raises(InvalidInput):
            fp.draft(duration_value=bad)
    with pytest.raises(InvalidInput) as exc:
        actions.set_fees(fp.draft(code="X.1"), by=None, fees=[{"channel": "fax", "amount": -1}])
    assert set(exc.value.fields) == {"fees.0.amount", "fees.0.channel", "fees.0.valid_from"}


def test_agency_admin_drafts_for_own_agency_but_only_city_admin_publishes():
    dept = fp.department()
    other = fp.department("Sở Y tế Thử Nghiệm")
    admin = factories.official(role="agency_admin", agency=dept)
    p = fp.draft(code="2.000001", level="department", agency=dept, by=admin)
    with pytest.raises(NotAllowed):
        fp.draft(code="2.000002", level="department", agency=other, by=admin)
    with pytest.raises(NotAllowed):
        fp.draft(code="2.000003", level="commune", by=admin)
    with pytest.raises(NotAllowed):
        actions.publish(p, by=admin)
    city = factories.official(role="city_admin", agency=None)
    assert actions.publish(p, by=city).status == Status.PUBLISHED


def test_citizen_cannot_create_drafts():
    citizen = factories.UserFactory()
    with pytest.raises(NotAllowed):
        fp.draft(by=citizen)


def test_drafts_visible_to_their_managers_only():
    dept = fp.department()
    admin = factories.official(role="agency_admin", agency=dept)
    mine = fp.draft(code="2.000001", level="department", agency=dept)
    commune_draft = fp.draft(code="1.000001")
    citizen = factories.UserFactory()
    city = factories.official(role="city_admin", agency=None)
    assert list(queries.manageable(admin)) == [mine]
    assert list(queries.manageable(citizen)) == []
    assert set(queries.manageable(city)) == {mine, commune_draft}
