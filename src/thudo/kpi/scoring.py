"""Scoring rules of the service-quality index (Decision 766/QĐ-TTg of 23 June 2022; domain-rules §4).

Pure functions, no database. ``None`` means "no data" (a denominator of zero): it is shown as such,
never as 0 or 100%.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

TWO = Decimal("0.01")
CLASSES = ("excellent", "good", "average", "weak")


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator``, or ``None`` (no data) when the denominator is zero."""
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def points(ratio: Decimal | None, max_points, target=None) -> Decimal | None:
    """``min(max, max × ratio / target)`` where a target is given, else ``max × ratio``; two
    decimals (half up). ``None`` in, ``None`` out."""
    if ratio is None:
        return None
    ratio = Decimal(ratio)
    max_points = Decimal(max_points)
    value = min(max_points, max_points * ratio / Decimal(target)) if target else max_points * ratio
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def scaled_total(earned: Decimal, available: Decimal) -> Decimal | None:
    """The total on a 100-point scale over the indicators that have data (``None`` if none has)."""
    if not available:
        return None
    return (Decimal(100) * Decimal(earned) / Decimal(available)).quantize(TWO, rounding=ROUND_HALF_UP)


def classify(total: Decimal | None, bands: dict | None = None) -> str | None:
    """excellent (≥ bands.excellent), good (≥ bands.good), average (≥ bands.average), else weak.

    Decision 766/QĐ-TTg: ≥ 90 excellent, < 50 weak; the middle bands are configurable data."""
    if total is None:
        return None
    bands = bands or {"excellent": 90, "good": 70, "average": 50}
    total = Decimal(total)
    for name in CLASSES[:-1]:
        if total >= Decimal(str(bands[name])):
            return name
    return "weak"
