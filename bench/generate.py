# ruff: noqa: S608, E501 -- the SQL below is built from constants only, and reads better unwrapped.
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
import bisect
import json
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
            cur.execute(f'SELECT setval({seq}, COALESCE(MAX(id), 1)) FROM "{table}"')


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


def run_python(n: int, years: int, seed: int) -> dict:
    """SQLite (small sizes, development): rows built in Python, bulk inserts."""
    t0 = time.monotonic()
    res = generate(n, years, seed, Bar(), base_id=next_id(Dossier))
    DailySequence.objects.bulk_create(
        [
            DailySequence(
                agency_id=a, day=datetime.strptime(d, "%y%m%d").replace(tzinfo=UTC).date(), last_value=v
            )
            for (a, d), v in res["sequences"].items()
        ],
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["agency", "day"],
        update_fields=["last_value"],
    )
    return {"rows": res["rows"], "seconds": round(time.monotonic() - t0, 1), "engine": connection.vendor}


# --- PostgreSQL: the bulk is generated inside the server --------------------------------------------
#
# Python computes what needs the working calendar (when the clock starts for every 15-minute slot,
# every due moment) and streams those small lookup tables with COPY; the millions of rows are then
# produced by INSERT ... SELECT over generate_series, with random() seeded by setseed(), so the
# server does the per-row work in C. Secondary indexes are dropped first and rebuilt at the end.


class Timeline:
    """Office time of the default calendar laid end to end, for fast due arithmetic in the loader.

    Built from the calendar's own office periods, in epoch seconds (comparing aware datetimes of
    two zones is slow); :func:`check_timeline` compares it with ``WorkingCalendar.add_working_time``
    and ``next_working_moment`` on a sample before use.
    """

    def __init__(self, cal, first, last) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.cum: list[int] = []
        total = 0
        d = first
        while d <= last:
            for start, end in cal._day(d).periods:  # benchmark-only fast path
                self.starts.append(int(start.timestamp()))
                self.ends.append(int(end.timestamp()))
                self.cum.append(total)
                total += self.ends[-1] - self.starts[-1]
            d += timedelta(days=1)

    def next_working_moment(self, t: int) -> int:
        i = bisect.bisect_right(self.ends, t)
        return max(self.starts[i], t)

    def add_hours(self, t: int, hours: float) -> int:
        """``t`` must be a working moment (inside a period)."""
        i = bisect.bisect_right(self.starts, t) - 1
        pos = self.cum[i] + (t - self.starts[i]) + round(hours * 3600)
        j = bisect.bisect_left(self.cum, pos) - 1
        return self.starts[j] + (pos - self.cum[j])


def check_timeline(tl: Timeline, cal, slots: list[int], hours: list[float]) -> None:
    rnd = random.Random(1)
    for slot in rnd.sample(slots, min(300, len(slots))):
        start = cal.next_working_moment(datetime.fromtimestamp(slot, UTC))
        assert tl.next_working_moment(slot) == start.timestamp(), slot
        for h in hours:
            assert tl.add_hours(int(start.timestamp()), h) == cal.add_working_time(start, hours=h).timestamp()


def copy_text(cur, table: str, columns: str, lines) -> None:
    """COPY tab-separated text lines (values must need no escaping)."""
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buf: list[str] = []
        for line in lines:
            buf.append(line)
            if len(buf) >= 20000:
                copy.write("".join(buf))
                buf = []
        copy.write("".join(buf))


def copy_rows(cur, table: str, columns: str, rows) -> None:
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


OPEN_SQL_MIX = "ARRAY['processing','processing','processing','submitted','submitted','submitted'," + (
    "'supplement_requested','paused','result_ready','transferred']"
)

