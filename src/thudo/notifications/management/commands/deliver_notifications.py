"""``thudo deliver_notifications``: send every outbox message that is due.

Run it from cron every minute, or as a small service with ``--every 60``. Delivery enqueued by
``notify`` normally happens at once through the task worker; this catches everything else
(retries when the task backend cannot defer, a lost enqueue, a worker that died mid-send).
"""

import time

from django.core.management.base import BaseCommand

from thudo.notifications.tasks import deliver_all_due


class Command(BaseCommand):
    help = "Gửi các thông báo đến hạn trong hàng đợi (chạy định kỳ bằng cron hoặc --every)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="Số thư tối đa mỗi lượt.")
        parser.add_argument(
            "--every", type=int, default=0, metavar="SECONDS", help="Chạy lặp lại sau mỗi SECONDS giây."
        )

    def handle(self, *args, limit: int, every: int, **options):
        while True:
            counts = deliver_all_due(limit=limit)
            self.stdout.write("sent={sent} failed={failed} dead={dead} skipped={skipped}".format(**counts))
            if every <= 0:
                return
            time.sleep(every)
