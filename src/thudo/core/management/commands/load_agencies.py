from django.core.management.base import BaseCommand

from thudo.core import actions
from thudo.core.progress import Bar


class Command(BaseCommand):
    help = "Load Hanoi's agencies (city, departments, commune People's Committees). Idempotent."

    def handle(self, *args, **opts):
        counts = actions.load_agencies(progress=Bar(self.stderr._out))
        self.stdout.write(f"{counts['created']} created, {counts['updated']} updated")
