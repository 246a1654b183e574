"""Signing keys in a store shared by the app servers (issue 15, part 9).

With ``THUDO_SIGNING_KEY_STORE=shared`` (the default with a bucket) the leaders' encrypted
PKCS#12 files live under ``pki/`` in the file storage every server uses (here moto's S3 server):
a key issued on one server signs on another that has an empty data directory; nothing is copied
by hand; without the signing secret the stored file is useless. ``thudo share_signing_keys``
moves the keys a server kept in ``DATA_DIR/pki`` into the store once.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests import factories_dossiers as fd
from thudo.core.errors import NotAllowed
from thudo.signing import pki
from thudo.signing.models import SigningCredential

pytestmark = pytest.mark.django_db
BASE = "/api/v1/dossiers"


def keys(client, name) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=name).get("Contents", []))


def post_json(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def shared_store(bucket, settings):
    settings.THUDO = {**settings.THUDO, "SIGNING_KEY_STORE": "shared"}
    return bucket


def test_a_key_issued_on_one_server_signs_on_another(client, shared_store, settings, tmp_path):
    s3, name = shared_store
    settings.DATA_DIR = tmp_path / "server-a"
    w = fd.world()  # the leader's certificate is issued "on server A"
    credential = SigningCredential.objects.get(user=w.leader)
    assert f"thudo/pki/{credential.p12_path}" in keys(s3, name)
    assert not (tmp_path / "server-a" / "pki" / credential.p12_path).exists()
    stored = s3.get_object(Bucket=name, Key=f"thudo/pki/{credential.p12_path}")["Body"].read()
    assert b"PRIVATE KEY" not in stored  # PKCS#12, encrypted

    settings.DATA_DIR = tmp_path / "server-b"  # another server: nothing on its disk
    d = fd.submit(w)
    client.force_login(w.reception)
    assert post_json(client, f"{BASE}/{d.code}/receive").status_code == 200
    r = post_json(client, f"{BASE}/{d.code}/forward", {"assignee": "chuyenvien", "from_step": 1})
    assert r.status_code == 200
    client.force_login(w.specialist)
    assert post_json(client, f"{BASE}/{d.code}/forward").status_code == 200
    client.force_login(w.leader)
    r = post_json(client, f"{BASE}/{d.code}/sign")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "result_ready"
    assert not (tmp_path / "server-b" / "pki" / credential.p12_path).exists()

    settings.SIGNING_KEY_SECRET = "another-secret-" + "y" * 40  # the file alone opens nothing
    with pytest.raises(ValueError, match=r"(?i)password|pkcs12"):
        pki._read_p12(credential.p12_path)


def test_keys_kept_on_one_server_are_moved_into_the_store_once(shared_store, settings, tmp_path):
    s3, name = shared_store
    settings.DATA_DIR = tmp_path / "old-server"
    settings.THUDO = {**settings.THUDO, "SIGNING_KEY_STORE": "local"}
    w = fd.world()
    credential = SigningCredential.objects.get(user=w.leader)
    assert (tmp_path / "old-server" / "pki" / credential.p12_path).is_file()

    settings.THUDO = {**settings.THUDO, "SIGNING_KEY_STORE": "shared"}
    with pytest.raises(NotAllowed):  # not in the store yet
        pki._read_p12(credential.p12_path)
    out = StringIO()
    call_command("share_signing_keys", stdout=out)
    assert "2 copied" in out.getvalue()  # the demo CA and the leader's key
    assert f"thudo/pki/{credential.p12_path}" in keys(s3, name)
    _key, cert, _ = pki._read_p12(credential.p12_path)
    assert cert is not None
    out = StringIO()
    call_command("share_signing_keys", stdout=out)
    assert "0 copied, 2 already shared" in out.getvalue()


def test_the_key_store_follows_the_bucket_unless_chosen(settings):
    from django.core.exceptions import ImproperlyConfigured

    from thudo.core.config import config

    settings.THUDO = {**settings.THUDO, "SIGNING_KEY_STORE": ""}
    settings.S3 = {"BUCKET": ""}
    assert config().signing_key_store == "local"
    settings.S3 = {"BUCKET": "ho-so"}
    assert config().signing_key_store == "shared"
    settings.THUDO = {**settings.THUDO, "SIGNING_KEY_STORE": "local"}
    assert config().signing_key_store == "local"
    settings.THUDO = {**settings.THUDO, "SIGNING_KEY_STORE": "usb"}
    with pytest.raises(ImproperlyConfigured):
        config()
