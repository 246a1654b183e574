from django.core.management.base import BaseCommand, CommandError

from thudo.core.errors import DomainError
from thudo.core.progress import Bar
from thudo.kpi import compute


class Command(BaseCommand):
    help = (
        "Roll up the monthly KPI facts. Without --period: catch up from the last completed month to the "
        "current one (resumes after a crash). With --period 2026-10 (or 2026-08..2026-10): redo those months."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="YYYY-MM or YYYY-MM..YYYY-MM")

    def handle(self, *args, **opts):
        bar = Bar(self.stderr)
        try:
            if opts["period"]:
                months = compute.parse_period(opts["period"])
                for m in months:
                    compute.rollup(m, progress=bar)
            else:
                months = compute.catch_up(progress=bar)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(" ".join(f"{m:%Y-%m}" for m in months))
