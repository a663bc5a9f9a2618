from django import template

from ..exports import fmt_number, fmt_rate

register = template.Library()


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def rate(value):
    return fmt_rate(value)


@register.filter
def num(value):
    return fmt_number(value)


@register.filter
def metric(row, key):
    value = row.get(key)
    return fmt_rate(value) if key == "cert_rate" else fmt_number(value)


@register.filter
def bar(value):
    """A width for a progress bar: 0–100 (percent), capped."""
    if value is None:
        return 0
    return max(0, min(100, round(value * 100, 1)))
