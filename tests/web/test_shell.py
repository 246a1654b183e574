"""The page shell: account links, the unread-notices badge, navigation that follows roles, and
styles for every component the pages use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import thudo
from tests import factories
from tests.factories_notifications import NotificationFactory

pytestmark = pytest.mark.django_db
SRC = Path(thudo.__file__).parent


def test_anonymous_header_offers_sign_in_and_sign_up(client):
    html = client.get("/").content.decode()
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert 'href="/login/"' in header and "Đăng nhập" in header
    assert 'href="/dang-ky/"' in header and "Đăng ký" in header
    # Links that only make sense signed in are not offered to anonymous visitors.
    assert 'href="/thong-bao/"' not in header and 'href="/tai-khoan/"' not in header


def test_unread_badge_in_the_header(client):
    citizen = factories.UserFactory()
    NotificationFactory.create_batch(3, user=citizen)
    NotificationFactory(user=factories.UserFactory())  # someone else's
    client.force_login(citizen)
    html = client.get("/").content.decode()
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert re.search(
        r'<a class="badge warn" href="/thong-bao/" aria-label="3 thông báo chưa đọc">3</a>', header
    )
    assert "Đăng ký" not in header

    client.post("/thong-bao/da-doc-het/")
    html = client.get("/").content.decode()
    header = html[: html.index("</header>")]
    assert "thông báo chưa đọc" not in header
    assert '<a class="bell" href="/thong-bao/" aria-label="Thông báo"></a>' in header  # the bell stays


def _side_nav(client, user) -> str:
    client.force_login(user)
    html = client.get("/workspace/").content.decode()
    return html[html.index('<nav class="side-nav') : html.index("</nav>", html.index('<nav class="side-nav'))]


def test_signing_queue_and_kpi_only_for_those_who_may_use_them(client):
    agency = factories.AgencyFactory()
    leader = factories.official(role="leader", agency=agency)
    specialist = factories.official(role="specialist", agency=agency)
    reception = factories.official(role="reception", agency=agency)

    nav = _side_nav(client, leader)
    assert 'href="/can-bo/ky-so/"' in nav and 'href="/kpi/"' in nav
    for person in (specialist, reception):
        nav = _side_nav(client, person)
        assert 'href="/can-bo/ho-so/"' in nav
        assert 'href="/can-bo/ky-so/"' not in nav and 'href="/kpi/"' not in nav


# Components the dossier, notification and security pages use; each needs a rule in site.css.
COMPONENTS = {
    "nav.tabs": "dossiers/templates/dossiers/_queue_panel.html",
    "tr.overdue": "dossiers/templates/dossiers/_queue_rows.html",
    "ol.timeline": "dossiers/templates/dossiers/_timeline.html",
    "figure.qr": "dossiers/templates/dossiers/receipt.html",
    "details.card > summary": "dossiers/templates/dossiers/detail.html",
    ".wizard-buttons": "dossiers/templates/dossiers/counter_xem_lai.html",
    ".receipt-main": "dossiers/templates/dossiers/receipt.html",
    "label.choice": "dossiers/templates/dossiers/_field.html",
    "ul.backup-codes": "security/templates/security/backup_codes.html",
}


@pytest.mark.parametrize(("selector", "template"), COMPONENTS.items())
def test_components_used_by_pages_are_styled(selector, template):
    css = (SRC / "web/static/web/site.css").read_text()
    element, _, klass = selector.split(" ")[0].partition(".")
    used = (SRC / template).read_text()
    assert re.search(rf'<{element or "[a-z]+"}\b[^>]*class="[^"]*\b{klass}\b', used), (selector, template)
    assert re.search(rf"(^|[\s,}}]){re.escape(selector)}(?=[\s{{,:>.\[])", css, re.M), selector


def test_stylesheet_is_served(client):
    from django.contrib.staticfiles import finders

    assert finders.find("web/site.css")


def test_home_page_searches_procedures_and_offers_the_services(client):
    html = client.get("/").content.decode()
    assert '<form method="get" action="/thu-tuc/" class="home-search" role="search">' in html
    assert 'name="q"' in html and "Tìm thủ tục hành chính" in html
    for url in ("/thu-tuc/", "/tra-cuu/", "/xac-thuc/", "/units/", "/calendar/due/"):
        assert f'<h2><a href="{url}">' in html
