"""The transition table (every pair), the portal codes, codes and secrets, concurrency on PostgreSQL."""

import itertools
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from tests import factories
from tests import factories_dossiers as fd
from thudo.core.errors import Conflict, DomainError, NotAllowed
from thudo.dossiers import actions, codes, transitions
from thudo.dossiers.models import Dossier, Status
from thudo.dossiers.transitions import PORTAL_STATUS, TRANSITIONS, VERBS, assert_can_move, can_move

S = Status
ALLOWED = {
    (S.SUBMITTED, S.PROCESSING),
    (S.SUBMITTED, S.SUPPLEMENT_REQUESTED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.PROCESSING, S.PROCESSING),
    (S.PROCESSING, S.SUPPLEMENT_REQUESTED),
    (S.PROCESSING, S.PAUSED),
    (S.PROCESSING, S.TRANSFERRED),
    (S.PROCESSING, S.RESULT_READY),
    (S.PROCESSING, S.REJECTED),
    (S.PROCESSING, S.WITHDRAWN),  # only on the applicant's request, confirmed by the desk (the action checks)
    (S.SUPPLEMENT_REQUESTED, S.SUBMITTED),
    (S.SUPPLEMENT_REQUESTED, S.PROCESSING),
    (S.SUPPLEMENT_REQUESTED, S.WITHDRAWN),
    (S.SUPPLEMENT_REQUESTED, S.REJECTED),
    (S.PAUSED, S.PROCESSING),
    (S.PAUSED, S.WITHDRAWN),
    (S.TRANSFERRED, S.PROCESSING),
    (S.RESULT_READY, S.RETURNED),
}
PAIRS = list(itertools.product(S.values, S.values))
is_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_every_pair_of_the_table(a, b):
    """domain-rules §3: exactly the listed moves are allowed; everything else is 409."""
    assert can_move(a, b) == ((a, b) in ALLOWED)
    if (a, b) in ALLOWED:
        assert_can_move(a, b)
    else:
        with pytest.raises(Conflict) as exc:
            assert_can_move(a, b)
        assert exc.value.status == 409


def test_terminal_states_have_no_way_out():
    for state in (S.RETURNED, S.REJECTED, S.WITHDRAWN):
        assert TRANSITIONS[state] == frozenset()


def test_every_state_has_a_portal_code():
    assert set(PORTAL_STATUS) == set(S.values)
    assert set(PORTAL_STATUS.values()) <= set(range(1, 11))


# --- the actions respect the table: every verb from every state ----------------------------------
#
# Generated from ``transitions.VERBS``: a verb must succeed exactly from the states the table lists
# (and lead to one of its targets, or leave the state as it is), and be refused with Conflict from
# every other state, leaving the dossier as it was. ``supplement_requested`` is tried twice: after an
# intake completeness request (not received yet) and after a supplement request while processing.
# The step verbs are tried at the step they belong to, by that step's holder; who else may act on a
# step is the step-role test below. The moves are under test, not the papers: no PDF layout.

INTAKE = "supplement_requested/intake"
SITUATIONS = [*S.values, INTAKE]
# Where a processing dossier stands for each verb: the step verbs at their own step.
AT_STEP = {"forward": 1, "transfer": 2, "draft_result": 2, "sign": 3}
ROLE_OF_STEP = {1: "reception", 2: "specialist", 3: "leader"}
# Payments are the payments module's own tests (the amount is computed on the server).
NOT_HERE = {"record_payment", "pay"}


def _to_step(d, w, order):
    for step in range(1, order):
        d = actions.forward(d, by=getattr(w, ROLE_OF_STEP[step]))
    return d


def _dossier_in(w, situation, *, step=1):
    """A dossier brought to ``situation`` through the actions (processing: at ``step``)."""
    d = fd.submit(w)
    if situation == S.SUBMITTED:
        return d
    if situation == INTAKE:
        return actions.request_supplement(d, by=w.reception, reasons="Thiếu")
    if situation == S.WITHDRAWN:
        return actions.withdraw(d, by=w.citizen)
    if situation == S.REJECTED:
        return actions.reject(d, by=w.reception, reasons="Sai")
    d = actions.receive(d, by=w.reception)
    if situation == S.PROCESSING:
        return _to_step(d, w, step)
    if situation == S.SUPPLEMENT_REQUESTED:
        return actions.request_supplement(d, by=w.reception, reasons="Thiếu")
    if situation == S.PAUSED:
        return actions.pause(d, by=w.reception, reason="Chờ", kind="opinion")
    if situation == S.TRANSFERRED:
        actions.transfer(_to_step(d, w, 2), by=w.specialist, to_agency=w.other_agency)
        return Dossier.objects.get(pk=d.pk)
    d = actions.approve_and_sign(_to_step(d, w, 3), by=w.leader)
    if situation == S.RESULT_READY:
        return d
    return actions.return_result(d, by=w.reception)


