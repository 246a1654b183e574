"""Issue 12 in a real browser: a city leader assigns one directive to three communes (each gets
its own task, itself the lead) through the guided form, at desktop width (the file attached on
step 1 stays attached when step 2 refuses a past deadline); one commune's leader, on a 390 px
phone, reports it done; the leader sees it done on time and closes it. Every moment passes the page audit (no
sideways scroll, axe clean). Screenshots: /tmp/e2e-shots/tasks-*.png."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests import factories_dossiers as fd
from tests import factories_tasks as ft
from thudo.tasks.models import State, Task

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def sign_in(page, user, next_url):
    page.goto(f"/login/?next={next_url}")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"**{next_url}")


def test_assign_a_directive_to_three_communes_and_one_reports_it_done(page_for, shot):
    c = ft.city(n_communes=3)
    deadline = timezone.localdate() + dt.timedelta(days=30)

    desk = page_for(viewport={"width": 1280, "height": 900})
    sign_in(desk, c.chair, "/can-bo/nhiem-vu/da-giao/")
    desk.get_by_role("link", name="Giao nhiệm vụ", exact=True).click()
    # step 1: the directive and its file (stored in the draft as it arrives)
    desk.get_by_label("Trích yếu nhiệm vụ").fill("Rà soát, làm sạch dữ liệu dân cư")
    desk.get_by_label("Văn bản, kết luận giao (số, ký hiệu, ngày)").fill("Văn bản 4120/UBND-KSTTHC")
    desk.get_by_label("Tệp đính kèm").set_input_files(
        files=[{"name": "van-ban-4120.pdf", "mimeType": "application/pdf", "buffer": fd.pdf_bytes()}]
    )
    shot(desk, "tasks-assign-1-desktop")
    desk.get_by_role("button", name="Lưu và tiếp tục").click()
    # step 2: the units; a deadline in the past is refused here and the file stays attached
    desk.get_by_label("Cơ quan giao").select_option(label=c.city.name)
    desk.get_by_label("Đơn vị chủ trì").select_option(label=[a.name for a in c.communes])
    desk.get_by_label("Giao cho từng đơn vị (mỗi đơn vị một nhiệm vụ, tự chủ trì)").check()
    desk.get_by_label("Hạn xử lý").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    desk.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(desk.locator(".error-summary")).to_be_focused()
    expect(desk.locator(".error-summary")).to_contain_text("không được ở trước ngày hôm nay")
    expect(desk.locator("main")).to_contain_text("van-ban-4120.pdf")
    desk.get_by_label("Hạn xử lý").fill(deadline.isoformat())
    shot(desk, "tasks-assign-2-desktop")
    desk.get_by_role("button", name="Lưu và tiếp tục").click()
    # step 3: review, then assign
    expect(desk.locator("main")).to_contain_text("van-ban-4120.pdf")
    shot(desk, "tasks-assign-3-desktop")
    desk.get_by_role("button", name="Giao nhiệm vụ", exact=True).click()
    expect(desk.locator(".messages")).to_contain_text("Đã giao nhiệm vụ cho 3 đơn vị")
    assert sorted(Task.objects.values_list("lead_agency__name", flat=True)) == sorted(
        a.name for a in c.communes
    )
    assert all(t.files.count() == 1 for t in Task.objects.all())

    phone = page_for(**PHONE)
    sign_in(phone, c.commune_leaders[0], "/can-bo/nhiem-vu/")
    shot(phone, "tasks-unit-list-390")
    phone.get_by_role("link", name="Rà soát, làm sạch dữ liệu dân cư").click()
    phone.get_by_text("Báo cáo hoàn thành", exact=True).click()
    phone.get_by_label("Kết quả thực hiện").fill("Đã rà soát 12.400 nhân khẩu, làm sạch 312 bản ghi.")
    phone.get_by_label("Số, ký hiệu văn bản báo cáo kết quả").fill("25/BC-UBND")
    shot(phone, "tasks-report-done-390")
    phone.get_by_role("button", name="Xác nhận: Báo cáo hoàn thành").click()
    expect(phone.locator("#task-standing")).to_contain_text("Hoàn thành đúng hạn")
    shot(phone, "tasks-reported-390")

    done = Task.objects.get(lead_agency=c.communes[0])
    assert done.state == State.REPORTED and done.result_document == "25/BC-UBND"
    desk.goto(f"/can-bo/nhiem-vu/{done.pk}/")
    desk.get_by_text("Kết thúc nhiệm vụ", exact=True).click()
    desk.get_by_role("button", name="Xác nhận: Kết thúc nhiệm vụ").click()
    expect(desk.locator(".messages")).to_contain_text("đã thực hiện")
    shot(desk, "tasks-closed-desktop")
    desk.goto("/can-bo/nhiem-vu/bang-theo-doi/")
    expect(desk.locator("main")).to_contain_text(c.communes[0].name)
    shot(desk, "tasks-scoreboard-desktop")
    assert Task.objects.filter(state=State.CLOSED).count() == 1
