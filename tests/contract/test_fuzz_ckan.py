"""Fuzzing of the CKAN-compatible Action API (``/api/3/action/<name>``), which is outside the
OpenAPI contract (ADR 0015): for every action, anonymous and with an editor's token, GET and JSON
POST bodies of arbitrary shape. Every answer must be CKAN's envelope (``success`` and, on
failure, an ``error`` dict with ``__type`` or ``message``), never a server error.

Bounded and derandomized like test_fuzz_api.py (``THUDO_FUZZ_EXAMPLES``, default 5)."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories_opendata as fo
from thudo.core import actions as core_actions
from thudo.opendata.ckan_api import ACTIONS

EXAMPLES = int(os.environ.get("THUDO_FUZZ_EXAMPLES", "5"))
KEYS = [
    "id", "name", "title", "notes", "owner_org", "tags", "groups", "private", "resources", "q", "fq",
    "rows", "start", "sort", "facet.field", "facet.limit", "include_private", "limit", "offset",
    "all_fields", "package_id", "url", "format", "schema", "extras", "license_id", "frequency",
    "temporal_start", "maintainer_email",
]  # fmt: skip
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False), st.text(max_size=40)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
bodies = st.dictionaries(st.sampled_from(KEYS), values, max_size=6)


@pytest.fixture
def token(db):
    org = fo.organisation()
    fo.dataset(org, name="mau", tags=[{"name": "mẫu"}])
    _t, raw = core_actions.create_api_token(fo.editor(org), name="fuzz", by=None)
    return raw


def check(answer):
    assert answer.status_code < 500, answer.content[:500]
    body = answer.json()
    assert isinstance(body.get("success"), bool)
    if not body["success"]:
        assert isinstance(body["error"], dict) and ("__type" in body["error"] or "message" in body["error"])


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_no_input_breaks_an_action(client, token, action):
    @settings(
        max_examples=EXAMPLES,
        derandomize=not os.environ.get("THUDO_FUZZ_RANDOM"),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(body=bodies, signed=st.booleans())
    def run(body, signed):
        headers = {"HTTP_AUTHORIZATION": token} if signed else {}
        check(
            client.post(
                f"/api/3/action/{action}", json.dumps(body), content_type="application/json", **headers
            )
        )
        query = {k: json.dumps(v) if not isinstance(v, str) else v for k, v in body.items()}
        check(client.get(f"/api/3/action/{action}", query, **headers))

    run()