STAGE_SQL = (
    """
CREATE UNLOGGED TABLE bench_stage AS
WITH r AS (
    SELECT g AS k, power(random(), 0.8) AS frac, random() AS r_online, random() AS r_office,
           random() AS r_hour, random() AS r_where, random() AS r_agency, random() AS r_proc,
           random() AS r_status, random() AS r_open, random() AS r_sup, random() AS r_sup2,
           random() AS r_late, random() AS r_late_h, random() AS r_fin, random() AS r_paused
    FROM generate_series(0, %(n)s - 1) AS g
), t AS (
    SELECT r.*, r_online < 0.25 + 0.5 * frac AS online,
           %(start)s::timestamptz + make_interval(mins => (floor(frac * %(span_min)s / 15) * 15)::int) AS sub0
    FROM r
), t2 AS (
    SELECT t.*, GREATEST(%(start)s::timestamptz, LEAST(%(now)s::timestamptz, CASE WHEN NOT online OR r_office < 0.7
               THEN date_trunc('day', sub0)
                    + make_interval(hours => (ARRAY[1,2,3,4,6,7,8,9])[1 + floor(r_hour * 8)::int],
                                    mins => extract(minute FROM sub0)::int)
               ELSE sub0 END)) AS submitted,
           CASE WHEN r_sup > 0.08 THEN 0 WHEN r_sup2 > 0.2 THEN 1 ELSE 2 END AS supplements
    FROM t
), t3 AS (
    SELECT t2.*, p.id AS procedure_id, p.process_id, p.first_step_id, p.hours,
           COALESCE(p.agency_id, a.id) AS agency_id,
           (r_late < 0.04 OR supplements > 1) AS late,
           CASE WHEN %(now)s::timestamptz - submitted > interval '60 days' OR r_status < 0.6 THEN
                CASE WHEN r_status < 0.92 THEN 'returned' WHEN r_status < 0.96 THEN 'rejected' ELSE 'withdrawn' END
                ELSE ("""
    + OPEN_SQL_MIX
    + """)[1 + floor(r_open * 10)::int] END AS status
    FROM t2
    JOIN bench_proc p ON p.kind = CASE WHEN r_where < 0.82 THEN 'c' ELSE 'd' END
                     AND p.idx = floor(r_proc * CASE WHEN r_where < 0.82 THEN %(n_cproc)s ELSE %(n_dproc)s END)::int
    JOIN bench_agency a ON a.kind = CASE WHEN r_where < 0.82 THEN 'c' ELSE 'd' END
                     AND a.idx = floor(r_agency * CASE WHEN r_where < 0.82 THEN %(n_commune)s ELSE %(n_dept)s END)::int
)
SELECT t3.k, t3.submitted, t3.online, t3.procedure_id, t3.process_id, t3.first_step_id, t3.agency_id,
       t3.status, t3.supplements, t3.r_paused,
       (t3.submitted AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS local_day,
       s.received, d.due,
       CASE WHEN t3.status IN ('returned', 'rejected', 'withdrawn', 'result_ready') THEN
            LEAST(%(now)s::timestamptz, CASE WHEN t3.late
                  THEN d.due + make_interval(hours => 2 + floor(t3.r_late_h * 200)::int)
                  ELSE LEAST(d.due, GREATEST(s.received, COALESCE(f.received, d.due))) END)
       END AS finished
FROM t3
JOIN bench_slot s ON s.slot = t3.submitted + interval '30 minutes'
JOIN bench_due d ON d.received = s.received AND d.hours = t3.hours
-- a working moment between receipt and due: the slot table's "received" is next_working_moment(slot + 30')
LEFT JOIN bench_slot f ON f.slot = date_bin(interval '15 minutes',
    s.received + (d.due - s.received) * (0.2 + 0.75 * t3.r_fin), %(start)s::timestamptz) - interval '30 minutes'
"""
)

