"""Hostile input never reaches a server error (issue 10, item 7): the API answers the typed error
``{"code", "message", "fields"}``, pages a readable Vietnamese error. Each case was a 500 (or an
English HTML page in the API) before; run on SQLite and PostgreSQL."""

import json

import pytest
from django.test import Client

from tests import factories_dossiers as fd
from thudo.core.errors import InvalidInput
from thudo.dossiers import actions
from thudo.dossiers.models import Dossier

pytestmark = pytest.mark.django_db
SHAPE = {"code", "message", "fields"}


@pytest.fixture
def client():
    """A client that answers like a server does: a server error is a 500 answer, not an exception."""
    return Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)


@pytest.fixture
def w(db):
    return fd.world()


def typed(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == SHAPE and body["code"] and body["message"]
    return body


# --- the deadline calculator (anonymous) ---------------------------------------------------------

NEAR_THE_END_OF_TIME = ["9999-12-31T16:00", "9999-12-30", "9999-12-31T23:59+14:00", "9999-12-24T08:00"]


@pytest.mark.parametrize("start", NEAR_THE_END_OF_TIME)
def test_due_moment_beyond_year_9999_is_a_typed_error(client, start):
    body = typed(client.get("/api/v1/calendar/due", {"start": start, "days": "30"}), 422)
    assert "start" in body["fields"]


@pytest.mark.parametrize("start", NEAR_THE_END_OF_TIME)
def test_due_page_beyond_year_9999_says_so_in_vietnamese(client, start):
    response = client.get("/calendar/due/", {"start": start, "days": "30"})
    assert response.status_code == 200
    assert "vượt quá phạm vi lịch" in response.content.decode()


# --- the declaration (form_data) ------------------------------------------------------------------


def submit(client, w, **fields):
    client.force_login(w.citizen)
    data = {
        "procedure": w.procedure.code,
        "agency": w.agency.code,
        "applicant_name": "Nguyễn Văn An",
        "files": [fd.pdf_file("to-khai.pdf"), fd.pdf_file("giay-chung-sinh.pdf")],
        **fields,
    }
    return client.post("/api/v1/dossiers", data=data)


@pytest.mark.parametrize(
    "form_data",
    [
        '{"a": ' * 5000 + "1" + "}" * 5000,  # nested thousands deep: RecursionError before
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' * 30 + "1" + "}" * 30,  # parses, but deeper than any declaration
        '{"ten_tre": NaN}',
        '{"ten_tre": Infinity}',
        '{"ten_tre": -Infinity}',
        '{"ten_tre": 1e400}',  # parses to infinity
        '{"ten_tre": "Bé\\u0000Na"}',  # NUL: SQLite stores it, PostgreSQL refuses it
        "[1, 2]",
    ],
)
def test_hostile_declarations_are_refused_and_nothing_is_stored(client, w, form_data):
    body = typed(submit(client, w, form_data=form_data), 422)
    assert "form_data" in body["fields"]
    assert not Dossier.objects.exists()


def test_the_rule_lives_in_the_action_not_only_in_the_api(w):
    for bad in ({"ten_tre": float("nan")}, {"a": {"b": [[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]}}):
        with pytest.raises(InvalidInput):
            actions.submit_online(
                procedure=w.procedure,
                agency=w.agency,
                applicant=fd.APPLICANT,
                form_data=bad,
                files=[fd.pdf_file("a.pdf"), fd.pdf_file("b.pdf")],
                by=w.citizen,
            )
    assert not Dossier.objects.exists()


def test_an_ordinary_declaration_is_kept_as_sent(client, w):
    declaration = {"ten_tre": "Bé Na", "can_nang": 3.2, "song_thai": False, "anh_chi": [{"ten": "An"}]}
    r = submit(client, w, form_data=json.dumps(declaration))
    assert r.status_code == 201, r.content
    assert Dossier.objects.get().form_data == declaration


@pytest.mark.parametrize("papers", ["abc", "1.5", "1,x", " ,-", str(2**63), str(10**30), "-1", "0"])
def test_paper_ids_that_cannot_be_ids_are_a_typed_error(client, w, papers):
    body = typed(submit(client, w, papers=papers), 422)
    assert "files" in body["fields"]
    assert not Dossier.objects.exists()


# --- bodies Django cannot read, paths and methods the API does not have ---------------------------


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary="])
def test_multipart_without_a_boundary_is_a_typed_400(client, w, content_type):
    client.force_login(w.citizen)
    body = typed(client.post("/api/v1/dossiers", data=b"--x\r\n\r\n", content_type=content_type), 400)
    assert body["code"] == "bad_request"


def test_multipart_without_a_boundary_on_a_page_is_a_vietnamese_page(client):
    response = client.post("/dang-ky/", data=b"--x\r\n", content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Yêu cầu không hợp lệ" in html and '<html lang="vi">' in html


@pytest.mark.parametrize(
    "path",
    ["/api/v1/", "/api/v1/nothing/here", "/api/v1/dossiers/", "/api/v1/dossiers/X/unknown", "/api/v2/x"],
)
def test_unmatched_api_paths_are_a_typed_404(client, path):
    assert typed(client.get(path), 404)["code"] == "not_found"
    assert typed(client.post(path), 404)["code"] == "not_found"


def test_a_method_the_path_does_not_have_is_a_typed_405(client):
    response = client.delete("/api/v1/calendar/due")
    assert typed(response, 405)["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_a_server_error_in_the_api_is_typed_json(client, monkeypatch):
    from thudo.core import api as core_api

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(core_api, "compute_due", broken)
    assert typed(client.get("/api/v1/calendar/due", {"start": "2026-01-01"}), 500)["code"] == "server_error"
