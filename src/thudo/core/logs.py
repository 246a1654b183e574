"""Structured logs: one JSON object per line, a request id on every line, personal identifiers
masked (ADR 0013).

Every log record — the platform's own ``structlog`` events and the standard-library records of
Django, gunicorn and the libraries — goes through :func:`processors` and leaves as a JSON line
(``THUDO_LOG_FORMAT=console`` for a person reading a terminal). The request id is bound by
:class:`thudo.core.middleware.RequestIdMiddleware` for the duration of a request, travels with
every task the request queues (:mod:`thudo.core.tasks_backend`), is bound again in the worker
while that task runs, and is written into the audit records the request or the task appends.
The catalogue of events is in docs/operations.md ("Logs").
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import MutableMapping
from typing import Any

import structlog

# Personal identifiers (Decree 13/2023/NĐ-CP): never in a log line.
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])[\w.+-]*@([\w-]+\.)+[\w-]{2,}")
_CCCD = re.compile(r"(?<!\d)\d{12}(?!\d)")  # citizen identity card number (12 digits)
_PHONE = re.compile(r"(?<![\d+])(?:\+84|84|0)(?:[\s.-]?\d){9}(?!\d)")  # Vietnamese mobile/landline

#: Keys whose values are identifiers of the platform, not of a person (never masked).
_KEEP = frozenset({"request_id", "task_id", "worker_id", "timestamp", "logger", "level", "event"})


def mask(text: str) -> str:
    """``text`` with e-mail addresses, 12-digit identity numbers and phone numbers masked."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@***", text)
    text = _CCCD.sub(lambda m: m.group(0)[:3] + "*" * 9, text)
    return _PHONE.sub(lambda m: "*" * (len(m.group(0)) - 3) + m.group(0)[-3:], text)


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, int) and not isinstance(value, bool) and len(str(value)) in (10, 11, 12):
        return mask(str(value))
    if isinstance(value, dict):
        return {k: _mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_value(v) for v in value]
    return value


def mask_personal(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: mask personal identifiers in every value (the message included)."""
    for key, value in list(event_dict.items()):
        if key not in _KEEP or key == "event":
            event_dict[key] = _mask_value(value)
    return event_dict


def new_request_id() -> str:
    return uuid.uuid4().hex


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def valid_request_id(value: str) -> bool:
    """An id a trusted proxy may hand over in ``X-Request-ID`` (nginx's ``$request_id``)."""
    return bool(_REQUEST_ID.match(value))


def current_request_id() -> str:
    """The request id bound in this context (a request, or a task a request queued); ``""``."""
    return str(structlog.contextvars.get_contextvars().get("request_id") or "")


def bind(**values: Any) -> None:
    structlog.contextvars.bind_contextvars(**values)


def unbind(*keys: str) -> None:
    structlog.contextvars.unbind_contextvars(*keys)


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)


def _shared() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        mask_personal,
    ]


def configure() -> None:
    """structlog's own loggers hand their events to the standard library's logging, whose
    formatter (:func:`formatter`) renders every record, theirs and the libraries', the same way."""
    structlog.configure(
        processors=[*_shared(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def formatter(fmt: str = "json") -> dict[str, Any]:
    """A ``LOGGING`` formatter entry: JSON lines (``json``) or coloured columns (``console``)."""
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=False)
        if fmt == "console"
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        "foreign_pre_chain": _shared(),
    }


def logging_config(*, level: str | None, fmt: str) -> dict[str, Any]:
    """Django's ``LOGGING``: everything to standard error through one structlog formatter. The
    platform's loggers (``thudo.*``) log at INFO unless ``THUDO_LOG_LEVEL`` says otherwise; the
    libraries at WARNING."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": formatter(fmt)},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level or "WARNING"},
        "loggers": {
            "thudo": {"level": level or "INFO"},
            "django_tasks_db": {"level": level or "INFO"},
            # A failed readiness check is the answer of /readyz, not a warning with a traceback
            # at every probe; an unexpected error in a check is still logged.
            "health_check": {"level": "ERROR"},
        },
    }


logging.getLogger("thudo").addHandler(logging.NullHandler())
