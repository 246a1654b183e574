"""SQL queries per request do not grow with the number of rows (no N+1) — issue 4, part 4.

One test per endpoint and page that ``bench/`` measures (submit, read by code, a transition, the
public lookup, the officer's queue, a unit's KPI page and the city ranking), plus the citizen's
"my dossiers" page, the API dossier lists, the reception and signing queues and one dossier's
pages with a long history. Each request is made through HTTP with N rows and
again with 3N rows; the number of queries must be the same both times and stay under a stated
ceiling. Caches are warmed by one request first (the bench measures warm servers).
"""

from __future__ import annotations

import itertools
import json
import os
import re
from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests import factories_dossiers as fd
from tests import factories_kpi as fk
from tests import factories_perf as perf
from tests import factories_procedures as fp
from thudo.core import actions as core_actions
from thudo.core import drafts
from thudo.dossiers.models import Status
from thudo.kpi import actions as kpi_actions
from thudo.kpi import compute, seed
from thudo.notifications import actions as notification_actions
from thudo.notifications import mailbox

pytestmark = pytest.mark.django_db

N = 5
API = "/api/v1/dossiers"


def count(call) -> tuple[object, int, list[str]]:
    """Run ``call()`` (one HTTP request) and return (response, number of queries, their SQL)."""
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    return response, len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def assert_flat(small: int, large: int, ceiling: int, sql: list[str]) -> None:
    listing = "\n".join(sql)
    if os.environ.get("THUDO_QCOUNT_DUMP"):  # a file to append every measured request's SQL to
        with open(os.environ["THUDO_QCOUNT_DUMP"], "a") as fh:
            fh.write(f"==== {small} {large}\n{listing}\n")
    assert large == small, f"{small} queries with N rows, {large} with 3N rows:\n{listing}"
    assert large <= ceiling, f"{large} queries (ceiling {ceiling}):\n{listing}"


def bearer(user) -> dict:
    _token, secret = core_actions.create_api_token(user, name="đo truy vấn")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def w(db):
    return perf.world()


# --- (a) submit a dossier -------------------------------------------------------------------------


def test_submit_api(client, w):
    auth = bearer(w.citizen)

    def submit(key):
        data = {
            "procedure": w.procedure.code,
            "agency": w.agency.code,
            "form_data": json.dumps({"ghi_chu": "đo"}),
            "files": [fd.pdf_file("to-khai.pdf"), fd.pdf_file("chung-sinh.pdf")],
        }
        return client.post(API, data=data, HTTP_IDEMPOTENCY_KEY=key, **auth)

    assert submit("warm").status_code == 201  # today's code sequence row exists from now on
    perf.dossiers(w, N)
    r, small, _sql = count(lambda: submit("n"))
    assert r.status_code == 201 and r.json()["status"] == "submitted"
    perf.dossiers(w, 2 * N)
    r, large, sql = count(lambda: submit("3n"))
    assert r.status_code == 201
    # 35 today: token, procedure, papers, fees, process, code sequence, inserts, audit, outbox.
    assert_flat(small, large, 45, sql)


# --- (b) read a dossier by code -------------------------------------------------------------------


def test_read_api(client, w):
    auth = bearer(w.reception)
    d = perf.one(w, Status.PROCESSING)
    child = perf.dossiers(w, 4)[-1]  # every third of a batch is a transferred part of the first
    assert child.parent_id is not None
    for target in (d, child):
        client.get(f"{API}/{target.code}", **auth)
        perf.dossiers(w, N)
        perf.grow(w, target, N)
        r, small, _sql = count(lambda t=target: client.get(f"{API}/{t.code}", **auth))
        assert r.status_code == 200 and r.json()["code"] == target.code
        perf.dossiers(w, 2 * N)
        perf.grow(w, target, 2 * N)
        r, large, sql = count(lambda t=target: client.get(f"{API}/{t.code}", **auth))
        assert r.status_code == 200
        assert_flat(small, large, 14, sql)  # 9 today, 5 of them the audit record of the read


# --- (c) one transition ---------------------------------------------------------------------------


