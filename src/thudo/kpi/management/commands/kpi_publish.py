from django.core.management.base import BaseCommand, CommandError

from thudo.core.errors import DomainError
from thudo.kpi import actions, queries


class Command(BaseCommand):
    help = (
        "Publish the ranking of one month as an immutable snapshot (again: version + 1, --reason required)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--reason", default="", help="required when the month was already published")
        parser.add_argument("--set", default="", help="a ranked set's code (default: the Decision 766 index)")

    def handle(self, *args, **opts):
        try:
            chosen = queries.ranking_set(opts["set"]) if opts["set"] else None
            snap = actions.publish(opts["period"], by=None, reason=opts["reason"], set=chosen)
        except DomainError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {detail}".strip()) from exc
        self.stdout.write(f"{snap.period} v{snap.version}")
