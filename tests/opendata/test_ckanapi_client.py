"""THE acceptance test of the open-data catalogue (issue 14, domain-round2 §5.4 O1–O3): a real
server on a free port, driven by the real ``ckanapi`` client — its Python API (RemoteCKAN) and
its command line (``ckanapi dump datasets --all``, ``ckanapi search datasets``)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ckanapi = pytest.importorskip("ckanapi")

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import json
from tests import factories_opendata as fo
from thudo.core import actions
from thudo.core.models import User
transport = fo.organisation(fo.department("Sở Giao thông Vận tải", code="000.00.23.H26"))
nature = fo.organisation(fo.department("Sở Nông nghiệp và Môi trường", code="000.00.24.H26"))
editor = fo.editor(transport, username="bientap")
_t, token = actions.create_api_token(editor, name="ckanapi", by=None)
citizen = User.objects.create_user("congdan", password="Mat-khau-rat-dai-2026")
_t, citizen_token = actions.create_api_token(citizen, name="ckanapi", by=None)
fo.dataset(transport, name="giao-thong-diem-do-xe", title="Điểm đỗ xe công cộng",
           notes="Vị trí các điểm trông giữ xe trên địa bàn.", tags=[{"name": "giao thông"}])
fo.dataset(transport, name="giao-thong-tuyen-buyt", title="Tuyến xe buýt", resources=2)
fo.dataset(transport, name="giao-thong-noi-bo", title="Số liệu giao thông nội bộ", private=True)
fo.dataset(nature, name="chat-luong-khong-khi", title="Chỉ số chất lượng không khí",
           tags=[{"name": "môi trường"}])
print(json.dumps({"token": token, "citizen_token": citizen_token, "transport": transport.name,
                  "nature": nature.name}))
"""

