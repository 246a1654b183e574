"""Files of the task page's report forms are stored on arrival: an error in another field (on the
form or raised by the action) never asks for them again, and they reach the report in the end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import factories_dossiers as fd
from tests import factories_tasks as ft
from thudo.core.models import Draft, DraftUpload
from thudo.tasks.models import Report, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def c():
    return ft.city()


def _task(c):
    return ft.task(c, deadline=timezone.localdate() + dt.timedelta(days=20), now=timezone.now())


def test_a_progress_report_keeps_its_file_through_a_bad_percentage(client, c):
    t = _task(c)
    client.force_login(c.director)
    url = f"/can-bo/nhiem-vu/{t.pk}/bao-cao-tien-do/"
    bad = client.post(
        url, {"text": "Đã khảo sát 3 phường", "percent": "150", "files": [fd.pdf_file("khao-sat.pdf")]}
    )
    assert bad.status_code == 422
    assert "Nhập một số từ 0 đến 100." in bad.text
    assert "Đã đính kèm" in bad.text and "khao-sat.pdf" in bad.text
    assert not Report.objects.exists()
    # Coming back later, the form still holds the file; sending it without choosing the file again.
    assert "khao-sat.pdf" in client.get(f"/can-bo/nhiem-vu/{t.pk}/").text
    # Choosing the same file again (out of habit) keeps it once.
    again = client.post(url, {"text": "", "percent": "40", "files": [fd.pdf_file("khao-sat.pdf")]})
    assert again.status_code == 422 and DraftUpload.objects.count() == 1
    ok = client.post(url, {"text": "Đã khảo sát 3 phường", "percent": "40"})
    assert ok.status_code == 302
    report = Report.objects.get()
    assert list(report.files.values_list("original_name", flat=True)) == ["khao-sat.pdf"]
    assert not Draft.objects.exists() and not DraftUpload.objects.exists()


def test_a_done_report_keeps_its_files_when_the_action_refuses_it(client, c):
    t = _task(c)
    client.force_login(c.director)
    url = f"/can-bo/nhiem-vu/{t.pk}/bao-cao-hoan-thanh/"
    refused = client.post(url, {"text": "", "result_document": "", "files": [fd.pdf_file("ket-qua.pdf")]})
    assert refused.status_code == 422 and "Nhập kết quả thực hiện" in refused.text
    assert "ket-qua.pdf" in refused.text
    client.post(url, {"text": "Đã hoàn thành", "result_document": "15/BC-STN"})
    t.refresh_from_db()
    assert t.state == State.REPORTED
    assert list(t.files.values_list("original_name", flat=True)) == ["ket-qua.pdf"]


def test_a_bad_file_on_a_report_is_refused_in_vietnamese_and_nothing_is_saved(client, c):
    t = _task(c)
    client.force_login(c.director)
    fake = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    bad = client.post(
        f"/can-bo/nhiem-vu/{t.pk}/bao-cao-tien-do/", {"text": "x", "percent": "10", "files": [fake]}
    )
    assert bad.status_code == 422
    assert "Chỉ nhận tệp PDF, JPG, PNG, DOC, DOCX hoặc XLSX." in bad.text
    assert not Report.objects.exists() and not DraftUpload.objects.exists()


def test_dropping_the_kept_files(client, c):
    t = _task(c)
    client.force_login(c.director)
    url = f"/can-bo/nhiem-vu/{t.pk}/bao-cao-tien-do/"
    client.post(url, {"text": "", "percent": "10", "files": [fd.pdf_file("nham.pdf")]})
    client.post(url, {"text": "Tiến độ", "percent": "10", "remove": "files"})
    assert not Report.objects.get().files.exists()


def test_someone_who_may_not_report_stores_nothing(client, c):
    t = ft.task(
        c,
        deadline=timezone.localdate() + dt.timedelta(days=20),
        now=timezone.now(),
        coordinators=[c.communes[0]],
    )
    client.force_login(c.commune_leaders[0])  # a co-ordinating unit reads the task, does not report
    url = f"/can-bo/nhiem-vu/{t.pk}/bao-cao-tien-do/"
    response = client.post(url, {"text": "x", "percent": "10", "files": [fd.pdf_file("a.pdf")]})
    assert response.status_code in (403, 404, 422)
    assert not DraftUpload.objects.exists() and not Report.objects.exists()
