"""Prepare the load harness: bench accounts with tokens, a session, and sampled dossier codes.

    python bench/prepare.py --output bench/state.json

Accounts: ``bench.congdan`` (citizen) and ``bench.canbo`` (reception, specialist and leader over
the whole city subtree, so every generated dossier is visible and actionable).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thudo.conf.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from thudo.core import actions  # noqa: E402
from thudo.core.models import Agency, AgencyKind, Role, RoleGrant, User  # noqa: E402
from thudo.dossiers.models import Dossier, Status  # noqa: E402
from thudo.procedures.models import Procedure  # noqa: E402

PASSWORD = "bench-password-2026"  # noqa: S105 (local benchmark account)


def account(username: str, roles: list[tuple[str, Agency | None, bool]]) -> User:
    user = User.objects.filter(username=username).first() or actions.create_user(
        username=username, password=PASSWORD, full_name=username
    )
    for role, agency, subtree in roles:
        RoleGrant.objects.get_or_create(
            user=user, role=role, agency=agency, defaults={"include_subtree": subtree}
        )
    return user


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", default="bench/state.json")
    parser.add_argument("--sample", type=int, default=20000)
    args = parser.parse_args()
    city = Agency.objects.get(kind=AgencyKind.CITY_COMMITTEE)
    commune = Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).order_by("code").first()
    citizen = account("bench.congdan", [(Role.CITIZEN, None, False)])
    officer = account(
        "bench.canbo",
        [(Role.RECEPTION, city, True), (Role.SPECIALIST, city, True), (Role.LEADER, city, True)],
    )
    _, citizen_token = actions.create_api_token(citizen, name="bench")
    _, officer_token = actions.create_api_token(officer, name="bench")
    session = SessionStore()
    session[SESSION_KEY] = str(officer.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = officer.get_session_auth_hash()
    session.set_expiry(24 * 3600)
    session.create()
    procedure = Procedure.objects.filter(status="published", level="commune").order_by("code").first()
    sample = Dossier.objects.order_by("?")[: args.sample] if args.sample <= 20000 else Dossier.objects.all()
    codes = list(sample.values_list("code", "secret"))
    open_codes = list(
        Dossier.objects.filter(status=Status.SUBMITTED)
        .order_by("-submitted_at")
        .values_list("code", flat=True)[:50000]
    )
    state = {
        "citizen_token": citizen_token,
        "officer_token": officer_token,
        "officer_cookies": {settings.SESSION_COOKIE_NAME: session.session_key},
        "procedure": procedure.code,
        "agency": commune.code,
        "create_path": "/api/v1/dossiers",
        "codes": [c for c, _ in codes],
        "lookups": codes[:5000],
        "open_codes": open_codes,
        "queue_path": "/can-bo/ho-so/?tab=agency",
        "kpi_unit_path": f"/kpi/don-vi/{commune.code}/",
        "ranking_path": "/xep-hang/",
        "dossiers": Dossier.objects.count(),
    }
    Path(args.output).write_text(json.dumps(state))
    print(f"state for {state['dossiers']} dossiers, {len(open_codes)} open for transitions -> {args.output}")


if __name__ == "__main__":
    main()
