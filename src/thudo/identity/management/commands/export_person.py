"""``thudo export_person PIN``: everything the platform holds about a person, as JSON on stdout
(right of access, Decree 13/2023/NĐ-CP). The export is audited."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from thudo.core.errors import DomainError
from thudo.identity import actions, queries


class Command(BaseCommand):
    help = "Print a person's data as JSON (by personal identification number)."

    def add_arguments(self, parser):
        parser.add_argument("pin", help="số định danh cá nhân (12 chữ số)")

    def handle(self, *args, **opts):
        try:
            citizen = queries.for_operator(opts["pin"])
            data = actions.export_person(citizen, by=None)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
