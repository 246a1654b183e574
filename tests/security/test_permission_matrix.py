"""The permission matrix (issue 5 part 1): every API endpoint, every page and every admin page,
asked by every kind of actor, must give the answer written in ``matrix_tables``; and nothing of a
dossier leaks to someone who may not see it — not through lists, counts, search, exports, files
or error messages (an invisible object answers 404, worded like a code that does not exist).

The scene (two communes, ten actors, dossiers, notifications, KPI reports, a published ranking)
is built once per module inside a transaction that is rolled back at the end; each test, and
each cell of a row, runs in its own savepoint.
"""

from __future__ import annotations

import json
import re
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories_dossiers as fd
from tests.factories_security import ACTORS, Scene, build_scene
from tests.security import matrix_tables as t
from thudo.dossiers.actions import papers_rendered

ROOT = Path(__file__).resolve().parents[2]


# --- what exists -----------------------------------------------------------------------------------


def api_operations() -> set[str]:
    """ "METHOD /api/v1/path" of every operation of every router mounted on the one API."""
    from thudo.conf.api import api

    out = set()
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            full = re.sub("/+", "/", f"/api/v1/{prefix}/{path}").rstrip("/")
            for op in view.operations:
                out |= {f"{method} {full}" for method in op.methods}
    return out


def page_names() -> set[str]:
    """Every named page outside /api/ and /admin/ (``namespace:name``)."""

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                route = str(p.pattern)
                if route.startswith(("api/", "admin/")):
                    continue
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}:{p.name}" if namespace else p.name

    return set(walk(get_resolver().url_patterns, None))


def admin_pages() -> set[str]:
    """The admin index and the list page of every registered model (``app.model``)."""
    from django.contrib import admin

    return {"index"} | {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}


def base_key(key: str) -> str:
    """ "GET /api/v1/x #variant" -> "GET /api/v1/x"; "app:name POST #variant" -> "app:name"."""
    key = key.split(" #")[0]
    return key if key.startswith(("GET ", "POST ")) else key.removesuffix(" POST")


def _keys(table: dict) -> set[str]:
    return {base_key(k) for k in table}


def test_every_endpoint_and_page_has_a_row():
    missing_api = sorted(api_operations() - _keys(t.API))
    missing_pages = sorted(page_names() - _keys(t.PAGES))
    missing_admin = sorted(admin_pages() - set(t.ADMIN))
    assert not (missing_api or missing_pages or missing_admin), (
        "Add these to tests/security/matrix_tables.py with the answer each actor must get: "
        f"API {missing_api}, pages {missing_pages}, admin {missing_admin}"
    )
    stale = sorted(_keys(t.API) - api_operations()) + sorted(_keys(t.PAGES) - page_names())
    assert not stale, f"Rows for endpoints or pages that no longer exist: {stale}"


def test_committed_openapi_has_no_endpoint_outside_the_matrix():
    spec = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    committed = {
        f"{method.upper()} {path.rstrip('/')}" for path, ops in spec["paths"].items() for method in ops
    }
    assert committed <= _keys(t.API), sorted(committed - _keys(t.API))


# --- the scene ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("matrix")
    # Papers (forms 01-05) are not rendered: the matrix is about who may act, not about PDFs.
    with (
        django_db_blocker.unblock(),
        override_settings(DATA_DIR=data_dir, MEDIA_ROOT=data_dir / "media", THUDO_REQUIRE_2FA=False),
        papers_rendered(False),
        transaction.atomic(),
    ):
        built = build_scene()
        yield built
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def clients(scene, django_db_blocker) -> dict[str, tuple[Client, str]]:
    """One client and one signed-in session per actor, made once (in the module's transaction).
    Clients are reused: each one builds the middleware chain (static files index included) once."""
    out = {}
    with django_db_blocker.unblock():
        for actor in ACTORS:
            c = Client(HTTP_HOST="127.0.0.1")
            user = scene.user(actor)
            if user is not None:
                c.force_login(user)
            out[actor] = (c, c.cookies[settings.SESSION_COOKIE_NAME].value if user else "")
    return out


