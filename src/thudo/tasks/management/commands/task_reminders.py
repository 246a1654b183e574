from django.core.management.base import BaseCommand

from thudo.tasks import reminders


class Command(BaseCommand):
    help = (
        "Remind the lead person (or the lead unit's leaders) and the assigner of tasks due in "
        "THUDO_TASK_REMINDER_DAYS working days, due today, or overdue (every working day). Sends "
        "nothing on a day off; each reminder goes out once per task, kind, day and person."
    )

    def handle(self, *args, **opts):
        sent = reminders.send()
        self.stdout.write(" ".join(f"{kind}={n}" for kind, n in sent.items()))
