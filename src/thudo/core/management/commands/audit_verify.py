from django.core.management.base import BaseCommand, CommandError

from thudo.core import audit
from thudo.core.models import AuditRecord


class Command(BaseCommand):
    help = "Verify the audit hash chain; exit non-zero and name the first broken record."

    def handle(self, *args, **opts):
        breaks = audit.verify()
        first = next(breaks, None)
        if first is not None:
            raise CommandError(f"Audit chain broken at record #{first.seq}: {first.reason}")
        self.stdout.write(f"Audit chain intact: {AuditRecord.objects.count()} records.")
