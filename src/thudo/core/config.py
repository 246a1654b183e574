"""The platform's deployment settings, typed, in one place.

Django's settings module fills ``settings.THUDO`` (and a few top-level names) from the
environment; every other module asks :func:`config` instead of reading the dictionary. The value
is built from ``django.conf.settings`` on every call (a handful of dictionary look-ups), so
``override_settings`` and pytest-django's ``settings`` fixture keep working in tests.

Every field is documented in docs/operations.md ("Settings"); every secret comes from the
environment only (``THUDO_*_TOKEN``, ``THUDO_SIGNING_KEY_SECRET``, ``THUDO_SECRET_KEY``,
``THUDO_S3_SECRET_ACCESS_KEY``).
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
    signing_key_store: str  # "local" (DATA_DIR/pki) or "shared" (pki/ in the default file storage)
    # Notifications: gateway URL and bearer token per HTTP channel ("" = channel off).
    sms_gateway_url: str
    sms_gateway_token: str
    zalo_zns_url: str
    zalo_zns_token: str
    notify_webhook_url: str
    notify_webhook_token: str
    # Several app servers: the shared cache ("" = local memory, one process's own).
    cache_url: str
    # Object storage: an S3-compatible bucket for uploaded files ("" = the local disk, MEDIA_ROOT).
    s3_bucket: str
    s3_endpoint_url: str  # "" = AWS itself
    s3_prefix: str  # a folder inside the bucket ("" = its root)
    # Security.
    require_2fa: bool
    rate_lookup: str | None  # "30/min"; None = no limit (thudo.core.throttling)
    rate_anonymous_api: str | None
    trusted_proxies: tuple[Network, ...]
    # Operations (ADR 0013).
    metrics_allowed: tuple[Network, ...]  # client addresses that may read /metrics
    worker_silence_minutes: float  # /readyz fails when no worker beat for longer
    outbox_backlog_max: int  # /readyz fails when more outbox messages than this are due
    web_workers: int  # gunicorn workers of ``thudo serve``; 0 = 2 × cores + 1

    @property
    def object_storage(self) -> str:
        """``"s3"`` when uploaded files live in a bucket, ``"local"`` on the local disk."""
        return "s3" if self.s3_bucket else "local"

    def gateway_url(self, channel_setting: str) -> str:
        """A notification channel's URL or token by its setting name (``"SMS_GATEWAY_URL"``)."""
        return str(getattr(self, channel_setting.lower()))


def parse_networks(values: Any, setting: str = "THUDO_TRUSTED_PROXIES") -> tuple[Network, ...]:
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
            raise ImproperlyConfigured(f"{setting}: {text!r} is not an IP or CIDR") from exc
    return tuple(out)


def _key_store(value: Any, bucket: bool) -> str:
    store = str(value or "").strip().lower() or ("shared" if bucket else "local")
    if store not in {"local", "shared"}:
        raise ImproperlyConfigured(f"THUDO_SIGNING_KEY_STORE: {value!r} is neither 'local' nor 'shared'")
    return store


def _deadline_basis(value: Any) -> str:
    text = str(value or "extended").strip().lower()
    if text not in ("original", "extended"):
        raise ImproperlyConfigured(f"THUDO_TASK_DEADLINE_BASIS: {text!r} is not 'original' or 'extended'")
    return text


def config() -> Config:
    """The current settings as a :class:`Config`."""
    raw: dict[str, Any] = getattr(settings, "THUDO", None) or {}
    s3: dict[str, Any] = getattr(settings, "S3", None) or {}
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
        signing_key_store=_key_store(raw.get("SIGNING_KEY_STORE"), bool(s3.get("BUCKET"))),
        sms_gateway_url=str(raw.get("SMS_GATEWAY_URL") or ""),
        sms_gateway_token=str(raw.get("SMS_GATEWAY_TOKEN") or ""),
        zalo_zns_url=str(raw.get("ZALO_ZNS_URL") or ""),
        zalo_zns_token=str(raw.get("ZALO_ZNS_TOKEN") or ""),
        notify_webhook_url=str(raw.get("NOTIFY_WEBHOOK_URL") or ""),
        notify_webhook_token=str(raw.get("NOTIFY_WEBHOOK_TOKEN") or ""),
        cache_url=str(getattr(settings, "CACHE_URL", "") or ""),
        s3_bucket=str(s3.get("BUCKET") or ""),
        s3_endpoint_url=str(s3.get("ENDPOINT_URL") or ""),
        s3_prefix=str(s3.get("PREFIX") or ""),
        rate_lookup=raw.get("RATE_LOOKUP") or None,
        rate_anonymous_api=raw.get("RATE_ANONYMOUS_API") or None,
        require_2fa=bool(getattr(settings, "THUDO_REQUIRE_2FA", False)),
        trusted_proxies=parse_networks(raw.get("TRUSTED_PROXIES")),
        metrics_allowed=parse_networks(raw.get("METRICS_ALLOWED", "127.0.0.1,::1"), "THUDO_METRICS_ALLOWED"),
        worker_silence_minutes=float(raw.get("WORKER_SILENCE_MINUTES") or 3),
        outbox_backlog_max=int(raw.get("OUTBOX_BACKLOG_MAX") or 1000),
        web_workers=int(raw.get("WEB_WORKERS") or 0),
    )
