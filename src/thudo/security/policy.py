"""Who must present a second factor, and how long officials' sessions live.

Officials are people holding any role other than ``citizen``, plus staff and superusers (they
reach the admin site). Citizens are never asked for a second factor.
"""

from django.conf import settings

from thudo.core import permissions
from thudo.core.config import config

# Officials' sessions end after 30 minutes without a request (rolling); citizens keep the default.
OFFICIAL_IDLE_SECONDS = 30 * 60
# Wrong codes in a row before the second step is locked, and for how long.
MAX_FAILURES = 5
LOCK_MINUTES = 15

# Paths an official who has not yet given the second factor may still open: the sign-in and
# second-step pages, static files, language switch, and the public portal (pages anyone may open
# without signing in, which show an official nothing more than they show the public). Everything
# else (workspace, admin, the API with a session, the owner's dossier pages and files under
# /ho-so/) waits for the code. Deny by default: a new page is protected unless it is added here.
EXEMPT_PREFIXES = (
    "/xac-thuc-2-buoc/",
    "/login/",
    "/logout/",
    "/i18n/",
    "/static/",
    "/thu-tuc/",  # procedure catalogue
    "/units/",  # administrative units
    "/calendar/due/",  # deadline calculator
    "/tra-cuu/",  # public dossier lookup by code + secret (the QR code on every paper)
    "/xac-thuc/",  # signature verification of a PDF (also reached from the QR code)
    "/xep-hang/",  # published service-quality ranking and its open data
    "/kpi/muc-tieu/",  # digital-transformation targets board
    "/dang-ky/",
    "/tai-khoan/",
)
EXEMPT_EXACT = ("/", "/favicon.ico")
LOGIN_PATHS = ("/login/", "/admin/login/")


def is_official(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(role != "citizen" for role, _, _ in permissions.grants(user))


def two_factor_required() -> bool:
    return config().require_2fa


def is_exempt(path: str) -> bool:
    static = "/" + settings.STATIC_URL.lstrip("/")
    return path in EXEMPT_EXACT or path.startswith((*EXEMPT_PREFIXES, static))
