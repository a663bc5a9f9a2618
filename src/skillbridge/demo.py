"""Demo data: the Changzhou and Anhui set-ups of the seed documents, with one account per role.

Idempotent: running it again creates only what is missing. Later issues add their domains here.
"""

from django.db import transaction

from skillbridge.accounts import services as accounts
from skillbridge.accounts.models import Organisation, Role, User

DEMO_PASSWORD = "Skill@2026demo"

# name, type, region code, policy pack, parent name, lead unit
ORGANISATIONS = [
    ("平台运维中心", "platform", "320000", "jiangsu-special", None, False),
    ("江苏省监狱管理局", "provincial_prison_bureau", "320000", "jiangsu-special", None, False),
    ("常州监狱", "prison", "320404", "changzhou", "江苏省监狱管理局", True),
    ("溧阳监狱", "prison", "320481", "changzhou", "江苏省监狱管理局", False),
    ("新康监狱", "prison", "320412", "changzhou", "江苏省监狱管理局", False),
    ("常州市人力资源和社会保障局", "city_hrss", "320400", "changzhou", None, False),
    ("常州市财政局", "city_finance", "320400", "changzhou", None, False),
    ("常州市司法局", "city_justice", "320400", "changzhou", None, False),
    ("常州技师学院", "training_institution", "320400", "changzhou", None, False),
    ("常州市天宁区职业培训学校", "training_institution", "320402", "changzhou", None, False),
    ("常州市职业技能鉴定指导中心", "evaluation_institution", "320400", "changzhou", None, False),
    ("安徽省监狱管理局", "provincial_prison_bureau", "340000", "anhui", None, False),
    ("安徽省戒毒管理局", "provincial_rehab_bureau", "340000", "anhui", None, False),
    ("安徽省人力资源和社会保障厅", "provincial_hrss", "340000", "anhui", None, False),
    ("安徽省蜀山监狱", "prison", "340104", "anhui", "安徽省监狱管理局", False),
    ("安徽省合肥强制隔离戒毒所", "rehab_centre", "340111", "anhui", "安徽省戒毒管理局", False),
    ("合肥市人力资源和社会保障局", "city_hrss", "340100", "anhui", None, False),
    ("合肥市财政局", "city_finance", "340100", "anhui", None, False),
    ("常州市公共就业服务中心", "public_employment_service", "320400", "changzhou", None, False),
    ("合肥市公共就业服务中心", "public_employment_service", "340100", "anhui", None, False),
]

