"""The permission matrix (issue 5 part 1): every API endpoint, every page and every admin page,
asked by every kind of actor, must give the answer written in ``matrix_tables``; and nothing of a
dossier leaks to someone who may not see it — not through lists, counts, search, exports, files
or error messages (an invisible object answers 404, worded like a code that does not exist).

The scene (two communes, ten actors, dossiers, notifications, KPI reports, a published ranking)
is built once per module inside a transaction that is rolled back at the end; each test, and
each cell of a row, runs in its own savepoint.
"""

from __future__ import annotations

import io
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
    if response.streaming:
        # Reading to the end closes the file. (Never call response.close() here: it would send
        # request_finished, which closes the PostgreSQL connection inside the test transaction.)
        b"".join(response.streaming_content)
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


def test_every_ckan_action_has_a_row():
    from thudo.opendata.ckan_api import ACTIONS

    rows = {base_key(k).split(" ", 1)[1] for k in t.CKAN}
    assert rows == set(ACTIONS), f"CKAN actions without a row: {sorted(set(ACTIONS) - rows)}"


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(t.CKAN))
def test_ckan_row(scene, clients, key):
    row = t.CKAN[key]
    method, name = base_key(key).split(" ", 1)
    check_row(scene, clients, method, f"/api/3/action/{name}", row, f"ckan {key}")


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


# --- nothing leaks ----------------------------------------------------------------------------------

# Which of the scene's dossiers each actor may see.
VISIBLE = {
    "anonymous": set(),
    "owner": {"done", "waiting"},
    "other_citizen": {"foreign"},
    "reception": {"done", "waiting"},
    "specialist": {"done", "waiting"},
    "leader": {"done", "waiting"},
    "other_officer": {"foreign"},
    "agency_admin": {"done", "waiting"},
    "city_admin": {"done", "waiting", "foreign"},
    "clerk": set(),
}
SIGNED_IN_ACTORS = [a for a in ACTORS if a != "anonymous"]


def get(clients: dict, actor: str, url: str, query: dict | None = None):
    c = client_for(clients, actor)
    with transaction.atomic():
        response = c.get(url, query or {})
        transaction.set_rollback(True)
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end: closes the file
    return response


def post(clients: dict, actor: str, url: str, body: dict | None = None):
    c = client_for(clients, actor)
    with transaction.atomic():
        response = c.post(url, json.dumps(body or {}), content_type="application/json")
        transaction.set_rollback(True)
    return response


def _dossiers(scene: Scene) -> dict:
    return {"done": scene.done, "waiting": scene.waiting, "foreign": scene.foreign}


def _codes(scene: Scene, names) -> set[str]:
    return {_dossiers(scene)[n].code for n in names}


def _hidden(scene: Scene, actor: str) -> set[str]:
    return _codes(scene, set(_dossiers(scene)) - VISIBLE[actor])


