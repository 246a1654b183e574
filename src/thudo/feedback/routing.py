"""Which unit handles a report: the routing table (category × commune → unit), and the agency
that receives reports from a commune (its People's Committee)."""

from __future__ import annotations

from django.db.models import Q

from thudo.core.models import Agency, AgencyKind
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
