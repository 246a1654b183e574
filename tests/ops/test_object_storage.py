"""Uploaded files, papers and results in an S3-compatible bucket (issue 15, part 6).

The bucket is moto's S3 server, started by the test on 127.0.0.1 on a free port. A citizen submits
a dossier with a file through the API: the file lands in the bucket (nothing on the local disk);
the owner downloads it through the application, after the permission check; another citizen gets
404, as on the local disk. The signed result of the whole journey is stored and read back there
too, and the orphan sweep works on the bucket.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests import factories_dossiers as fd

pytestmark = pytest.mark.django_db
BASE = "/api/v1/dossiers"


def keys(client, name) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=name).get("Contents", []))


def post_json(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_a_submitted_file_is_stored_in_the_bucket_and_served_only_to_whom_may_see_it(
    client, bucket, settings
):
    s3, name = bucket
    w = fd.world()
    client.force_login(w.citizen)
    papers = {
        "to-khai.pdf": fd.pdf_bytes("to-khai.pdf"),
        "giay-chung-sinh.pdf": fd.pdf_bytes("giay-chung-sinh.pdf"),
    }
    r = client.post(
        BASE,
        data={
            "procedure": w.procedure.code,
            "agency": w.agency.code,
            "form_data": json.dumps({"ten_tre": "Bé Na"}),
            "applicant_name": "Nguyễn Văn An",
            "files": [fd.pdf_file("to-khai.pdf"), fd.pdf_file("giay-chung-sinh.pdf")],
        },
    )
    assert r.status_code == 201, r.content
    code = r.json()["code"]

    stored = [k for k in keys(s3, name) if k.startswith("thudo/dossiers/")]
    assert len(stored) == 2
    assert {s3.get_object(Bucket=name, Key=k)["Body"].read() for k in stored} == set(papers.values())
    assert not Path(settings.MEDIA_ROOT).exists()  # nothing on the local disk

    atts = client.get(f"{BASE}/{code}/attachments").json()
    first = atts[0]
    paper = papers[first["name"]]
    r = client.get(f"{BASE}/{code}/attachments/{first['id']}")  # streamed through the app
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == paper
    page = client.get(f"/ho-so/{code}/tep/{first['id']}/")
    assert page.status_code == 200 and b"".join(page.streaming_content) == paper
    assert name not in page.get("Location", "")  # never a redirect to the bucket

    client.force_login(w.other_citizen)
    assert client.get(f"{BASE}/{code}/attachments/{first['id']}").status_code == 404
    assert client.get(f"/ho-so/{code}/tep/{first['id']}/").status_code == 404
    client.logout()
    assert client.get(f"{BASE}/{code}/attachments/{first['id']}").status_code in {401, 404}


def test_the_signed_result_is_kept_in_the_bucket(client, bucket):
    s3, name = bucket
    w = fd.world()
    d = fd.submit(w)
    client.force_login(w.reception)
    assert post_json(client, f"{BASE}/{d.code}/receive").status_code == 200
    assert (
        post_json(client, f"{BASE}/{d.code}/forward", {"assignee": "chuyenvien", "from_step": 1}).status_code
        == 200
    )
    client.force_login(w.specialist)
    assert post_json(client, f"{BASE}/{d.code}/forward").status_code == 200
    client.force_login(w.leader)
    r = post_json(client, f"{BASE}/{d.code}/sign")
    assert r.status_code == 200, r.content

    results = [k for k in keys(s3, name) if k.startswith("thudo/results/")]
    assert results
    client.force_login(w.citizen)
    atts = client.get(f"{BASE}/{d.code}/attachments").json()
    result = next(a for a in atts if a["kind"] == "result")
    r = client.get(f"{BASE}/{d.code}/attachments/{result['id']}")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF-")


def test_the_orphan_sweep_removes_unreferenced_objects_from_the_bucket(bucket):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from thudo.core import orphans

    s3, name = bucket
    w = fd.world()
    d = fd.submit(w)
    kept = d.attachments.first().file.name
    stray = default_storage.save("dossiers/2026/12/khong-ai-dung.pdf", ContentFile(fd.pdf_bytes()))
    report = orphans.remove_orphans(grace=timedelta(0), now=timezone.now() + timedelta(minutes=1))
    assert report.removed == [stray]
    assert f"thudo/{kept}" in keys(s3, name)
    assert f"thudo/{stray}" not in keys(s3, name)


def test_the_environment_chooses_the_bucket(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THUDO_", "DJANGO_"))}
    env.update(
        THUDO_DATA_DIR=str(tmp_path),
        THUDO_SECRET_KEY="s3-settings-" + "x" * 40,
        THUDO_PAYMENT_GATEWAY="simulated",
        THUDO_S3_BUCKET="ho-so",
        THUDO_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        THUDO_S3_PREFIX="/hanoi/",
        DJANGO_SETTINGS_MODULE="thudo.conf.settings",
    )
    code = (
        "import django; django.setup()\n"
        "from django.core.files.storage import storages\n"
        's = storages["default"]\n'
        "from thudo.core.config import config\n"
        "print(type(s).__name__, s.bucket_name, s.location, s.endpoint_url, config().object_storage)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["S3Storage", "ho-so", "hanoi", "http://127.0.0.1:9000", "s3"]
