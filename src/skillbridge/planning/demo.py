"""Planning demo data for 溧阳监狱: the approved 2026 annual plan (through the Changzhou chain's demo
reviewers), a draft 2027 plan, and a signed 2026 cooperation agreement with 常州技师学院.

Idempotent: what exists is kept, an unfinished step is finished. Needs the organisations and accounts of
`skillbridge.demo`; loads the catalogue demo (standards, institution profiles, designations) itself.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from skillbridge.accounts.models import Organisation, Role, User
from skillbridge.approvals import services as reviews
from skillbridge.approvals.models import ReviewStatus
from skillbridge.catalog.demo import load_demo as load_catalog_demo
from skillbridge.catalog.models import Occupation, SkillLevel

from . import services
from .models import Agreement, AgreementStatus, AnnualPlan, PlanKind
from .services import ItemData

UNIT = "溧阳监狱"
OPERATOR = "ly_operator"
INSTITUTION = "常州技师学院"

# (category, occupation code or None, project name, level, trainees, classes, budget yuan, note)
PLAN_2026 = [
    ("employment", "6-31-01-03", "", 5, 30, 1, "36000", "电工 1200元/人"),
    ("employment", "4-03-02-02", "", 5, 20, 1, "20000", "中式面点师 1000元/人"),
    ("employment", "4-10-01-06", "", 5, 20, 1, "16000", "家政服务员 800元/人"),
    ("employment", "4-10-01-05", "", 5, 15, 1, "13500", "养老护理员 900元/人"),
    ("entrepreneurship", None, "SIYB创业培训", None, 15, 1, "12000", "创业意识（GYB/SYB）"),
]
PLAN_2027 = [
    ("employment", "6-31-01-03", "", 5, 25, 1, "30000", "按2026年标准测算"),
    ("employment", "6-18-02-04", "", 5, 20, 1, "24000", "按2026年标准测算"),
    ("employment", "4-03-02-02", "", 5, 20, 1, "20000", "按2026年标准测算"),
]
AGREEMENT = {
    "unit_address": "江苏省溧阳市溧城镇燕山路（演示地址）",
    "unit_legal_representative": "孙建国（演示）",
    "unit_contact": "教育科 0519-87221234",
    "content": "电工（五级/初级工）、焊工（五级/初级工）职业技能培训及考前辅导",
    "mode": "监狱内集中办班，理论授课、视频教学与实操训练相结合（理论约40%、实操约60%）",
    "trainees": 30,
    "valid_from": dt.date(2026, 1, 1),
    "valid_to": dt.date(2026, 12, 31),
    "fee_standard": "常州市2026年度职业培训补贴",
    "payment_method": "培训补贴到账后由甲方专账转账至乙方对公账户",
    "payment_time": "补贴资金拨付到甲方专账后30日内",
    "unit_duties": (
        "提供培训教室、实训场地和设施设备，负责学员的组织和安全管理；\n"
        "按约定支付培训费用；\n"
        "配合做好考勤登记和考核鉴定报名。"
    ),
    "institution_duties": (
        "选派具备资质的专业教师按计划授课；\n"
        "遵守监狱安全管理规定；\n"
        "如实提供教学记录、考勤和结业资料，配合补贴申领。"
    ),
    "copies": 4,
}
SIGNED_ON = dt.date(2025, 12, 20)


def _items(rows) -> list[ItemData]:
    occupations = {o.code: o for o in Occupation.objects.filter(code__in={r[1] for r in rows if r[1]})}
    levels = {lv.code: lv for lv in SkillLevel.objects.all()}
    return [
        ItemData(
            category=category,
            occupation=occupations[code] if code else None,
            project_name=project,
            level=levels.get(level),
            planned_trainees=trainees,
            planned_classes=classes,
            budget=Decimal(budget),
            note=note,
        )
        for category, code, project, level, trainees, classes, budget, note in rows
    ]


def _reviewer(org: Organisation) -> User:
    return (
        User.objects.filter(
            organisation=org, is_active=True, role_grants__role__in=[Role.REVIEWER, Role.UNIT_HEAD]
        )
        .order_by("username")
        .first()
    )


def _plan(operator: User, unit: Organisation, year: int, rows, reason: str) -> AnnualPlan:
    plan = (
        AnnualPlan.objects.filter(unit=unit, year=year, kind=PlanKind.ANNUAL)
        .exclude(review__status=ReviewStatus.REJECTED)
        .first()
    )
    if plan is None:
        plan = services.plan_create(actor=operator, unit=unit, year=year, items=_items(rows), reason=reason)
    return plan


def _approve(operator: User, plan: AnnualPlan) -> None:
    """Submit the plan if needed and approve each stage with a demo reviewer of the stage's organisation."""
    case = plan.review
    case.refresh_from_db()
    if case.status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        case = services.plan_submit(actor=operator, plan=plan).review
    while case.status == ReviewStatus.IN_REVIEW:
        stage = case.current_stage
        case = reviews.review_approve(
            actor=_reviewer(stage.org),
            case=case,
            stage_id=stage.pk,
            opinion=f"同意（{stage.name}，演示数据）",
        )


@transaction.atomic
def load_demo() -> dict[str, int]:
    load_catalog_demo()
    unit = Organisation.objects.filter(name=UNIT).first()
    institution = Organisation.objects.filter(name=INSTITUTION).first()
    operator = User.objects.filter(username=OPERATOR).first()
    if unit is None or institution is None or operator is None:
        return {"plans": 0, "agreements": 0}
    plan_2026 = _plan(
        operator, unit, 2026, PLAN_2026, "根据2025年11月摸排结果，按服刑人员就业意向编制（演示数据）"
    )
    _approve(operator, plan_2026)
    _plan(operator, unit, 2027, PLAN_2027, "2027年度计划草稿（演示数据）")

    agreement = Agreement.objects.filter(
        unit=unit, institution=institution, valid_from=AGREEMENT["valid_from"]
    ).first()
    if agreement is None:
        agreement = services.agreement_create(actor=operator, unit=unit, institution=institution, **AGREEMENT)
    if agreement.status == AgreementStatus.DRAFT:
        services.agreement_sign(
            actor=operator,
            agreement=agreement,
            unit_signatory="孙建国",
            unit_signed_on=SIGNED_ON,
            institution_signatory="周建华",
            institution_signed_on=SIGNED_ON,
        )
    return {
        "plans": AnnualPlan.objects.filter(unit=unit).count(),
        "agreements": Agreement.objects.filter(unit=unit).count(),
    }