def _asked(d, w):
    """The applicant's request to stop, where the state allows one (else the later call refuses)."""
    try:
        return actions.request_withdrawal(d, by=w.citizen, reason="x")
    except Conflict:
        return d


def _later(d):
    return (d.due_at or timezone.now()) + timedelta(days=14)


CALLS = {
    # verb → how its holder calls it
    "receive": lambda d, w: actions.receive(d, by=w.reception),
    "request_supplement": lambda d, w: actions.request_supplement(d, by=w.reception, reasons="x"),
    "supplement": lambda d, w: actions.supplement(d, by=w.citizen, files=[fd.pdf_file()]),
    "reject": lambda d, w: actions.reject(d, by=w.reception, reasons="x"),
    "withdraw": lambda d, w: actions.withdraw(d, by=w.citizen),
    "pause": lambda d, w: actions.pause(d, by=w.reception, reason="x", kind="inspection"),
    "resume": lambda d, w: actions.resume(d, by=w.reception),
    "forward": lambda d, w: actions.forward(d, by=w.reception),
    "transfer": lambda d, w: actions.transfer(d, by=w.specialist, to_agency=w.other_agency),
    "draft_result": lambda d, w: actions.attach_result(d, by=w.specialist, pdf=fd.pdf_bytes("du thao")),
    "sign": lambda d, w: actions.approve_and_sign(d, by=w.leader),
    "return_result": lambda d, w: actions.return_result(d, by=w.reception),
    "apologize": lambda d, w: actions.apologize(d, by=w.specialist, new_due=_later(d), reason="Chậm"),
    "rate": lambda d, w: actions.rate(d, by=w.citizen, scores={"attitude": 5, "time": 5, "result": 5}),
    # Stopping a received dossier: the applicant asks, the one-stop desk confirms or declines.
    "request_withdrawal": lambda d, w: actions.request_withdrawal(d, by=w.citizen, reason="x"),
    "confirm_withdrawal": lambda d, w: actions.confirm_withdrawal(_asked(d, w), by=w.reception),
    "decline_withdrawal": lambda d, w: actions.decline_withdrawal(_asked(d, w), by=w.reception, reason="y"),
}


def _allowed(verb, situation) -> bool:
    state = S.SUPPLEMENT_REQUESTED if situation == INTAKE else situation
    if verb == "apologize" and situation == INTAKE:
        return False  # no appointment before reception
    return state in VERBS[verb].sources


def test_every_verb_has_a_call_here():
    assert set(CALLS) | NOT_HERE == set(VERBS)


@pytest.mark.django_db
def test_every_verb_from_every_state():
    w = fd.world()
    failures = []
    with actions.papers_rendered(False):
        # One dossier per situation for every refusal (a refusal changes nothing), a fresh one for
        # every move that must succeed.
        shared = {situation: _dossier_in(w, situation) for situation in SITUATIONS}
        for verb, call in CALLS.items():
            for situation in SITUATIONS:
                failures += _try(w, verb, call, situation, shared[situation])
    assert failures == []


def _try(w, verb, call, situation, shared) -> list:
    before = shared.status
    if not _allowed(verb, situation):
        try:
            call(shared, w)
        except Conflict:
            shared.refresh_from_db()
            return [] if shared.status == before else [(verb, situation, "refused but moved")]
        return [(verb, situation, "allowed, the table says no")]
    d = _dossier_in(w, situation, step=AT_STEP.get(verb, 1))
    d.refresh_from_db()
    if verb == "supplement":  # back to reception after an intake request, else back to processing
        expected = {S.SUBMITTED if situation == INTAKE else S.PROCESSING}
    else:
        expected = VERBS[verb].targets or {d.status}  # no targets: the state stays
    try:
        call(d, w)
    except DomainError as exc:
        return [(verb, situation, f"refused: {exc.message}")]
    d.refresh_from_db()
    return [] if d.status in expected else [(verb, situation, f"moved to {d.status}, not {expected}")]


