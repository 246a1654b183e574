"""Population registry adapters: the embedded one and the HTTP client against a local server."""

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.factories_identity import RegistryRecordFactory
from thudo.identity.registry import (
    HttpRegistry,
    LocalRegistry,
    RegistryUnavailable,
    get_registry,
)

PIN = "001190654321"
PERSON = {
    "pin": PIN,
    "full_name": "Lê Thị Hồng Nhung",
    "birth_date": "1990-03-08",
    "sex": "female",
    "permanent_address": "Số 5 phố Tràng Tiền, Phường Hoàn Kiếm, Thành phố Hà Nội",
}


class Registry(BaseHTTPRequestHandler):
    """A tiny stand-in for the national service; behaviour chosen by the requested number."""

    seen: list = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Registry.seen.append((self.path, self.headers.get("Authorization"), body))
        if self.path != "/api/citizens/verify":
            return self._send(404, {})
        if body["pin"] == "001190000500":
            return self._send(500, {"error": "down"})
        if body["pin"] == "001190000404":
            return self._send(404, {"error": "not found"})
        if body["pin"] == "001190000999":
            return self._send(200, {"unexpected": True})
        if body["pin"] == "001190000111":  # answers about somebody else
            return self._send(200, {"match": True, "person": {**PERSON, "pin": "001190000222"}})
        if body == {"pin": PIN, "full_name": "Lê Thị Hồng Nhung", "birth_date": "1990-03-08"}:
            return self._send(200, {"match": True, "person": PERSON})
        return self._send(200, {"match": False})

    def _send(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Registry.seen = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}/api"
    httpd.shutdown()
    httpd.server_close()


def test_http_match_returns_the_registry_data(server):
    person = HttpRegistry(server, "bi-mat", timeout=5).verify(PIN, "Lê Thị Hồng Nhung", date(1990, 3, 8))
    assert person is not None
    assert person.full_name == "Lê Thị Hồng Nhung"
    assert person.sex == "female"
    assert person.permanent_address.startswith("Số 5 phố Tràng Tiền")
    path, auth, _body = Registry.seen[0]
    assert path == "/api/citizens/verify"
    assert auth == "Bearer bi-mat"


def test_http_mismatch_and_not_found_are_no_match(server):
    registry = HttpRegistry(server, "t")
    assert registry.verify(PIN, "Lê Thị Hồng", date(1990, 3, 8)) is None
    assert registry.verify("001190000404", "Lê Thị Hồng Nhung", date(1990, 3, 8)) is None
    assert registry.verify("001190000111", "Lê Thị Hồng Nhung", date(1990, 3, 8)) is None


@pytest.mark.parametrize("pin", ["001190000500", "001190000999"])
def test_http_errors_raise_unavailable(server, pin):
    with pytest.raises(RegistryUnavailable) as info:
        HttpRegistry(server, "t").verify(pin, "Lê Thị Hồng Nhung", date(1990, 3, 8))
    assert info.value.status == 503
    assert "Không kết nối được" in info.value.message


def test_http_unreachable_raises_unavailable():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RegistryUnavailable):
        HttpRegistry(f"http://127.0.0.1:{port}", timeout=2).verify(PIN, "A", date(1990, 3, 8))


def test_http_refuses_other_schemes():
    with pytest.raises(ImproperlyConfigured):
        HttpRegistry("file:///etc/passwd")


@pytest.mark.django_db
def test_local_registry_compares_folded_names():
    RegistryRecordFactory(pin=PIN, full_name="Lê Thị Hồng Nhung", birth_date=date(1990, 3, 8))
    registry = LocalRegistry()
    assert registry.verify(PIN, "le thi hong nhung", date(1990, 3, 8)).full_name == "Lê Thị Hồng Nhung"
    assert registry.verify(PIN, "  LÊ THỊ   HỒNG NHUNG ", date(1990, 3, 8)) is not None
    assert registry.verify(PIN, "Lê Thị Hồng", date(1990, 3, 8)) is None
    assert registry.verify(PIN, "Lê Thị Hồng Nhung", date(1990, 3, 9)) is None
    assert registry.verify("001190000000", "Lê Thị Hồng Nhung", date(1990, 3, 8)) is None


def test_get_registry_follows_the_setting(settings, server):
    assert isinstance(get_registry(), LocalRegistry)
    settings.THUDO = {
        **settings.THUDO,
        "POPULATION_REGISTRY": "http",
        "POPULATION_REGISTRY_URL": server,
        "POPULATION_REGISTRY_TOKEN": "tok",
    }
    registry = get_registry()
    assert isinstance(registry, HttpRegistry)
    assert registry.verify(PIN, "Lê Thị Hồng Nhung", date(1990, 3, 8)) is not None
    settings.THUDO = {**settings.THUDO, "POPULATION_REGISTRY": "nowhere"}
    with pytest.raises(ImproperlyConfigured):
        get_registry()