def client_for(clients: dict, actor: str) -> Client:
    """The actor's client with only its session cookie (a cell may have logged out or set others)."""
    c, session = clients[actor]
    c.cookies = SimpleCookie()
    if session:
        c.cookies[settings.SESSION_COOKIE_NAME] = session
    return c


def _fill(text: str, scene: Scene, row: t.Row | None = None) -> str:
    """Put the scene's values in the ``{placeholders}`` (``row.fill`` renames a placeholder)."""
    fill = row.fill if row is not None else {}
    return re.sub(r"\{(\w+)\}", lambda m: scene.params[fill.get(m.group(1), m.group(1))], text)


def _value(v, scene: Scene):
    if isinstance(v, list):
        return [_value(item, scene) for item in v]
    return fd.pdf_file("giay-to.pdf") if v == "@pdf" else _fill(v, scene)


def _values(values: dict | None, scene: Scene) -> dict:
    return {k: _value(v, scene) for k, v in (values or {}).items()}


def _token(response) -> str:
    """The answer as the matrix writes it: the status, or ``login`` for a redirect to sign in."""
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    response.close()
    if response.status_code == 302:
        where = response["Location"]
        return "login" if where.startswith(("/login/", "/admin/login/")) else "302"
    return str(response.status_code)


def ask(scene: Scene, clients: dict, actor: str, method: str, url: str, row: t.Row):
    """The answer to one cell, in a savepoint that is rolled back (no cell changes the next)."""
    c = client_for(clients, actor)
    with transaction.atomic():
        if method == "GET":
            response = c.get(url, _values(row.query, scene))
        elif row.json is not None:
            body = _fill(json.dumps(row.json, ensure_ascii=False), scene)
            response = c.post(url, body, content_type="application/json")
        else:
            response = c.post(url, _values(row.data, scene))
        transaction.set_rollback(True)
    return response


def check_row(scene: Scene, clients: dict, method: str, url: str, row: t.Row, label: str) -> None:
    expected = row.expect.split()
    assert len(expected) == len(ACTORS), f"{label}: the row needs one answer per actor"
    got = [_token(ask(scene, clients, actor, method, url, row)) for actor in ACTORS]
    wrong = [f"{a}: expected {e}, got {g}" for a, e, g in zip(ACTORS, expected, got, strict=True) if e != g]
    assert not wrong, f"{label} ({url})\n  got row: {' '.join(got)}\n  " + "\n  ".join(wrong)


# --- the rows -------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(t.API))
def test_api_row(scene, clients, key):
    row = t.API[key]
    method, path = base_key(key).split(" ", 1)
    check_row(scene, clients, method, _fill(path, scene, row), row, key)


def _page_url(name: str, scene: Scene, row: t.Row) -> str:
    kwargs = {arg: scene.params[row.fill.get(arg, arg)] for arg in _route_args(name)}
    return reverse(name, kwargs=kwargs)


def _route_args(name: str) -> list[str]:
    for pattern in _patterns():
        if pattern[0] == name:
            return pattern[1]
    raise LookupError(name)


def _patterns():
    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith(("api/", "admin/")):
                    continue
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                full = f"{namespace}:{p.name}" if namespace else p.name
                yield full, list(p.pattern.regex.groupindex)

    return list(walk(get_resolver().url_patterns, None))


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(t.PAGES))
def test_page_row(scene, clients, key):
    row = t.PAGES[key]
    method = "POST" if " POST" in key else "GET"
    check_row(scene, clients, method, _page_url(base_key(key), scene, row), row, key)


def _admin_url(key: str) -> str:
    if key == "index":
        return reverse("admin:index")
    app, model = key.split(".")
    return reverse(f"admin:{app}_{model}_changelist")


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(t.ADMIN))
def test_admin_row(scene, clients, key):
    row = t.ADMIN[key]
    check_row(scene, clients, "GET", _admin_url(key), row, f"admin {key}")
