"""Personal identification numbers (số định danh cá nhân, the number on the CCCD card).

Structure (Decree 137/2015/NĐ-CP, art. 13; Circular 59/2021/TT-BCA, art. 7; kept by the
Law on Identification 26/2023/QH15): 12 digits = 3-digit code of the province where the
birth was registered (Hanoi ``001``) + 1 digit for century and sex + 2 digits of the birth
year + 6 random digits. The century/sex digit is ``2·(century − 20) + (0 male, 1 female)``:
0/1 for people born 1900–1999, 2/3 for 2000–2099, 4/5 for 2100–2199, 6/7 for 2200–2299,
8/9 for 2300–2399.

Province codes are the 63 pre-2025 GSO province codes written on three digits (the number
stays the same after the 2025 merger of provinces). Identification numbers are personal
data (Decree 13/2023/NĐ-CP): lists, logs and exports show them masked (:func:`mask_pin`).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import NamedTuple

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from vietnam_provinces.legacy import Province

from thudo.core.errors import InvalidInput

PIN_LENGTH = 12
MALE = "male"
FEMALE = "female"
FIRST_YEAR = 1900
LAST_YEAR = 2399


class DecodedPin(NamedTuple):
    province_code: str
    sex: str
    birth_year: int


@cache
def province_codes() -> frozenset[str]:
    """The 63 legacy provinces' GSO codes on three digits (``001`` Hà Nội ... ``096`` Cà Mau)."""
    return frozenset(f"{int(p.code):03d}" for p in Province.iter_all())


def century_sex_digit(birth_year: int, sex: str) -> str:
    if not FIRST_YEAR <= birth_year <= LAST_YEAR:
        raise ValueError(f"birth year {birth_year} outside {FIRST_YEAR}–{LAST_YEAR}")
    return str(2 * (birth_year // 100 - 19) + (1 if sex == FEMALE else 0))


def compose_pin(*, province_code: str = "001", birth_year: int, sex: str, serial: int) -> str:
    """Build a structurally valid number (demo data and tests)."""
    return (
        f"{province_code}{century_sex_digit(birth_year, sex)}{birth_year % 100:02d}{serial % 1_000_000:06d}"
    )


def _error(message: str) -> InvalidInput:
    return InvalidInput(message, fields={"pin": message})


def _structure(pin: str | None) -> str:
    """Trimmed number after the checks of form: present, digits only, 12 long, known province."""
    pin = (pin or "").strip()
    if not pin:
        raise _error(_("Cần nhập số định danh cá nhân (số CCCD)."))
    if not pin.isascii() or not pin.isdigit():
        raise _error(_("Số định danh cá nhân chỉ gồm chữ số, không có chữ cái hay dấu cách."))
    if len(pin) != PIN_LENGTH:
        raise _error(
            _("Số định danh cá nhân phải có đúng %(n)d chữ số (bạn đã nhập %(got)d).")
            % {"n": PIN_LENGTH, "got": len(pin)}
        )
    if pin[:3] not in province_codes():
        raise _error(
            _("Mã tỉnh nơi đăng ký khai sinh “%(code)s” (3 chữ số đầu) không tồn tại.") % {"code": pin[:3]}
        )
    return pin


def decode_pin(pin: str) -> DecodedPin:
    """(province code, sex, birth year) read from a structurally valid number."""
    pin = _structure(pin)
    digit = int(pin[3])
    year = 1900 + 100 * (digit // 2) + int(pin[4:6])
    return DecodedPin(pin[:3], FEMALE if digit % 2 else MALE, year)


def validate_pin(pin: str | None, *, birth_date: date | None = None, sex: str | None = None) -> str:
    """Check the number's structure and, when given, that it agrees with the date of birth and sex.

    Returns the trimmed number; raises :class:`InvalidInput` (field ``pin``) with a message
    that tells the person what to correct.
    """
    decoded = decode_pin(pin)
    if birth_date is not None and decoded.birth_year != birth_date.year:
        raise _error(
            _(
                "Số định danh cá nhân không khớp với năm sinh %(year)d: chữ số thứ 4 đến 6 "
                "cho biết năm sinh %(pin_year)d."
            )
            % {"year": birth_date.year, "pin_year": decoded.birth_year}
        )
    if sex in (MALE, FEMALE) and decoded.sex != sex:
        raise _error(
            _("Số định danh cá nhân không khớp với giới tính: chữ số thứ 4 cho biết giới tính %(sex)s.")
            % {"sex": _("nam") if decoded.sex == MALE else _("nữ")}
        )
    return pin.strip()


def mask_pin(pin: str | None) -> str:
    """Keep the first 3 and last 3 digits: ``001******789``. For lists, logs and exports."""
    pin = (pin or "").strip()
    if len(pin) <= 6:
        return "*" * len(pin)
    return pin[:3] + "*" * (len(pin) - 6) + pin[-3:]


def pin_hash(pin: str) -> str:
    """Keyed (salted with the secret key) hash of a number: an erased record can be recognised
    from the number, the number cannot be read back from the record."""
    return salted_hmac("thudo.identity.erased-pin", pin, algorithm="sha256").hexdigest()
