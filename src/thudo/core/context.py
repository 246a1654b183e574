"""Where the current request came from: the client's address for audit records, and the public
address of the platform for links and QR codes written deep inside actions."""

from contextvars import ContextVar

from thudo.core.config import config

current_ip: ContextVar[str] = ContextVar("current_ip", default="")
current_base_url: ContextVar[str] = ContextVar("current_base_url", default="")

#: Used when neither ``THUDO_PUBLIC_BASE_URL`` nor a request says where the platform is served
#: (the worker, management commands): ``thudo serve``'s default address.
FALLBACK_BASE_URL = "http://127.0.0.1:8000"


def public_base_url() -> str:
    """The address citizens reach the platform at, without a trailing slash: the setting
    ``THUDO["PUBLIC_BASE_URL"]`` (``THUDO_PUBLIC_BASE_URL``) when set, else the scheme and host of
    the request being served (so ``thudo demo --port 8123`` prints QR codes for port 8123), else
    :data:`FALLBACK_BASE_URL`. Production sets the variable: papers rendered by the worker have
    no request to derive it from."""
    configured = config().public_base_url
    return (configured or current_base_url.get() or FALLBACK_BASE_URL).rstrip("/")


def absolute_url(path: str) -> str:
    """``path`` (or an absolute URL, returned as is) on :func:`public_base_url`."""
    if not path or "://" in path:
        return path
    return f"{public_base_url()}/{path.lstrip('/')}"
