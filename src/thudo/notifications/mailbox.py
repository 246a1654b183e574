"""A mail backend for the demo and development: e-mails are kept in the database
(``MailboxMessage``) and read at /hop-thu/ instead of going to a mail server.

It is the default mailer when the platform is not served behind HTTPS (``THUDO_EMAIL_BACKEND``
chooses another, e.g. the console backend); production (``THUDO_HTTPS=1``) uses SMTP.
"""

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

from thudo.notifications import actions

PATH = "thudo.notifications.mailbox.MailboxBackend"


class MailboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        return actions.keep_in_mailbox(list(email_messages))


def enabled() -> bool:
    """Is the local mailbox where this platform's e-mail goes?"""
    return settings.MAILERS.get("default", {}).get("BACKEND") == PATH