DOSSIER_SQL = (
    """
INSERT INTO dossiers_dossier (
    id, code, secret, procedure_id, process_id, receiving_agency_id, processing_agency_id,
    applicant_user_id, applicant_name, applicant_pin, applicant_birth_date, applicant_phone,
    applicant_email, applicant_address, channel, status, current_step_id, step_due_at, assignee_id,
    submitted_at, received_at, clock_started_at, due_at, original_due_at, paused_since, paused_total,
    supplement_count, finished_at, returned_at, parent_id, form_data, fee_amount, idempotency_key,
    created_at, updated_at)
SELECT %(base_id)s - 1 + row_number() OVER (ORDER BY st.submitted, st.k),
       a.code || '-' || to_char(st.local_day, 'YYMMDD') || '-' || lpad((COALESCE(ds.last_value, 0)
           + row_number() OVER (PARTITION BY st.agency_id, st.local_day ORDER BY st.submitted, st.k))::text, 4, '0'),
       """
    + " || ".join(["substr(%(alphabet)s, 1 + floor(random() * 32)::int, 1)"] * 8)
    + """,
       st.procedure_id, st.process_id, st.agency_id, st.agency_id,
       NULL,
       (%(surnames)s::text[])[1 + floor(random() * %(n_surnames)s)::int] || ' '
           || (%(middle)s::text[])[1 + floor(random() * %(n_middle)s)::int] || ' '
           || (%(given)s::text[])[1 + floor(random() * %(n_given)s)::int],
       '001' || floor(random() * 4)::int || lpad(floor(random() * 100)::int::text, 2, '0')
           || lpad(floor(random() * 1000000)::int::text, 6, '0'),
       NULL, '', '', '',
       CASE WHEN st.online THEN 'online' ELSE 'counter' END,
       st.status,
       CASE WHEN st.status = 'processing' THEN st.first_step_id END,
       CASE WHEN st.status = 'processing' THEN st.due END,
       NULL,
       st.submitted,
       CASE WHEN st.status <> 'submitted' THEN st.received END,
       CASE WHEN st.status <> 'submitted' THEN st.received END,
       CASE WHEN st.status <> 'submitted' THEN st.due END,
       CASE WHEN st.status <> 'submitted' THEN st.due END,
       CASE WHEN st.status IN ('paused', 'supplement_requested')
            THEN %(now)s::timestamptz - make_interval(hours => 1 + floor(st.r_paused * 200)::int) END,
       interval '0',
       st.supplements,
       st.finished,
       CASE WHEN st.status = 'returned' THEN st.finished END,
       NULL, '{}'::jsonb,
       (ARRAY[0, 0, 0, 8000, 50000, 75000])[1 + floor(random() * 6)::int],
       NULL,
       st.submitted, COALESCE(st.finished, st.submitted)
FROM bench_stage st
JOIN core_agency a ON a.id = st.agency_id
LEFT JOIN dossiers_dailysequence ds ON ds.agency_id = st.agency_id AND ds.day = st.local_day
ORDER BY st.submitted, st.k
"""
)

NEW = "d.id >= %(base_id)s"
FINAL_VERB = (
    "CASE d.status WHEN 'returned' THEN 'return' WHEN 'rejected' THEN 'reject' "
    "WHEN 'withdrawn' THEN 'withdraw' WHEN 'transferred' THEN 'transfer' ELSE 'attach_result' END"
)
EVENTS_SQL = f"""
INSERT INTO dossiers_dossierevent
    (dossier_id, seq, verb, from_status, to_status, step_id, by_id, by_label, at, note, step_due_at, data)
SELECT d.id, 1, 'submit', '', 'submitted', NULL::bigint, NULL::bigint, '', d.submitted_at, '',
       NULL::timestamptz, '{{}}'::jsonb
FROM dossiers_dossier d WHERE {NEW}
UNION ALL
SELECT d.id, 2, 'receive', 'submitted', 'processing', NULL, NULL, '', d.received_at, '', d.due_at,
       jsonb_build_object('due_at', d.due_at)
FROM dossiers_dossier d WHERE {NEW} AND d.received_at IS NOT NULL
UNION ALL
SELECT d.id, 3, 'request_supplement', 'processing', 'supplement_requested', NULL, NULL, '',
       d.received_at + (COALESCE(d.finished_at, d.due_at) - d.received_at) * 0.3, '', NULL,
       '{{"reasons": ["Bổ sung bản sao giấy tờ"]}}'::jsonb
FROM dossiers_dossier d WHERE {NEW} AND d.supplement_count > 0 AND d.received_at IS NOT NULL
UNION ALL
SELECT d.id, 4, 'supplement', 'supplement_requested', 'processing', NULL, NULL, '',
       d.received_at + (COALESCE(d.finished_at, d.due_at) - d.received_at) * 0.5, '', NULL, '{{}}'::jsonb
FROM dossiers_dossier d
WHERE {NEW} AND d.supplement_count > 0 AND d.received_at IS NOT NULL AND d.status <> 'supplement_requested'
UNION ALL
SELECT d.id, CASE WHEN d.supplement_count > 0 THEN 5 ELSE 3 END, {FINAL_VERB}, 'processing', d.status,
       NULL, NULL, '', COALESCE(d.finished_at, d.received_at), '', NULL, '{{}}'::jsonb
FROM dossiers_dossier d
WHERE {NEW} AND d.received_at IS NOT NULL
  AND d.status IN ('returned', 'rejected', 'withdrawn', 'transferred', 'result_ready')
"""