# --- the step-role rule: who may act on the current step of the internal process -----------------

STEP_VERBS = {name for name, spec in VERBS.items() if spec.step}
ACTORS = ("reception", "specialist", "leader", "city_admin")
HOLDS = {  # the permission table (core.permissions.ROLE_VERBS) for the step verbs
    "reception": {"forward"},
    "specialist": {"forward", "transfer", "draft_result"},
    "leader": {"forward", "sign"},
    "city_admin": STEP_VERBS,
}


def _step_allows(verb, step, actor) -> bool:
    """The rule, written out: a step is done by a holder of its role at the agency (city admins hold
    no step role); the leader's step (the last one here) ends with the signature and only there."""
    fits = (step == 3) if verb == "sign" else (step != 3)
    return fits and ROLE_OF_STEP[step] == actor and verb in HOLDS[actor]


def test_the_step_verbs_are_the_internal_process_verbs():
    assert {"forward", "transfer", "draft_result", "sign"} == STEP_VERBS


@pytest.mark.django_db
@pytest.mark.parametrize("verb", sorted(STEP_VERBS))
def test_step_role_rule(verb):
    """Every step verb, at every step, by every actor: allowed exactly by the rule; the page's
    buttons (``transitions.may``) say the same as the action."""
    w = fd.world()
    people = {
        "reception": w.reception,
        "specialist": w.specialist,
        "leader": w.leader,
        "city_admin": fd.factories.official(role="city_admin", agency=None, username="thanhpho"),
    }
    call = {
        "forward": lambda d, by: actions.forward(d, by=by),
        "transfer": lambda d, by: actions.transfer(d, by=by, to_agency=w.other_agency),
        "draft_result": lambda d, by: actions.attach_result(d, by=by, pdf=fd.pdf_bytes("du thao")),
        "sign": lambda d, by: actions.approve_and_sign(d, by=by),
    }[verb]
    failures = []
    with actions.papers_rendered(False):
        for step in (1, 2, 3):
            d = _dossier_in(w, S.PROCESSING, step=step)
            # Refusals first (they change nothing), then the one allowed actor, if any.
            for actor in sorted(ACTORS, key=lambda a: _step_allows(verb, step, a)):
                allowed = _step_allows(verb, step, actor)
                if transitions.may(people[actor], verb, d) != allowed:
                    failures.append((step, actor, "buttons disagree"))
                try:
                    call(d, people[actor])
                except (Conflict, NotAllowed) as exc:
                    if allowed:
                        failures.append((step, actor, f"refused: {exc.message}"))
                    d.refresh_from_db()
                    if (d.status, d.current_step.order) != (S.PROCESSING, step):
                        failures.append((step, actor, "refused but moved"))
                else:
                    if not allowed:
                        failures.append((step, actor, "allowed, the rule says no"))
    assert failures == []


def test_secrets_use_the_unambiguous_alphabet():
    for _ in range(50):
        s = codes.new_secret()
        assert len(s) == 8 and set(s) <= set(codes.SECRET_ALPHABET)
        assert not set(s) & set("01OI")


# --- PostgreSQL: real concurrency with separate connections -------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not is_postgres, reason="needs PostgreSQL (row locks)")
def test_two_officers_receiving_at_once_exactly_one_wins():
    w = fd.world()
    second = fd.factories.official(role="reception", agency=w.agency, username="motcua2")
    d = fd.submit(w)
    officers = [w.reception, second]
    results, errors = factories.in_threads(
        2, lambda i: actions.receive(Dossier.objects.get(pk=d.pk), by=officers[i])
    )
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    assert Dossier.objects.get(pk=d.pk).events.filter(verb="receive").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not is_postgres, reason="needs PostgreSQL (row locks)")
def test_twenty_parallel_submissions_get_distinct_codes():
    w = fd.world()
    results, errors = factories.in_threads(20, lambda i: fd.submit(w).code)
    assert errors == []
    assert len(results) == 20 and len(set(results)) == 20
    numbers = sorted(int(c.rsplit("-", 1)[1]) for c in results)
    assert numbers == list(range(1, 21))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not is_postgres, reason="needs PostgreSQL (row locks)")
def test_parallel_retries_with_one_idempotency_key_make_one_dossier():
    w = fd.world()
    results, errors = factories.in_threads(5, lambda i: fd.submit(w, key="same-key").pk)
    assert errors == []
    assert len(set(results)) == 1
    assert Dossier.objects.count() == 1
