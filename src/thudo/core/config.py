"""The platform's deployment settings, typed, in one place.

Django's settings module fills ``settings.THUDO`` (and a few top-level names) from the
environment; every other module asks :func:`config` instead of reading the dictionary. The value
is built from ``django.conf.settings`` on every call (a handful of dictionary look-ups), so
``override_settings`` and pytest-django's ``settings`` fixture keep working in tests.

Every field is documented in docs/operations.md ("Settings"); every secret comes from the
environment only (``THUDO_*_TOKEN``, ``THUDO_SIGNING_KEY_SECRET``, ``THUDO_SECRET_KEY``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Config:
    # Where the platform is.
    province_code: str
    agency_code_suffix: str
    public_base_url: str  # no trailing slash
    # Dossiers.
    max_upload_bytes: int
    dossier_code_format: str  # "" = the default of dossiers.codes
    payment_gateway: str  # dotted path or "simulated"; "" = none chosen (the platform refuses to start)
    orphan_grace_hours: float
    draft_days: float  # an untouched form draft (core.drafts) lives this long
    # Tasks.
    task_reminder_days: int  # remind this many working days before a task's deadline
    task_deadline_basis: str  # "original" or "extended": the deadline a done report counts against
    # Identity.
    population_registry: str  # "local" or "http"
    population_registry_url: str
    population_registry_token: str
    population_registry_timeout: float
    # Signing.
    signing_trust_roots: tuple[str, ...]
    signing_key_secret: str
    # Notifications: gateway URL and bearer token per HTTP channel ("" = channel off).
    sms_gateway_url: str
    sms_gateway_token: str
    zalo_zns_url: str
    zalo_zns_token: str
    notify_webhook_url: str
    notify_webhook_token: str
    # Several app servers: the shared cache ("" = local memory, one process's own).
    cache_url: str
    # Security.
    require_2fa: bool
    rate_lookup: str | None  # "30/min"; None = no limit (thudo.core.throttling)
    rate_anonymous_api: str | None
    trusted_proxies: tuple[Network, ...]

    def gateway_url(self, channel_setting: str) -> str:
        """A notification channel's URL or token by its setting name (``"SMS_GATEWAY_URL"``)."""
        return str(getattr(self, channel_setting.lower()))


def parse_networks(values: Any) -> tuple[Network, ...]:
    """IPs and CIDRs (a list, or one comma-separated string) → networks; a bad entry refuses."""
    if isinstance(values, str):
        values = values.split(",")
    out = []
    for raw in values or ():
        text = str(raw).strip()
        if not text:
            continue
        try:
            out.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"THUDO_TRUSTED_PROXIES: {text!r} is not an IP or CIDR") from exc
    return tuple(out)


def _deadline_basis(value: Any) -> str:
    text = str(value or "extended").strip().lower()
    if text not in ("original", "extended"):
        raise ImproperlyConfigured(f"THUDO_TASK_DEADLINE_BASIS: {text!r} is not 'original' or 'extended'")
    return text


def config() -> Config:
    """The current settings as a :class:`Config`."""
    raw: dict[str, Any] = getattr(settings, "THUDO", None) or {}
    return Config(
        province_code=str(raw.get("PROVINCE_CODE", "01")),
        agency_code_suffix=str(raw.get("AGENCY_CODE_SUFFIX", "H26")),
        public_base_url=str(raw.get("PUBLIC_BASE_URL", "")).rstrip("/"),
        max_upload_bytes=int(raw.get("MAX_UPLOAD_MB", 20)) * 1024 * 1024,
        dossier_code_format=str(raw.get("DOSSIER_CODE_FORMAT") or ""),
        payment_gateway=str(raw.get("PAYMENT_GATEWAY") or ""),
        orphan_grace_hours=float(raw.get("ORPHAN_GRACE_HOURS") or 24),
        draft_days=float(raw.get("DRAFT_DAYS") or 30),
        task_reminder_days=max(0, int(raw.get("TASK_REMINDER_DAYS", 3))),
        task_deadline_basis=_deadline_basis(raw.get("TASK_DEADLINE_BASIS")),
        population_registry=str(raw.get("POPULATION_REGISTRY") or "local"),
        population_registry_url=str(raw.get("POPULATION_REGISTRY_URL") or ""),
        population_registry_token=str(raw.get("POPULATION_REGISTRY_TOKEN") or ""),
        population_registry_timeout=float(raw.get("POPULATION_REGISTRY_TIMEOUT") or 5),
        signing_trust_roots=tuple(str(p) for p in raw.get("SIGNING_TRUST_ROOTS") or ()),
        signing_key_secret=str(getattr(settings, "SIGNING_KEY_SECRET", None) or settings.SECRET_KEY),
        sms_gateway_url=str(raw.get("SMS_GATEWAY_URL") or ""),
        sms_gateway_token=str(raw.get("SMS_GATEWAY_TOKEN") or ""),
        zalo_zns_url=str(raw.get("ZALO_ZNS_URL") or ""),
        zalo_zns_token=str(raw.get("ZALO_ZNS_TOKEN") or ""),
        notify_webhook_url=str(raw.get("NOTIFY_WEBHOOK_URL") or ""),
        notify_webhook_token=str(raw.get("NOTIFY_WEBHOOK_TOKEN") or ""),
        cache_url=str(getattr(settings, "CACHE_URL", "") or ""),
        rate_lookup=raw.get("RATE_LOOKUP") or None,
        rate_anonymous_api=raw.get("RATE_ANONYMOUS_API") or None,
        require_2fa=bool(getattr(settings, "THUDO_REQUIRE_2FA", False)),
        trusted_proxies=parse_networks(raw.get("TRUSTED_PROXIES")),
    )