ATTACHMENTS_SQL = f"""
INSERT INTO dossiers_attachment (dossier_id, paper_id, kind, form, original_name, file, sha256, size,
    content_type, digitised, reused_from_id, uploaded_by_id, uploaded_at)
SELECT d.id, NULL, 'paper', '', n.name, 'bench/' || d.id || '-' || n.i || '.pdf',
       md5(d.id::text || '-' || n.i) || md5(n.i || '-' || d.id::text),
       50000 + floor(random() * 3000000)::int, 'application/pdf', random() < 0.97, NULL, NULL, d.submitted_at
FROM dossiers_dossier d
CROSS JOIN LATERAL (VALUES (1, 'to-khai.pdf'), (2, 'cccd.pdf')) AS n(i, name)
WHERE {NEW} AND (n.i = 1 OR d.id %% 2 = 0)
"""

PAYMENTS_SQL = f"""
INSERT INTO dossiers_payment (dossier_id, channel, method, amount, reference, paid_at, online,
    gateway_status, recorded_by_id)
SELECT d.id, d.channel, CASE WHEN d.channel = 'online' THEN 'online' ELSE 'cash' END, d.fee_amount,
       CASE WHEN d.channel = 'online' THEN 'BENCH' || d.id ELSE '' END,
       COALESCE(d.received_at, d.submitted_at), d.channel = 'online',
       CASE WHEN d.channel = 'online' THEN 'paid' ELSE '' END, NULL
FROM dossiers_dossier d WHERE {NEW} AND d.fee_amount > 0
"""

RATINGS_SQL = f"""
INSERT INTO dossiers_rating (dossier_id, scores, comment, rated_at)
SELECT d.id, jsonb_build_object('attitude', s.v, 'time', s.v, 'result', s.v), '', d.finished_at
FROM dossiers_dossier d
CROSS JOIN LATERAL (SELECT CASE WHEN random() < 0.85 THEN 5 ELSE 1 + floor(random() * 4)::int END
                    + 0 * d.id AS v) AS s
WHERE {NEW} AND d.status = 'returned' AND random() < 0.3
"""

SEQUENCES_SQL = f"""
INSERT INTO dossiers_dailysequence (agency_id, day, last_value)
SELECT d.receiving_agency_id, (d.submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
       max(split_part(d.code, '-', 3)::int)
FROM dossiers_dossier d WHERE {NEW}
GROUP BY 1, 2
ON CONFLICT (agency_id, day) DO UPDATE SET last_value = GREATEST(
    dossiers_dailysequence.last_value, EXCLUDED.last_value)
"""


