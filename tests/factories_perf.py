"""Builders for the query-count tests: one commune with its officers and a citizen, and many
dossiers in every state, built directly (no PDFs, no audit) so that a test can make dozens of them
cheaply. Each dossier carries what pages and the API read: history rows, a paper, and — varied
over the batch — an assignee, a current step, a parent (transfer), an apology, a signed result,
a payment and a rating, so that any per-row lazy load shows up as a growing query count."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from tests import factories
from tests import factories_dossiers as fd
from thudo.core.models import Agency, User
from thudo.dossiers.models import (
    ApologyLetter,
    Attachment,
    Dossier,
    DossierEvent,
    Payment,
    Rating,
    ResultDocument,
    Status,
)
from thudo.procedures.models import Procedure, Process, ProcessStep

_seq = itertools.count(1)

# A spread of states; every open one is listed more than once so queues are not empty.
STATES = (
    Status.PROCESSING,
    Status.SUBMITTED,
    Status.PROCESSING,
    Status.PAUSED,
    Status.SUPPLEMENT_REQUESTED,
    Status.TRANSFERRED,
    Status.PROCESSING,
    Status.RESULT_READY,
    Status.RETURNED,
    Status.REJECTED,
)


@dataclass
class PerfWorld:
    agency: Agency
    other_agency: Agency
    procedure: Procedure
    process: Process
    steps: list[ProcessStep]
    reception: User
    specialist: User
    leader: User
    citizen: User


def world() -> PerfWorld:
    """A commune with a published 3-step procedure, its officers (no certificates) and a citizen."""
    agency = fd.commune("Phường Đo Truy Vấn")
    other = fd.commune("Phường Đo Truy Vấn Khác")
    procedure = fd.procedure()
    process = procedure.processes.get()
    return PerfWorld(
        agency=agency,
        other_agency=other,
        procedure=procedure,
        process=process,
        steps=list(process.steps.order_by("order")),
        reception=factories.official(role="reception", agency=agency, username="perf.motcua"),
        specialist=factories.official(role="specialist", agency=agency, username="perf.chuyenvien"),
        leader=factories.official(role="leader", agency=agency, username="perf.lanhdao"),
        citizen=factories.UserFactory(username="perf.congdan", full_name="Lê Thị Đo"),
    )


def dossiers(
    w: PerfWorld, n: int, *, now: datetime | None = None, applicant: User | None = None
) -> list[Dossier]:
    """``n`` dossiers of ``w.citizen`` (or ``applicant``) at ``w.agency``, states and extras varied."""
    now = now or timezone.now()
    applicant = applicant or w.citizen
    made: list[Dossier] = []
    for i in range(n):
        made.append(
            _dossier(w, i, now=now, applicant=applicant, parent=made[0] if i % 3 == 0 and made else None)
        )
    return made


def _dossier(w: PerfWorld, i: int, *, now: datetime, applicant: User, parent: Dossier | None) -> Dossier:
    k = next(_seq)
    status = STATES[i % len(STATES)]
    submitted = now - timedelta(days=10 + i % 7, hours=i)
    # A third overdue, a third due within hours (the "due soon" tab), a third due in a few days.
    due = (now - timedelta(days=1 + i % 4), now + timedelta(hours=2), now + timedelta(days=1 + i % 5))[i % 3]
    finished = (
        due - timedelta(hours=2)
        if status in (Status.RESULT_READY, Status.RETURNED, Status.REJECTED)
        else None
    )
    step = w.steps[i % len(w.steps)] if status == Status.PROCESSING else None
    d = Dossier.objects.create(
        code=f"{w.agency.code}-PERF-{k:05d}",
        secret="PERF2345",
        procedure=w.procedure,
        process=w.process,
        receiving_agency=w.agency,
        processing_agency=w.agency,
        applicant_user=applicant,
        applicant_name="Lê Thị Đo",
        applicant_pin="001190012345",
        channel="online" if i % 2 else "counter",
        status=status,
        current_step=step,
        step_due_at=due if step else None,
        assignee=(w.specialist if i % 2 else w.reception)
        if status in (Status.PROCESSING, Status.PAUSED)
        else None,
        submitted_at=submitted,
        received_at=None if status == Status.SUBMITTED else submitted,
        clock_started_at=submitted,
        due_at=due,
        original_due_at=due,
        paused_since=now - timedelta(hours=3)
        if status in (Status.PAUSED, Status.SUPPLEMENT_REQUESTED)
        else None,
        supplement_count=1 if status == Status.SUPPLEMENT_REQUESTED else 0,
        finished_at=finished,
        returned_at=finished if status == Status.RETURNED else None,
        parent=parent,
        fee_amount=8000 if i % 4 == 0 else 0,
    )
    events = [("submit", "", Status.SUBMITTED, None)]
    if status != Status.SUBMITTED:
        events.append(("receive", Status.SUBMITTED, Status.PROCESSING, w.steps[0]))
        events.append(("forward", Status.PROCESSING, Status.PROCESSING, w.steps[1]))
    DossierEvent.objects.bulk_create(
        DossierEvent(
            dossier=d,
            seq=n + 1,
            verb=verb,
            from_status=src,
            to_status=dst,
            step=s,
            by=w.reception,
            by_label="Cán bộ một cửa",
            at=submitted + timedelta(minutes=n),
        )
        for n, (verb, src, dst, s) in enumerate(events)
    )
    Attachment.objects.create(
        dossier=d,
        paper=w.procedure.papers.first(),
        original_name="to-khai.pdf",
        file=f"dossiers/perf/{k}.pdf",
        sha256="0" * 64,
        size=10,
        content_type="application/pdf",
        uploaded_at=submitted,
    )
    if i % 5 == 1 and status not in (Status.RETURNED, Status.REJECTED):
        # As actions.apologize leaves it: the appointment (due) moved past the first one.
        first = due - timedelta(days=3)
        ApologyLetter.objects.create(
            dossier=d, reason="Chậm", old_due=first, new_due=due, issued_at=submitted
        )
        Dossier.objects.filter(pk=d.pk).update(original_due_at=first)
    if status in (Status.RESULT_READY, Status.RETURNED):
        ResultDocument.objects.create(
            dossier=d,
            file=f"results/perf/{k}.pdf",
            sha256="1" * 64,
            signed=True,
            signed_at=finished,
            created_at=finished,
        )
    if d.fee_amount:
        Payment.objects.create(dossier=d, channel="counter", method="cash", amount=8000, paid_at=submitted)
    if status == Status.RETURNED:
        Rating.objects.create(dossier=d, scores={"attitude": 5, "time": 4, "result": 5}, rated_at=finished)
    return d


def one(w: PerfWorld, status: str, *, now: datetime | None = None) -> Dossier:
    """One more dossier in ``status`` (the first pattern of the batch with that state, no parent)."""
    i = STATES.index(status)
    return _dossier(w, i, now=now or timezone.now(), applicant=w.citizen, parent=None)


def grow(w: PerfWorld, d: Dossier, n: int) -> None:
    """Give ``d`` ``n`` more history rows, papers and payments (a longer life, same state)."""
    last = d.events.order_by("-seq").values_list("seq", flat=True).first() or 0
    at = d.submitted_at
    DossierEvent.objects.bulk_create(
        DossierEvent(
            dossier=d,
            seq=last + k + 1,
            verb="attach",
            step=w.steps[0],
            by=w.specialist,
            by_label="Chuyên viên",
            at=at,
        )
        for k in range(n)
    )
    Attachment.objects.bulk_create(
        Attachment(
            dossier=d,
            paper=w.procedure.papers.first(),
            original_name=f"bo-sung-{k}.pdf",
            file=f"dossiers/perf/{d.pk}-{k}.pdf",
            sha256="2" * 64,
            size=10,
            content_type="application/pdf",
            uploaded_at=at,
        )
        for k in range(n)
    )
    Payment.objects.bulk_create(
        Payment(dossier=d, channel="counter", method="cash", amount=1000, paid_at=at) for _ in range(n)
    )
