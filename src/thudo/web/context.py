"""Template context for every page: platform name, whether the person is an official, and the
navigation that apps contribute through ``portal_nav`` / ``workspace_nav`` on their AppConfig
(lists of ``(url_name, label)`` or ``(url_name, label, "auth")`` for links shown only to people who
are signed in)."""

from functools import cache

from django.apps import apps
from django.urls import reverse

from thudo.core import permissions


@cache
def _nav(kind: str) -> tuple[tuple, ...]:
    items: list[tuple] = []
    for config in apps.get_app_configs():
        items += getattr(config, kind, [])
    return tuple(items)


def _links(kind: str, signed_in: bool) -> list[dict]:
    return [
        {"url": reverse(item[0]), "label": item[1]}
        for item in _nav(kind)
        if signed_in or "auth" not in item[2:]
    ]


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
        "portal_nav": _links("portal_nav", bool(user and user.is_authenticated)),
        "workspace_nav": _links("workspace_nav", True) if is_official else [],
    }
