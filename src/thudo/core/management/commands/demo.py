"""``thudo demo``: a working city in one command.

Creates the data directory, migrates the embedded database, loads Hanoi's reference data and
every app's demo content (``thudo.<app>.demo.load``), prints the demo accounts and serves the
platform. Running it again keeps the data and creates no duplicates.
"""

import importlib
import os

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from thudo.core.progress import Bar


class Command(BaseCommand):
    help = "Set up (idempotently) and serve the platform with Hanoi's data and demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--no-serve", action="store_true", help="set up only, do not start the server")

    def handle(self, *args, **opts):
        if not os.environ.get("THUDO_PUBLIC_BASE_URL"):
            # Papers made now (demo data) and later (no request in the worker) carry QR codes and
            # links to this server, whatever port it listens on.
            settings.THUDO["PUBLIC_BASE_URL"] = self.public_base_url(opts["host"], opts["port"])
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write(self.style.MIGRATE_HEADING(f"Thư mục dữ liệu: {settings.DATA_DIR}"))
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("  Cơ sở dữ liệu: đã cập nhật")
        bar = Bar(self.stderr._out)
        accounts: list[tuple[str, str, str]] = []
        for config in apps.get_app_configs():
            if not config.name.startswith("thudo."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            self.stdout.write(self.style.MIGRATE_HEADING(f"Dữ liệu mẫu: {config.verbose_name}"))
            accounts += module.load(progress=bar, stdout=self.stdout) or []
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS("\nTài khoản mẫu (demo accounts):"))
        for username, password, role in accounts:
            self.stdout.write(f"  {username:<22} {password:<18} {role}")
        if opts["no_serve"]:
            return
        url = self.public_base_url(opts["host"], opts["port"]) + "/"
        self.stdout.write(self.style.SUCCESS(f"\nThủ đô số đang chạy tại {url}  (Ctrl+C để dừng)"))
        call_command("runserver", f"{opts['host']}:{opts['port']}", use_reloader=False, insecure_serving=True)

    @staticmethod
    def public_base_url(host: str, port: str) -> str:
        """``http://host:port``; a server listening on every interface is reached at 127.0.0.1."""
        if host in ("0.0.0.0", "::", ""):  # noqa: S104 (a name for "every interface", not a bind)
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}"
