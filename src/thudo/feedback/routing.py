"""Which unit handles a report: the routing table (category × commune → unit), and the agency
that receives reports from a commune (its People's Committee)."""

from __future__ import annotations

from django.db.models import Q

from thudo.core.models import AdministrativeUnit, Agency, AgencyKind
from thudo.core.text import fold
from thudo.feedback.models import RoutingRule


def receiving_agency(commune_id: int) -> Agency | None:
    """The commune's People's Committee (since 1/7/2025 the communes receive feedback)."""
    return (
        Agency.objects.filter(unit_id=commune_id, is_active=True)
        .filter(kind=AgencyKind.COMMUNE_COMMITTEE)
        .order_by("pk")
        .first()
    )


def route(category_id: int, commune_id: int) -> Agency | None:
    """The unit of the most specific rule: (category, commune), then (any, commune), then
    (category, any), then (any, any); None when no rule matches."""
    rules = {
        (r.category_id, r.commune_id): r
        for r in RoutingRule.objects.select_related("unit").filter(
            Q(category_id=category_id) | Q(category__isnull=True),
            Q(commune_id=commune_id) | Q(commune__isnull=True),
        )
    }
    for key in ((category_id, commune_id), (None, commune_id), (category_id, None), (None, None)):
        rule = rules.get(key)
        if rule is not None and rule.unit.is_active:
            return rule.unit
    return None


def receiving_communes():
    """Communes whose People's Committee receives feedback on the platform, by name."""
    ids = Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, is_active=True, unit__isnull=False).values(
        "unit_id"
    )
    return AdministrativeUnit.objects.filter(pk__in=ids).order_by("name")


def commune_from_address(communes, address: str):
    """The commune the address names (the longest name found in it), or None."""
    text = fold(address or "")
    best, best_len = None, 0
    for u in communes:
        key = fold(u.name)
        for prefix in ("phuong ", "xa ", "dac khu "):
            key = key.removeprefix(prefix)
        if key and key in text and len(key) > best_len:
            best, best_len = u, len(key)
    return best
