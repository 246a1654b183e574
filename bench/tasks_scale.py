# ruff: noqa: E402 -- django.setup() must run before the models are imported.
"""Tasks at city scale: the lists, the scoreboard, the KPI source and the daily reminders.

    python bench/tasks_scale.py --tasks 200000 --output bench/results/tasks-200k.json

Uses THUDO_DATABASE_URL (default: PostgreSQL database ``thudo_bench_tasks``, migrated here).
Loads Hanoi's units and agencies if missing, then bulk-creates synthetic tasks over two years
(most led by communes, a third with co-ordinating units, 5 % extended, the rest of the life cycle
mixed as in a city's register) up to ``--tasks``. Like ``bench/generate.py`` it writes rows
directly (bulk inserts), the one documented exception to "every write through actions.py".

Then it measures, in this process (the pages through Django's test client, the same code a
worker runs, without HTTP), ``--runs`` times each, and reports the median wall time and the SQL
queries of one call:

- ``unit_overdue``: the busiest commune leader's "quá hạn" tab (``/can-bo/nhiem-vu/?tab=overdue``);
- ``city_todo``: the city leader's open tasks of every unit (``/can-bo/nhiem-vu/``);
- ``api_overdue``: ``GET /api/v1/tasks?standing=overdue`` as the city leader;
- ``scoreboard``: ``/can-bo/nhiem-vu/bang-theo-doi/`` (live task facts of every unit, one month);
- ``facts_month_all``: the ``tasks`` indicator source for the last complete month, every unit
  (what the monthly roll-up reads);
- ``facts_month_one``: the same for one unit (the refresh after a task action);
- ``reminders_day``: the daily reminder job for one working day, first run (sends) and second run
  (sends nothing: each reminder once).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thudo.conf.settings")
os.environ.setdefault("THUDO_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thudo_bench_tasks")
os.environ.setdefault("THUDO_PAYMENT_GATEWAY", "simulated")

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from thudo.core import actions as core_actions
from thudo.core.indicators import previous_month
from thudo.core.models import Agency, AgencyKind, Role, RoleGrant, User
from thudo.core.progress import Bar
from thudo.tasks import facts, reminders
from thudo.tasks.models import (
    Decision,
    ExtensionRequest,
    SentReminder,
    State,
    Task,
    TaskUnit,
    UnitRole,
)

BATCH = 5000


def machine() -> dict:
    import platform
    import subprocess

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "database": connection.vendor,
        "db_version": getattr(connection, "pg_version", None),
        "commit": commit.stdout.strip(),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
    }


def person(username: str, agency: Agency, *, subtree: bool) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"full_name": username})
    RoleGrant.objects.get_or_create(
        user=user, role=Role.LEADER, agency=agency, defaults={"include_subtree": subtree}
    )
    return user


def ensure_data(n: int, seed: int, chair: User, city: Agency) -> dict:
    have = Task.objects.count()
    if have >= n:
        return {"created": 0, "tasks": have}
    rng = random.Random(seed + have)
    communes = list(
        Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, is_active=True).values_list("pk", flat=True)
    )
    departments = list(
        Agency.objects.filter(kind=AgencyKind.DEPARTMENT, is_active=True).values_list("pk", flat=True)
    )
    today = timezone.localdate()
    start = today - timedelta(days=730)
    tz = timezone.get_default_timezone()
    bar = Bar()
    made = 0
    while have + made < n:
        size = min(BATCH, n - have - made)
        tasks, extended = [], []
        for _i in range(size):
            assigned = start + timedelta(days=rng.randrange(730))
            deadline = assigned + timedelta(days=rng.randint(5, 60))
            lead = rng.choice(communes) if rng.random() < 0.7 else rng.choice(departments)
            roll = rng.random()
            done_on = None
            state = State.IN_PROGRESS
            if (deadline < today - timedelta(days=10) and roll < 0.85) or roll < 0.55:
                state = State.CLOSED if rng.random() < 0.85 else State.REPORTED
                done_on = min(today, deadline + timedelta(days=rng.randint(-20, 6)))
                done_on = max(done_on, assigned)
            elif roll > 0.97:
                state = State.CANCELLED
            t = Task(
                title=f"Nhiệm vụ thử tải {have + made + _i}",
                source_kind="ad_hoc",
                assigner=chair,
                assigner_agency=city,
                lead_agency_id=lead,
                recurrence="once",
                priority="normal",
                original_deadline=deadline,
                deadline=deadline,
                state=state,
                progress=100 if done_on else rng.randint(0, 90),
                assigned_at=datetime.combine(assigned, datetime.min.time(), tzinfo=tz) + timedelta(hours=9),
                done_on=done_on,
                done_deadline=deadline if done_on else None,
                done_basis="extended" if done_on else "",
                cancelled_at=datetime.combine(deadline, datetime.min.time(), tzinfo=tz)
                if state == State.CANCELLED
                else None,
            )
            if rng.random() < 0.05:
                t.deadline = deadline + timedelta(days=rng.randint(7, 30))
                if done_on:
                    t.done_deadline = t.deadline
                extended.append(t)
            tasks.append(t)
        with transaction.atomic():
            Task.objects.bulk_create(tasks, batch_size=1000)
            units = []
            for t in tasks:
                units.append(TaskUnit(task=t, agency_id=t.lead_agency_id, role=UnitRole.LEAD))
                if rng.random() < 0.33:
                    for other in rng.sample(communes + departments, rng.randint(1, 2)):
                        if other != t.lead_agency_id:
                            units.append(TaskUnit(task=t, agency_id=other, role=UnitRole.COORDINATE))
            TaskUnit.objects.bulk_create(units, batch_size=2000, ignore_conflicts=True)
            ExtensionRequest.objects.bulk_create(
                [
                    ExtensionRequest(
                        task=t,
                        requested_by=chair,
                        requested_at=t.assigned_at + timedelta(days=3),
                        deadline_before=t.original_deadline,
                        proposed=t.deadline,
                        reason="Chờ số liệu",
                        decision=Decision.APPROVED,
                        decided_by=chair,
                        decided_at=t.assigned_at + timedelta(days=4),
                    )
                    for t in extended
                ],
                batch_size=1000,
            )
        made += size
        bar("tasks", made, n - have)
    return {"created": made, "tasks": have + made}


def measure(name: str, fn, runs: int) -> dict:
    walls, queries = [], 0
    for _i in range(runs):
        counted = [0]

        def count(execute, sql, params, many, context, counted=counted):
            counted[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            out = fn()
            walls.append(time.perf_counter() - started)
        queries = counted[0]
        if hasattr(out, "status_code"):
            assert out.status_code == 200, (name, out.status_code)
    result = {
        "median_ms": round(statistics.median(walls) * 1000, 1),
        "max_ms": round(max(walls) * 1000, 1),
        "queries": queries,
        "runs": runs,
    }
    print(f"{name:18} {result['median_ms']:>9} ms median  {queries:>5} queries", file=sys.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    if not Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).exists():
        core_actions.load_units(provinces=["01"], progress=Bar())
        core_actions.load_agencies(progress=Bar())
    city = Agency.objects.filter(kind=AgencyKind.CITY_COMMITTEE).order_by("pk").first()
    assert city is not None, "no city committee: the agencies did not load"
    chair = person("bench.chutich", city, subtree=True)
    started = time.monotonic()
    data = ensure_data(args.tasks, args.seed, chair, city)
    data["seconds"] = round(time.monotonic() - started, 1)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE")
    busiest = (
        Task.objects.filter(
            lead_agency__kind=AgencyKind.COMMUNE_COMMITTEE, state__in=("assigned", "accepted", "in_progress")
        )
        .values("lead_agency_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    commune = Agency.objects.get(pk=busiest["lead_agency_id"])
    leader = person("bench.xa", commune, subtree=False)
    month = previous_month(timezone.localdate().replace(day=1))
    now = timezone.now()
    as_leader, as_chair = Client(), Client()
    as_leader.force_login(leader)
    as_chair.force_login(chair)
    results = {
        "unit_overdue": measure(
            "unit_overdue", lambda: as_leader.get("/can-bo/nhiem-vu/?tab=overdue"), args.runs
        ),
        "city_todo": measure("city_todo", lambda: as_chair.get("/can-bo/nhiem-vu/"), args.runs),
        "api_overdue": measure(
            "api_overdue", lambda: as_chair.get("/api/v1/tasks?standing=overdue"), args.runs
        ),
        "scoreboard": measure(
            "scoreboard",
            lambda: as_chair.get(f"/can-bo/nhiem-vu/bang-theo-doi/?thang={month:%Y-%m}"),
            args.runs,
        ),
        "facts_month_all": measure("facts_month_all", lambda: facts.count(month, None, now), args.runs),
        "facts_month_one": measure(
            "facts_month_one", lambda: facts.count(month, [commune.pk], now), args.runs
        ),
    }
    # The reminder job: the most recent working day, first (sends) and second run (nothing new).
    day = timezone.localdate()
    SentReminder.objects.filter(day=day).delete()
    first = measure("reminders_first", lambda: reminders.send(now=now), 1)
    second = measure("reminders_again", lambda: reminders.send(now=now), 1)
    sent = SentReminder.objects.filter(day=day).count()
    results["reminders_day"] = {"first": first, "again": second, "reminders_sent": sent}
    counts = {
        "tasks": Task.objects.count(),
        "open": Task.objects.filter(state__in=("assigned", "accepted", "in_progress")).count(),
        "busiest_commune_open": busiest["n"],
        "task_units": TaskUnit.objects.count(),
        "extensions": ExtensionRequest.objects.count(),
        "month": f"{month:%Y-%m}",
    }
    out = {
        "command": " ".join(["python", *sys.argv]),
        "date": f"{timezone.localdate():%Y-%m-%d}",
        "machine": machine(),
        "data": {**data, **counts},
        "results": results,
    }
    print(json.dumps(out, indent=2, ensure_ascii=False))
    if args.output:
        Path(args.output).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
