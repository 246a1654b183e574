"""The ``thudo`` command: this project's django-admin.

Every Django management command (``thudo migrate``, ``thudo runserver``, ``thudo db_worker``...)
plus the platform's own (``thudo demo``, ``thudo load_units``, ``thudo due``, ``thudo audit_verify``...).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thudo.conf.settings")
    if sys.argv[1:2] == ["demo"]:
        # The demo chooses the simulated payment gateway (it confirms every payment) explicitly;
        # anywhere else the gateway must be chosen (THUDO_PAYMENT_GATEWAY, thudo.dossiers.payments).
        os.environ.setdefault("THUDO_PAYMENT_GATEWAY", "simulated")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
