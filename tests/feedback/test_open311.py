"""Open311 GeoReport v2, checked by a small client written from the published specification
(http://wiki.open311.org/GeoReport_v2), over real HTTP, importing nothing of the platform: the
field names, formats and error arrays below are the spec's."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tests import factories_feedback as ff
from thudo.feedback import actions
from thudo.feedback.models import Report

pytestmark = pytest.mark.django_db(transaction=True)

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+07:00$")
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


class GeoReport:
    """GeoReport v2 client: ``GET {endpoint}/services.json`` and friends, JSON format."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint.rstrip("/")

    def _call(self, path: str, *, params=None, data=None):
        url = f"{self.endpoint}/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, method="POST" if data is not None else "GET")  # noqa: S310 - the test server
        try:
            with urllib.request.urlopen(req, timeout=20) as resp:  # noqa: S310 - test server
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def services(self):
        return self._call("services.json")

    def service_definition(self, code):
        return self._call(f"services/{code}.json")

    def requests(self, **params):
        return self._call("requests.json", params=params)

    def request(self, request_id):
        return self._call(f"requests/{request_id}.json")

    def post_request(self, **fields):
        return self._call("requests.json", data=fields)


@pytest.fixture
def georeport(live_server):
    return GeoReport(f"{live_server.url}/open311/v2")


def _assert_error_array(body, code):
    assert isinstance(body, list) and body
    assert body[0]["code"] == code and isinstance(body[0]["description"], str) and body[0]["description"]


def test_services_and_service_definition(georeport):
    ff.seeded()
    status, services = georeport.services()
    assert status == 200
    codes = {s["service_code"] for s in services}
    assert {"moi-truong", "giao-thong"} <= codes
    for s in services:
        assert set(s) >= {
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        }
        assert s["type"] in {"realtime", "batch", "blackbox"}
    status, definition = georeport.service_definition("moi-truong")
    assert status == 200 and definition["service_code"] == "moi-truong"
    assert all(
        {"variable", "code", "datatype", "required", "order", "description"} <= set(a)
        for a in definition["attributes"]
    )
    status, body = georeport.service_definition("khong-co")
    assert status == 404
    _assert_error_array(body, 404)


def test_requests_open_and_closed_with_offsets_and_no_reporter(georeport):
    p = ff.place()
    ff.route(p)
    owner = ff.citizen("Phạm Văn Kín", "0966000777")
    old = ff.report(p, by=owner, now=ff.at("2025-01-06", 9))
    actions.accept(old, by=p.triage, now=ff.at("2025-01-06", 10))  # older than the default 90 days
    recent = timezone.now()
    opened = actions.accept(ff.report(p, by=owner, now=recent), by=p.triage, now=recent)
    done = actions.accept(ff.report(p, by=owner, now=recent), by=p.triage, now=recent)
    done = actions.handle(done, by=p.handler, answer="Đã xử lý, đường đã thông.", now=recent)
    done = actions.publish_answer(done, by=p.triage, now=recent)
    waiting = ff.report(p, by=owner, now=recent)  # not accepted yet: not public
    status, rows = georeport.requests(status="open")
    assert status == 200
    assert [r["service_request_id"] for r in rows] == [opened.code]
    row = rows[0]
    assert set(row) >= REQUEST_FIELDS
    assert row["status"] == "open"
    assert ISO_WITH_OFFSET.match(row["requested_datetime"])
    assert ISO_WITH_OFFSET.match(row["expected_datetime"])
    status, rows = georeport.requests(status="closed")
    assert [r["service_request_id"] for r in rows] == [done.code]
    assert rows[0]["status_notes"] == "Đã xử lý, đường đã thông."
    status, rows = georeport.request(done.code)
    assert status == 200 and len(rows) == 1 and rows[0]["status"] == "closed"
    text = json.dumps(rows, ensure_ascii=False)
    assert "Phạm Văn Kín" not in text and "0966000777" not in text
    status, body = georeport.request(waiting.code)
    assert status == 404
    _assert_error_array(body, 404)
    status, body = georeport.requests(status="maybe")
    assert status == 400
    _assert_error_array(body, 400)


def test_post_request_and_its_errors(georeport):
    p = ff.place("Phường Tràng Tiền Thử")
    status, body = georeport.post_request(description="Ổ gà lớn giữa đường", lat="21.02", long="105.85")
    assert status == 400
    _assert_error_array(body, 400)  # no service_code
    status, body = georeport.post_request(service_code="giao-thong", description="Ổ gà lớn giữa đường")
    assert status == 400
    _assert_error_array(body, 400)  # no location
    status, body = georeport.post_request(
        service_code="giao-thong",
        description="Ổ gà lớn giữa đường, xe máy dễ ngã",
        address_string="Số 5 phố Tràng Tiền Thử",
        phone="0911222333",
        first_name="Hoa",
    )
    assert status == 201, body
    assert isinstance(body, list) and body[0]["service_request_id"].startswith("PA-")
    assert "service_notice" in body[0]
    r = Report.objects.get(code=body[0]["service_request_id"])
    assert (r.commune, r.channel, r.reporter_phone) == (p.commune, "app", "0911222333")


def test_anonymous_posts_are_rate_limited_per_address(settings):
    """Open311 POST without an account counts against the anonymous API rate: the typed Open311
    error array with 429 and Retry-After, nothing saved."""
    ff.place()
    settings.THUDO = {**settings.THUDO, "RATE_ANONYMOUS_API": "2/min"}
    cache.clear()
    client = Client(REMOTE_ADDR="203.0.113.7")
    answers = [client.post("/open311/v2/requests.json", {"description": "x"}).status_code for _i in range(3)]
    assert answers[:2] == [400, 400] and answers[2] == 429
    last = client.post("/open311/v2/requests.json", {"description": "x"})
    assert last.status_code == 429 and int(last["Retry-After"]) >= 1
    assert last.json()[0]["code"] == 429
    assert Client(REMOTE_ADDR="203.0.113.8").post("/open311/v2/requests.json", {}).status_code == 400
