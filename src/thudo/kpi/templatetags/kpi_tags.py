from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from thudo.kpi.results import class_label, vi_number

register = template.Library()

BADGES = {"excellent": "ok", "good": "ok", "average": "warn", "weak": "bad"}


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def pct(ratio):
    """A ratio as a percentage with two decimals, or "no data" (never 0 % for missing data)."""
    if ratio is None or ratio == "":
        return _("Không có dữ liệu")
    return f"{(Decimal(str(ratio)) * 100).quantize(Decimal('0.01'))} %".replace(".", ",")


@register.filter
def num(value):
    if value is None or value == "":
        return _("Không có dữ liệu")
    return vi_number(value)


@register.filter
def klass(value):
    return class_label(value)


@register.filter
def badge(value):
    return BADGES.get(value, "")


@register.filter
def dec(value):
    """A decimal in Vietnamese style: 13.285 for thousands, 46,25 for decimals, no trailing zeros."""
    if value is None or value == "":
        return _("Không có dữ liệu")
    text = format(Decimal(str(value)).normalize(), "f")
    whole, _sep, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + ".".join(groups or ["0"]) + ("," + frac if frac else "")
