"""One typed view of the deployment settings; tests can still override them."""

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from thudo.core.config import config, parse_networks


def test_defaults_are_typed():
    conf = config()
    assert conf.province_code == "01"
    assert conf.max_upload_bytes == 20 * 1024 * 1024
    assert not conf.public_base_url.endswith("/")
    assert conf.trusted_proxies == ()


def test_override_settings_is_seen_at_once(settings):
    with override_settings(THUDO={**settings.THUDO, "MAX_UPLOAD_MB": 1, "PUBLIC_BASE_URL": "https://x.vn/"}):
        assert config().max_upload_bytes == 1024 * 1024
        assert config().public_base_url == "https://x.vn"
    assert config().max_upload_bytes == 20 * 1024 * 1024


def test_trusted_proxies_accept_ips_and_cidrs_and_refuse_garbage():
    assert parse_networks("10.0.0.0/8, 127.0.0.1") == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("127.0.0.1/32"),
    )
    with pytest.raises(ImproperlyConfigured):
        parse_networks(["proxy.example"])
