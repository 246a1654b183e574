"""Dossier codes and lookup secrets.

Code format (Circular 03/2025/TT-VPCP; domain-rules §3): ``<receiving agency's electronic
identifier>-<YYMMDD>-<daily sequence>``, i.e. ``V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX`` (identifier
per QCVN 102:2016/BTTTT and Decision 20/2020/QĐ-TTg), e.g. ``000.00.12.H26-261121-0007``. The
sequence restarts daily per receiving agency (date in Asia/Ho_Chi_Minh), has at least four digits
and never repeats under concurrent submissions (row lock on :class:`DailySequence`).

Nationally centralised services use ``MX1X2.Y1Y2Y3.Z1Z2-YYMMDD-AAXXXX`` (Circular 04/2025, from
25 January 2026); a deployment that needs it sets ``THUDO["DOSSIER_CODE_FORMAT"]`` (placeholders:
``{agency}``, ``{yymmdd}``, ``{seq}``, ``{seq4}`` = sequence padded to four digits).
"""

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from thudo.core.config import config
from thudo.core.workcalendar import HCM
from thudo.dossiers.models import DailySequence

DEFAULT_CODE_FORMAT = "{agency}-{yymmdd}-{seq4}"

SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 (an alphabet, not a password)
"""No 0/O, 1/I: the secret is printed on the receipt and typed by hand."""
SECRET_LENGTH = 8


def code_format() -> str:
    return config().dossier_code_format or DEFAULT_CODE_FORMAT


def next_sequence(agency, day) -> int:
    """The next number of ``agency`` on ``day``; call inside the caller's transaction."""
    with transaction.atomic():
        updated = DailySequence.objects.filter(agency=agency, day=day).update(last_value=F("last_value") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    DailySequence.objects.create(agency=agency, day=day, last_value=1)
                    return 1
            except IntegrityError:
                # Somebody created today's row between our update and insert: use theirs.
                DailySequence.objects.filter(agency=agency, day=day).update(last_value=F("last_value") + 1)
        row = DailySequence.objects.select_for_update().get(agency=agency, day=day)
        return row.last_value


def new_code(agency, at: datetime) -> str:
    """Allocate the next dossier code of the receiving ``agency`` for the local date of ``at``."""
    day = at.astimezone(HCM).date()
    seq = next_sequence(agency, day)
    return code_format().format(agency=agency.code, yymmdd=day.strftime("%y%m%d"), seq=seq, seq4=f"{seq:04d}")


def new_secret() -> str:
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
