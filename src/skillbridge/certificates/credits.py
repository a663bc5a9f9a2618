"""Credit amounts (学分) from the pack's `[credits]` rules. Pure functions: no database writes.

- A completed class: every full 课时 (45 minutes) of classroom attendance plus credited online minutes
  earns `per_class_hour` credits.
- A certificate: by level (`certificate_by_level`) when the certificate type has levels and a level is
  given, otherwise by type (`certificate_by_type`).

A pack without a rule posts nothing (no silent invented rate). `rule_version` names the pack and its
version, stored on every ledger entry.
"""

from decimal import Decimal

from skillbridge.policy.schema import PolicyPack
from skillbridge.training.checks import CLASS_HOUR_MINUTES

CENT = Decimal("0.01")


def rule_version(pack: PolicyPack) -> str:
    return f"{pack.code}@{pack.version}"


def class_hours(classroom_minutes: int | None, online_credited_minutes: int | None) -> int:
    """Full 课时 counted for credits (45 minutes each)."""
    return ((classroom_minutes or 0) + (online_credited_minutes or 0)) // CLASS_HOUR_MINUTES


def class_credits(pack: PolicyPack, classroom_minutes: int | None, online_credited_minutes: int | None):
    """(amount, explanation) or None when the pack has no class-hour rule or nothing was earned."""
    rule = pack.credits.per_class_hour
    hours = class_hours(classroom_minutes, online_credited_minutes)
    if rule is None or hours == 0:
        return None
    amount = (rule.value * hours).quantize(CENT)
    if amount == 0:
        return None
    return amount, f"{hours}课时×{rule.value}学分（{rule.source}）"


def certificate_credits(pack: PolicyPack, type_code: str, has_levels: bool, level_code: int | None):
    """(amount, explanation) or None when the pack gives no rate for this certificate."""
    by_level, by_type = pack.credits.certificate_by_level, pack.credits.certificate_by_type
    if has_levels and level_code and by_level and str(level_code) in by_level.value:
        amount = by_level.value[str(level_code)]
        source = by_level.source
    elif by_type and type_code in by_type.value:
        amount = by_type.value[type_code]
        source = by_type.source
    else:
        return None
    amount = Decimal(amount).quantize(CENT)
    if amount == 0:
        return None
    return amount, f"{amount}学分（{source}）"
