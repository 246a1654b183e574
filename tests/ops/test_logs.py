"""Structured logs: JSON lines; one request id shared by a request, the tasks it queued (run
later by the worker) and the audit records they wrote; personal identifiers masked."""

from __future__ import annotations

import io
import json
import logging

import pytest
import structlog
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests import factories_dossiers as fd
from thudo.core import logs
from thudo.core.models import AuditRecord


@pytest.fixture
def lines():
    """Every line the platform's loggers write while the test runs, parsed from JSON."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    config = logs.formatter("json")
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(**{k: v for k, v in config.items() if k != "()"})
    )
    loggers = [logging.getLogger(name) for name in ("thudo", "django_tasks_db")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("CCCD 001203004567 của người nộp", "CCCD 001********* của người nộp"),
        ("gọi 0912345678 hoặc +84 912 345 678", "gọi *******678 hoặc ************678"),
        ("thư tới nguyen.van.a@example.vn", "thư tới n***@***"),
        (
            "hồ sơ 000.00.01.H26-260101-0001 lúc 2026-01-01T08:00",
            "hồ sơ 000.00.01.H26-260101-0001 lúc 2026-01-01T08:00",
        ),
    ],
)
def test_personal_identifiers_are_masked(text, masked):
    assert logs.mask(text) == masked


def test_a_log_line_is_json_with_the_bound_request_id_and_masked_values(lines):
    structlog.contextvars.bind_contextvars(request_id="abc123def456")
    try:
        logs.get_logger("thudo.test").info("person.called", phone="0912345678", note="a@b.vn gọi")
        logging.getLogger("thudo.test.stdlib").warning("gửi tới %s", "nguoidan@example.vn")
    finally:
        structlog.contextvars.unbind_contextvars("request_id")
    first, second = lines()
    assert first["event"] == "person.called" and first["request_id"] == "abc123def456"
    assert first["phone"] == "*******678" and first["note"] == "a***@*** gọi"
    assert first["level"] == "info" and first["logger"] == "thudo.test" and first["timestamp"]
    assert second["event"] == "gửi tới n***@***" and second["request_id"] == "abc123def456"


@pytest.mark.django_db(transaction=True)
def test_a_request_and_the_task_it_queued_share_one_request_id(client, lines):
    w = fd.world()
    d = fd.submit(w)
    DBTaskResult.objects.all().delete()
    client.force_login(w.reception)

    response = client.post(
        f"/api/v1/dossiers/{d.code}/receive", {"note": ""}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    request_id = response["X-Request-ID"]

    queued = list(DBTaskResult.objects.all())
    assert queued, "receiving a dossier queues work for the worker (KPI refresh, the applicant's e-mail)"
    assert {t.args_kwargs["context"]["request_id"] for t in queued} == {request_id}
    assert (
        AuditRecord.objects.filter(verb__startswith="dossier.receive").values_list("request_id", flat=True)[0]
        == request_id
    )

    DBTaskResult.objects.update(run_after=timezone.now())  # the KPI refresh waits 10 s otherwise
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    seen = lines()
    request_line = next(x for x in seen if x["event"] == "http.request")
    assert request_line["request_id"] == request_id and request_line["status"] == 200
    finished = [x for x in seen if x["event"] == "task.finished"]
    assert len(finished) == len(queued)
    assert {x["request_id"] for x in finished} == {request_id}
    assert {x["status"] for x in finished} == {"successful"}


def test_an_incoming_request_id_is_kept_only_from_a_trusted_proxy(client, settings):
    from django.test import override_settings

    forged = client.get("/healthz", HTTP_X_REQUEST_ID="forged-by-a-visitor")
    assert forged["X-Request-ID"] != "forged-by-a-visitor"
    with override_settings(THUDO={**settings.THUDO, "TRUSTED_PROXIES": ["127.0.0.1"]}):
        kept = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-0123456789abcdef")
    assert kept["X-Request-ID"] == "nginx-0123456789abcdef"
