"""``thudo remove_orphan_files``: delete stored files that no row references (see core/orphans.py).

Run it daily from cron (or enqueue ``thudo.core.orphans.remove_orphan_files_task``). Files younger
than the grace period (``--grace-hours``, default ``THUDO["ORPHAN_GRACE_HOURS"]`` or 24) are kept,
so uploads whose transaction is still running are never removed.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from thudo.core.orphans import remove_orphans


class Command(BaseCommand):
    help = "Xóa các tệp đã lưu mà không còn bản ghi nào tham chiếu (sau thời gian chờ)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=None,
            help="Chỉ xóa tệp cũ hơn số giờ này (mặc định 24).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không xóa.")

    def handle(self, *args, grace_hours, dry_run, **options):
        if grace_hours is not None and grace_hours < 0:
            raise CommandError("--grace-hours phải không âm.")
        grace = timedelta(hours=grace_hours) if grace_hours is not None else None
        report = remove_orphans(grace=grace, dry_run=dry_run)
        for name in report.removed:
            self.stdout.write(f"{'would remove' if dry_run else 'removed'} {name}")
        self.stdout.write(report.summary())
