"""Reference data sources: administrative units (vietnam-provinces) and Hanoi's agencies (JSON).

Pure readers; ``thudo.core.actions`` writes what they yield.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

from vietnam_provinces import Province, ProvinceCode, Ward
from vietnam_provinces.legacy import base as legacy

from thudo.core.models import Scheme, UnitLevel


@dataclass(frozen=True)
class UnitRow:
    scheme: str
    code: str
    name: str
    division_type: str
    level: str
    codename: str
    parent_code: str | None
    province_code: str


def _p(code: int) -> str:
    return f"{int(code):02d}"


def _d(code: int) -> str:
    return f"{int(code):03d}"


def _w(code: int) -> str:
    return f"{int(code):05d}"


def province_codes() -> list[str]:
    """Province codes of both schemes (legacy 63, 2025: 34)."""
    codes = {_p(p.code) for p in Province.iter_all()} | {_p(p.code) for p in legacy.Province.iter_all()}
    return sorted(codes)


def units_2025(province: str) -> Iterator[UnitRow]:
    try:
        p = Province.from_code(ProvinceCode(int(province)))
    except ValueError:
        return
    yield UnitRow(
        Scheme.Y2025,
        _p(p.code),
        p.name,
        str(p.division_type),
        UnitLevel.PROVINCE,
        p.codename,
        None,
        _p(p.code),
    )
    for w in Ward.iter_by_province(p.code):
        yield UnitRow(
            Scheme.Y2025,
            _w(w.code),
            w.name,
            str(w.division_type),
            UnitLevel.COMMUNE,
            w.codename,
            _p(p.code),
            _p(p.code),
        )


def units_legacy(province: str) -> Iterator[UnitRow]:
    matches = [p for p in legacy.Province.iter_all() if int(p.code) == int(province)]
    if not matches:
        return
    p = matches[0]
    yield UnitRow(
        Scheme.LEGACY,
        _p(p.code),
        p.name,
        str(p.division_type),
        UnitLevel.PROVINCE,
        p.codename,
        None,
        _p(p.code),
    )
    for d in legacy.District.iter_by_province(p.code):
        yield UnitRow(
            Scheme.LEGACY,
            _d(d.code),
            d.name,
            str(d.division_type),
            UnitLevel.DISTRICT,
            d.codename,
            _p(p.code),
            _p(p.code),
        )
    for w in legacy.Ward.iter_by_province(p.code):
        yield UnitRow(
            Scheme.LEGACY,
            _w(w.code),
            w.name,
            str(w.division_type),
            UnitLevel.COMMUNE,
            w.codename,
            _d(w.district_code),
            _p(p.code),
        )


def successions(province: str) -> Iterator[tuple[str, str, str, bool]]:
    """(level, legacy code, 2025 code, partial) for the legacy units of ``province``.

    Communes from the official conversion table (a legacy commune split across several new ones
    yields one row per new commune, ``partial=True``); provinces from the province table.
    """
    from vietnam_provinces._province_conversion_2025 import OLD_TO_NEW as PROVINCE_OLD_TO_NEW
    from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW as WARD_OLD_TO_NEW

    pint = int(province)
    entry = PROVINCE_OLD_TO_NEW.get(pint)
    if entry is not None:
        multiple = len(entry.new_provinces) > 1
        for new in entry.new_provinces:
            yield UnitLevel.PROVINCE, _p(pint), _p(new.code), multiple
    for old_code, e in WARD_OLD_TO_NEW.items():
        if e.old_ward.province_code != pint:
            continue
        for new in e.new_wards:
            yield (
                UnitLevel.COMMUNE,
                _w(old_code),
                _w(new.code),
                bool(e.old_ward.is_partly_merged or len(e.new_wards) > 1),
            )


def hanoi_agencies() -> dict:
    """The researched list of Hanoi's city-level agencies (``core/data/hanoi_agencies.json``)."""
    return json.loads(resources.files("thudo.core").joinpath("data/hanoi_agencies.json").read_text("utf-8"))
