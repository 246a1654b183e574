from django.core.management.base import BaseCommand, CommandError

from thudo.core import actions
from thudo.core.models import ApiToken, User


class Command(BaseCommand):
    help = "Create (or with --revoke PREFIX, revoke) a bearer token for an integration account."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="integration")
        parser.add_argument("--revoke", metavar="PREFIX", help="revoke the token starting with PREFIX")

    def handle(self, *args, **opts):
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng {opts['username']}")
        if opts["revoke"]:
            tokens = ApiToken.objects.filter(
                user=user, prefix__startswith=opts["revoke"][:12], revoked_at=None
            )
            if not tokens:
                raise CommandError("Không tìm thấy mã truy cập đang hiệu lực với tiền tố đó.")
            for token in tokens:
                actions.revoke_api_token(token)
            self.stdout.write(f"Revoked {len(tokens)} token(s).")
            return
        _token, raw = actions.create_api_token(user, name=opts["name"])
        self.stdout.write(raw)
