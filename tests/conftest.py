import os

import pytest
from django.test import Client

from tests import factories

# The tests pay through the simulated gateway, chosen explicitly as production must (issue 10,
# item 3): here for the commands tests run in subprocesses, in ``_test_platform_settings`` for
# this process.
os.environ.setdefault("THUDO_PAYMENT_GATEWAY", "simulated")


@pytest.fixture(autouse=True, scope="session")
def _test_platform_settings():
    """The simulated payment gateway (chosen explicitly), and no rate limits: the suite calls the
    public API and the lookup far faster than any person (the fuzzer sends hundreds of anonymous
    calls from one address); the tests of the limits (tests/security/test_throttling.py) set low
    rates themselves."""
    from django.conf import settings
    from django.test import override_settings

    platform = {
        **settings.THUDO,
        "PAYMENT_GATEWAY": "simulated",
        "RATE_LOOKUP": None,
        "RATE_ANONYMOUS_API": None,
    }
    with override_settings(THUDO=platform):
        yield


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Production hashes passwords with PBKDF2 at ~10⁶ iterations (≈0.5 s each); tests create
    hundreds of accounts, so they use a fast hasher. Hash strength is Django's, not ours, to test."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Calendars, the agency tree and the KPI refresh debounce are kept per process; each test
    starts clean."""
    from django.core.cache import cache

    from thudo.core import calendars
    from thudo.kpi import tasks

    def forget():
        cache.clear()
        calendars.forget()
        tasks.forget_queued()

    forget()
    yield
    forget()


@pytest.fixture(autouse=True)
def _vietnamese_first():
    """Each test starts in the site's language (Vietnamese). A request in English through the test
    client leaves English active in the thread (LocaleMiddleware does not switch back), which
    would otherwise leak into the next test of the same worker."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def client():
    return Client(HTTP_HOST="127.0.0.1")


@pytest.fixture
def api(client):
    """HTTP client for /api/v1 returning parsed JSON bodies via ``.json()``."""
    return client


@pytest.fixture
def city_admin(db):
    return factories.official(role="city_admin", agency=None, username="cityadmin")


@pytest.fixture
def hanoi(db):
    """Hanoi's real units (both schemes, with the mapping) and agencies."""
    from thudo.core import actions

    actions.load_units(provinces=["01"])
    actions.load_agencies()
