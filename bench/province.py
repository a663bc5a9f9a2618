"""A synthetic province: organisations, a few accounts, and review cases with their stages.

Organisations go through `organisation_create` (one transaction and audit event each, like the CLI);
accounts, cases and stages are bulk-created. Deterministic for a given seed.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection

from skillbridge.accounts.models import Organisation, RoleGrant, User
from skillbridge.accounts.services import organisation_create
from skillbridge.approvals.models import Decision, DocType, ReviewCase, ReviewStage, ReviewStatus

# The benchmark's "today": inside the years chinesecalendar covers.
TODAY = date(2026, 6, 30)
PACK = "jiangsu-special"
# (province code, province name, number of cities). Jiangsu is the province under test; a smaller
# neighbour makes the scope filters discard real rows.
PROVINCES = [("32", "江苏", 13), ("34", "安徽", 3)]
PROVINCIAL_TYPES = [
    ("provincial_prison_bureau", "省监狱管理局"),
    ("provincial_rehab_bureau", "省戒毒管理局"),
    ("provincial_justice", "省司法厅"),
    ("provincial_hrss", "省人社厅"),
    ("provincial_finance", "省财政厅"),
]
CITY_TYPES = [("city_hrss", "人社局"), ("city_finance", "财政局"), ("city_justice", "司法局")]
# Five units per city.
UNIT_TYPES = [
    ("prison", "第一监狱"),
    ("prison", "第二监狱"),
    ("rehab_centre", "强制隔离戒毒所"),
    ("community_correction_office", "甲区社区矫正机构"),
    ("community_correction_office", "乙区社区矫正机构"),
]
SYSTEM_BUREAU = {
    "prison": "provincial_prison_bureau",
    "rehab_centre": "provincial_rehab_bureau",
    "community_correction_office": "provincial_justice",
}
STATUS_WEIGHTS = [
    (ReviewStatus.DRAFT, 10),
    (ReviewStatus.IN_REVIEW, 40),
    (ReviewStatus.RETURNED, 10),
    (ReviewStatus.APPROVED, 30),
    (ReviewStatus.REJECTED, 10),
]


@dataclass
class Province:
    units: list[Organisation]
    city_hrss_reviewer: User  # 常州 (3204) HRSS reviewer
    prison_bureau_reviewer: User  # Jiangsu provincial prison bureau reviewer
    cases: int
    stages: int


def _organisations() -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}

    def make(key, name, org_type, region):
        orgs[key] = organisation_create(
            actor=None, name=name, org_type=org_type, region_code=region, policy_pack=PACK
        )

    for prov, prov_name, n_cities in PROVINCES:
        for org_type, label in PROVINCIAL_TYPES:
            make(f"{prov}:{org_type}", f"{prov_name}{label}", org_type, f"{prov}0000")
        for c in range(1, n_cities + 1):
            city = f"{prov}{c:02d}"
            for org_type, label in CITY_TYPES:
                make(f"{city}:{org_type}", f"{prov_name}{c:02d}市{label}", org_type, f"{city}00")
            for u, (org_type, label) in enumerate(UNIT_TYPES, start=1):
                make(f"{city}:unit{u}", f"{prov_name}{c:02d}市{label}", org_type, f"{city}{u:02d}")
    return orgs


def _user(username: str, org: Organisation) -> User:
    return User(
        username=username,
        full_name=username,
        organisation=org,
        password=make_password(None),
        must_change_password=False,
    )


def build(n_cases: int, seed: int = 20260630) -> Province:
    rng = random.Random(seed)
    orgs = _organisations()
    units = [o for key, o in orgs.items() if ":unit" in key]

    operators = {u.pk: _user(f"op{u.pk}", u) for u in units}
    hrss = _user("cz_hrss_reviewer", orgs["3204:city_hrss"])
    bureau = _user("js_bureau_reviewer", orgs["32:provincial_prison_bureau"])
    User.objects.bulk_create([*operators.values(), hrss, bureau])
    users = {
        u.username: u for u in User.objects.filter(username__in=["cz_hrss_reviewer", "js_bureau_reviewer"])
    }
    for u in User.objects.filter(username__startswith="op"):
        operators[u.organisation_id] = u
    RoleGrant.objects.bulk_create(
        [RoleGrant(user=u, role="operator") for u in operators.values()]
        + [RoleGrant(user=users[name], role="reviewer") for name in users]
    )

    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    doc_types = DocType.values
    cases, plans = [], []
    for i in range(n_cases):
        unit = rng.choice(units)
        status = rng.choices(statuses, weights)[0]
        submitted = None
        if status != ReviewStatus.DRAFT:
            submitted = datetime(2026, 2, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(150 * 24 * 60))
        cases.append(
            ReviewCase(
                doc_type=rng.choice(doc_types),
                title=f"{unit.name} 材料 {i}",
                unit=unit,
                author_org=unit,
                created_by=operators[unit.pk],
                status=status,
                round=0 if status == ReviewStatus.DRAFT else 1,
                due_date=submitted.date() + timedelta(days=rng.randrange(5, 40)) if submitted else None,
                submitted_at=submitted,
            )
        )
        plans.append(status)
    ReviewCase.objects.bulk_create(cases, batch_size=2000)

    stages, current = [], {}
    for case, status in zip(cases, plans, strict=True):
        if status == ReviewStatus.DRAFT:
            continue
        unit = case.unit
        city, prov = unit.region_code[:4], unit.region_code[:2]
        chain = [
            ("unit_review", "单位审核", unit),
            ("system_bureau", "主管局审核", orgs[f"{prov}:{SYSTEM_BUREAU[unit.org_type]}"]),
            ("city_hrss", "市人社局审核", orgs[f"{city}:city_hrss"]),
            ("city_finance", "市财政局审核", orgs[f"{city}:city_finance"]),
        ]
        # Index of the stage the case stands at (in review) or ended at (returned/rejected).
        stop = len(chain) if status == ReviewStatus.APPROVED else rng.randrange(len(chain))
        for index, (key, name, org) in enumerate(chain):
            decision = ""
            if index < stop:
                decision = Decision.APPROVE
            elif index == stop and status == ReviewStatus.RETURNED:
                decision = Decision.RETURN
            elif index == stop and status == ReviewStatus.REJECTED:
                decision = Decision.REJECT
            stage = ReviewStage(
                case=case, round=1, index=index, key=key, name=name, org=org, decision=decision
            )
            stages.append(stage)
            if status == ReviewStatus.IN_REVIEW and index == stop:
                current[case.pk] = stage
    ReviewStage.objects.bulk_create(stages, batch_size=2000)
    table = ReviewCase._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET current_stage_id = %s WHERE id = %s",
            [(stage.pk, case_pk) for case_pk, stage in current.items()],
        )
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have after such a load
    return Province(
        units=units,
        city_hrss_reviewer=users["cz_hrss_reviewer"],
        prison_bureau_reviewer=users["js_bureau_reviewer"],
        cases=len(cases),
        stages=len(stages),
    )
