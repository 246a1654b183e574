import pytest
from django.test import Client

from tests import factories


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