def test_receive_api(client, w):
    auth = bearer(w.reception)

    def receive(d):
        return client.post(
            f"{API}/{d.code}/receive", data={"note": "đủ"}, content_type="application/json", **auth
        )

    assert receive(perf.one(w, Status.SUBMITTED)).status_code == 200  # warm-up
    perf.dossiers(w, N)
    first = perf.one(w, Status.SUBMITTED)
    r, small, _sql = count(lambda: receive(first))
    assert r.status_code == 200 and r.json()["status"] == "processing"
    perf.dossiers(w, 2 * N)
    second = perf.one(w, Status.SUBMITTED)
    r, large, sql = count(lambda: receive(second))
    assert r.status_code == 200 and r.json()["status"] == "processing"
    assert_flat(small, large, 50, sql)  # 40 today


def test_forward_api(client, w):
    auth = bearer(w.reception)

    def forward(d):
        return client.post(
            f"{API}/{d.code}/forward",
            data={"note": "chuyển", "assignee": w.specialist.username},
            content_type="application/json",
            **auth,
        )

    def at_first_step():
        d = perf.one(w, Status.PROCESSING)
        assert d.current_step == w.steps[0]
        return d

    assert forward(at_first_step()).status_code == 200  # warm-up
    perf.dossiers(w, N)
    first = at_first_step()
    perf.grow(w, first, N)
    r, small, _sql = count(lambda: forward(first))
    assert r.status_code == 200 and r.json()["current_step"]["order"] == 2
    perf.dossiers(w, 2 * N)
    second = at_first_step()
    perf.grow(w, second, 3 * N)
    r, large, sql = count(lambda: forward(second))
    assert r.status_code == 200 and r.json()["assignee"] == w.specialist.username
    assert_flat(small, large, 38, sql)  # 30 today


# --- (d) public status lookup ---------------------------------------------------------------------


def test_public_lookup_api_and_page(client, w):
    d = perf.one(w, Status.RESULT_READY)
    api = f"{API}/lookup?code={d.code}&secret={d.secret}"
    page = f"/tra-cuu/{d.code}/?s={d.secret}"
    client.get(api)
    client.get(page)
    perf.dossiers(w, N)
    perf.grow(w, d, N)
    r, api_small, _sql = count(lambda: client.get(api))
    assert r.status_code == 200 and r.json()["result_available"] is True
    r, page_small, _sql = count(lambda: client.get(page))
    body = r.content.decode()
    assert r.status_code == 200 and "Kết quả giải quyết" in body
    assert w.agency.name in body and "L* T** Đo" in body and "Lê Thị Đo" not in body
    perf.dossiers(w, 2 * N)
    perf.grow(w, d, 2 * N)
    r, api_large, sql = count(lambda: client.get(api))
    assert len(r.json()["timeline"]) == 3  # attachments are not part of the public timeline
    assert_flat(api_small, api_large, 4, sql)  # 3 today: dossier, result, timeline
    r, page_large, sql = count(lambda: client.get(page))
    assert r.status_code == 200
    assert_flat(page_small, page_large, 4, sql)  # 3 today: dossier, signed result, timeline


# --- (d2) the procedure catalogue, searched ---------------------------------------------------------


@pytest.mark.parametrize("q", ["khai sinh", "khaisinh", "khai sinh cho con"])
def test_procedure_catalogue_search(client, q):
    """The forgiving search ranks in the database: the page's queries do not grow with the
    catalogue (the most-words fallback adds one EXISTS)."""

    def procedures(n: int) -> None:
        for _ in range(n):
            i = next(_wards)
            fp.published(
                code=f"9.{i:06d}",
                name=f"Đăng ký khai sinh loại {i}",
                field=fp.field(f"F{i}", f"Lĩnh vực {i}"),
            )

    procedures(N)
    client.get(f"/thu-tuc/?q={q}")
    r, small, _sql = count(lambda: client.get("/thu-tuc/", {"q": q}))
    assert r.content.decode().count("Đăng ký khai sinh loại") == N
    procedures(2 * N)
    r, large, sql = count(lambda: client.get("/thu-tuc/", {"q": q}))
    assert r.content.decode().count("Đăng ký khai sinh loại") == 3 * N
    assert_flat(small, large, 7, sql)  # 5 today (6 with the most-words fallback)


