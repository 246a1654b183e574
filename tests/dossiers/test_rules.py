"""The transition table (every pair), the portal codes, codes and secrets, concurrency on PostgreSQL."""

import itertools

import pytest
from django.conf import settings

from tests import factories
from tests import factories_dossiers as fd
from thudo.core.errors import Conflict
from thudo.dossiers import actions, codes
from thudo.dossiers.models import Dossier, Status
from thudo.dossiers.transitions import PORTAL_STATUS, TRANSITIONS, assert_can_move, can_move

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


# --- the actions respect the table: each verb from each state -----------------------------------


def _dossier_in(w, state):
    """A dossier brought to ``state`` through the actions."""
    d = fd.submit(w)
    if state == S.SUBMITTED:
        return d
    if state == S.SUPPLEMENT_REQUESTED:
        return actions.request_supplement(d, by=w.reception, reasons="Thiếu")
    if state == S.WITHDRAWN:
        return actions.withdraw(d, by=w.citizen)
    if state == S.REJECTED:
        return actions.reject(d, by=w.reception, reasons="Sai")
    d = actions.receive(d, by=w.reception)
    if state == S.PROCESSING:
        return d
    if state == S.PAUSED:
        return actions.pause(d, by=w.reception, reason="Chờ", kind="opinion")
    if state == S.TRANSFERRED:
        actions.transfer(d, by=w.specialist, to_agency=w.other_agency)
        return Dossier.objects.get(pk=d.pk)
    d = actions.forward(actions.forward(d, by=w.reception), by=w.specialist)
    d = actions.approve_and_sign(d, by=w.leader)
    if state == S.RESULT_READY:
        return d
    return actions.return_result(d, by=w.reception)


VERBS = {
    # verb → (call, target state)
    "receive": (lambda d, w: actions.receive(d, by=w.reception), S.PROCESSING),
    "request_supplement": (
        lambda d, w: actions.request_supplement(d, by=w.reception, reasons="x"),
        S.SUPPLEMENT_REQUESTED,
    ),
    "supplement": (lambda d, w: actions.supplement(d, by=w.citizen, files=[fd.pdf_file()]), S.PROCESSING),
    "reject": (lambda d, w: actions.reject(d, by=w.reception, reasons="x"), S.REJECTED),
    "withdraw": (lambda d, w: actions.withdraw(d, by=w.citizen), S.WITHDRAWN),
    "pause": (lambda d, w: actions.pause(d, by=w.reception, reason="x", kind="inspection"), S.PAUSED),
    "resume": (lambda d, w: actions.resume(d, by=w.reception), S.PROCESSING),
    "return_result": (lambda d, w: actions.return_result(d, by=w.reception), S.RETURNED),
}
# The state each verb must start from (beyond the table, a verb names its move).
FROM = {
    "receive": {S.SUBMITTED},
    "request_supplement": {S.SUBMITTED, S.PROCESSING},
    "supplement": {S.SUPPLEMENT_REQUESTED},
    "reject": {S.SUBMITTED, S.PROCESSING, S.SUPPLEMENT_REQUESTED},
    "withdraw": {S.SUBMITTED, S.SUPPLEMENT_REQUESTED},
    "pause": {S.PROCESSING},
    "resume": {S.PAUSED},
    "return_result": {S.RESULT_READY},
}


@pytest.mark.django_db
@pytest.mark.parametrize("verb", sorted(VERBS))
def test_each_verb_from_each_state(verb):
    w = fd.world()
    call, target = VERBS[verb]
    # The moves are under test, not the papers: skip the PDF layout (the signature is still made).
    with actions.papers_rendered(False):
        _each_state(w, verb, call, target)


def _each_state(w, verb, call, target):
    for state in S.values:
        d = _dossier_in(w, state)
        assert d.status == state
        if state in FROM[verb]:
            assert call(d, w).status == target, (verb, state)
        else:
            with pytest.raises(Conflict):
                call(d, w)
            d.refresh_from_db()
            assert d.status == state, (verb, state)


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
