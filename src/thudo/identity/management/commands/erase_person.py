"""``thudo erase_person PIN --yes``: pseudonymise a person (right to erasure, Decree
13/2023/NĐ-CP, art. 16; Law 91/2025/QH15). Irreversible; audited."""

from django.core.management.base import BaseCommand, CommandError

from thudo.core.errors import DomainError
from thudo.identity import actions, queries
from thudo.identity.pins import mask_pin


class Command(BaseCommand):
    help = "Erase (pseudonymise) a person's data, by personal identification number."

    def add_arguments(self, parser):
        parser.add_argument("pin", help="số định danh cá nhân (12 chữ số)")
        parser.add_argument("--yes", action="store_true", help="confirm: erasure cannot be undone")

    def handle(self, *args, **opts):
        if not opts["yes"]:
            raise CommandError("Xóa dữ liệu không thể hoàn tác. Thêm --yes để xác nhận.")
        try:
            citizen = queries.for_operator(opts["pin"])
            citizen = actions.erase_person(citizen, by=None)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        masked = mask_pin(opts["pin"].strip())
        self.stdout.write(
            self.style.SUCCESS(f"Đã xóa dữ liệu cá nhân của công dân #{citizen.pk} ({masked}).")
        )