# --- (e) an officer's queue page ------------------------------------------------------------------

ROW = re.compile(r'<a href="/can-bo/ho-so/([^/"]+)/">')


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("reception", "/can-bo/ho-so/?tab=agency"),
        ("reception", "/can-bo/ho-so/?tab=mine"),
        ("reception", "/can-bo/ho-so/?tab=due_soon"),
        ("reception", "/can-bo/ho-so/?tab=overdue"),
        ("reception", "/can-bo/tiep-nhan/"),  # the one-stop desk: same rows
        ("leader", "/can-bo/ky-so/"),  # the leader's signing queue: same rows
    ],
)
def test_officer_queue_page(client, w, who, url):
    client.force_login(getattr(w, who))
    client.get(url)
    perf.dossiers(w, N)
    r, small, _sql = count(lambda: client.get(url))
    shown_small = ROW.findall(r.content.decode())
    perf.dossiers(w, 2 * N)
    r, large, sql = count(lambda: client.get(url))
    shown_large = ROW.findall(r.content.decode())
    assert len(shown_large) > len(shown_small) > 0
    # 9 today: session, user, roles, unread notices, count, rows, the session's idle expiry (3)
    assert_flat(small, large, 12, sql)


def test_officer_queue_page_full_and_overdue_first(client, w):
    """A full page (50 rows of 60): the same queries as a short one, overdue dossiers on top."""
    client.force_login(w.reception)
    url = "/can-bo/ho-so/?tab=agency"
    client.get(url)  # warm: the first request of a minute also refreshes the idle clock
    perf.dossiers(w, N)
    r, small, _sql = count(lambda: client.get(url))
    perf.dossiers(w, 80)
    r, large, sql = count(lambda: client.get(url))
    body = r.content.decode()
    assert len(ROW.findall(body)) == 50 and "Trang 1 / 2" in body
    flags = ["overdue" in row for row in re.findall(r'<tr class="([^"]*)">', body)]
    assert len(flags) == 50 and flags[0] and not flags[-1]
    assert flags == sorted(flags, reverse=True)  # every overdue row before the others
    assert_flat(small, large, 12, sql)  # 6 today


@pytest.mark.parametrize("who", ["reception", "leader"])
def test_workspace_home_counts_each_queue_in_one_query(client, w, who):
    """The workspace home (issue 11, item 6): one COUNT per counter, whatever the number of rows."""
    client.force_login(getattr(w, who))
    client.get("/workspace/")  # warm: calendar, the idle clock
    perf.dossiers(w, N)
    r, small, _sql = count(lambda: client.get("/workspace/"))
    perf.dossiers(w, 2 * N)
    r, large, sql = count(lambda: client.get("/workspace/"))
    tiles = r.context["tiles"]
    assert len(tiles) == 4 and any(t["count"] for t in tiles)
    counts = [q for q in sql if "COUNT(" in q.upper() and "dossiers_dossier" in q]
    assert len(counts) == len(tiles), "\n".join(counts)
    # 10 today: session, user, roles, unread notices, the 4 counts, the role list, idle expiry
    assert_flat(small, large, 12, sql)


# --- one dossier's pages (not benchmarked; their lists grow with the dossier's life) ---------------


@pytest.mark.parametrize(("who", "prefix"), [("citizen", "/ho-so/"), ("reception", "/can-bo/ho-so/")])
def test_dossier_pages_with_a_long_history(client, w, who, prefix):
    client.force_login(getattr(w, who))
    d = perf.one(w, Status.PROCESSING)
    url = f"{prefix}{d.code}/"
    client.get(url)
    perf.grow(w, d, N)
    r, small, _sql = count(lambda: client.get(url))
    assert r.status_code == 200 and r.content.decode().count("bo-sung-") >= N
    perf.grow(w, d, 2 * N)
    r, large, sql = count(lambda: client.get(url))
    assert r.content.decode().count("bo-sung-") >= 3 * N
    assert_flat(small, large, 30, sql)  # 11 (citizen) and 21 (officer, with the audited read) today


