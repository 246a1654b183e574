"""Every page, in a real browser (issue 11, items 3, 9 and 11).

The pages come from the URL conf (the permission matrix's own enumeration), so a new page is
visited without anyone remembering to add it; the objects they need come from the matrix's
scene (factories). Each page is opened by an actor who gets it (``matrix_tables.PAGES``):

- citizen pages (a citizen or a visitor gets them) on a 390 × 844 phone,
- workspace pages (only officials get them) on a 1280 px desktop;

and on each one:

- nothing scrolls sideways: ``document.documentElement.scrollWidth <= innerWidth``;
- the browser console shows no Content-Security-Policy error;
- axe-core (WCAG 2.1 A/AA rules) finds no serious or critical violation.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import override_settings

from tests.e2e.audit import problems, watch_console
from tests.e2e.browsing import context_as
from tests.factories_security import ACTORS, Scene, build_scene
from tests.security import matrix_tables as t
from tests.security.test_permission_matrix import _page_url, base_key, page_names
from thudo.dossiers.actions import papers_rendered

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
OFFICIALS = ("reception", "specialist", "leader", "agency_admin", "city_admin")

# Pages that are not HTML pages (files, exports) or that only redirect: nothing to look at.
NOT_PAGES = {
    "dossiers:attachment": "a file",
    "dossiers:result": "a file",
    "dossiers:notice": "a file",
    "kpi:ranking_export": "a file",
    "kpi:unit_export": "a file",
    "kpi:behind": "a file",
    "kpi:form_workbook": "a workbook",
    "identity:export": "a JSON download",
    "security:verify": "redirects when the second step is not required",
    "dossiers:submit": "redirects to the first step of the citizen's draft",
    "signing:certificate": "a certificate download",
    "dossiers:result_preview": "an image or a PDF of the draft",
    "notifications:mailbox": "exists only while the demo's local mailbox is the mail backend",
    "feedback:report": "redirects to the first step of the person's report draft",
    "tasks:assign": "redirects to the step of the person's assign draft",
    "feedback:photo": "an image",
    "feedback:open311_services": "JSON (Open311 GeoReport v2)",
    "feedback:open311_service": "JSON (Open311 GeoReport v2)",
    "feedback:open311_requests": "JSON (Open311 GeoReport v2)",
    "feedback:open311_request": "JSON (Open311 GeoReport v2)",
    "ops:readyz": "a health check (503 in the scene: no worker runs)",
    "ops:healthz": "a health check (JSON)",
    "ops:metrics": "Prometheus text",
    "tasks:file": "a file",
    "tasks:register_export": "a workbook",
    "opendata:download": "a file",
    "opendata:catalog": "RDF (DCAT-AP)",
    "tasks:split": "the sub-task form, only for a lead unit with sections (tests/tasks/test_pages.py)",
}


@dataclass(frozen=True)
class Visit:
    name: str
    actor: str
    url: str


def _visits(scene: Scene) -> tuple[list[Visit], list[Visit]]:
    """(citizen pages, workspace pages): each page named in the URL conf, with one actor who gets
    it. A page name without a GET row and without a reason in NOT_PAGES fails the test."""
    citizen, workspace, unknown = [], [], []
    for name in sorted(page_names()):
        rows = [(k, r) for k, r in t.PAGES.items() if base_key(k) == name and " POST" not in k]
        if name in NOT_PAGES or (not rows and f"{name} POST" in t.PAGES):
            continue
        if not rows:
            unknown.append(name)
            continue
        _key, row = rows[0]
        answers = dict(zip(ACTORS, row.expect.split(), strict=True))
        url = _page_url(name, scene, row)
        if row.query:
            url += "?" + "&".join(f"{k}={_fill(v, scene)}" for k, v in row.query.items())
        if "200" in (answers["owner"], answers["anonymous"]):
            actor = "owner" if answers["owner"] == "200" else "anonymous"
            citizen.append(Visit(name, actor, url))
        else:
            actor = next(a for a in OFFICIALS if answers[a] == "200")
            workspace.append(Visit(name, actor, url))
    assert not unknown, f"pages without a GET row in matrix_tables.PAGES nor a reason here: {unknown}"
    return citizen, workspace


def _fill(value: str, scene: Scene) -> str:
    for k, v in scene.params.items():
        value = value.replace("{" + k + "}", v)
    return value


def _build_scene() -> Scene:
    with papers_rendered(False):
        scene = build_scene()
    connection.close()  # this thread's connection; the test and the live server keep theirs
    return scene


@pytest.fixture
def scene(tmp_path):
    """The matrix's scene, built in a thread of its own: signing runs pyHanko's asyncio loop,
    which cannot run inside the thread where Playwright's loop is running."""
    with (
        override_settings(DATA_DIR=tmp_path, MEDIA_ROOT=tmp_path / "media", THUDO_REQUIRE_2FA=False),
        ThreadPoolExecutor(1) as pool,
    ):
        yield pool.submit(_build_scene).result()


def _check(browser, live_server, scene: Scene, visits: list[Visit], viewport: dict) -> list[str]:
    found: list[str] = []
    contexts = {}
    for visit in visits:
        if visit.actor not in contexts:
            contexts[visit.actor] = context_as(
                browser, live_server, scene.user(visit.actor), viewport=viewport
            )
        page = contexts[visit.actor].new_page()
        console = watch_console(page)
        response = page.goto(visit.url)
        where = f"{visit.name} ({visit.url}, {visit.actor}, {viewport['width']} px)"
        if response is None or response.status != 200:
            found.append(f"{where}: HTTP {response.status if response else '?'}")
        else:
            found += [f"{where}: {p}" for p in problems(page, console)]
        page.close()
    for context in contexts.values():
        context.close()
    return found


def test_citizen_pages_fit_a_phone_and_pass_axe(browser, live_server, scene):
    citizen, _ = _visits(scene)
    assert len(citizen) > 15  # the enumeration found the portal
    found = _check(browser, live_server, scene, citizen, PHONE)
    assert not found, "\n".join(found)


def test_workspace_pages_fit_a_desktop_and_pass_axe(browser, live_server, scene):
    _, workspace = _visits(scene)
    assert len(workspace) > 8  # the enumeration found the workspace
    found = _check(browser, live_server, scene, workspace, DESKTOP)
    assert not found, "\n".join(found)
