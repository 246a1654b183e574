"""Prepare the load harness: bench accounts with tokens, a session, and sampled dossier codes.

    python bench/prepare.py --output bench/state.json

Accounts: ``bench.congdan`` (citizen) and ``bench.canbo`` (reception, specialist and leader over
the whole city subtree, so every generated dossier is visible and actionable).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thudo.conf.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db.models import Count, F, Max, Q  # noqa: E402

from thudo.core import actions  # noqa: E402
from thudo.core.models import Agency, AgencyKind, Role, RoleGrant, User  # noqa: E402
from thudo.dossiers.models import OPEN_STATUSES, Dossier, Status  # noqa: E402
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


def session_for(user: User) -> str:
    """A signed-in session (as after login) for the page scenarios."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(24 * 3600)
    session.create()
    return session.session_key


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", default="bench/state.json")
    parser.add_argument("--sample", type=int, default=20000)
    parser.add_argument("--open", type=int, default=100000, help="submitted dossiers to receive")
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
    # A commune-level procedure with few mandatory papers and an internal process (the create
    # scenario uploads one small PDF per mandatory paper; the transition scenario receives).
    procedure = (
        Procedure.objects.filter(status="published", level="commune", processes__isnull=False)
        .annotate(mandatory=Count("papers", filter=Q(papers__mandatory=True)))
        .order_by("mandatory", "code")
        .first()
    )
    total = Dossier.objects.count()
    # A uniform sample of existing codes without ORDER BY random() over millions of rows.
    last_id = Dossier.objects.aggregate(m=Max("id"))["m"] or 0
    rnd = random.Random(11)
    ids = sorted({rnd.randint(1, last_id) for _ in range(args.sample * 2)}) if last_id else []
    codes = list(Dossier.objects.filter(id__in=ids).values_list("code", "secret")[: args.sample])
    open_codes = list(
        Dossier.objects.filter(status=Status.SUBMITTED, processing_agency__kind=AgencyKind.COMMUNE_COMMITTEE)
        .order_by("-submitted_at")
        .values_list("code", flat=True)[: args.open]
    )
    # Processing dossiers at a step with a next step: the "transition" scenario hands each over once
    # (forward). Not at a leader's step: it ends with the signature (dossiers.transitions).
    step_codes = list(
        Dossier.objects.filter(
            status=Status.PROCESSING,
            current_step__isnull=False,
            process__steps__order__gt=F("current_step__order"),
            processing_agency__kind=AgencyKind.COMMUNE_COMMITTEE,
        )
        .exclude(current_step__role="leader")
        .order_by("-submitted_at")
        .distinct()
        .values_list("code", flat=True)[: args.open]
    )
    # The busiest commune's queue and KPI page: the worst case for the pages.
    busiest = (
        Dossier.objects.filter(status__in=OPEN_STATUSES, processing_agency__kind=AgencyKind.COMMUNE_COMMITTEE)
        .values("processing_agency__code")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    unit_code = busiest["processing_agency__code"] if busiest else commune.code
    unit = Agency.objects.get(code=unit_code)
    # The queue page as a commune officer sees it (reception, specialist and leader of that commune).
    unit_officer = account(
        "bench.canbo.xa",
        [(Role.RECEPTION, unit, False), (Role.SPECIALIST, unit, False), (Role.LEADER, unit, False)],
    )
    state = {
        "citizen_token": citizen_token,
        "officer_token": officer_token,
        "officer_cookies": {settings.SESSION_COOKIE_NAME: session_for(unit_officer)},
        "procedure": procedure.code,
        "create_files": max(1, procedure.mandatory),
        "agency": commune.code,
        "create_path": "/api/v1/dossiers",
        "codes": [c for c, _ in codes],
        "lookups": codes[:5000],
        "open_codes": open_codes,
        "step_codes": step_codes,
        "queue_path": "/can-bo/ho-so/?tab=agency",
        "kpi_unit_path": f"/kpi/don-vi/{unit_code}/",
        "ranking_path": "/xep-hang/",
        "dossiers": total,
    }
    Path(args.output).write_text(json.dumps(state))
    print(
        f"state for {total} dossiers: {len(step_codes)} to forward, {len(open_codes)} to receive"
        f" -> {args.output}"
    )


if __name__ == "__main__":
    main()
