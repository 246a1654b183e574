"""gunicorn's configuration for ``thudo serve`` (``--config python:thudo.ops.gunicorn_conf``).

The command line of ``thudo serve`` sets the address and the workers; this file adds what a command
line cannot: the metrics directory shared by the workers, JSON lines for gunicorn's error and
access logs on standard error and output (the application's formatter, thudo.core.logs), the
request id in the access log (``THUDO_ACCESS_LOG=off``: no access log).
``kill -HUP <master>`` reloads gracefully: new workers with the new code start, the old ones
finish their requests; SIGTERM stops gracefully within ``graceful_timeout``.
"""

import os

from prometheus_client import multiprocess

from thudo.core import logs
from thudo.core.metrics import prepare_multiprocess_dir

wsgi_app = "thudo.conf.wsgi:application"
graceful_timeout = 30
# gunicorn's runtime control socket (one per user's home): not used, and two instances would clash.
control_socket_disable = True
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
# gunicorn's own loggers (its defaults, rendered as JSON lines; not passed on to the root logger,
# which would print every line twice).
logconfig_dict = {
    "formatters": {"generic": logs.formatter(os.environ.get("THUDO_LOG_FORMAT", "json").strip().lower())},
    "loggers": {
        "gunicorn.error": {
            "level": "INFO",
            "handlers": ["error_console"],
            "propagate": False,
            "qualname": "gunicorn.error",
        },
        "gunicorn.access": {
            "level": "WARNING" if os.environ.get("THUDO_ACCESS_LOG") == "off" else "INFO",
            "handlers": ["console"],
            "propagate": False,
            "qualname": "gunicorn.access",
        },
    },
}


def on_starting(server):  # type: ignore[no-untyped-def]
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        prepare_multiprocess_dir(directory)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
