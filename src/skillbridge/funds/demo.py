"""Funds demo data: 常州监狱's special account (a subsidy received from 常州市财政局, passed on to the training
and evaluation institutions, a use for materials), and 安徽省蜀山监狱's approved 2026 plan with its budget,
the funds received by 合肥市财政局 and the 70 % prepayment into the prison's account.

Idempotent: entries are keyed by voucher number, the plan and budget by unit and year.
Needs the organisations and accounts of ``skillbridge.demo`` and the catalogue reference data.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from skillbridge.accounts.models import Organisation, Role, User
from skillbridge.approvals import services as reviews
from skillbridge.approvals.models import ReviewStatus
from skillbridge.catalog.models import Occupation, SkillLevel

from . import services
from .models import FundEntry, YearBudget

CZ_UNIT = "常州监狱"
AH_UNIT = "安徽省蜀山监狱"
AH_YEAR = 2026
# (occupation code, level code, trainees)
AH_PLAN = [("6-31-01-03", 5, 60), ("4-03-02-02", 5, 40)]


def _user(username: str) -> User | None:
    return User.objects.select_related("organisation").filter(username=username).first()


def approved_plan(operator: User, unit: Organisation, year: int, rows) -> None:
    """An annual plan of ``unit`` for ``year`` taken through its pack chain by the stages' demo reviewers."""
    from skillbridge.planning import services as planning
    from skillbridge.planning.models import AnnualPlan, PlanKind

    plan = (
        AnnualPlan.objects.filter(unit=unit, year=year, kind=PlanKind.ANNUAL)
        .exclude(review__status=ReviewStatus.REJECTED)
        .first()
    )
    if plan is None:
        occupations = {o.code: o for o in Occupation.objects.filter(code__in=[r[0] for r in rows])}
        levels = {lv.code: lv for lv in SkillLevel.objects.all()}
        items = [
            planning.ItemData(
                category="employment",
                occupation=occupations[code],
                level=levels.get(level),
                planned_trainees=trainees,
                budget=Decimal(1200 * trainees),
            )
            for code, level, trainees in rows
        ]
        plan = planning.plan_create(actor=operator, unit=unit, year=year, items=items, reason="演示数据")
    case = plan.review
    case.refresh_from_db()
    if case.status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        case = planning.plan_submit(actor=operator, plan=plan).review
    while case.status == ReviewStatus.IN_REVIEW:
        stage = case.current_stage
        reviewer = (
            User.objects.filter(
                organisation=stage.org, is_active=True, role_grants__role__in=[Role.REVIEWER, Role.UNIT_HEAD]
            )
            .order_by("username")
            .first()
        )
        case = reviews.review_approve(
            actor=reviewer, case=case, stage_id=stage.pk, opinion="同意（演示数据）"
        )


def _changzhou() -> int:
    unit = Organisation.objects.filter(name=CZ_UNIT).first()
    finance, operator = _user("cz_finance_reviewer"), _user("cz_operator")
    school = Organisation.objects.filter(name="常州技师学院").first()
    centre = Organisation.objects.filter(name="常州市职业技能鉴定指导中心").first()
    if not all((unit, finance, operator, school, centre)):
        return 0
    done = set(FundEntry.objects.filter(account__unit=unit).values_list("voucher_no", flat=True))
    steps = [
        (
            "DEMO-CZCZ-2026-018",
            lambda: services.receipt_record(
                actor=finance,
                unit=unit,
                amount=Decimal("86400.00"),
                received_on=dt.date(2026, 6, 15),
                voucher_no="DEMO-CZCZ-2026-018",
                source_type="",
                source_id="",
                note="2026年第一批职业技能培训、鉴定补贴（演示数据）",
            ),
        ),
        (
            "DEMO-CZJY-2026-031",
            lambda: services.payment_record(
                actor=operator,
                unit=unit,
                payee=school,
                amount=Decimal("72000.00"),
                paid_on=dt.date(2026, 6, 24),
                category="training_subsidy",
                source_type="",
                source_id="",
                voucher_no="DEMO-CZJY-2026-031",
                note="电工、中式面点师培训补贴转付（演示数据）",
            ),
        ),
        (
            "DEMO-CZJY-2026-032",
            lambda: services.payment_record(
                actor=operator,
                unit=unit,
                payee=centre,
                amount=Decimal("9600.00"),
                paid_on=dt.date(2026, 6, 24),
                category="assessment_subsidy",
                source_type="",
                source_id="",
                voucher_no="DEMO-CZJY-2026-032",
                note="技能鉴定补贴转付（演示数据）",
            ),
        ),
        (
            "DEMO-CZJY-2026-040",
            lambda: services.payment_record(
                actor=operator,
                unit=unit,
                payee="常州市新华书店（演示）",
                amount=Decimal("1850.00"),
                paid_on=dt.date(2026, 7, 3),
                category="materials",
                source_type="",
                source_id="",
                voucher_no="DEMO-CZJY-2026-040",
                note="电工培训教材（演示数据）",
            ),
        ),
    ]
    for voucher, step in steps:
        if voucher not in done:
            step()
    return FundEntry.objects.filter(account__unit=unit).count()


def _anhui() -> YearBudget | None:
    unit = Organisation.objects.filter(name=AH_UNIT).first()
    operator, finance = _user("ah_prison_operator"), _user("hf_finance")
    if not all((unit, operator, finance)) or not Occupation.objects.filter(code=AH_PLAN[0][0]).exists():
        return None
    approved_plan(operator, unit, AH_YEAR, AH_PLAN)
    budget = YearBudget.objects.filter(unit=unit, year=AH_YEAR).first()
    if budget is None:
        budget = services.budget_prepare(actor=finance, unit=unit, year=AH_YEAR)
    if budget.funds_received_on is None:
        budget = services.budget_funds_received(
            actor=finance,
            budget=budget,
            received_on=dt.date(2026, 3, 20),
            voucher_no="DEMO-皖财社〔2026〕12号",
        )
    if budget.prepayment_entry_id is None:
        budget = services.budget_prepay(
            actor=finance, budget=budget, paid_on=dt.date(2026, 3, 31), voucher_no="DEMO-HFCZ-2026-007"
        )
    return budget


@transaction.atomic
def load_demo() -> dict[str, int]:
    entries = _changzhou()
    budget = _anhui()
    return {"changzhou_entries": entries, "anhui_budgets": 1 if budget else 0}
