"""Screenshots of the main pages, on a 1366 px desktop and a 390 px phone, for the README.

    THUDO_SCREENSHOTS=docs/screenshots pytest -p no:randomly tests/e2e/test_screenshots.py

writes them (PNG, 256 colours, phone pages cut at a few screens) where the README links them,
with the first page of the signed result (``15-signed-result-paper.png``);
without the variable they go to the e2e shots folder. Every page shot must also pass the page
audit (no sideways scroll, no CSP error, axe clean), so the pictures show pages that work.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from PIL import Image

from tests import factories
from tests.e2e.audit import problems, watch_console
from tests.e2e.browsing import context_as
from tests.e2e.conftest import SHOTS
from tests.e2e.journeys import make_world, submit_online
from thudo.core.models import Scheme, UnitLevel
from thudo.dossiers import actions
from thudo.signing.papers import first_page_png

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
PHONE_MAX_HEIGHT = 844 * 3  # a phone shot shows the first three screens


def _city():
    """The journeys' small city with four dossiers: one just submitted, one being processed,
    one with a signed result, one waiting for the leader's signature (built in a thread of its
    own: pyHanko's signing runs an asyncio loop, which cannot run in the thread where
    Playwright's loop runs)."""
    world = make_world()
    # the units page finds the 2025 ward and the legacy district and ward by the same words
    factories.UnitFactory(code="00070", name="Phường Hoàn Kiếm", division_type="phường")
    legacy = {"scheme": Scheme.LEGACY}
    district = factories.UnitFactory(
        **legacy, code="002", name="Quận Hoàn Kiếm", division_type="quận", level=UnitLevel.DISTRICT
    )
    factories.UnitFactory(
        **legacy, code="00037", name="Phường Hàng Bạc", division_type="phường", parent=district
    )
    waiting = submit_online(world)
    processing = submit_online(world)
    actions.receive(processing, by=world.reception)
    done = submit_online(world)
    actions.receive(done, by=world.reception)
    actions.forward(done, by=world.reception)  # each step by the holder of its role
    actions.forward(done, by=world.specialist)
    actions.approve_and_sign(done, by=world.leader)
    to_sign = submit_online(world)  # the leader's signing queue is not empty
    actions.receive(to_sign, by=world.reception)
    actions.forward(to_sign, by=world.reception)
    actions.forward(to_sign, by=world.specialist)
    connection.close()
    return world, waiting, processing, done


def _pages(world, waiting, processing, done) -> list[tuple[str, object, str]]:
    """(name, who, address) of the main pages."""
    return [
        ("01-home", None, "/"),
        ("02-catalogue", world.citizen_user, "/thu-tuc/?q=khai+sinh"),
        ("03-procedure", world.citizen_user, f"/thu-tuc/{world.procedure.code}/"),
        ("04-submit", world.citizen_user, f"/ho-so/nop/{world.procedure.code}/"),
        ("05-receipt", world.citizen_user, f"/ho-so/{waiting.code}/da-nop/"),
        ("06-my-dossiers", world.citizen_user, "/ho-so/cua-toi/"),
        ("07-dossier-result", world.citizen_user, f"/ho-so/{done.code}/"),
        ("08-public-lookup", None, f"/tra-cuu/{done.code}/?s={done.secret}"),
        ("09-workspace", world.reception, "/workspace/"),
        ("10-reception-queue", world.reception, "/can-bo/tiep-nhan/"),
        ("11-work-dossier", world.specialist, f"/can-bo/ho-so/{processing.code}/"),
        ("12-signing-queue", world.leader, "/can-bo/ky-so/"),
        ("13-verify", None, "/xac-thuc/"),
        ("14-units", None, "/units/?q=hoan+kiem"),
    ]


def _save(png: Path, *, phone: bool) -> None:
    """Keep the file small: 256 colours, and a phone page cut after a few screens."""
    with Image.open(png) as image:
        image.load()
    if phone and image.height > PHONE_MAX_HEIGHT:
        image = image.crop((0, 0, image.width, PHONE_MAX_HEIGHT))
    image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(png, optimize=True)


def test_screenshots_of_the_main_pages(browser, live_server, tmp_path):
    out = Path(os.environ.get("THUDO_SCREENSHOTS") or SHOTS / "readme")
    out.mkdir(parents=True, exist_ok=True)
    with (
        override_settings(DATA_DIR=tmp_path, MEDIA_ROOT=tmp_path / "media", THUDO_REQUIRE_2FA=False),
        ThreadPoolExecutor(1) as pool,
    ):
        city = pool.submit(_city).result()
        pages, done = _pages(*city), city[3]
        found = []
        for kind, viewport in WIDTHS.items():
            contexts: dict = {}
            for name, who, url in pages:
                key = getattr(who, "pk", None)
                if key not in contexts:
                    contexts[key] = context_as(browser, live_server, who, viewport=viewport)
                page = contexts[key].new_page()
                console = watch_console(page)
                response = page.goto(url)
                assert response is not None and response.status == 200, f"{name}: {url}"
                png = out / f"{name}-{kind}.png"
                page.screenshot(path=str(png), full_page=True)
                _save(png, phone=kind == "phone")
                found += [f"{name} ({kind}): {p}" for p in problems(page, console)]
                page.close()
            for context in contexts.values():
                context.close()
        paper = out / "15-signed-result-paper.png"
        paper.write_bytes(first_page_png(done.results.get().file.read(), width_px=900))
        _save(paper, phone=False)
    assert not found, "\n".join(found)
