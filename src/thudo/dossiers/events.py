"""The domain events the dossiers app publishes (:mod:`thudo.core.events`).

The actions publish them inside their transaction; the apps above subscribe in their
``AppConfig.ready`` (``kpi`` refreshes the service index, ``notifications`` writes the notice and
its outbox rows). The dossiers app imports none of its subscribers. Catalogue with publishers and
subscribers: ``docs/architecture.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from thudo.core.events import Event, PersonNotified


@dataclass(frozen=True, kw_only=True)
class DossierEventRecorded(Event):
    """A row was added to a dossier's history (every verb, from ``submit`` to ``rate``): whatever
    counts dossiers (the service-quality index) must look at this agency and month again."""

    dossier_id: int
    code: str
    verb: str
    seq: int
    at: datetime
    processing_agency_id: int | None


@dataclass(frozen=True, kw_only=True)
class ApplicantNotified(PersonNotified):
    """The applicant of dossier ``code`` is to be told ``notice`` (in-app when they have an
    account, e-mail when known). Base of the typed notices below; a notice topic without its own
    type is published as this base type."""

    code: str


@dataclass(frozen=True, kw_only=True)
class DossierSubmitted(ApplicantNotified):
    """Submitted online; the applicant gets the code and the lookup secret."""


@dataclass(frozen=True, kw_only=True)
class DossierReceived(ApplicantNotified):
    """Received by the one-stop officer (form 01 issued); the applicant gets the appointment."""


@dataclass(frozen=True, kw_only=True)
class SupplementRequested(ApplicantNotified):
    """The applicant is asked to add or correct papers (form 02)."""


@dataclass(frozen=True, kw_only=True)
class DossierRejected(ApplicantNotified):
    """Refused with reasons (form 03)."""


@dataclass(frozen=True, kw_only=True)
class ResultSigned(ApplicantNotified):
    """The leader signed the result; the dossier is result_ready."""


@dataclass(frozen=True, kw_only=True)
class ResultReturned(ApplicantNotified):
    """The result was handed over; the applicant may rate."""


@dataclass(frozen=True, kw_only=True)
class LateApologyIssued(ApplicantNotified):
    """Apology and new appointment (form 04)."""


@dataclass(frozen=True, kw_only=True)
class DossierReminderDue(PersonNotified):
    """An official is reminded of a dossier due within a working day or overdue
    (:mod:`thudo.dossiers.reminders`)."""

    code: str
    kind: str


NOTICE_TYPES: dict[str, type[ApplicantNotified]] = {
    "dossier.submitted": DossierSubmitted,
    "dossier.received": DossierReceived,
    "dossier.supplement_requested": SupplementRequested,
    "dossier.rejected": DossierRejected,
    "dossier.result_ready": ResultSigned,
    "dossier.returned": ResultReturned,
    "dossier.late_apology": LateApologyIssued,
}


def applicant_notice_type(topic: str) -> type[ApplicantNotified]:
    """The event type of an applicant notice topic (the base type for a topic without its own)."""
    return NOTICE_TYPES.get(topic, ApplicantNotified)
