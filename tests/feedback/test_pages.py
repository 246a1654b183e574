"""The pages: a citizen reports through the guided form (photos kept on error), sees their own
timeline and rates; the public list shows answers and never the reporter; officials triage and
answer from the report page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import factories_feedback as ff
from thudo.feedback import actions
from thudo.feedback.models import Report, Status

pytestmark = pytest.mark.django_db


def _photo(name="hien-truong.jpg"):
    return SimpleUploadedFile(name, ff.jpeg(), content_type="image/jpeg")


def test_citizen_reports_through_the_guided_form_and_keeps_photos_on_error(client):
    p = ff.place("Phường Hàng Bạc Thử")
    owner = ff.citizen()
    client.force_login(owner)
    start = client.get("/phan-anh/gui/")
    assert start.status_code == 302
    step1 = start["Location"]
    # description too short: the page says so, the photo is kept
    r = client.post(
        step1, {"category": "moi-truong", "level": "normal", "description": "rác", "photos": _photo()}
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert "ít nhất 10 ký tự" in body
    assert "Đã đính kèm" in body and "hien-truong.jpg" in body
    # a file that is not an image: refused in Vietnamese, the text typed is kept
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    r = client.post(
        step1,
        {"category": "moi-truong", "level": "normal", "description": "Rác đổ trộm đầu ngõ", "photos": bad},
    )
    assert r.status_code == 422 and "không phải là ảnh" in r.content.decode()
    r = client.post(
        step1, {"category": "moi-truong", "level": "normal", "description": "Rác đổ trộm đầu ngõ 12"}
    )
    assert r.status_code == 302
    step2 = r["Location"]
    assert step2.endswith("/dia-diem/")
    # the commune is pre-filled from the address once it is saved
    r = client.post(step2, {"address": "Ngõ 12 Hàng Bạc Thử", "commune": ""})
    assert r.status_code == 422
    r = client.get(step2)
    assert f'value="{p.commune.pk}" selected' in r.content.decode()
    r = client.post(step2, {"address": "Ngõ 12 Hàng Bạc Thử", "commune": str(p.commune.pk)})
    assert r.status_code == 302
    r = client.post(r["Location"], {"hide_identity": "on", "go": "next"})
    assert r.status_code == 302
    report = Report.objects.get()
    assert r["Location"] == f"/phan-anh/cua-toi/{report.code}/"
    assert report.photos.count() == 1 and report.reporter == owner and report.hide_identity
    page = client.get(r["Location"]).content.decode()
    assert "Chờ tiếp nhận" in page and "Gửi phản ánh" in page


def test_public_list_and_page_show_the_answer_and_never_the_reporter(client):
    p = ff.place()
    ff.route(p)
    owner = ff.citizen("Trần Thị Bí Mật", "0909123456")
    r = ff.report(p, by=owner)
    r = actions.accept(r, by=p.triage)
    r = actions.handle(
        r, by=p.handler, answer="Đã thu gom rác, cảm ơn người dân.", photo_files=[("sau.jpg", ff.jpeg())]
    )
    hidden = ff.report(p, by=owner, description="Chưa trả lời nên không công khai ở đâu cả")
    r = actions.publish_answer(r, by=p.triage)
    listing = client.get("/phan-anh/").content.decode()
    detail = client.get(f"/phan-anh/{r.code}/").content.decode()
    for page in (listing, detail):
        assert "Đã thu gom rác" in page
        assert "Trần Thị Bí Mật" not in page and "0909123456" not in page and owner.username not in page
    assert p.committee.name in detail
    assert "Chưa trả lời nên không công khai" not in listing
    assert client.get(f"/phan-anh/{hidden.code}/").status_code == 404
    after = r.photos.get(kind="after")
    assert client.get(f"/phan-anh/anh/{after.pk}/").status_code == 200
    before = hidden.pk and r.photos.filter(kind="before").first()
    assert before is None


def test_reporter_identity_only_for_the_agencys_officials_and_the_reporter(client):
    p, other = ff.place(), ff.place("Phường Khác Thử")
    owner = ff.citizen("Lê Văn Riêng Tư", "0977000111")
    r = ff.report(p, by=owner)
    client.force_login(p.triage)
    assert "0977000111" in client.get(f"/can-bo/phan-anh/{r.code}/").content.decode()
    client.force_login(other.triage)
    assert client.get(f"/can-bo/phan-anh/{r.code}/").status_code == 404
    client.force_login(ff.citizen("Người Khác", "0900000000"))
    assert client.get(f"/phan-anh/cua-toi/{r.code}/").status_code == 404


def test_officer_triages_and_answers_from_the_report_page(client):
    p = ff.place()
    ff.route(p)
    owner = ff.citizen()
    late = ff.report(p, by=owner, now=ff.at("2026-03-02", 9))
    r = ff.report(p, by=owner, now=timezone.now())
    client.force_login(p.leader)
    queue = client.get("/can-bo/phan-anh/tiep-nhan/").content.decode()
    assert queue.index(late.code) < queue.index(r.code)  # nearest acceptance deadline first
    assert "Quá hạn tiếp nhận" in queue
    page = client.get(f"/can-bo/phan-anh/{r.code}/").content.decode()
    assert "Tiếp nhận" in page and "Không tiếp nhận" in page and "Trả lời kết quả xử lý" not in page
    assert (
        client.post(f"/can-bo/phan-anh/{r.code}/accept/", {"level": "urgent", "unit": ""}).status_code == 302
    )
    r.refresh_from_db()
    assert (r.status, r.level) == (Status.ASSIGNED, "urgent")
    page = client.get(f"/can-bo/phan-anh/{r.code}/").content.decode()
    assert "không làm tính lại thời hạn" in page
    # an answer without text: Vietnamese error, 422, nothing saved
    resp = client.post(f"/can-bo/phan-anh/{r.code}/handle/", {"answer": ""})
    assert resp.status_code == 422 and "Vui lòng nhập thông tin này." in resp.content.decode()
    resp = client.post(
        f"/can-bo/phan-anh/{r.code}/handle/",
        {"answer": "Đã xử lý xong tại hiện trường.", "photos": _photo("sau.jpg")},
    )
    assert resp.status_code == 302
    assert client.post(f"/can-bo/phan-anh/{r.code}/publish/", {}).status_code == 302
    r.refresh_from_db()
    assert r.status == Status.PUBLISHED and r.photos.filter(kind="after").count() == 1
    # transfer to the same unit is refused
    r2 = actions.accept(ff.report(p), by=p.triage)
    resp = client.post(
        f"/can-bo/phan-anh/{r2.code}/transfer/", {"unit": str(p.committee.pk), "reason": "thử"}
    )
    assert resp.status_code == 422 and "trùng với đơn vị đang xử lý" in resp.content.decode()
    # the reporter rates from their page
    client.force_login(owner)
    resp = client.post(f"/phan-anh/cua-toi/{r.code}/rate/", {"satisfied": "1", "comment": "Tốt"})
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.status == Status.CLOSED
