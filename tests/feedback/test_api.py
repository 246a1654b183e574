"""/api/v1/feedback: the same actions as the pages; the reporter only for those allowed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories_feedback as ff
from thudo.feedback import actions

pytestmark = pytest.mark.django_db


def test_submit_through_the_api_and_act_on_it(client):
    p = ff.place()
    ff.route(p, "giao-thong")
    owner = ff.citizen("Đỗ Thị Ứng Dụng", "0988777666")
    client.force_login(owner)
    r = client.post(
        "/api/v1/feedback",
        {
            "category": "giao-thong",
            "description": "Ổ gà lớn trước cổng trường",
            "address": "Số 1",
            "commune": p.commune.code,
            "level": "urgent",
            "photos": [SimpleUploadedFile("a.jpg", ff.jpeg(), "image/jpeg")],
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["channel"] == "app" and body["reporter_phone"] == "0988777666"
    assert len(body["photos"]) == 1  # the photo is stored, not dropped
    assert client.get(body["photos"][0])["Content-Type"] == "image/jpeg"
    code = body["code"]
    bad = client.post("/api/v1/feedback", {"category": "", "description": "x", "address": "", "commune": ""})
    assert bad.status_code == 422 and bad.json()["fields"]["category"] == "Chọn lĩnh vực phản ánh."
    client.force_login(p.triage)
    r = client.post(f"/api/v1/feedback/{code}/accept", {"level": "urgent"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    client.force_login(p.handler)
    r = client.post(f"/api/v1/feedback/{code}/handle", {"answer": ""}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    r = client.post(
        f"/api/v1/feedback/{code}/transfer",
        {"unit": str(p.committee.pk), "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 422
    r = client.post(
        f"/api/v1/feedback/{code}/handle", {"answer": "Đã vá ổ gà."}, content_type="application/json"
    )
    assert r.status_code == 200
    client.force_login(p.triage)
    assert (
        client.post(f"/api/v1/feedback/{code}/publish", {}, content_type="application/json").status_code
        == 200
    )
    client.force_login(owner)
    r = client.post(f"/api/v1/feedback/{code}/rate", {"satisfied": True}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = client.post(f"/api/v1/feedback/{code}/rate", {"satisfied": True}, content_type="application/json")
    assert r.status_code == 409 and r.json()["message"]
    events = client.get(f"/api/v1/feedback/{code}/events").json()
    assert [e["verb"] for e in events][:3] == ["submit", "accept", "assign"]


def test_public_endpoints_never_carry_the_reporter(client):
    p = ff.place()
    ff.route(p)
    owner = ff.citizen("Vũ Văn Ẩn", "0911000999")
    r = actions.accept(ff.report(p, by=owner), by=p.triage)
    r = actions.handle(r, by=p.handler, answer="Đã xử lý xong.")
    r = actions.publish_answer(r, by=p.triage)
    for url in ("/api/v1/feedback/public", f"/api/v1/feedback/public/{r.code}"):
        text = client.get(url).content.decode()
        assert r.code in text
        assert "Vũ Văn Ẩn" not in text and "0911000999" not in text and "reporter" not in text
    client.force_login(ff.department()[1])  # an official of an unrelated agency
    assert client.get(f"/api/v1/feedback/{r.code}").status_code == 404
