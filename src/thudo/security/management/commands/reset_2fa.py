from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from thudo.core.errors import DomainError
from thudo.security import actions


class Command(BaseCommand):
    help = (
        "Remove an official's second-factor devices and lift the lock (the official sets up a new "
        "authenticator app at the next sign-in). --by names the city admin doing it (audited)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--by", required=True, help="username of the city admin")

    def handle(self, *args, username, by, **opts):
        users = get_user_model().objects
        try:
            person = users.get(username=username)
            admin = users.get(username=by)
        except users.model.DoesNotExist as exc:
            raise CommandError(f"No such user: {exc}") from exc
        try:
            actions.reset_second_factor(person, by=admin)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Two-factor authentication reset for {username}.")
