"""Catalogue administration: saves go through the actions; published versions are read-only;
the process page previews each step's deadline."""

from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests import factories
from tests import factories_procedures as fp
from thudo.core.models import AuditRecord
from thudo.procedures import queries
from thudo.procedures.models import Procedure, Status

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def admin_client(client):
    user = factories.UserFactory(username="quantri", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_deadline_preview_lays_steps_on_working_time_across_tet_2026():
    p = fp.draft(duration_value=Decimal(1))
    process = fp.process(p, [("Tiếp nhận", "reception", 1), ("Thẩm định", "specialist", 2)])
    friday_afternoon = datetime(2026, 2, 13, 16, 0, tzinfo=HCM)
    due = [d for _, d in queries.deadline_preview(process, friday_afternoon)]
    # 1 h: same Friday 17:00; 2 more hours: Tết holidays 16–20 Feb and the weekends are skipped.
    assert due == [datetime(2026, 2, 13, 17, 0, tzinfo=HCM), datetime(2026, 2, 23, 10, 0, tzinfo=HCM)]


def test_deadline_preview_applies_the_procedure_cutoff_hour():
    p = fp.draft(duration_value=Decimal(1), cutoff_time=time(15, 0))
    process = fp.process(p, [("Tiếp nhận", "reception", 1), ("Thẩm định", "specialist", 2)])
    due = [d for _, d in queries.deadline_preview(process, datetime(2026, 2, 13, 16, 0, tzinfo=HCM))]
    assert due == [datetime(2026, 2, 23, 9, 0, tzinfo=HCM), datetime(2026, 2, 23, 11, 0, tzinfo=HCM)]


def test_process_admin_page_shows_the_preview(admin_client):
    p = fp.draft()
    process = fp.process(p, [("Tiếp nhận hồ sơ", "reception", 1)])
    html = admin_client.get(f"/admin/procedures/process/{process.pk}/change/").content.decode()
    assert "Xem trước hạn xử lý từng bước" in html
    assert "Tiếp nhận hồ sơ" in html


def test_published_procedure_is_read_only_in_admin(admin_client):
    p = fp.published()
    html = admin_client.get(f"/admin/procedures/procedure/{p.pk}/change/").content.decode()
    assert 'name="name"' not in html
    assert "Đăng ký khai sinh" in html


def management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_adding_a_draft_in_admin_goes_through_the_actions(admin_client):
    field = fp.field()
    data = {
        "code": "1.000894",
        "name": "Đăng ký kết hôn",
        "field": str(field.pk),
        "level": "commune",
        "duration_value": "5",
        "duration_unit": "working_days",
        "online_level": "partial",
        "result_type": "document",
        "result_name": "Giấy chứng nhận kết hôn",
        "legal_bases": '["Luật Hộ tịch 2014"]',
        **management("papers", 1),
        "papers-0-name": "Tờ khai đăng ký kết hôn",
        "papers-0-kind": "declaration",
        "papers-0-mandatory": "on",
        "papers-0-copies": "1",
        "papers-0-form_name": "",
        **management("fees"),
    }
    r = admin_client.post("/admin/procedures/procedure/add/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    p = Procedure.objects.get(code="1.000894")
    assert (p.version, p.status) == (1, Status.DRAFT)
    assert p.search_text.startswith("dang ky ket hon")
    assert [(x.name, x.kind) for x in p.papers.all()] == [("Tờ khai đăng ký kết hôn", "declaration")]
    verbs = set(AuditRecord.objects.values_list("verb", flat=True))
    assert {"procedure.create_draft", "procedure.set_papers"} <= verbs


def test_admin_publish_actions_report_an_overlong_process_and_publish_the_procedure(admin_client):
    p = fp.draft(duration_value=Decimal(1))
    process = fp.process(p, [("Xử lý", "specialist", 12)], publish=False)
    r = admin_client.post(
        "/admin/procedures/process/",
        {"action": "publish_selected", "_selected_action": [str(process.pk)]},
        follow=True,
    )
    assert "vượt thời hạn giải quyết" in r.content.decode()
    process.refresh_from_db()
    assert process.status == Status.DRAFT
    r = admin_client.post(
        "/admin/procedures/procedure/",
        {"action": "publish_selected", "_selected_action": [str(p.pk)]},
        follow=True,
    )
    assert "Đã công bố 1.001193 phiên bản 1." in r.content.decode()
    p.refresh_from_db()
    assert p.status == Status.PUBLISHED


def test_agency_admin_manages_own_agency_drafts_in_admin(client):
    dept = fp.department()
    other = fp.department("Sở Y tế Thử Nghiệm")
    user = factories.official(role="agency_admin", agency=dept)
    type(user).objects.filter(pk=user.pk).update(is_staff=True)
    mine = fp.draft(code="2.000001", name="Thủ tục của sở", level="department", agency=dept)
    fp.draft(code="2.000002", name="Thủ tục sở khác", level="department", agency=other)
    commune = fp.published(code="1.001193")
    client.force_login(user)
    listing = client.get("/admin/procedures/procedure/").content.decode()
    assert "Thủ tục của sở" in listing and "Thủ tục sở khác" not in listing
    assert 'name="name"' in client.get(f"/admin/procedures/procedure/{mine.pk}/change/").content.decode()
    # Commune-level procedures are the city's: visible, not editable.
    page = client.get(f"/admin/procedures/procedure/{commune.pk}/change/")
    assert page.status_code == 200 and 'name="name"' not in page.content.decode()


def test_people_without_a_managing_role_cannot_open_the_catalogue_admin(client):
    user = factories.official(role="specialist", agency=fp.department())
    type(user).objects.filter(pk=user.pk).update(is_staff=True)
    client.force_login(user)
    assert client.get("/admin/procedures/procedure/").status_code == 403