BULK = """
from tests import factories_opendata as fo
from thudo.opendata.models import Organisation
fo.bulk(Organisation.objects.get(name=%r), 2500)
print("ok")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("opendata-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THUDO_", "DJANGO_"))}
    env.update(
        THUDO_DATA_DIR=str(data / "data"),
        THUDO_SECRET_KEY="ckanapi-test-" + "x" * 40,
        THUDO_PAYMENT_GATEWAY="simulated",
        PYTHONPATH=str(ROOT),
        # ckanapi's dump runs its workers as the `ckanapi` command
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )

    def thudo(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "thudo", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    thudo("migrate", "--no-input", "-v", "0")
    facts = json.loads(thudo("shell", "-c", SETUP).strip().splitlines()[-1])
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "thudo", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/3/action/status_show", timeout=2)  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield {"base": base, "env": env, "thudo": thudo, **facts}
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def remote(server, token=None):
    return ckanapi.RemoteCKAN(server["base"], apikey=token, user_agent="thudo-test")


def cli(server, *args: str) -> list[str]:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "ckanapi"), *args, "-r", server["base"]],
        env=server["env"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if line.strip()]


def test_1_search_returns_datasets_with_resources_and_hides_private_ones(server):
    anonymous = remote(server)
    status = anonymous.action.status_show()
    assert status["ckan_version"].startswith("2.")
    found = anonymous.action.package_search(q="giao-thong")
    assert found["count"] >= 2
    assert all(d["resources"] for d in found["results"])
    assert not any(d["private"] for d in found["results"])
    # diacritic-insensitive, both ways
    assert anonymous.action.package_search(q="đỗ xe")["results"][0]["name"] == "giao-thong-diem-do-xe"
    assert anonymous.action.package_search(q="khong khi")["results"][0]["name"] == "chat-luong-khong-khi"
    with_private = remote(server, server["token"]).action.package_search(q="giao thong", include_private=True)
    assert "giao-thong-noi-bo" in {d["name"] for d in with_private["results"]}
    assert "giao-thong-noi-bo" not in {
        d["name"] for d in anonymous.action.package_search(q="giao thong", include_private=True)["results"]
    }
    facets = anonymous.action.package_search(
        fq=f"organization:{server['transport']}", **{"facet.field": json.dumps(["tags", "res_format"])}
    )
    assert facets["count"] == 2 and facets["facets"]["res_format"] == {"CSV": 2}
    # the GET form (ckanapi get_only) answers the same
    get_only = ckanapi.RemoteCKAN(server["base"], get_only=True)
    assert get_only.action.package_search(q="giao-thong")["count"] == found["count"]
    assert set(anonymous.action.organization_list()) == {server["transport"], server["nature"]}
    assert "giao thông" in anonymous.action.tag_list()


def test_2_errors_are_the_ones_ckan_raises(server):
    anonymous = remote(server)
    with pytest.raises(ckanapi.NotFound):
        anonymous.action.package_show(id="khong-co-bo-nay")
    with pytest.raises(ckanapi.NotFound):
        anonymous.action.package_show(id="giao-thong-noi-bo")  # private: as if it did not exist
    with pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.package_create(name="bo-moi", owner_org=server["transport"])
    with pytest.raises(ckanapi.NotAuthorized):
        remote(server, server["citizen_token"]).action.package_create(
            name="bo-moi", owner_org=server["transport"]
        )
    with pytest.raises(ckanapi.NotAuthorized):
        remote(server, "ma-sai").action.package_search(q="x")
    with pytest.raises(ckanapi.ValidationError) as err:
        remote(server, server["token"]).action.package_create(
            owner_org=server["transport"], title="Không tên"
        )
    assert "name" in err.value.error_dict


def test_3_an_editor_publishes_with_an_upload(server, tmp_path):
    editor = remote(server, server["token"])
    created = editor.action.package_create(
        name="bai-do-xe-2026",
        title="Bãi đỗ xe 2026",
        owner_org=server["transport"],
        tags=[{"name": "giao thông"}],
        private=True,
    )
    assert created["private"] is True and created["license_id"] == "cc-by-4.0"
    schema = json.dumps({"fields": [{"name": "ma", "type": "integer"}, {"name": "ten", "type": "string"}]})
    bad = tmp_path / "bai-do.csv"
    bad.write_text("ma,ten\n1,Bãi A\nhai,Bãi B\n", encoding="utf-8")
    with pytest.raises(ckanapi.ValidationError) as err, bad.open("rb") as f:
        editor.action.resource_create(package_id=created["id"], name="Bãi đỗ", schema=schema, upload=f)
    assert "upload" in err.value.error_dict
    assert editor.action.package_show(id=created["id"])["num_resources"] == 0
    bad.write_text("ma,ten\n1,Bãi A\n2,Bãi B\n", encoding="utf-8")
    with bad.open("rb") as f:
        resource = editor.action.resource_create(
            package_id=created["id"], name="Bãi đỗ", schema=schema, upload=f
        )
    assert resource["format"] == "CSV" and resource["size"] == bad.stat().st_size
    with pytest.raises(urllib.error.HTTPError):  # private: not for anonymous readers
        urllib.request.urlopen(resource["url"])  # noqa: S310 (local test server)
    patched = editor.action.resource_patch(id=resource["id"], description="Cập nhật")
    assert patched["description"] == "Cập nhật"
    shown = editor.action.package_patch(id=created["id"], private=False)
    assert shown["private"] is False and remote(server).action.package_show(id="bai-do-xe-2026")["resources"]
    with urllib.request.urlopen(resource["url"]) as answer:  # noqa: S310 (local test server)
        assert answer.read() == bad.read_bytes()


def test_4_dump_writes_one_line_per_public_dataset(server):
    public = remote(server).action.package_list()
    lines = cli(server, "dump", "datasets", "--all")
    dumped = [json.loads(line) for line in lines]
    assert len(dumped) == len(public)
    assert {d["name"] for d in dumped} == set(public)
    assert not any(d["private"] for d in dumped)


def test_5_two_thousand_five_hundred_datasets_page_through(server):
    assert server["thudo"]("shell", "-c", BULK % server["nature"]).strip().endswith("ok")
    total = remote(server).action.package_search(rows=0)["count"]
    assert total >= 2500
    lines = cli(server, "search", "datasets")  # pages of 1,000 until an empty page
    names = [json.loads(line)["name"] for line in lines]
    assert len(names) == total == len(set(names))
    pages = []
    anonymous = remote(server)
    for start in range(0, total, 1000):
        pages += [
            d["name"]
            for d in anonymous.action.package_search(rows=1000, start=start, sort="name asc")["results"]
        ]
    assert pages == sorted(pages) and len(set(pages)) == total
