"""A QR code on a demo paper opens the dossier's public page on the demo's own port (issue 11,
item 4 and its "Done when"), on a 1366 px desktop and a 390 × 844 phone.

The real ``thudo demo --port N --no-worker`` runs on a free port, from a fresh data directory
(its own SQLite database, a short history: ``THUDO_DEMO_DOSSIERS``), so its papers are rendered
the way the demo renders them: with no request to say where the site is served. The QR codes
are read from the rendered pages of the demo's papers by a real decoder (zxing-cpp), and the
address they hold is opened in Chromium: the dossier's public page, on port N, needing no login,
with no sideways scroll and axe clean. One real demo per CI run: on the SQLite run only.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.audit import problems, watch_console
from tests.e2e.conftest import SHOTS

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        os.environ.get("THUDO_DATABASE_URL", "").startswith("postgres"),
        reason="one real demo per CI run: on the SQLite run",
    ),
]

SCREENS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
START = 600  # seconds: a fresh demo on a loaded 2-core CI machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own demo)
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """(port, data directory) of a running ``thudo demo`` with its history loaded."""
    port = free_port()
    data = tmp_path_factory.mktemp("demo") / "var"
    env = {**os.environ, "THUDO_DATA_DIR": str(data), "THUDO_DEMO_DOSSIERS": "4"}
    env["THUDO_PAYMENT_GATEWAY"] = "simulated"
    for name in ("THUDO_DATABASE_URL", "THUDO_PUBLIC_BASE_URL"):
        env.pop(name, None)
    thudo = Path(sys.executable).with_name("thudo")
    command = [str(thudo)] if thudo.exists() else [sys.executable, "-m", "thudo"]
    process = subprocess.Popen(
        [*command, "demo", "--port", str(port), "--no-worker"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(line.rstrip() for line in process.stdout), daemon=True).start()
    try:
        deadline = time.monotonic() + START
        while not answers(f"http://127.0.0.1:{port}/"):
            assert process.poll() is None, "the demo stopped:\n" + "\n".join(log[-40:])
            if time.monotonic() > deadline:
                pytest.fail(f"no first page within {START} s:\n" + "\n".join(log[-40:]))
            time.sleep(1)
        yield port, data
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def demo_papers(data: Path) -> list[tuple[str, bytes]]:
    """(dossier code, PDF) of the papers the demo issued: receipts and other notices, results."""
    with sqlite3.connect(f"file:{data / 'thudo.sqlite3'}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT d.code, a.file FROM dossiers_attachment a JOIN dossiers_dossier d ON d.id = a.dossier_id"
            " WHERE a.kind IN ('notice', 'result') ORDER BY a.id"
        ).fetchall()
        rows += db.execute(
            "SELECT d.code, r.file FROM dossiers_resultdocument r"
            " JOIN dossiers_dossier d ON d.id = r.dossier_id ORDER BY r.id"
        ).fetchall()
    return [(code, (data / "media" / name).read_bytes()) for code, name in rows if name]


def qr_codes(pdf: bytes) -> list[str]:
    """The texts of the QR codes printed on any page of ``pdf`` (rendered by PDFium at 216 dpi,
    read by zxing-cpp)."""
    import pypdfium2 as pdfium
    import zxingcpp

    document = pdfium.PdfDocument(pdf)
    try:
        images = [page.render(scale=3).to_pil() for page in document]
    finally:
        document.close()
    return [
        found.text
        for image in images
        for found in zxingcpp.read_barcodes(image)
        if found.format == zxingcpp.BarcodeFormat.QRCode
    ]


@pytest.mark.parametrize("screen", SCREENS)
def test_a_qr_on_a_demo_paper_opens_the_public_page_on_the_demo_port(browser, demo, screen):
    port, data = demo
    papers = demo_papers(data)
    assert papers, "the demo issued no paper"
    found = [(code, url) for code, pdf in papers for url in qr_codes(pdf)]
    assert found, "no QR code could be read on the demo's papers"
    public = re.compile(rf"^http://127\.0\.0\.1:{port}/tra-cuu/(?P<code>[^/]+)/\?s=\w+$")
    for code, url in found:  # every QR of every paper: this demo's port, the paper's own dossier
        match = public.match(url)
        assert match and match["code"] == code, f"{url} on a paper of {code} (demo on port {port})"

    code, url = found[0]
    context = browser.new_context(locale="vi-VN", viewport=SCREENS[screen])  # no login
    try:
        page = context.new_page()
        console = watch_console(page)
        response = page.goto(url)
        assert response is not None and response.status == 200
        expect(page.get_by_role("heading", name=re.compile(re.escape(code)))).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"demo-qr-public-page-{screen}.png"), full_page=True)
        found_problems = problems(page, console)
        assert not found_problems, "\n".join(found_problems)
    finally:
        context.close()
