"""``thudo feedback_reminders``: remind officials of report deadlines that are near (cron)."""

from django.core.management.base import BaseCommand

from thudo.feedback import actions


class Command(BaseCommand):
    help = "Nhắc hạn tiếp nhận và xử lý phản ánh (2 giờ làm việc trước hạn)."

    def handle(self, *args, **options) -> None:
        sent = actions.send_reminders()
        self.stdout.write(f"{sent} lời nhắc")
