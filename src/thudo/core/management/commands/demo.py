"""``thudo demo``: a working city in one command.

Creates the data directory, migrates the embedded database, loads Hanoi's reference data and
every app's demo content (``thudo.core.demosite``), prints the demo accounts and serves the
platform, with the background worker (``thudo db_worker``, a supervised child process) and the
schedule (``thudo.core.schedule``: reminders, outbox delivery, KPI roll-up and publication)
running beside it. The months of demo history are loaded by a second worker while the site is
already up. Ctrl-C (SIGINT) or SIGTERM stops the server, the workers and the scheduler. Running
it again keeps the data and creates no duplicates.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import socketserver
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer, get_internal_wsgi_application

from thudo.core import demosite, schedule
from thudo.core.progress import Bar


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Set up (idempotently) and serve the platform with Hanoi's data and demo accounts, with the "
        "background worker and the schedule."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--no-serve", action="store_true", help="set up only, do not start the server")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not run the background worker and the schedule beside the server",
        )

    def say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def handle(self, *args, **opts):
        if not os.environ.get("THUDO_PUBLIC_BASE_URL"):
            # Papers made now (demo data) and later (no request in the worker) carry QR codes and
            # links to this server, whatever port it listens on.
            settings.THUDO["PUBLIC_BASE_URL"] = self.public_base_url(opts["host"], opts["port"])
        # Progress reaches a pipe or a log file line by line, not when the buffer fills.
        for stream in (sys.stdout, sys.stderr):
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(line_buffering=True)
        serve, worker = not opts["no_serve"], not (opts["no_serve"] or opts["no_worker"])
        if serve:
            self._check_port(opts["host"], int(opts["port"]))
        began = time.monotonic()
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.say(self.style.MIGRATE_HEADING(f"Thư mục dữ liệu: {settings.DATA_DIR}"))
        call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
        self.say(f"  Cơ sở dữ liệu: đã cập nhật ({time.monotonic() - began:.0f} s)")
        bar = Bar(self.stderr._out)
        accounts = demosite.load_now(progress=bar, stdout=self.stdout, heading=self.style.MIGRATE_HEADING)
        if worker:
            demosite.queue_history()
        else:
            demosite.load_later(progress=bar, stdout=self.stdout, heading=self.style.MIGRATE_HEADING)
        # No collectstatic: WhiteNoise serves the apps' static files directly (finders), which
        # saved a minute and more of compressing every file on the first start.
        self.say(self.style.SUCCESS("\nTài khoản mẫu (demo accounts):"))
        for username, password, role in accounts:
            self.say(f"  {username:<22} {password:<18} {role}")
        if not serve:
            return
        base = self.public_base_url(opts["host"], opts["port"])
        self.supervisor, self.scheduler = None, None
        # Ctrl-C and SIGTERM stop everything, also when SIGINT was ignored by whoever started
        # us (a background job of a non-interactive shell inherits SIGINT ignored).
        previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            if worker:
                self._start_background(base)
            # The socket listens before the line below is printed: whoever waits for that line
            # (a person, a test, a script) can connect at once (runserver bound it only later).
            httpd = self._listen(opts["host"], int(opts["port"]))
            self.say(
                self.style.SUCCESS(
                    f"\nThủ đô số đang chạy tại {base}/  (Ctrl+C để dừng) — "
                    f"sẵn sàng sau {time.monotonic() - began:.0f} s"
                )
            )
            self.say(f"Thư điện tử của bản demo: {base}/hop-thu/ (đăng nhập; admin xem mọi thư)")
            if worker:
                self.say("Dữ liệu lịch sử (hồ sơ các tháng trước, chỉ số KPI) đang được nạp trong nền.")
            else:
                self.say("Không có tiến trình nền (--no-worker): chạy `thudo db_worker` và lịch định kỳ.")
            try:
                httpd.serve_forever()
            finally:
                httpd.server_close()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            if self.scheduler is not None:
                self.scheduler.shutdown(wait=False)
            if self.supervisor is not None:
                self.supervisor.stop()
            with contextlib.suppress(OSError):  # the terminal or pipe may be gone already
                self.say("Đã dừng máy chủ, tiến trình nền và lịch định kỳ.")
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    @staticmethod
    def _listen(host: str, port: int) -> WSGIServer:
        """Django's development server (threaded, as runserver runs it), bound and listening.
        Static files are served by WhiteNoise from the apps' folders (no collectstatic)."""
        server = type("DemoServer", (socketserver.ThreadingMixIn, WSGIServer), {"daemon_threads": True})
        try:
            httpd = server((host, port), WSGIRequestHandler, ipv6=":" in host)
        except OSError as exc:
            raise CommandError(f"Không dùng được cổng {host}:{port}: {exc.strerror}") from exc
        httpd.set_app(get_internal_wsgi_application())
        return httpd

    def _check_port(self, host: str, port: int) -> None:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
            try:
                sock.bind((host, port))
            except OSError as exc:
                raise CommandError(f"Không dùng được cổng {host}:{port}: {exc.strerror}") from exc

    def _start_background(self, base: str) -> None:
        python = [sys.executable, "-m", "thudo", "db_worker", "--no-reload", "--no-startup-delay"]
        self.supervisor = demosite.Supervisor(
            [
                demosite.Child("Tiến trình nền (db_worker)", [*python, "--worker-id", f"demo-{os.getpid()}"]),
                demosite.Child(
                    "Nạp dữ liệu lịch sử (db_worker --queue-name demo)",
                    [*python, "--queue-name", demosite.HISTORY_QUEUE, "--batch"],
                    once=True,
                    on_exit=demosite.history_ended,
                ),
            ],
            log=settings.DATA_DIR / "worker.log",
            say=self.say,
            # Links in the e-mails the worker sends point to this demo's own address.
            env={"THUDO_PUBLIC_BASE_URL": os.environ.get("THUDO_PUBLIC_BASE_URL", base)},
        )
        self.supervisor.start()
        self.scheduler = schedule.scheduler()
        self.scheduler.start()
        for job in self.scheduler.get_jobs():
            self.say(f"Lịch định kỳ: {job.name}")

    @staticmethod
    def public_base_url(host: str, port: str) -> str:
        """``http://host:port``; a server listening on every interface is reached at 127.0.0.1."""
        if host in ("0.0.0.0", "::", ""):  # noqa: S104 (a name for "every interface", not a bind)
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}"