# --- the citizen's dossiers and the API lists -----------------------------------------------------


def test_my_dossiers_page(client, w):
    client.force_login(w.citizen)
    url = "/ho-so/cua-toi/"
    client.get(url)
    perf.dossiers(w, N)
    r, small, _sql = count(lambda: client.get(url))
    assert r.content.decode().count('href="/ho-so/') >= N
    perf.dossiers(w, 2 * N)
    r, large, sql = count(lambda: client.get(url))
    assert r.content.decode().count("PERF-") >= 3 * N
    assert_flat(small, large, 8, sql)  # 6 today: session, user, roles, unread notices, count, rows


def _drafts(w, n: int) -> None:
    for _i in range(n):
        drafts.start(owner=w.citizen, kind="dossier.submit", subject=w.procedure.code, resume=False)


def test_my_drafts_page(client, w):
    client.force_login(w.citizen)
    url = "/ho-so/nhap/"
    client.get(url)
    _drafts(w, N)
    r, small, _sql = count(lambda: client.get(url))
    assert r.content.decode().count("Tiếp tục") >= N
    _drafts(w, 2 * N)
    r, large, sql = count(lambda: client.get(url))
    assert r.content.decode().count("Tiếp tục") >= 3 * N
    assert_flat(small, large, 9, sql)


def test_papers_step_with_many_earlier_papers(client, w):
    """The reuse choices read the earlier papers once, however many there are."""
    client.force_login(w.citizen)
    draft = drafts.start(owner=w.citizen, kind="dossier.submit", subject=w.procedure.code)
    url = f"/ho-so/nhap/{draft.pk}/giay-to/"
    client.get(url)
    perf.dossiers(w, N)
    r, small, _sql = count(lambda: client.get(url))
    assert r.status_code == 200
    perf.dossiers(w, 2 * N)
    r, large, sql = count(lambda: client.get(url))
    assert_flat(small, large, 16, sql)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("reception", API),
        ("citizen", API),
        ("reception", f"{API}?overdue=true"),
        ("reception", f"{API}/queues/agency"),
        ("reception", f"{API}/queues/mine"),
    ],
)
def test_api_lists(client, w, who, url):
    auth = bearer(getattr(w, who))
    client.get(url, **auth)
    perf.dossiers(w, N)
    r, small, _sql = count(lambda: client.get(url, **auth))
    items_small = r.json()["items"]
    perf.dossiers(w, 2 * N)
    r, large, sql = count(lambda: client.get(url, **auth))
    items_large = r.json()["items"]
    assert len(items_large) > len(items_small) > 0
    assert any(i["parent"] for i in items_large)
    assert_flat(small, large, 4, sql)  # 3 today: token, roles, rows


# --- (f) a unit's KPI page and the city ranking ---------------------------------------------------

KPI_NOW = fk.at("2026-11-02")
OCTOBER = compute.parse_period("2026-10")[0]


def kpi_dossiers(agency, procedure, n: int) -> None:
    """``n`` October dossiers of ``agency``: early, on time, late, open, rated, paid online."""
    for i in range(n):
        received = fk.at(f"2026-10-{1 + i % 28:02d}")
        due = received + timedelta(days=3)
        finished = (received + timedelta(days=1), due, due + timedelta(days=2), None)[i % 4]
        fk.dossier(
            procedure=procedure,
            agency=agency,
            received=received,
            due=due,
            status="processing" if finished is None else "returned",
            finished=finished,
            channel="online" if i % 2 else "counter",
            supplements=i % 3,
            e_result=finished is not None and i % 2 == 0,
            fee=8000 if i % 5 == 0 else 0,
            paid_online=i % 5 == 0,
            rating={"attitude": 1 + i % 5, "time": 4, "result": 5} if finished is not None else None,
        )


