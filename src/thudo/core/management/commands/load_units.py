from django.core.management.base import BaseCommand, CommandError

from thudo.core import actions, refdata
from thudo.core.config import config
from thudo.core.progress import Bar


class Command(BaseCommand):
    help = "Load administrative units (2025 and legacy schemes) with the old-to-new mapping. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--province", action="append", help="GSO province code, e.g. 01 (repeatable)")
        parser.add_argument("--all", action="store_true", help="all provinces")

    def handle(self, *args, **opts):
        if opts["all"]:
            provinces = refdata.province_codes()
        else:
            provinces = [p.zfill(2) for p in (opts["province"] or [config().province_code])]
            known = set(refdata.province_codes())
            bad = [p for p in provinces if p not in known]
            if bad:
                raise CommandError(f"Mã tỉnh không tồn tại: {', '.join(bad)}")
        counts = actions.load_units(provinces=provinces, progress=Bar(self.stderr._out))
        self.stdout.write(f"{counts['units']} units, {counts['successions']} old-to-new links")
