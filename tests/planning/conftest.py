import datetime as dt
from decimal import Decimal

import pytest

from skillbridge.catalog.models import Occupation, SkillLevel
from skillbridge.planning import services
from skillbridge.planning.services import ItemData

ELECTRICIAN, PASTRY, HOUSEKEEPING, WELDER = "6-31-01-03", "4-03-02-02", "4-10-01-06", "6-18-02-04"


def line(code=ELECTRICIAN, trainees=20, *, level=5, classes=1, budget="24000", category="employment", **kw):
    return ItemData(
        category=category,
        occupation=Occupation.objects.get(code=code) if code else None,
        level=SkillLevel.objects.get(code=level) if level else None,
        planned_trainees=trainees,
        planned_classes=classes,
        budget=None if budget is None else Decimal(budget),
        **kw,
    )


def make_plan(demo, username="ly_operator", year=2027, items=None):
    actor = demo.user(username)
    items = [line(), line(PASTRY, 10, budget="10000")] if items is None else items
    return services.plan_create(actor=actor, unit=actor.organisation, year=year, items=items)


def approve_all(demo, plan):
    """Approve every stage with a reviewer of the stage's organisation (the demo's usernames)."""
    from skillbridge.approvals.services import review_approve

    reviewers = {
        "常州监狱": "cz_reviewer",
        "江苏省监狱管理局": "js_bureau_head",
        "常州市人力资源和社会保障局": "cz_hrss_reviewer",
        "安徽省监狱管理局": "ah_prison_bureau",
        "安徽省戒毒管理局": "ah_rehab_bureau",
        "安徽省人力资源和社会保障厅": "ah_hrss",
    }
    case = plan.review
    case.refresh_from_db()
    while case.status == "in_review":
        stage = case.current_stage
        case = review_approve(actor=demo.user(reviewers[stage.org.name]), case=case, stage_id=stage.pk)
    return case


@pytest.fixture
def catalog(demo):
    from skillbridge.catalog.demo import load_demo

    load_demo()
    return demo


AGREEMENT = {
    "unit_address": "江苏省溧阳市燕山路1号",
    "unit_legal_representative": "孙建国",
    "unit_contact": "0519-87221234",
    "content": "电工（五级）职业技能培训",
    "mode": "理论与实操相结合",
    "trainees": 30,
    "valid_from": dt.date(2026, 1, 1),
    "valid_to": dt.date(2026, 12, 31),
    "fee_standard": "常州市2026年度职业培训补贴",
    "payment_method": "银行转账",
    "payment_time": "补贴到账后30日内",
    "unit_duties": "提供场地\n组织管理",
    "institution_duties": "选派教师\n提供资料",
    "copies": 4,
}
