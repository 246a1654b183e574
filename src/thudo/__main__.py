"""The ``thudo`` command: this project's django-admin.

Every Django management command (``thudo migrate``, ``thudo runserver``, ``thudo db_worker``...)
plus the platform's own (``thudo demo``, ``thudo load_units``, ``thudo due``, ``thudo audit_verify``...).
"""

import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thudo.conf.settings")
    if sys.argv[1:2] == ["demo"]:
        # The demo chooses the simulated payment gateway (it confirms every payment) explicitly;
        # anywhere else the gateway must be chosen (THUDO_PAYMENT_GATEWAY, thudo.dossiers.payments).
        os.environ.setdefault("THUDO_PAYMENT_GATEWAY", "simulated")
    if sys.argv[1:2] in (["serve"], ["worker"]):
        # Several processes count into one directory per host, read back by /metrics (ADR
        # 0013); it must be known before prometheus_client is first imported.
        data_dir = Path(os.environ.get("THUDO_DATA_DIR", "var")).resolve()
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(data_dir / "metrics"))
        Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
