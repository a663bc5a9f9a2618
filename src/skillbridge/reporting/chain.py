"""Who submits periodic reports to whom (报送关系), in both directions.

A unit of a city that has a lead unit of its kind (牵头单位, e.g. 常州监狱 for Changzhou's prisons) reports to
that lead unit, which aggregates its group and reports on up (DESIGN §2, §5: the lead prison gathers the city's
prisons' documents before they go to the provincial bureau). Otherwise an organisation reports to its parent if
one is set, else to the provincial body of its line (`UPWARD`). A provincial department has nobody above it.
"""

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import UNIT_TYPES

from .models import PeriodicReport, ReportKind

UPWARD = {
    "city_hrss": "provincial_hrss",
    "city_finance": "provincial_finance",
    "city_justice": "provincial_justice",
    "public_employment_service": "provincial_hrss",
    "prison": "provincial_prison_bureau",
    "rehab_centre": "provincial_rehab_bureau",
    "community_correction_office": "provincial_justice",
    "provincial_prison_bureau": "provincial_justice",
    "provincial_rehab_bureau": "provincial_justice",
}
REPORTING_TYPES = (*UPWARD, "provincial_hrss", "provincial_finance", "provincial_justice")


class Chain:
    """The reporting relations of one province, read in three queries however many organisations it has."""

    def __init__(self, province_prefix: str):
        orgs = Organisation.objects.filter(
            region_code__startswith=province_prefix, org_type__in=REPORTING_TYPES, is_active=True
        ).order_by("region_code", "pk")
        self.orgs = list(orgs)
        self.by_pk = {o.pk: o for o in self.orgs}
        self.leads = {}
        self.provincial = {}
        for org in self.orgs:
            if org.is_lead_unit and org.org_type in UNIT_TYPES:
                self.leads.setdefault((org.org_type, org.city_prefix), org)
            if org.org_type.startswith("provincial_"):
                self.provincial.setdefault(org.org_type, org)
        parents = {o.parent_id for o in self.orgs if o.parent_id and o.parent_id not in self.by_pk}
        self.by_pk.update(Organisation.objects.in_bulk(parents))

    def recipient(self, org: Organisation) -> Organisation | None:
        if org.org_type in UNIT_TYPES and not org.is_lead_unit:
            lead = self.leads.get((org.org_type, org.city_prefix))
            if lead is not None and lead.pk != org.pk:
                return lead
        if org.parent_id:
            return self.by_pk.get(org.parent_id) or org.parent
        target = UPWARD.get(org.org_type)
        return self.provincial.get(target) if target else None

    def reporters_to(self, org: Organisation) -> list[Organisation]:
        return [o for o in self.orgs if o.pk != org.pk and (r := self.recipient(o)) and r.pk == org.pk]


def report_recipient(org: Organisation) -> Organisation | None:
    """The organisation a report of `org` goes up to (None at the top)."""
    return Chain(org.province_prefix).recipient(org)


def reporters_to(org: Organisation) -> list[Organisation]:
    """The organisations whose reports come to `org`, in region order."""
    return Chain(org.province_prefix).reporters_to(org)


def reporters_status(user, period) -> tuple[str, list[tuple[Organisation, PeriodicReport | None]]]:
    """报送情况 for the user's organisation: the report kind of the period (季报 for a quarter, 年报 for a year)
    and, for each organisation reporting to it, its latest submission of that kind and period (None: not sent —
    a draft is its author's own until submitted)."""
    org = user.organisation
    kind = ReportKind.ANNUAL if period.kind == "year" else ReportKind.QUARTERLY
    latest = {
        r.author_org_id: r
        for r in PeriodicReport.objects.for_user(user)
        .filter(submitted_to=org, kind=kind, period_code=period.code)
        .order_by("submitted_at", "id")
    }
    return kind, [(o, latest.get(o.pk)) for o in reporters_to(org)]
