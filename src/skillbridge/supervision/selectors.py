"""Reads of the supervision app; every one starts from the user's scope."""

import datetime as dt

from django.db.models import Q

from skillbridge.accounts.models import Organisation, User

from .models import CreditRating, Finding, Inspection, Notice, ScanRun
from .rating import grade_at_least
from .services.common import is_supervisor, supervises


def findings(user, *, rule="", status="", year=None, unit_id=None, q=""):
    rows = Finding.objects.for_user(user).select_related("unit", "institution", "assigned_to")
    if rule:
        rows = rows.filter(rule=rule)
    if status == "open":
        rows = rows.exclude(status="closed")
    elif status:
        rows = rows.filter(status=status)
    if year:
        rows = rows.filter(year=year)
    if unit_id:
        rows = rows.filter(Q(unit_id=unit_id) | Q(institution_id=unit_id))
    if q:
        rows = rows.filter(Q(summary__icontains=q) | Q(object_label__icontains=q))
    return rows.order_by("-id")


def assignable_users(finding: Finding):
    ids = [pk for pk in (finding.unit_id, finding.institution_id) if pk]
    return (
        User.objects.filter(organisation_id__in=ids, is_active=True)
        .select_related("organisation")
        .order_by("organisation_id", "username")
    )


def scans(user):
    return ScanRun.objects.for_user(user).select_related("requested_by")


def inspections(user):
    return Inspection.objects.for_user(user).select_related("target", "inspector_org")


def notices(user):
    return Notice.objects.for_user(user).select_related("target", "issuer")


def ratings(user):
    return CreditRating.objects.for_user(user).select_related("institution")


def supervised_targets(user):
    """Units and institutions the user may inspect or rate."""
    if not is_supervisor(user):
        return Organisation.objects.none()
    units = Organisation.objects.visible_units(user)
    candidates = Organisation.objects.filter(
        Q(pk__in=units.values("pk")) | Q(org_type__in=["training_institution", "evaluation_institution"])
    ).order_by("org_type", "name")
    return Organisation.objects.filter(pk__in=[o.pk for o in candidates if supervises(user, o)]).order_by(
        "org_type", "name"
    )


def exemption_problem(institution: Organisation, today: dt.date) -> str | None:
    """Why an institution may not be exempted from re-designation on credit grounds, or None.

    The latest rating of a year before `today`'s must be at least the pack's `exemption_min_grade`. An
    institution never rated is judged on its dishonesty records alone (by the catalog)."""
    from skillbridge.policy.errors import UnknownPack
    from skillbridge.policy.loader import get_pack

    try:
        rule = get_pack(institution.policy_pack).supervision.exemption_min_grade
    except UnknownPack:
        return None
    if rule is None:
        return None
    rating = (
        CreditRating.objects.filter(institution=institution, year__lt=today.year).order_by("-year").first()
    )
    if rating is None or grade_at_least(rating.grade, rule.value):
        return None
    return f"该机构{rating.year}年度信用等级为{rating.grade}级，低于免于重新认定所需的{rule.value}级"
