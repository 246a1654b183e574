from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from thudo.core.api import compute_due
from thudo.core.errors import DomainError


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise CommandError(f"Không phải số: {value}") from exc


class Command(BaseCommand):
    help = "Print the due moment after a working-time duration (first line: ISO 8601 with offset)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--start", required=True, help="e.g. 2026-02-13T16:00 (Asia/Ho_Chi_Minh if no offset)"
        )
        parser.add_argument("--days", default="0", help="working days (8 working hours each)")
        parser.add_argument("--hours", default="0", help="working hours")
        parser.add_argument("--agency", help="agency code, for its office hours and overrides")
        parser.add_argument(
            "--cutoff", help="cut-off hour, e.g. 15:00: later arrivals count from the next day"
        )

    def handle(self, *args, **opts):
        try:
            result = compute_due(
                opts["start"],
                days=_decimal(opts["days"]),
                hours=_decimal(opts["hours"]),
                agency=opts["agency"],
                cutoff=opts["cutoff"],
            )
        except DomainError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {detail}".strip()) from exc
        self.stdout.write(result["due"].isoformat())
        self.stdout.write(f"Bắt đầu tính: {result['start_effective'].isoformat()}")
        self.stdout.write(f"Thời gian làm việc: {result['working_hours']:g} giờ")
        if result["skipped"]:
            self.stdout.write("Bỏ qua các ngày nghỉ:")
            for day in result["skipped"]:
                self.stdout.write(f"  {day['date'].isoformat()} {day['date']:%a}: {day['reason']}")
        else:
            self.stdout.write("Không có ngày nghỉ nào trong khoảng này.")
