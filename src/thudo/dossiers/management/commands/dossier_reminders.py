from django.core.management.base import BaseCommand

from thudo.dossiers import reminders


class Command(BaseCommand):
    help = (
        "Remind officials (in-app notice and e-mail through the outbox) about dossiers due within one "
        "working day and overdue dossiers. Safe to run several times a day: each official is told once "
        "per dossier, kind and day. Run from cron, e.g. on working days at 07:30 and 13:00."
    )

    def handle(self, *args, **opts):
        sent = reminders.send()
        self.stdout.write(f"due_soon={sent[reminders.DUE_SOON]} overdue={sent[reminders.OVERDUE]}")
