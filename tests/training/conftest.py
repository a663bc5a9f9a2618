"""Fixtures: the Changzhou demo set-up plus an approved 2026 plan of 溧阳监狱 (电工 五级, 30 trainees), a
signed agreement with 常州技师学院 and its approval for 电工 五级/四级 — built with the planning models and
the approvals engine, independent of the planning app's services."""

import datetime as dt
from decimal import Decimal

import pytest
from tests.registry.conftest import make_person

from skillbridge.approvals import services as approvals
from skillbridge.catalog import services as catalog
from skillbridge.catalog.models import Occupation, SkillLevel
from skillbridge.planning.models import Agreement, AgreementStatus, AnnualPlan, PlanItem
from skillbridge.training import services
from skillbridge.training.models import TrainingClass

D = dt.date
ELECTRICIAN = "6-31-01-03"
WELDER = "6-18-02-04"
TODAY = D(2026, 11, 22)


def approve_through_chain(demo, case, reviewers):
    for username in reviewers:
        case = approvals.review_approve(actor=demo.user(username), case=case, stage_id=case.current_stage_id)
    return case


def approved_plan(demo, unit_username="ly_operator", year=2026, items=((ELECTRICIAN, 5, 30),)):
    actor = demo.user(unit_username)
    case = approvals.review_create(
        actor=actor, doc_type="annual_plan", title=f"{year}年度培训计划", unit=actor.organisation
    )
    case = approvals.review_submit(actor=actor, case=case)
    lead = [] if actor.organisation.is_lead_unit else ["cz_reviewer"]
    approve_through_chain(demo, case, [*lead, "js_bureau_head", "cz_hrss_reviewer"])
    plan = AnnualPlan.objects.create(unit=actor.organisation, year=year, review=case, created_by=actor)
    for code, level, trainees in items:
        PlanItem.objects.create(
            plan=plan,
            category="employment",
            occupation=Occupation.objects.get(code=code),
            level=SkillLevel.objects.get(code=level),
            planned_trainees=trainees,
            planned_classes=2,
            budget=Decimal(trainees * 1200),
        )
    return plan


AGREEMENT_TERM = (D(2026, 1, 1), D(2027, 12, 31))


def signed_agreement(demo, unit="溧阳监狱", institution="常州技师学院", valid=AGREEMENT_TERM):
    return Agreement.objects.create(
        unit=demo.orgs[unit],
        institution=demo.orgs[institution],
        number=f"CZ-{unit}-{institution}-{valid[0].year}",
        unit_address="溧阳市",
        unit_legal_representative="李监狱长",
        unit_contact="0519-87000000",
        institution_address="常州市武进区滆湖中路28号",
        institution_legal_representative="周建华",
        institution_contact="0519-86331234",
        content="电工、焊工职业技能培训",
        mode="理论教授与实操训练相结合",
        trainees=60,
        valid_from=valid[0],
        valid_to=valid[1],
        fee_standard="按常州市补贴标准",
        payment_method="银行转账",
        payment_time="培训结束鉴定发证后",
        unit_duties="提供场地，组织管理",
        institution_duties="提供师资，实施培训",
        status=AgreementStatus.SIGNED,
        unit_signatory="李监狱长",
        institution_signatory="周建华",
        unit_signed_on=valid[0],
        institution_signed_on=valid[0],
        created_by=demo.user("ly_operator"),
    )


@pytest.fixture
def cz(demo):
    """Demo + catalogue demo (常州技师学院 designated 2026–2027) + approval for 电工 五级/四级 + agreement +
    the approved 2026 plan of 溧阳监狱."""
    from skillbridge.catalog.demo import load_demo

    load_demo()
    catalog.approved_occupation_set(
        actor=demo.user("cz_hrss_operator"),
        institution=demo.orgs["常州技师学院"],
        occupation=Occupation.objects.get(code=ELECTRICIAN),
        levels=list(SkillLevel.objects.filter(code__in=[5, 4])),
    )
    signed_agreement(demo)
    approved_plan(demo)
    return demo


def application_data(demo, **overrides) -> dict:
    data = {
        "institution": demo.orgs["常州技师学院"],
        "plan_year": 2026,
        "category": "employment",
        "occupation": Occupation.objects.get(code=ELECTRICIAN),
        "special_item": None,
        "project_name": "",
        "level": SkillLevel.objects.get(code=5),
        "trainees": 20,
        "period_number": 1,
        "period_total": 2,
        "date_from": D(2026, 12, 1),
        "date_to": D(2026, 12, 20),
        "days": 18,
        "theory_hours": 48,
        "practice_hours": 72,
        "teachers": "王建国（高级技师）、陈明",
        "textbooks": "《电工（初级）》中国劳动社会保障出版社",
        "venue": "溧阳监狱教育中心实训楼",
        "filled_on": D(2026, 11, 20),
    }
    data.update(overrides)
    return data


def approve_application(demo, application):
    application = services.application_submit(actor=demo.user("ly_operator"), application=application)
    approve_through_chain(demo, application.review, ["js_bureau_reviewer", "cz_hrss_reviewer"])
    application.refresh_from_db()
    return application


@pytest.fixture
def application(cz):
    return services.application_create(actor=cz.user("ly_operator"), data=application_data(cz))


@pytest.fixture
def training_class(cz, application):
    approve_application(cz, application)
    return services.class_open(actor=cz.user("ly_operator"), application=application)


@pytest.fixture
def trainees(cz):
    unit = cz.orgs["溧阳监狱"]
    return [
        make_person(unit, name=name, release=D(2027, 9, 30), number=f"LY{i:04d}")
        for i, name in enumerate(["赵一", "钱二", "孙三"], start=1)
    ]


@pytest.fixture
def running_class(cz, training_class, trainees) -> TrainingClass:
    services.enrolments_add(
        actor=cz.user("ly_operator"), training_class=training_class, people=trainees, today=TODAY
    )
    return training_class