def reference_tables(cur, *, start: datetime, now: datetime, progress) -> dict:
    """COPY the small lookup tables the bulk statements join: agencies, procedures, slots, dues."""
    communes = list(
        Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).order_by("id").values_list("id", flat=True)
    )
    departments = list(
        Agency.objects.filter(kind=AgencyKind.DEPARTMENT).order_by("id").values_list("id", flat=True)
    )
    procs = list(
        Procedure.objects.filter(status="published")
        .order_by("id")
        .values("id", "level", "agency_id", "duration_value", "duration_unit")
    )
    processes = {
        p.procedure_id: p for p in Process.objects.filter(agency__isnull=True).prefetch_related("steps")
    }
    dept_ids = set(departments)
    cprocs = [p for p in procs if p["level"] == "commune"]
    dprocs = [
        p for p in procs if p["level"] != "commune" and (p["agency_id"] in dept_ids or p["agency_id"] is None)
    ]

    def hours_of(p) -> float:
        return float(p["duration_value"]) * (8 if p["duration_unit"] == "working_days" else 1)

    cur.execute(
        "CREATE TEMP TABLE bench_agency (kind text, idx int, id bigint, PRIMARY KEY (kind, idx));"
        "CREATE TEMP TABLE bench_proc (kind text, idx int, id bigint, process_id bigint, first_step_id bigint,"
        " agency_id bigint, hours float8, PRIMARY KEY (kind, idx));"
        "CREATE TEMP TABLE bench_slot_s (slot bigint, received bigint);"
        "CREATE TEMP TABLE bench_due_s (received bigint, hours float8, due bigint)"
    )
    copy_rows(
        cur,
        "bench_agency",
        "kind, idx, id",
        [("c", i, a) for i, a in enumerate(communes)] + [("d", i, a) for i, a in enumerate(departments)],
    )

    def proc_row(kind, i, p):
        process = processes.get(p["id"])
        steps = sorted(process.steps.all(), key=lambda s: s.order) if process else []
        return (
            kind,
            i,
            p["id"],
            process.pk if process else None,
            steps[0].pk if steps else None,
            p["agency_id"],
            hours_of(p),
        )

    copy_rows(
        cur,
        "bench_proc",
        "kind, idx, id, process_id, first_step_id, agency_id, hours",
        [proc_row("c", i, p) for i, p in enumerate(cprocs)]
        + [proc_row("d", i, p) for i, p in enumerate(dprocs)],
    )
    cal = calendar_for(None)
    hours = sorted({hours_of(p) for p in cprocs + dprocs})
    local_first = (start - timedelta(days=2)).astimezone(cal.tz).date()
    local_last = (now + timedelta(days=400)).astimezone(cal.tz).date()
    tl = Timeline(cal, local_first, local_last)
    first, last = int(start.timestamp()), int((now + timedelta(hours=2)).timestamp())
    slots = list(range(first, last + 1, 900))
    check_timeline(tl, cal, slots, hours)
    received = [tl.next_working_moment(s) for s in slots]
    copy_text(
        cur,
        "bench_slot_s",
        "slot, received",
        (f"{s}\t{r}\n" for s, r in zip(slots, received, strict=True)),
    )
    copy_text(
        cur,
        "bench_due_s",
        "received, hours, due",
        (f"{r}\t{h}\t{tl.add_hours(r, h)}\n" for r in sorted(set(received)) for h in hours),
    )
    cur.execute(
        "CREATE TEMP TABLE bench_slot AS SELECT to_timestamp(slot) AS slot, to_timestamp(received) AS received"
        " FROM bench_slot_s; ALTER TABLE bench_slot ADD PRIMARY KEY (slot);"
        "CREATE TEMP TABLE bench_due AS SELECT to_timestamp(received) AS received, hours, to_timestamp(due) AS due"
        " FROM bench_due_s; ALTER TABLE bench_due ADD PRIMARY KEY (received, hours); ANALYZE bench_slot, bench_due"
    )
    progress("Bảng tra cứu (COPY)", 1, 1)
    return {
        "n_commune": len(communes),
        "n_dept": len(departments),
        "n_cproc": len(cprocs),
        "n_dproc": len(dprocs),
    }


