from django import template

register = template.Library()


@register.filter
def dong(amount) -> str:
    """Integer đồng with Vietnamese thousands separators: 8000 → "8.000"."""
    try:
        return f"{int(amount):,}".replace(",", ".")
    except (TypeError, ValueError):
        return ""
