"""Reads of the catalogue other apps use: occupation search, the standard in force, designation."""

from datetime import date

from django.db.models import Q, QuerySet

from skillbridge.accounts.models import Organisation

from .models import (
    INSTITUTION_TYPES,
    CertificateType,
    Designation,
    DishonestyRecord,
    Occupation,
    SkillLevel,
    SpecialAbilityItem,
    SubsidyStandard,
    subject_key,
)
from .validators import city_region

BANK_VIEWER_TYPES = ("city_hrss", "city_justice", "city_finance")
# Lists of standards: by year, then subject code, certificate type, level 五级 → 一级, history in order.
STANDARD_ORDER = (
    "-year",
    "occupation__code",
    "special_item__code",
    "certificate_type__sort_order",
    "-level_id",
    "valid_from",
)


def occupation_search(user, q: str = "", *, level: int | None = None) -> QuerySet[Occupation]:
    """By code prefix (digits and '-') or name fragment; both run in the database."""
    occupations = Occupation.objects.for_user(user)
    q = q.strip()
    if q:
        if all(c.isdigit() or c == "-" for c in q):
            occupations = occupations.filter(code__startswith=q)
        else:
            occupations = occupations.filter(name__contains=q)
    if level:
        occupations = occupations.filter(level=level)
    return occupations.select_related("parent", "national_certificate_type").order_by("code")


def _level_id(level) -> int | None:
    if level is None or level == "":
        return None
    return level.code if isinstance(level, SkillLevel) else int(level)


def _cert_code(certificate_type) -> str:
    return certificate_type.code if isinstance(certificate_type, CertificateType) else str(certificate_type)


def key_for(subject: Occupation | SpecialAbilityItem, level, certificate_type) -> str:
    if isinstance(subject, Occupation):
        return subject_key(
            occupation_code=subject.code, level=_level_id(level), cert_type=_cert_code(certificate_type)
        )
    return subject_key(item_id=subject.pk, level=_level_id(level), cert_type=_cert_code(certificate_type))


def in_force(queryset: QuerySet[SubsidyStandard], on_date: date) -> QuerySet[SubsidyStandard]:
    return queryset.filter(year=on_date.year, valid_from__lte=on_date).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on_date)
    )


def standard_for(
    region_code: str,
    on_date: date,
    subject: Occupation | SpecialAbilityItem,
    level: SkillLevel | int | None,
    certificate_type: CertificateType | str,
) -> SubsidyStandard | None:
    """The subsidy standard in force on `on_date` in the city of `region_code` (any code in the city)."""
    rows = SubsidyStandard.objects.filter(
        region_code=city_region(region_code), key=key_for(subject, level, certificate_type)
    )
    return (
        in_force(rows, on_date)
        .select_related("occupation", "special_item", "level", "certificate_type")
        .order_by("-valid_from")
        .first()
    )


def standard_history(standard: SubsidyStandard) -> QuerySet[SubsidyStandard]:
    """Every row of the same standard (city, year, subject, level, certificate type), oldest first."""
    return (
        SubsidyStandard.objects.filter(region_code=standard.region_code, year=standard.year, key=standard.key)
        .select_related("created_by", "maintained_by")
        .order_by("valid_from", "id")
    )


def institutions(user) -> QuerySet[Organisation]:
    """The public directory: every active training / evaluation institution, with its profile."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(org_type__in=INSTITUTION_TYPES, is_active=True)
        .select_related("institution_profile")
        .order_by("region_code", "name")
    )


def can_view_bank_account(user, institution: Organisation) -> bool:
    """The institution itself and the HRSS, justice and finance bureaus of its city."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    org = user.organisation
    if org.pk == institution.pk:
        return True
    return org.org_type in BANK_VIEWER_TYPES and org.city_prefix == institution.city_prefix


def can_edit_profile(user, institution: Organisation) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not user.has_role("operator", "reviewer", "unit_head"):
        return False
    org = user.organisation
    return org.pk == institution.pk or (
        org.org_type == "city_hrss" and org.city_prefix == institution.city_prefix
    )


def is_city_authority(user, region_code: str, org_types=("city_hrss",)) -> bool:
    """Whether the user's organisation is one of `org_types` of the city of `region_code`."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    org = user.organisation
    return org.org_type in org_types and org.city_prefix == region_code[:4]


def active_dishonesty(institution: Organisation, on_date: date) -> QuerySet[DishonestyRecord]:
    return DishonestyRecord.objects.filter(institution=institution, recorded_on__lte=on_date).filter(
        Q(until__isnull=True) | Q(until__gte=on_date)
    )


def designation_for(institution: Organisation, region_code: str, on_date: date) -> Designation | None:
    """The designation of `institution` by the city of `region_code` in force on `on_date`, if any."""
    return (
        Designation.objects.filter(
            institution=institution,
            region_code=city_region(region_code),
            valid_from__lte=on_date,
            valid_to__gte=on_date,
        )
        .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=on_date))
        .order_by("-valid_from")
        .first()
    )


def is_designated(institution: Organisation, region_code: str, on_date: date) -> bool:
    return designation_for(institution, region_code, on_date) is not None


def designated_institutions(region_code: str, on_date: date) -> QuerySet[Organisation]:
    """Institutions that may be chosen (e.g. for a class) in the city of `region_code` on `on_date`."""
    current = Designation.objects.filter(
        region_code=city_region(region_code), valid_from__lte=on_date, valid_to__gte=on_date
    ).filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=on_date))
    return Organisation.objects.filter(pk__in=current.values("institution")).order_by("name")
