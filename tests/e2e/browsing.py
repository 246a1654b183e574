"""Browser contexts signed in without the login form (the form has its own tests): the person's
session is made with Django's test client and handed to Chromium as a cookie."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client


def context_as(browser, live_server, user, *, viewport: dict, **kwargs):
    """A new browser context (Vietnamese, base URL the live server), signed in as ``user``
    (anonymous when ``user`` is None)."""
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", viewport=viewport, **kwargs)
    context.set_default_timeout(15_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "domain": urlsplit(live_server.url).hostname,
            "path": "/",
        }
        context.add_cookies([cookie])
    return context