def run_pg(n: int, years: int, seed: int, progress) -> dict:
    """Generate ``n`` dossiers and their history, files, payments and ratings inside PostgreSQL."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    now = now.replace(minute=now.minute // 15 * 15)
    start = (now - timedelta(days=365 * years)).replace(minute=0)
    base_id = next_id(Dossier)
    tables = (Dossier, DossierEvent, Attachment, Payment, Rating)
    timings: dict[str, float] = {}
    t0 = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        raw = cur.cursor if hasattr(cur, "cursor") else cur
        raw.execute(
            "SET LOCAL TIME ZONE 'UTC'; SET LOCAL synchronous_commit = off;"
            " SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '512MB';"
            " SET LOCAL session_replication_role = replica"
        )
        params = reference_tables(raw, start=start, now=now, progress=progress)
        timings["lookup_tables"] = round(time.monotonic() - t0, 1)
        rebuild = drop_secondary_indexes(tables)
        params |= {
            "n": n,
            "now": now,
            "start": start,
            "span_min": int((now - start).total_seconds() // 60),
            "base_id": base_id,
            "alphabet": ALPHABET,
            "surnames": SURNAMES,
            "middle": MIDDLE,
            "given": GIVEN,
            "n_surnames": len(SURNAMES),
            "n_middle": len(MIDDLE),
            "n_given": len(GIVEN),
        }
        raw.execute("DROP TABLE IF EXISTS bench_stage")
        steps = [
            ("Hồ sơ: tham số ngẫu nhiên", STAGE_SQL),
            ("Hồ sơ (dossiers)", DOSSIER_SQL),
            ("Lịch sử (events)", EVENTS_SQL),
            ("Tệp đính kèm (metadata)", ATTACHMENTS_SQL),
            ("Thanh toán (payments)", PAYMENTS_SQL),
            ("Đánh giá (ratings)", RATINGS_SQL),
            ("Số thứ tự ngày (daily sequences)", SEQUENCES_SQL),
        ]
        total = len(steps) + 2
        for i, (label, sql) in enumerate(steps, 1):
            t = time.monotonic()
            raw.execute("SELECT setseed(%s)", [((seed * 7919 + i) % 10000) / 10000])
            raw.execute(sql, params)
            timings[label] = round(time.monotonic() - t, 1)
            progress("Sinh dữ liệu (PostgreSQL)", i, total)
        raw.execute("DROP TABLE bench_stage")
        reset_sequences(*tables)
        t = time.monotonic()
        rebuild_indexes(rebuild, lambda *a: None)
        timings["indexes"] = round(time.monotonic() - t, 1)
        progress("Sinh dữ liệu (PostgreSQL)", total - 1, total)
    t = time.monotonic()
    with connection.cursor() as cur:
        for model in (*tables, DailySequence):
            cur.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
    timings["vacuum_analyze"] = round(time.monotonic() - t, 1)
    progress("Sinh dữ liệu (PostgreSQL)", total, total)
    rows = {
        m.__name__: m.objects.filter(
            **({"id__gte": base_id} if m is Dossier else {"dossier_id__gte": base_id})
        ).count()
        for m in tables
    }
    return {
        "rows": rows,
        "seconds": round(time.monotonic() - t0, 1),
        "steps_s": timings,
        "engine": "postgresql",
    }


def machine() -> dict:
    """What the numbers were measured on, and how busy it was (the machine may be shared)."""
    import platform
    import subprocess

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "mem_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "database": connection.vendor,
        "db_version": getattr(connection, "pg_version", None),
        "commit": commit.stdout.strip(),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--procedures", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", help="also write the result (with machine and command) to this JSON file")
    args = parser.parse_args()
    before = machine()
    t0 = time.monotonic()
    ensure_reference_data(args.procedures, Bar())
    reference_s = round(time.monotonic() - t0, 1)
    if connection.vendor == "postgresql":
        result = run_pg(args.dossiers, args.years, args.seed, Bar())
    else:
        result = run_python(args.dossiers, args.years, args.seed)
    result["reference_data_s"] = reference_s
    result["total_s"] = round(time.monotonic() - t0, 1)
    result["total_dossiers"] = Dossier.objects.count()
    result["command"] = "python bench/generate.py " + " ".join(sys.argv[1:])
    result["machine"] = before
    result["loadavg_after"] = Path("/proc/loadavg").read_text().split()[:3]
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
