"""Every write of the dossiers app: one function per verb of the one-stop mechanism.

Each action: ``transaction.atomic()``, a row lock on the dossier (two officers acting at once:
exactly one wins, the other gets :class:`Conflict`), the permission check
(``permissions.can(by, "dossier.<verb>", d)``), the transition check
(:func:`thudo.dossiers.transitions.assert_can_move`), the change, a :class:`DossierEvent` (history
and process control sheet, form 06), ``audit.record`` and the typed domain events of
:mod:`thudo.dossiers.events` (every history row publishes ``DossierEventRecorded``; what to tell the
applicant is published as a notice event, which the notifications app writes in this transaction;
delivery happens after commit). This package imports none of its subscribers (``kpi``,
``notifications``): they subscribe in their own ``AppConfig.ready``.

Legal basis: Decree 118/2025/NĐ-CP (one-stop mechanism: receipt, supplement, refusal, apology,
transfer between agencies, return of results), Circular 03/2025/TT-VPCP (forms 01–06),
Decree 45/2020/NĐ-CP and Decree 42/2022/NĐ-CP (online submission), Resolution 77/2025/NQ-HĐND
(Hanoi: online fees 0 đồng). Deadlines: :mod:`thudo.dossiers.deadlines`.

Every action accepts ``now=`` (default: the current time) so that demo data and tests can act at
an explicit moment without mocking clocks.

The verbs live in one module per group — :mod:`.intake` (submission, reception, supplements),
:mod:`.processing` (steps, pauses, refusal, withdrawal), :mod:`.transfers` (liên thông),
:mod:`.results` (drafts, signature, return, apology, rating), :mod:`.payments`, :mod:`.drafts`
(saved forms: submission, counter, supplement) and :mod:`.papers` (which papers are asked) — sharing the steps
in :mod:`._common`; this package re-exports their public names.
"""

from django.utils import timezone

from thudo.dossiers.actions import drafts, papers
from thudo.dossiers.actions._common import papers_rendered, public_url
from thudo.dossiers.actions.intake import (
    APPLICANT_KEYS,
    build_receipt_context,
    create_at_counter,
    receive,
    request_supplement,
    submit_online,
    supplement,
)
from thudo.dossiers.actions.payments import amount_due, pay_online, record_payment
from thudo.dossiers.actions.processing import (
    confirm_withdrawal,
    decline_withdrawal,
    forward,
    pause,
    reject,
    request_withdrawal,
    resume,
    withdraw,
)
from thudo.dossiers.actions.results import (
    RATING_QUESTIONS,
    RATING_SCALE,
    apologize,
    approve_and_sign,
    attach_result,
    build_result_context,
    draft_to_sign,
    rate,
    return_result,
)
from thudo.dossiers.actions.transfers import transfer

__all__ = [
    "APPLICANT_KEYS",
    "RATING_QUESTIONS",
    "RATING_SCALE",
    "amount_due",
    "apologize",
    "approve_and_sign",
    "attach_result",
    "build_receipt_context",
    "build_result_context",
    "confirm_withdrawal",
    "create_at_counter",
    "decline_withdrawal",
    "draft_to_sign",
    "drafts",
    "forward",
    "papers",
    "papers_rendered",
    "pause",
    "pay_online",
    "public_url",
    "rate",
    "receive",
    "record_payment",
    "reject",
    "request_supplement",
    "request_withdrawal",
    "resume",
    "return_result",
    "submit_online",
    "supplement",
    "timezone",
    "transfer",
    "withdraw",
]
