"""Template context for every page: platform name, whether the person is an official, and the
navigation that apps contribute through ``portal_nav`` / ``workspace_nav`` on their AppConfig.

Items are ``(url_name, label)`` plus optional flags: ``"auth"`` shows the link only to people who
are signed in; ``"can:<verb>"`` only to people who may do ``<verb>`` somewhere
(``permissions.can(person, verb)``), e.g. ``"can:dossier.sign"`` for the leaders' signing queue."""

from functools import cache

from django.apps import apps
from django.urls import reverse

from thudo.core import demosite, permissions


@cache
def _nav(kind: str) -> tuple[tuple, ...]:
    items: list[tuple] = []
    for config in apps.get_app_configs():
        items += getattr(config, kind, [])
    return tuple(items)


def _shown(flags: tuple, user) -> bool:
    signed_in = bool(user and user.is_authenticated)
    for flag in flags:
        if flag == "auth" and not signed_in:
            return False
        if flag.startswith("can:") and not permissions.can(user, flag.removeprefix("can:")):
            return False
    return True


def _links(kind: str, user) -> list[dict]:
    return [{"url": reverse(item[0]), "label": item[1]} for item in _nav(kind) if _shown(item[2:], user)]


def platform(request):
    user = getattr(request, "user", None)
    is_official = bool(
        user
        and user.is_authenticated
        and (permissions.is_city_admin(user) or any(r != "citizen" for r, _, _ in permissions.grants(user)))
    )
    return {
        "platform_name": "Thủ đô số",
        "is_official": is_official,
        "portal_nav": _links("portal_nav", user),
        "workspace_nav": _links("workspace_nav", user) if is_official else [],
        # thudo demo, while its history loads in the background (no query otherwise).
        "demo_history_pending": demosite.history_pending(),
    }
