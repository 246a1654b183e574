from django.core.management.base import BaseCommand

from thudo.opendata import actions


class Command(BaseCommand):
    help = "Re-publish the live open datasets (units, procedure catalogue, rankings ...) from the data."

    def handle(self, *args, **opts):
        published = actions.refresh_live()
        self.stdout.write(f"Refreshed {len(published)} live dataset(s).")