@pytest.mark.django_db
@pytest.mark.parametrize("actor", SIGNED_IN_ACTORS)
def test_lists_counts_and_search_show_only_visible_dossiers(scene, clients, actor):
    from thudo.dossiers.queries import QUEUE_KINDS

    expected = _codes(scene, VISIBLE[actor])
    body = get(clients, actor, "/api/v1/dossiers", {"limit": 100}).json()
    assert {d["code"] for d in body["items"]} == expected
    assert body["count"] == len(expected)
    for kind in QUEUE_KINDS:
        body = get(clients, actor, f"/api/v1/dossiers/queues/{kind}", {"limit": 100}).json()
        assert {d["code"] for d in body["items"]} <= expected, kind
        assert body["count"] == len(body["items"]), kind
    # Search and filters count only what the person may see.
    for name, d in _dossiers(scene).items():
        found = get(clients, actor, "/api/v1/dossiers", {"q": d.code}).json()
        assert found["count"] == (1 if name in VISIBLE[actor] else 0), name
        by_agency = get(clients, actor, "/api/v1/dossiers", {"agency": d.processing_agency.code}).json()
        assert {x["code"] for x in by_agency["items"]} <= expected
    submitted = get(clients, actor, "/api/v1/dossiers", {"status": "submitted"}).json()
    assert submitted["count"] == len([n for n in VISIBLE[actor] if _dossiers(scene)[n].status == "submitted"])
    # Pages that list dossiers.
    hidden = _hidden(scene, actor)
    for url in (
        "/ho-so/cua-toi/",
        "/can-bo/ho-so/?tab=agency",
        "/can-bo/ho-so/?tab=mine",
        "/can-bo/ho-so/?tab=due_soon",
        "/can-bo/ho-so/?tab=overdue",
        "/can-bo/tiep-nhan/",
        "/can-bo/ky-so/",
        "/ho-so/nhap/",
        f"/ho-so/nhap/{scene.params['draft_id']}/giay-to/",  # the reuse choices of the papers step
    ):
        html = get(clients, actor, url).content.decode()
        assert not [code for code in hidden if code in html], url


@pytest.mark.django_db
@pytest.mark.parametrize("actor", SIGNED_IN_ACTORS)
def test_notifications_and_the_unread_badge_are_ones_own(scene, clients, actor):
    from thudo.notifications.models import Notification

    user = scene.user(actor)
    own = Notification.objects.filter(user=user)
    body = get(clients, actor, "/api/v1/notifications", {"limit": 100}).json()
    assert {n["id"] for n in body["items"]} == set(own.values_list("pk", flat=True))
    assert body["count"] == own.count()
    if actor == "owner":
        assert body["count"] > 0  # the scene gave the owner something to hide
    unread = own.filter(read_at__isnull=True).count()
    html = get(clients, actor, "/").content.decode()
    badge = re.search(r'class="badge warn" href="/thong-bao/"[^>]*>(\d+)<', html)
    assert (int(badge.group(1)) if badge else 0) == unread
    page = get(clients, actor, "/thong-bao/").content.decode()
    assert not [code for code in _hidden(scene, actor) if code in page]


def _text(response) -> str:
    """The body without what differs on every response (CSP nonce, CSRF token)."""
    text = response.content.decode()
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def _same_answer(a, b, *, hide: str = "", instead: str = "") -> None:
    assert a.status_code == b.status_code == 404
    assert _text(a).replace(hide, instead) == _text(b)


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["other_citizen", "other_officer", "clerk"])
def test_an_invisible_dossier_answers_like_one_that_does_not_exist(scene, clients, actor):
    code, missing = scene.done.code, scene.params["missing_code"]
    paper = scene.params["attachment_id"]
    for suffix in ("", "/events", "/attachments", f"/attachments/{paper}", "/results"):
        _same_answer(
            get(clients, actor, f"/api/v1/dossiers/{code}{suffix}"),
            get(clients, actor, f"/api/v1/dossiers/{missing}{suffix}"),
        )
    for verb, body in (("receive", {"note": ""}), ("withdraw", {"reason": "x"}), ("sign", {})):
        _same_answer(
            post(clients, actor, f"/api/v1/dossiers/{code}/{verb}", body),
            post(clients, actor, f"/api/v1/dossiers/{missing}/{verb}", body),
        )
    for page in ("/ho-so/{}/", "/ho-so/{}/da-nop/", "/can-bo/ho-so/{}/", "/ho-so/{}/tep/" + paper + "/"):
        _same_answer(
            get(clients, actor, page.format(code)),
            get(clients, actor, page.format(missing)),
            hide=code,
            instead=missing,
        )
    # Nothing of the dossier is in any of those answers.
    secrets = [scene.done.applicant_name, scene.done.procedure.name, "to-khai.pdf", scene.done.secret]
    for url in (f"/api/v1/dossiers/{code}", f"/ho-so/{code}/", f"/ho-so/{code}/tep/{paper}/"):
        text = get(clients, actor, url).content.decode()
        assert not [s for s in secrets if s in text], url


