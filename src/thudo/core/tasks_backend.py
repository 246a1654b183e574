"""The task backend: django-tasks-db's, with the request id travelling with each task.

A task queued while a request is served (or while another task runs) carries the request id in
its row (``args_kwargs["context"]``, beside the arguments, never passed to the task). The worker
binds it again while the task runs (:func:`task_started`), so the log lines of a request and of
the tasks it queued share one ``request_id``, and so do the audit records they append
(ADR 0013). The same handlers time each run (``thudo_task_*`` metrics) and log
``task.started`` / ``task.finished``.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import structlog
from django.tasks.signals import task_finished, task_started
from django_tasks_db import backend
from django_tasks_db.compat import normalize_json

from thudo.core import logs, metrics

log = logs.get_logger("thudo.tasks")


def _args_kwargs(args: Any, kwargs: Any) -> dict[str, Any]:
    data: dict[str, Any] = dict(normalize_json({"args": args, "kwargs": kwargs}))  # type: ignore[arg-type]
    request_id = logs.current_request_id()
    if request_id:
        data["context"] = {"request_id": request_id}
    return data


def _model() -> Any:
    # Imported when a task is queued, never at start: @task() builds this backend while the apps
    # are still loading (the library defers the import for the same reason).
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult


class DatabaseBackend(backend.DatabaseBackend):
    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> Any:
        DBTaskResult = _model()  # noqa: N806
        return DBTaskResult.objects.create(
            id=self._get_id(),
            args_kwargs=_args_kwargs(args, kwargs),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )

    async def _atask_to_db_task(self, task: Any, args: Any, kwargs: Any) -> Any:
        DBTaskResult = _model()  # noqa: N806
        return await DBTaskResult.objects.acreate(
            id=self._get_id(),
            args_kwargs=_args_kwargs(args, kwargs),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )


def _context(task_result: Any) -> dict[str, Any]:
    db_result = getattr(task_result, "db_result", None)
    data = getattr(db_result, "args_kwargs", None) or {}
    context = data.get("context") if isinstance(data, dict) else None
    return context if isinstance(context, dict) else {}


_bound: ContextVar[Any] = ContextVar("thudo_task_bound", default=None)


def on_task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    # A task run inside a request (the immediate backend of some tests) keeps that request's id.
    request_id = (
        str(_context(task_result).get("request_id") or "")
        or logs.current_request_id()
        or logs.new_request_id()
    )
    tokens = structlog.contextvars.bind_contextvars(
        request_id=request_id, task_id=str(task_result.id), task=task_result.task.name
    )
    _bound.set(tokens)
    if task_result.enqueued_at and task_result.started_at:
        wait = (task_result.started_at - task_result.enqueued_at).total_seconds()
        metrics.TASK_WAIT_SECONDS.labels(task=task_result.task.name).observe(max(wait, 0.0))
    log.info("task.started", queue=task_result.task.queue_name)


def on_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    status = str(getattr(task_result.status, "value", task_result.status)).lower()
    run = None
    if task_result.started_at and task_result.finished_at:
        run = max((task_result.finished_at - task_result.started_at).total_seconds(), 0.0)
        metrics.TASK_RUN_SECONDS.labels(task=task_result.task.name, status=status).observe(run)
    log.info("task.finished", status=status, duration_ms=None if run is None else round(run * 1000, 1))
    tokens = _bound.get()
    if tokens:
        structlog.contextvars.reset_contextvars(**tokens)
        _bound.set(None)


def connect() -> None:
    """Called from the core app's ``ready``: the worker process binds and times every task."""
    task_started.connect(on_task_started, dispatch_uid="thudo.tasks.started")
    task_finished.connect(on_task_finished, dispatch_uid="thudo.tasks.finished")
