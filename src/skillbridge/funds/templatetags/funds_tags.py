from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def money(value) -> str:
    """Yuan with thousands separators and two decimals (1,234.50); empty for None."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.2f}"


@register.filter
def absolute(value):
    return None if value is None else abs(value)
