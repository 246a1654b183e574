"""Generate a city-scale data set: Hanoi's agencies, ≥ 300 procedures, millions of dossiers.

    python bench/generate.py --dossiers 5000000 --years 3

Uses THUDO_DATABASE_URL (PostgreSQL for real runs: rows are streamed with COPY; SQLite works for
small sizes with bulk inserts). Mixes are realistic rather than uniform: most dossiers at
communes, the online share rising over time, a few percent late, supplements, transfers, ratings,
payments and attachment metadata (no file bytes). Deterministic for a given --seed.

This is a bulk loader of synthetic data for benchmarks: it writes rows directly (COPY), not
through the actions, which is the one documented exception to "every write through actions.py".
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thudo.conf.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402

from thudo.core import actions as core_actions  # noqa: E402
from thudo.core.calendars import calendar_for  # noqa: E402
from thudo.core.models import Agency, AgencyKind  # noqa: E402
from thudo.core.progress import Bar  # noqa: E402
from thudo.dossiers.models import (  # noqa: E402
    Attachment,
    DailySequence,
    Dossier,
    DossierEvent,
    Payment,
    Rating,
    Status,
)
from thudo.procedures.models import Procedure, Process  # noqa: E402

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Thu", "Quang", "Ngọc", "Hữu", "Thanh", "Gia"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hương",
    "Khánh",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phương",
    "Quân",
    "Sơn",
    "Thảo",
    "Trang",
    "Tuấn",
    "Việt",
    "Yến",
]


class Sink:
    """Writes rows of one model: COPY on PostgreSQL, bulk inserts elsewhere.

    Defaults are computed once into a template, so a row is one dict merge; with ``auto_id`` the
    primary key is left to the database sequence.
    """

    def __init__(self, model, *, auto_id: bool = False):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not (auto_id and f.primary_key)]
        self.attnames = [f.attname for f in self.fields]
        self.columns = [f.column for f in self.fields]
        now = datetime.now(UTC)
        self.template: dict = {}
        for f in self.fields:
            if f.has_default():
                self.template[f.attname] = f.get_default()
            elif f.null:
                self.template[f.attname] = None
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.template[f.attname] = now
            elif f.blank and f.get_internal_type() in {"CharField", "TextField", "EmailField"}:
                self.template[f.attname] = ""
        self.json_idx = [i for i, f in enumerate(self.fields) if f.get_internal_type() == "JSONField"]
        self.rows: list[tuple] = []
        self.pg = connection.vendor == "postgresql"
        self.count = 0

    def add(self, values: dict) -> None:
        row = {**self.template, **values}
        try:
            self.rows.append(tuple([row[a] for a in self.attnames]))
        except KeyError as exc:
            raise KeyError(f"{self.model.__name__}.{exc.args[0]} needs a value") from exc

    def flush(self) -> None:
        if not self.rows:
            return
        if self.pg:
            from psycopg.types.json import Jsonb

            with connection.cursor() as cur:
                raw = cur.cursor if hasattr(cur, "cursor") else cur
                cols = ", ".join(f'"{c}"' for c in self.columns)
                with raw.copy(f'COPY "{self.model._meta.db_table}" ({cols}) FROM STDIN') as copy:
                    for row in self.rows:
                        if self.json_idx:
                            row = list(row)
                            for i in self.json_idx:
                                row[i] = Jsonb(row[i])
                        copy.write_row(row)
        else:
            objs = [self.model(**dict(zip(self.attnames, row, strict=True))) for row in self.rows]
            self.model.objects.bulk_create(objs, batch_size=2000)
        self.count += len(self.rows)
        self.rows = []


def next_id(model) -> int:
    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def reset_sequences(*models) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for model in models:
            table = model._meta.db_table
            # table names come from model metadata, not from input
            seq = f"pg_get_serial_sequence('\"{table}\"', 'id')"
            cur.execute(f'SELECT setval({seq}, COALESCE(MAX(id), 1)) FROM "{table}"')  # noqa: S608


def ensure_reference_data(n_procedures: int, progress) -> None:
    if not Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).exists():
        core_actions.load_units(provinces=["01"], progress=progress)
        core_actions.load_agencies(progress=progress)
    if not Procedure.objects.filter(status="published").exists():
        from thudo.procedures import seed

        seed.load_file(progress=progress)
    have = Procedure.objects.filter(status="published").count()
    if have >= n_procedures:
        return
    # Synthetic variants of the real procedures (same rules, new codes) up to the catalogue size.
    base = list(
        Procedure.objects.filter(status="published").prefetch_related("processes__steps", "papers", "fees")
    )
    i = 0
    with transaction.atomic():
        while have < n_procedures:
            src = base[i % len(base)]
            i += 1
            proc = Procedure.objects.get(pk=src.pk)
            proc.pk = None
            proc.code = f"BENCH-{i:04d}"
            proc.name = f"{src.name} (biến thể {i})"
            proc.search_text = f"{src.search_text} bien the {i}"
            proc.save()
            for process in src.processes.all():
                steps = list(process.steps.all())
                process.pk = None
                process.procedure = proc
                process.save()
                for step in steps:
                    step.pk = None
                    step.process = process
                    step.save()
            for paper in src.papers.all():
                paper.pk = None
                paper.procedure = proc
                paper.save()
            for fee in src.fees.all():
                fee.pk = None
                fee.procedure = proc
                fee.save()
            have += 1


def generate(
    n: int, years: int, seed: int, progress, *, worker: int = 0, workers: int = 1, base_id: int = 1
) -> dict:
    """Generate dossiers k = worker, worker + workers, ... < n with ids ``base_id + k``.

    Each worker owns a disjoint set of agencies, so daily code sequences never collide.
    """
    rnd = random.Random(seed * 100 + worker)
    rand = rnd.random
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = now - timedelta(days=365 * years)
    all_communes = list(
        Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).order_by("id").values_list("id", "code")
    )
    all_departments = list(
        Agency.objects.filter(kind=AgencyKind.DEPARTMENT).order_by("id").values_list("id", "code")
    )
    communes = all_communes[worker::workers]
    departments = all_departments[worker::workers] or all_departments[:1]
    dept_ids = {a for a, _ in departments}
    procs = list(
        Procedure.objects.filter(status="published").values(
            "id", "level", "agency_id", "duration_value", "duration_unit", "result_type"
        )
    )
    commune_procs = [p for p in procs if p["level"] == "commune"] or procs
    dept_procs = [
        p for p in procs if p["level"] != "commune" and (p["agency_id"] is None or p["agency_id"] in dept_ids)
    ]
    dept_procs = dept_procs or commune_procs
    processes = {p.procedure_id: p.pk for p in Process.objects.filter(agency__isnull=True)}
    dept_code = dict(all_departments)
    cal = calendar_for(None)
    office_hours_utc = [1, 2, 3, 4, 6, 7, 8, 9]  # 08–12 and 13–17 Asia/Ho_Chi_Minh
    starts: dict[datetime, datetime] = {}
    dues: dict[tuple[datetime, float], datetime] = {}

    sinks = {
        m: Sink(m, auto_id=m is not Dossier) for m in (Dossier, DossierEvent, Attachment, Payment, Rating)
    }
    # Continue each agency's daily numbering where earlier runs (or real use) left it.
    seq: dict[tuple[int, str], int] = {
        (a, d.strftime("%y%m%d")): v
        for a, d, v in DailySequence.objects.filter(agency_id__in=[a for a, _ in communes + departments])
        .values_list("agency_id", "day", "last_value")
        .iterator(chunk_size=20000)
    }
    span = (now - start).total_seconds()
    t0 = time.monotonic()
    mine = range(worker, n, workers)
    total = len(mine)
    for done, k in enumerate(mine, 1):
        dossier_id = base_id + k
        # Submission time: denser in recent months (growth); counter hours, some online at night.
        frac = rand() ** 0.8
        submitted = start + timedelta(minutes=int(span * frac / 60) // 15 * 15)
        online = rand() < 0.25 + 0.5 * frac
        if not online or rand() < 0.7:
            submitted = submitted.replace(hour=office_hours_utc[int(rand() * 8)])
        if rand() < 0.82:
            agency_id, agency_code = communes[int(rand() * len(communes))]
            proc = commune_procs[int(rand() * len(commune_procs))]
        else:
            proc = dept_procs[int(rand() * len(dept_procs))]
            agency_id = proc["agency_id"] or departments[int(rand() * len(departments))][0]
            agency_code = dept_code[agency_id]
        hours = float(proc["duration_value"]) * (8 if proc["duration_unit"] == "working_days" else 1)
        received = starts.get(submitted)
        if received is None:
            received = starts[submitted] = cal.start_moment(submitted + timedelta(minutes=30))
        due = dues.get((received, hours))
        if due is None:
            due = dues[(received, hours)] = cal.add_working_time(received, hours=hours)
        age_days = (now - submitted).days
        r = rand()
        supplements = 0 if rand() > 0.08 else (1 if rand() > 0.2 else 2)
        late = rand() < 0.04 or supplements > 1
        if age_days > 60 or r < 0.6:
            status = Status.RETURNED if r < 0.92 else (Status.REJECTED if r < 0.96 else Status.WITHDRAWN)
        else:
            status = OPEN_MIX[int(rand() * len(OPEN_MIX))]
        finished = None
        if status in FINISHED:
            if late:
                finished = due + timedelta(hours=2 + int(rand() * 200))
            else:
                finished = cal.next_working_moment(received + (due - received) * (0.2 + 0.75 * rand()))
                finished = min(finished, due)
            finished = min(finished, now)
        day = (submitted + timedelta(hours=7)).strftime("%y%m%d")
        n_today = seq.get((agency_id, day), 0) + 1
        seq[(agency_id, day)] = n_today
        fee = 0 if online else FEES[int(rand() * len(FEES))]
        waiting = status == Status.SUBMITTED
        sinks[Dossier].add(
            {
                "id": dossier_id,
                "code": f"{agency_code}-{day}-{n_today:04d}",
                "secret": "".join([ALPHABET[int(rand() * 32)] for _ in range(8)]),
                "procedure_id": proc["id"],
                "process_id": processes.get(proc["id"]),
                "receiving_agency_id": agency_id,
                "processing_agency_id": agency_id,
                "applicant_name": " ".join(
                    [SURNAMES[int(rand() * 13)], MIDDLE[int(rand() * 10)], GIVEN[int(rand() * 21)]]
                ),
                "applicant_pin": f"001{int(rand() * 4)}{int(rand() * 100):02d}{int(rand() * 1e6):06d}",
                "channel": "online" if online else "counter",
                "status": status,
                "submitted_at": submitted,
                "received_at": None if waiting else received,
                "clock_started_at": None if waiting else received,
                "due_at": None if waiting else due,
                "original_due_at": None if waiting else due,
                "supplement_count": supplements,
                "finished_at": finished,
                "returned_at": finished if status == Status.RETURNED else None,
                "fee_amount": fee,
                "form_data": {},
                "created_at": submitted,
                "updated_at": finished or submitted,
            }
        )
        sinks[DossierEvent].add(
            {
                "dossier_id": dossier_id,
                "seq": 1,
                "verb": "submit",
                "to_status": "submitted",
                "at": submitted,
                "data": {},
            }
        )
        if not waiting:
            sinks[DossierEvent].add(
                {
                    "dossier_id": dossier_id,
                    "seq": 2,
                    "verb": "receive",
                    "from_status": "submitted",
                    "to_status": "processing",
                    "at": received,
                    "step_due_at": due,
                    "data": {},
                }
            )
        sinks[Attachment].add(
            {
                "dossier_id": dossier_id,
                "kind": "paper",
                "original_name": "to-khai.pdf",
                "file": f"bench/{dossier_id}.pdf",
                "sha256": f"{rnd.getrandbits(256):064x}",
                "size": 50_000 + int(rand() * 3e6),
                "content_type": "application/pdf",
                "digitised": True,
                "uploaded_at": submitted,
            }
        )
        if fee:
            sinks[Payment].add(
                {
                    "dossier_id": dossier_id,
                    "channel": "counter",
                    "method": "cash",
                    "amount": fee,
                    "paid_at": received,
                    "online": False,
                }
            )
        if status == Status.RETURNED and rand() < 0.3:
            score = 5 if rand() < 0.85 else 1 + int(rand() * 4)
            sinks[Rating].add(
                {
                    "dossier_id": dossier_id,
                    "scores": {"attitude": score, "time": score, "result": score},
                    "rated_at": finished,
                }
            )
        if done % 10000 == 0:
            for sink in sinks.values():  # parents first: the dict keeps Dossier first
                sink.flush()
            if worker == 0:
                progress("Hồ sơ (tiến trình 1)", done, total)
    for sink in sinks.values():
        sink.flush()
    if worker == 0:
        progress("Hồ sơ (tiến trình 1)", total, total)
    return {
        "rows": {m.__name__: s.count for m, s in sinks.items()},
        "seconds": round(time.monotonic() - t0, 1),
        "sequences": seq,
    }


OPEN_MIX = [Status.PROCESSING] * 3 + [
    Status.SUBMITTED,
    Status.SUPPLEMENT_REQUESTED,
    Status.PAUSED,
    Status.RESULT_READY,
    Status.TRANSFERRED,
]
FINISHED = {Status.RETURNED, Status.REJECTED, Status.WITHDRAWN, Status.RESULT_READY}
FEES = [0, 0, 0, 8000, 50000, 75000]


def _worker(args: tuple) -> dict:
    from django.db import connections

    connections.close_all()
    n, years, seed, worker, workers, base_id = args
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            # Bulk load of consistent generated rows: skip per-row FK triggers and commit waits.
            cur.execute("SET session_replication_role = replica")
            cur.execute("SET synchronous_commit = off")
    return generate(n, years, seed, Bar(), worker=worker, workers=workers, base_id=base_id)


def drop_secondary_indexes(models) -> list[str]:
    """Drop indexes that back no constraint (PostgreSQL); return the statements that rebuild them."""
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cur:
        cur.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               WHERE i.tablename = ANY(%s) AND i.schemaname = current_schema()
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
            [tables],
        )
        found = cur.fetchall()
        for name, _ in found:
            cur.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def rebuild_indexes(statements: list[str], progress) -> None:
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        for i, statement in enumerate(statements, 1):
            cur.execute(statement)
            progress("Chỉ mục (index)", i, len(statements))


def run(n: int, years: int, seed: int, workers: int) -> dict:
    import multiprocessing

    from django.db import connections

    base_id = next_id(Dossier)
    t0 = time.monotonic()
    tables = (Dossier, DossierEvent, Attachment, Payment, Rating)
    rebuild = drop_secondary_indexes(tables) if connection.vendor == "postgresql" else []
    connections.close_all()
    jobs = [(n, years, seed, w, workers, base_id) for w in range(workers)]
    if workers == 1:
        results = [_worker(jobs[0])]
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_worker, jobs)
    rows: dict[str, int] = {}
    for res in results:
        for name, count in res["rows"].items():
            rows[name] = rows.get(name, 0) + count
    sequences = [(a, d, v) for res in results for (a, d), v in res["sequences"].items()]
    DailySequence.objects.bulk_create(
        [
            DailySequence(
                agency_id=a, day=datetime.strptime(d, "%y%m%d").replace(tzinfo=UTC).date(), last_value=v
            )
            for a, d, v in sequences
        ],
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["agency", "day"],
        update_fields=["last_value"],
    )
    reset_sequences(*tables)
    rebuild_indexes(rebuild, Bar())
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return {"rows": rows, "seconds": round(time.monotonic() - t0, 1), "workers": workers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--procedures", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    ensure_reference_data(args.procedures, Bar())
    workers = args.workers if connection.vendor == "postgresql" else 1
    print(run(args.dossiers, args.years, args.seed, workers))


if __name__ == "__main__":
    main()