@pytest.mark.django_db
def test_public_lookup_does_not_say_whether_the_code_or_the_secret_was_wrong(scene, clients):
    code, missing = scene.done.code, scene.params["missing_code"]
    wrong = get(clients, "anonymous", "/api/v1/dossiers/lookup", {"code": code, "secret": "SAI12345"})
    none = get(clients, "anonymous", "/api/v1/dossiers/lookup", {"code": missing, "secret": "SAI12345"})
    assert wrong.status_code == none.status_code == 404 and wrong.json() == none.json()
    _same_answer(
        get(clients, "anonymous", f"/tra-cuu/{code}/", {"s": "SAI12345"}),
        get(clients, "anonymous", f"/tra-cuu/{missing}/", {"s": "SAI12345"}),
        hide=code,
        instead=missing,
    )
    # Files behind the QR code open with the secret only.
    result = f"/ho-so/{code}/ket-qua/{scene.params['result_pk']}/"
    assert get(clients, "anonymous", result, {"s": scene.done.secret}).status_code == 200
    assert get(clients, "anonymous", result, {"s": "SAI12345"}).status_code == 404
    paper = f"/ho-so/{code}/tep/{scene.params['attachment_id']}/"
    assert get(clients, "anonymous", paper, {"s": scene.done.secret}).status_code == 302  # to sign in


@pytest.mark.django_db
def test_exports_hold_only_what_the_reader_may_see(scene, clients):
    from openpyxl import load_workbook

    owner_pin = scene.user("owner").citizen.pin
    owner_marks = [owner_pin, scene.done.code, scene.waiting.code, "Phạm Thị Chủ Hồ Sơ", "0987654321"]
    # Personal data export: one's own record only.
    mine = get(clients, "other_citizen", "/tai-khoan/du-lieu/").content.decode()
    assert "Lê Văn Người Khác" in mine
    assert not [m for m in owner_marks if m in mine]
    # Open data (the published ranking) carries no personal data and no dossier.
    period = scene.params["period"]
    for fmt in ("csv", "json", "xlsx"):
        r = get(clients, "anonymous", f"/xep-hang/{period}/v1.{fmt}")
        assert r.status_code == 200
        if fmt == "xlsx":
            book = load_workbook(io.BytesIO(r.content))
            text = " ".join(str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row)
        else:
            text = r.content.decode()
        assert not [m for m in owner_marks if m in text], fmt
    # A unit's KPI workbook opens for that unit's people only (404 for the other unit's: matrix).
    r = get(clients, "leader", f"/kpi/don-vi/{scene.agency.code}/{period}.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    assert get(clients, "leader", f"/kpi/don-vi/{scene.other_agency.code}/{period}.xlsx").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("actor", SIGNED_IN_ACTORS)
def test_kpi_reports_list_only_ones_own_units(scene, clients, actor):
    own = {
        "leader": {scene.agency.code},
        "agency_admin": {scene.agency.code},
        "city_admin": {scene.agency.code, scene.other_agency.code},
    }.get(actor, set())
    body = get(clients, actor, "/api/v1/kpi/assignments").json()
    assert {a["agency"] for a in body} == own


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["leader", "agency_admin", "city_admin"])
def test_kpi_dashboard_names_only_units_one_may_see(scene, clients, actor):
    html = get(clients, actor, "/kpi/", {"period": scene.params["kpi_now_period"]}).content.decode()
    other = scene.other_agency.short_name
    assert (other in html) == (actor == "city_admin")
    behind = f"/kpi/don-vi/{scene.agency.code}/{scene.params['kpi_now_period']}/2.1/denominator/"
    html = get(clients, actor, behind).content.decode()
    assert not [code for code in _hidden(scene, actor) if code in html]
