"""Deadlines of dossiers: when the clock starts, the due moment, pauses, overdue and classification.

All arithmetic goes through :func:`thudo.core.calendars.calendar_for` on the *processing* agency
(domain-rules §2): the clock starts when a complete, valid dossier is received (Decree
118/2025/NĐ-CP), an online submission outside office hours or after the procedure's cut-off hour
counts from the next working period/day; pauses (supplement requests under the "pause" policy,
waiting for payment, inspection or an opinion) stop the clock and the paused *working* time is
added back on resume; under the "restart" policy a supplement restarts the full duration.

Overdue is never a state: :func:`is_overdue` and :func:`overdue_q` are the one definition
(``now > due`` while open — the clock being stopped at ``paused_since`` while paused — or
``finished > due``).
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Case, F, Q, Value, When
from django.db.models.fields import BooleanField
from django.utils import timezone

from thudo.core.calendars import calendar_for
from thudo.core.workcalendar import EARLY, LATE, ON_TIME, timeliness
from thudo.dossiers.models import OPEN_STATUSES

OUTCOMES = (EARLY, ON_TIME, LATE)
"""What :func:`outcome` and :func:`classify` answer (the calendar's names, re-exported)."""


def calendar(d):
    """The working calendar of the dossier's processing agency (every deadline is counted on it)."""
    return calendar_for(d.processing_agency_id)


def clock_start(d, received_at: datetime) -> datetime:
    """When the clock starts for a complete dossier received (or arrived online) at ``received_at``."""
    return calendar(d).start_moment(received_at, cutoff=d.procedure.cutoff_time)


def due_from(d, start: datetime) -> datetime:
    """``start`` + the procedure's legal duration in working hours."""
    return calendar(d).add_working_time(start, hours=Decimal(d.procedure.legal_duration_hours))


def start_clock(d, received_at: datetime) -> None:
    """Set ``clock_started_at``, ``due_at`` and ``original_due_at`` (no save)."""
    d.clock_started_at = clock_start(d, received_at)
    d.due_at = due_from(d, d.clock_started_at)
    d.original_due_at = d.due_at
    d.paused_total = timedelta(0)


def step_due(d, step, steps=None) -> datetime | None:
    """Due moment of ``step``: the clock start + the durations of the steps up to and including it,
    + the working time paused so far (control sheet, form 06). ``steps``: the process's steps, when
    the caller has them already."""
    if step is None or d.clock_started_at is None:
        return None
    if steps is None:
        steps = step.process.steps.all()
    hours = sum((s.duration_hours for s in steps if s.order <= step.order), Decimal(0))
    return calendar(d).add_working_time(d.clock_started_at, hours=hours, duration=d.paused_total or None)


def paused_working_time(d, now: datetime) -> timedelta:
    if d.paused_since is None:
        return timedelta(0)
    return max(calendar(d).working_time_between(d.paused_since, now), timedelta(0))


def add_back_pause(d, now: datetime) -> timedelta:
    """Resume the clock: add the paused working time to ``due_at`` and ``step_due_at`` (no save)."""
    delta = paused_working_time(d, now)
    if delta and d.due_at is not None:
        cal = calendar(d)
        d.due_at = cal.add_working_time(d.due_at, duration=delta)
        if d.step_due_at is not None:
            d.step_due_at = cal.add_working_time(d.step_due_at, duration=delta)
    d.paused_total = (d.paused_total or timedelta(0)) + delta
    d.paused_since = None
    return delta


def is_overdue(d, now: datetime | None = None) -> bool:
    """Derived: open and ``now`` (or the moment the clock stopped) is after the due moment, or
    finished after it (domain-rules §3)."""
    if d.due_at is None:
        return False
    now = now or timezone.now()
    if d.status in OPEN_STATUSES:
        moment = d.paused_since or now
        return moment > d.due_at
    return d.finished_at is not None and d.finished_at > d.due_at


def overdue_q(now: datetime | None = None) -> Q:
    """The same rule as :func:`is_overdue`, as a filter for querysets (queues, lists, KPIs)."""
    now = now or timezone.now()
    open_ = Q(status__in=OPEN_STATUSES, due_at__isnull=False)
    return (
        (open_ & Q(paused_since__isnull=True, due_at__lt=now))
        | (open_ & Q(paused_since__isnull=False, due_at__lt=F("paused_since")))
        | (~Q(status__in=OPEN_STATUSES) & Q(finished_at__isnull=False, due_at__lt=F("finished_at")))
    )


def annotate_overdue(qs, now: datetime | None = None):
    return qs.annotate(
        overdue=Case(
            When(overdue_q(now), then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def outcome(end: datetime, due: datetime, *, supplements: int = 0, apologised: bool = False, tz=None) -> str:
    """early / on_time / late of a dossier whose processing ended (or is measured) at ``end``
    against its appointment ``due`` (paused working time already added back): the calendar's
    :func:`~thudo.core.workcalendar.timeliness`, except that a dossier with an apology letter (a
    new appointment, form 04) or more than one supplement request during processing counts as late
    (domain-rules §3, §4). The dossier page, the API, the signature's record and the
    service-quality index all decide through here."""
    if supplements > 1 or apologised:
        return LATE
    return timeliness(end, due, tz)


def classify(d, now: datetime | None = None) -> str | None:
    """early / on_time / late of a dossier (domain-rules §2, §4), through :func:`outcome`.

    Finished dossiers compare ``finished_at`` with the appointment. Open dossiers are ``late`` once
    overdue (or apologised, or supplemented more than once), otherwise ``None`` (still within time).
    """
    if d.due_at is None:
        return None
    if d.is_open:
        # The clock stopped at ``paused_since`` while paused (the same moment as :func:`is_overdue`).
        moment = d.paused_since or now or timezone.now()
        result = outcome(moment, d.due_at, supplements=d.supplement_count, apologised=has_apology(d))
        return LATE if result == LATE else None
    if d.finished_at is None:
        return None
    return outcome(
        d.finished_at,
        d.due_at,
        supplements=d.supplement_count,
        apologised=has_apology(d),
        tz=calendar(d).tz,
    )


def has_apology(d) -> bool:
    """Has an apology letter (form 04) been issued for ``d``? (Spares the query when it cannot.)"""
    from thudo.dossiers.models import ApologyLetter

    if not d.pk:
        return False
    # An apology moves the appointment past the first one (new_due > due_at >= original_due_at,
    # actions.apologize) and only pauses move it later still, so while the two are equal and no
    # supplement could have restarted the clock (which recomputes due_at), there is none.
    cached = type(d).apology.is_cached(d)
    untouched = d.original_due_at is not None and d.due_at == d.original_due_at
    if not cached and untouched and d.supplement_count == 0:
        return False
    try:
        return d.apology is not None
    except ApologyLetter.DoesNotExist:
        return False


def late_q(now: datetime | None = None) -> Q:
    """Dossiers that count as late for the index: overdue, apologised, or supplemented more than once."""
    return overdue_q(now) | Q(apology__isnull=False) | Q(supplement_count__gt=1)