def test_kpi_unit_page(client):
    seed.load()
    dept = fk.department()
    procedure = fk.procedure(agency=dept)
    client.force_login(factories.official(role="leader", agency=dept, username="perf.giamdoc"))
    url = f"/kpi/don-vi/{dept.code}/?period=2026-10"
    kpi_dossiers(dept, procedure, N)
    compute.rollup(OCTOBER, agencies=[dept], now=KPI_NOW)
    client.get(url)
    r, small, _sql = count(lambda: client.get(url))
    assert r.status_code == 200
    kpi_dossiers(dept, procedure, 2 * N)
    compute.rollup(OCTOBER, agencies=[dept], now=KPI_NOW)
    r, large, sql = count(lambda: client.get(url))
    assert r.status_code == 200 and f"/kpi/don-vi/{dept.code}/2026-10/2.1/numerator/" in r.content.decode()
    assert_flat(small, large, 20, sql)  # 16 today (was 29: the 6-month trend took 2 queries a month)


def test_kpi_ranking_page(client, city_admin):
    seed.load()
    procedure = fk.procedure()  # commune level

    def units(n: int) -> None:
        for _ in range(n):
            ward = fk.commune(f"UBND Phường Xếp Hạng {next(_wards)}")
            kpi_dossiers(ward, procedure, 2)
        dept = fk.department(f"Sở Xếp Hạng {next(_wards)}", abbreviation="SXH")
        kpi_dossiers(dept, fk.procedure(agency=dept), 2)

    units(N)
    kpi_actions.publish("2026-10", by=city_admin, now=KPI_NOW)
    client.get("/xep-hang/")
    r, small, _sql = count(lambda: client.get("/xep-hang/"))
    assert r.content.decode().count("UBND Phường Xếp Hạng") >= N
    units(2 * N)
    compute.rollup(OCTOBER, now=KPI_NOW)
    kpi_actions.publish("2026-10", by=city_admin, reason="Thêm đơn vị", now=KPI_NOW)
    r, large, sql = count(lambda: client.get("/xep-hang/"))
    assert r.content.decode().count("UBND Phường Xếp Hạng") >= 3 * N
    assert_flat(small, large, 3, sql)  # 3: the ranked sets (tabs), the snapshot, its set's periods


_wards = itertools.count(1)


@pytest.mark.parametrize("path", ["", "/queues/agency"])
def test_api_lists_read_one_page_from_the_database(client, w, path):
    auth = bearer(w.reception)
    perf.dossiers(w, 3 * N)
    r, _n, sql = count(lambda: client.get(f"{API}{path}?limit=5", **auth))
    assert len(r.json()["items"]) == 5
    rows = [q for q in sql if q.startswith('SELECT "dossiers_dossier"."id"')]
    assert rows and all("LIMIT" in q for q in rows)


def test_verification_page_lists_certificates_in_fixed_queries(client, db, settings, tmp_path):
    from tests.factories_signing import leader_with_certificate

    settings.DATA_DIR = tmp_path  # key files of this test only
    url = "/xac-thuc/"
    for i in range(N):
        leader_with_certificate(full_name=f"Lãnh Đạo PERF-{i}")
    client.get(url)
    r, small, _sql = count(lambda: client.get(url))
    assert r.content.decode().count("PERF-") == 2 * N  # name and certificate subject
    for i in range(N, 3 * N):
        leader_with_certificate(full_name=f"Lãnh Đạo PERF-{i}")
    r, large, sql = count(lambda: client.get(url))
    assert r.content.decode().count("PERF-") == 6 * N
    assert_flat(small, large, 4, sql)  # the CAs, the signers with their agencies and CA


def test_local_mailbox_page(client, city_admin):
    def mails(n: int) -> None:
        notification_actions.keep_in_mailbox(
            [EmailMessage(subject=f"Thư {i}", body="Nội dung", to=["lan@example.vn"]) for i in range(n)]
        )

    with override_settings(MAILERS={"default": {"BACKEND": mailbox.PATH}}):
        client.force_login(city_admin)
        mails(N)
        client.get("/hop-thu/")
        r, small, _sql = count(lambda: client.get("/hop-thu/"))
        assert r.content.decode().count("lan@example.vn") >= N
        mails(2 * N)
        r, large, sql = count(lambda: client.get("/hop-thu/"))
        assert r.content.decode().count("lan@example.vn") >= 3 * N
    assert_flat(small, large, 8, sql)
