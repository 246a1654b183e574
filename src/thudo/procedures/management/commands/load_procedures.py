from django.core.management.base import BaseCommand

from thudo.core.progress import Bar
from thudo.procedures import seed


class Command(BaseCommand):
    help = "Load (idempotently) and publish Hanoi's procedure catalogue from JSON."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=None, help=f"JSON file (default {seed.DEFAULT_FILE})")

    def handle(self, *args, **opts):
        result = seed.load_file(opts["file"], progress=Bar(self.stderr._out))
        self.stdout.write(f"{result.created} loaded, {result.unchanged} unchanged")
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
