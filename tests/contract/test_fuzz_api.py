"""Fuzzing of the HTTP API against the committed contract (``docs/openapi.json``), issue 5 part 4.

Schemathesis generates valid and invalid requests for every operation of the committed schema and
sends them in-process through Django's WSGI application, signed in with a bearer token as a citizen
(who owns a dossier) and as a one-stop officer of the dossier's agency, and anonymously for every
operation. Every answer must be:

- never a server error (5xx);
- conformant to the schema where the schema documents the status (body, content type, headers);
- for errors (4xx, 405 included), the platform's one error shape ``{"code", "message", "fields"}``
  (conf/api.py);
- for an anonymous call of a signed-in operation, the typed 401 whatever the input.

The same module runs on SQLite and on PostgreSQL (CI runs the suite on both); nothing in it is
skipped on either.

Bounded for CI: ``THUDO_FUZZ_EXAMPLES`` examples per operation and role (default 5), derandomized
(the same requests every run, so a failure reproduces). Raise the number and set
``THUDO_FUZZ_RANDOM=1`` for a deeper local run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, assume, settings

from tests import factories
from tests import factories_dossiers as fd
from tests import factories_feedback as ff
from thudo.core import actions as core_actions
from thudo.core.models import Agency
from thudo.feedback import actions as feedback
from thudo.tasks import actions as task_actions

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
EXAMPLES = int(os.environ.get("THUDO_FUZZ_EXAMPLES", "5"))
RANDOM = os.environ.get("THUDO_FUZZ_RANDOM") == "1"

schema = schemathesis.openapi.from_path(CONTRACT)
schema.app = get_wsgi_application()

# A path parameter equal to a sibling's literal segment (``/procedures/fields`` for
# ``/procedures/{code}``) reaches the sibling endpoint: the contract is not ambiguous for real codes.
STATIC_SEGMENTS = {
    part for path in json.loads(CONTRACT.read_text())["paths"] for part in path.split("/") if "{" not in part
}

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
]


@pytest.fixture(scope="module")
def no_connection_recycling():
    """Like Django's test client: the WSGI app must not close the test's database connection at
    request start/end (on PostgreSQL that would end the test transaction)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker, no_connection_recycling):
    """A world with a submitted dossier, created once for the whole module and rolled back at its
    end (each fuzzed operation runs inside its own savepoint through the ``db`` fixture)."""
    with django_db_blocker.unblock(), transaction.atomic():
        agency = fd.commune()
        citizen = factories.UserFactory(username="congdan", full_name="Nguyễn Văn An")
        officer = factories.official(role="reception", agency=agency, username="motcua")
        fd.submit(SimpleNamespace(procedure=fd.procedure(), agency=agency, citizen=citizen))
        # Tasks: a leader of the agency, who assigns, acts and reports on the agency's task.
        leader = factories.official(role="leader", agency=agency, username="lanhdao")
        task_actions.assign_one(
            by=leader,
            assigner_agency=agency,
            lead_agency=agency,
            title="Nhiệm vụ thử",
            deadline=dt.date(2099, 1, 2),
        )
        # Citizen feedback: the officer's commune receives a report of the citizen (the fuzzer's
        # /feedback operations then meet a real report, categories and a commune).
        ff.seeded()
        fb_unit = factories.UnitFactory(code="99983", name="Phường Thử Phản Ánh")
        Agency.objects.filter(pk=agency.pk).update(unit=fb_unit)
        feedback.submit(
            by=citizen,
            category="moi-truong",
            description="Rác thải đổ trộm nhiều ngày",
            address="Ngõ 1",
            commune=fb_unit.pk,
        )
        out = {
            "leader": core_actions.create_api_token(leader, name="fuzz")[1],
            "citizen": core_actions.create_api_token(citizen, name="fuzz")[1],
            "officer": core_actions.create_api_token(officer, name="fuzz")[1],
            "anonymous": None,
        }
        yield out
        transaction.set_rollback(True)


def error_shape(ctx, response, case):
    """Every 4xx answer is the platform's typed error ``{"code", "message", "fields"}``."""
    if 400 <= response.status_code < 500:
        body = response.json()
        assert isinstance(body, dict), f"{response.status_code}: error body is not an object: {body!r}"
        assert isinstance(body.get("code"), str) and body["code"], f"no error code: {body!r}"
        assert isinstance(body.get("message"), str) and body["message"], f"no error message: {body!r}"
        assert isinstance(body.get("fields"), dict), f"no error fields object: {body!r}"
    return None


def anonymous_is_refused(ctx, response, case):
    """A signed-in operation called without a session or token, with any input, is the typed 401:
    authentication is decided before the input is read. (The coverage phase also sends methods the
    path does not have: those are the typed 405, checked by ``error_shape``.)"""
    if case.method.upper() != case.operation.method.upper():
        return None
    assert response.status_code == 401, (
        f"anonymous {case.method} {case.formatted_path}: {response.status_code}"
    )
    assert response.json()["code"] == "unauthenticated"
    return None


@pytest.mark.parametrize("role", ["citizen", "officer", "anonymous"])
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_conform_and_never_fail(case, role, tokens, db):
    assume(not STATIC_SEGMENTS & {str(v) for v in (case.path_parameters or {}).values()})
    headers = {"Authorization": f"Bearer {tokens[role]}"} if tokens[role] else {}
    checks = [error_shape]
    if role == "anonymous" and case.operation.definition.raw.get("security"):
        checks.append(anonymous_is_refused)
    case.call_and_validate(headers=headers, checks=CHECKS, additional_checks=checks)


@schema.include(path_regex="^/api/v1/tasks").parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_task_api_as_a_leader_who_may_act(case, tokens, db):
    """The task endpoints again as a leader of the lead agency, so generated input reaches the
    actions (assign, act, report) rather than stopping at the permission check."""
    assume(not STATIC_SEGMENTS & {str(v) for v in (case.path_parameters or {}).values()})
    case.call_and_validate(
        headers={"Authorization": f"Bearer {tokens['leader']}"},
        checks=CHECKS,
        additional_checks=[error_shape],
    )