# username, full name, organisation, roles
ACCOUNTS = [
    ("sysadmin", "系统管理员", "平台运维中心", ["system_admin"]),
    ("secadmin", "安全管理员", "平台运维中心", ["security_admin"]),
    ("auditor", "审计管理员", "平台运维中心", ["auditor"]),
    ("cz_operator", "常州监狱教育科经办", "常州监狱", ["operator"]),
    ("cz_reviewer", "常州监狱教育科审核", "常州监狱", ["reviewer"]),
    ("cz_head", "常州监狱分管负责人", "常州监狱", ["unit_head"]),
    ("ly_operator", "溧阳监狱教育科经办", "溧阳监狱", ["operator"]),
    ("ly_reviewer", "溧阳监狱教育科审核", "溧阳监狱", ["reviewer"]),
    ("xk_operator", "新康监狱教育科经办", "新康监狱", ["operator"]),
    ("xk_reviewer", "新康监狱教育科审核", "新康监狱", ["reviewer"]),
    ("js_bureau_reviewer", "省监狱管理局审核", "江苏省监狱管理局", ["reviewer"]),
    ("js_bureau_head", "省监狱管理局负责人", "江苏省监狱管理局", ["unit_head"]),
    ("cz_hrss_operator", "常州市人社局经办", "常州市人力资源和社会保障局", ["operator"]),
    ("cz_hrss_reviewer", "常州市人社局审核", "常州市人力资源和社会保障局", ["reviewer"]),
    ("cz_finance_reviewer", "常州市财政局审核", "常州市财政局", ["reviewer"]),
    ("cz_justice_reviewer", "常州市司法局审核", "常州市司法局", ["reviewer"]),
    ("czjs_operator", "常州技师学院经办", "常州技师学院", ["operator"]),
    ("czjs_reviewer", "常州技师学院审核", "常州技师学院", ["reviewer"]),
    ("tn_operator", "天宁区职业培训学校经办", "常州市天宁区职业培训学校", ["operator"]),
    ("cz_eval_operator", "鉴定指导中心经办", "常州市职业技能鉴定指导中心", ["operator", "reviewer"]),
    ("ah_prison_operator", "蜀山监狱经办", "安徽省蜀山监狱", ["operator"]),
    ("ah_rehab_operator", "合肥戒毒所经办", "安徽省合肥强制隔离戒毒所", ["operator"]),
    ("ah_prison_bureau", "安徽省监狱管理局审核", "安徽省监狱管理局", ["reviewer"]),
    ("ah_rehab_bureau", "安徽省戒毒管理局审核", "安徽省戒毒管理局", ["reviewer"]),
    ("ah_hrss", "安徽省人社厅审核", "安徽省人力资源和社会保障厅", ["reviewer"]),
    ("hf_hrss", "合肥市人社局审核", "合肥市人力资源和社会保障局", ["reviewer"]),
    ("hf_finance", "合肥市财政局审核", "合肥市财政局", ["reviewer"]),
    ("cz_pes_operator", "常州市公共就业服务中心经办", "常州市公共就业服务中心", ["operator"]),
    ("hf_pes_operator", "合肥市公共就业服务中心经办", "合肥市公共就业服务中心", ["operator"]),
]


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create what is missing; return (username, organisation, roles) for every demo account."""
    orgs = {o.name: o for o in Organisation.objects.filter(name__in=[row[0] for row in ORGANISATIONS])}
    for name, org_type, region, pack, parent, lead in ORGANISATIONS:
        if name not in orgs:
            orgs[name] = accounts.organisation_create(
                actor=None,
                name=name,
                org_type=org_type,
                region_code=region,
                policy_pack=pack,
                parent=orgs.get(parent) if parent else None,
                is_lead_unit=lead,
            )
    existing = set(
        User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).values_list("username", flat=True)
    )
    for username, full_name, org, roles in ACCOUNTS:
        if username not in existing:
            accounts.user_create(
                actor=None,
                username=username,
                full_name=full_name,
                organisation=orgs[org],
                roles=roles,
                password=DEMO_PASSWORD,
            )
    return [(u, o, "、".join(Role(r).label for r in roles)) for u, _, o, roles in ACCOUNTS]


def load_full_demo() -> list[tuple[str, str, str]]:
    """Organisations and accounts, then each domain's demo data (catalogues, designations …)."""
    from skillbridge.assessment.demo import load_demo as load_assessment_demo
    from skillbridge.catalog.demo import load_demo as load_catalog_demo
    from skillbridge.certificates.demo import load_demo as load_certificates_demo
    from skillbridge.employment.demo import load_demo as load_employment_demo
    from skillbridge.funds.demo import load_demo as load_funds_demo
    from skillbridge.planning.demo import load_demo as load_planning_demo
    from skillbridge.registry.demo import load_demo as load_registry_demo
    from skillbridge.reporting.demo import load_demo as load_reporting_demo
    from skillbridge.subsidies.demo import load_demo as load_subsidies_demo
    from skillbridge.supervision.demo import load_demo as load_supervision_demo
    from skillbridge.training.demo import load_demo as load_training_demo

    accounts = load_demo()
    # Each domain builds on the ones before it (a class needs a plan, a claim needs certificates …).
    for load in (
        load_catalog_demo,
        load_registry_demo,
        load_planning_demo,
        load_training_demo,
        load_employment_demo,
        load_assessment_demo,
        load_certificates_demo,  # after every loader that adds people due for training
        load_subsidies_demo,
        load_funds_demo,
        load_supervision_demo,
        load_reporting_demo,
    ):
        load()
    return accounts
