"""The dossier API through HTTP: the full journey, errors, permissions, files, public lookup."""

import json
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from tests import factories_dossiers as fd
from thudo.dossiers.models import Attachment, Dossier

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db
BASE = "/api/v1/dossiers"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=HCM)


@pytest.fixture
def w(db):
    return fd.world()


def as_user(client, user):
    client.force_login(user)
    return client


def post_json(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def submit(client, w, *, key=None, files=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    data = {
        "procedure": w.procedure.code,
        "agency": w.agency.code,
        "form_data": json.dumps({"ten_tre": "Bé Na"}),
        "applicant_name": "Nguyễn Văn An",
        "files": files
        if files is not None
        else [fd.pdf_file("to-khai.pdf"), fd.pdf_file("giay-chung-sinh.pdf")],
    }
    return client.post(BASE, data=data, **headers)


def test_full_journey_through_the_api(client, w):
    # Friday 21:00: outside office hours, the clock starts on Monday morning.
    with mock.patch("thudo.dossiers.actions.timezone.now", return_value=at(2026, 12, 4, 21, 0)):
        r = submit(as_user(client, w.citizen), w)
    assert r.status_code == 201, r.content
    body = r.json()
    code = body["code"]
    assert body["status"] == "submitted" and body["secret"]
    assert body["clock_started_at"].startswith("2026-12-07T08:00:00")
    assert datetime.fromisoformat(body["due_at"]) == at(2026, 12, 9, 17, 0)

    r = post_json(as_user(client, w.reception), f"{BASE}/{code}/receive", {"note": "Đủ hồ sơ"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "processing" and r.json()["current_step"]["order"] == 1
    assert r.json()["portal_status"] == 2

    r = post_json(client, f"{BASE}/{code}/forward", {"assignee": "chuyenvien", "from_step": 1})
    assert r.status_code == 200 and r.json()["assignee"] == "chuyenvien"
    r = post_json(as_user(client, w.specialist), f"{BASE}/{code}/forward", {"note": "Đề nghị ký"})
    assert r.json()["current_step"]["role"] == "leader"

    r = post_json(as_user(client, w.leader), f"{BASE}/{code}/sign")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "result_ready"

    r = post_json(as_user(client, w.reception), f"{BASE}/{code}/return")
    assert r.json()["status"] == "returned" and r.json()["portal_status"] == 10

    c = as_user(client, w.citizen)
    r = post_json(
        c, f"{BASE}/{code}/rate", {"scores": {"attitude": 5, "time": 4, "result": 5}, "comment": "Nhanh"}
    )
    assert r.status_code == 201

    # The citizen downloads the signed result.
    atts = c.get(f"{BASE}/{code}/attachments").json()
    result = next(a for a in atts if a["kind"] == "result")
    r = c.get(f"{BASE}/{code}/attachments/{result['id']}")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = b"".join(r.streaming_content)
    assert pdf.startswith(b"%PDF-") and b"/ByteRange" in pdf
    from thudo.signing.verify import verify_pdf

    report = verify_pdf(pdf)
    assert report.intact

    events = c.get(f"{BASE}/{code}/events").json()
    assert [e["verb"] for e in events] == [
        "submit",
        "receive",
        "forward",
        "forward",
        "sign",
        "return",
        "rate",
    ]


def test_forbidden_transition_is_409(client, w):
    code = submit(as_user(client, w.citizen), w).json()["code"]
    r = post_json(as_user(client, w.reception), f"{BASE}/{code}/return")
    assert r.status_code == 409
    assert r.json()["code"] == "invalid_transition"
    r = post_json(client, f"{BASE}/{code}/resume")
    assert r.status_code == 409


def test_other_agency_officer_and_other_citizen_get_404(client, w):
    code = submit(as_user(client, w.citizen), w).json()["code"]
    for user in (w.other_officer, w.other_citizen):
        c = as_user(client, user)
        assert c.get(f"{BASE}/{code}").status_code == 404
        assert post_json(c, f"{BASE}/{code}/receive").status_code == 404
        assert c.get(f"{BASE}/{code}/attachments/1").status_code == 404
        assert code not in {d["code"] for d in c.get(BASE).json()["items"]}


def test_anonymous_gets_401_but_lookup_is_public(client, w):
    d = fd.submit(w)
    assert client.get(f"{BASE}/{d.code}").status_code == 401
    r = client.get(f"{BASE}/lookup", {"code": d.code, "secret": d.secret})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "submitted" and body["applicant"] == "N***** V** An"
    assert "0912345678" not in r.content.decode()
    assert client.get(f"{BASE}/lookup", {"code": d.code, "secret": "AAAAAAAA"}).status_code == 404


def test_idempotent_submission_retried_five_times(client, w):
    c = as_user(client, w.citizen)
    codes = {submit(c, w, key="retry-1").json()["code"] for _ in range(5)}
    assert len(codes) == 1
    assert Dossier.objects.count() == 1
    assert Attachment.objects.count() == 2


def test_list_filters_and_pagination(client, w):
    for _ in range(3):
        fd.submit(w)
    c = as_user(client, w.reception)
    body = c.get(BASE, {"limit": 2}).json()
    assert body["count"] == 3 and len(body["items"]) == 2
    assert c.get(BASE, {"status": "processing"}).json()["count"] == 0
    assert c.get(BASE, {"overdue": "false"}).json()["count"] == 3
    assert c.get(BASE, {"status": "nonsense"}).status_code == 422
    assert c.get(f"{BASE}/queues/reception").json()["count"] == 3


def test_citizen_sees_only_own_dossiers(client, w):
    fd.submit(w)
    assert as_user(client, w.other_citizen).get(BASE).json()["count"] == 0
    assert as_user(client, w.citizen).get(BASE).json()["count"] == 1


HOSTILE = {
    "empty": ("rong.pdf", b""),
    "exe": ("virus.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200),
    "html": ("trang.pdf", b"<html><script>alert(1)</script></html>"),
    "broken_pdf": ("hong.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage\n%%EOF"),
    "zip": ("nen.docx", b"PK\x03\x04" + b"\x00" * 100),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_uploads_are_refused_and_nothing_is_stored(client, w, case, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    name, data = HOSTILE[case]
    bad = SimpleUploadedFile(name, data)
    r = submit(as_user(client, w.citizen), w, files=[bad, fd.pdf_file()])
    assert r.status_code == 422, r.content
    assert r.json()["fields"]["files"]
    assert Dossier.objects.count() == 0 and Attachment.objects.count() == 0
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_decompression_bomb_is_refused(client, w, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    bomb = SimpleUploadedFile("bom.png", fd.png_bytes(size=(10000, 10000)))
    r = submit(as_user(client, w.citizen), w, files=[bomb, fd.pdf_file()])
    assert r.status_code == 422
    assert "điểm ảnh" in r.json()["message"]
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_oversized_upload_is_refused(client, w, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.THUDO = {**settings.THUDO, "MAX_UPLOAD_MB": 1}
    big = SimpleUploadedFile("lon.pdf", fd.pdf_bytes() + b"\n%" + b"x" * (1024 * 1024 + 10))
    r = submit(as_user(client, w.citizen), w, files=[big, fd.pdf_file()])
    assert r.status_code == 422 and "MB" in r.json()["message"]


def test_file_names_are_sanitised_and_never_used_as_paths(client, w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    evil = SimpleUploadedFile("../../etc/passwd\x00\u202eKhai sinh.pdf", fd.pdf_bytes())
    # NFD input ("Giấy" decomposed) is stored NFC.
    nfd = SimpleUploadedFile("Gia\u0302\u0301y chu\u031bng sinh.pdf", fd.pdf_bytes())
    r = submit(as_user(client, w.citizen), w, files=[evil, nfd])
    assert r.status_code == 201, r.content
    names = sorted(a.original_name for a in Attachment.objects.all())
    assert names == ["Giấy chưng sinh.pdf", "passwdKhai sinh.pdf"]
    for a in Attachment.objects.all():
        assert "passwd" not in a.file.name and ".." not in a.file.name
        assert a.file.name.startswith("dossiers/")


def test_payment_at_counter_and_online(client, w):
    d = fd.submit(w)
    c = as_user(client, w.reception)
    # Online submission costs 0 đồng in Hanoi: nothing to pay, at the counter or online (the counter
    # fee of 8,000 đồng is not this dossier's; tests/dossiers/test_payments.py has paid dossiers).
    r = post_json(c, f"{BASE}/{d.code}/payments", {"method": "cash", "amount": 8000, "reference": "BL-01"})
    assert r.status_code == 422 and r.json()["code"] == "no_fee"
    r = post_json(as_user(client, w.citizen), f"{BASE}/{d.code}/payments", {"online": True})
    assert r.status_code == 422 and r.json()["code"] == "no_fee"
