"""Training demo: for 溧阳监狱 with 常州技师学院, one approved 电工（五级）class running now, with its roster,
a timetable, attendance signed off for the past sessions and left open for today's.

Runs after the platform, catalogue, registry (and planning) demos. Prerequisites that are missing — the
approval of 常州技师学院 for 电工, the signed agreement, the approved plan line of the year — are created
here through the planning models and the approvals engine. Idempotent: a second run changes nothing.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from skillbridge.accounts.models import Organisation, User
from skillbridge.approvals import services as approvals
from skillbridge.approvals.models import ReviewStatus
from skillbridge.catalog import services as catalog
from skillbridge.catalog.models import ApprovedOccupation, Occupation, SkillLevel
from skillbridge.planning.models import Agreement, AgreementStatus, AnnualPlan, PlanItem
from skillbridge.planning.selectors import SubjectKey, agreement_in_force, planned_trainees

from . import services
from .checks import application_problems
from .models import ClassApplication, TrainingClass
from .selectors import roster_candidates

UNIT, INSTITUTION, OCCUPATION, LEVEL = "溧阳监狱", "常州技师学院", "6-31-01-03", 5
TIMETABLE = [  # day offset from the class start, start time, minutes, kind, topic
    (0, dt.time(8, 30), 180, "theory", "电工基础知识与安全用电"),
    (1, dt.time(8, 30), 180, "practice", "常用电工工具与仪表使用"),
    (2, dt.time(8, 30), 180, "theory", "电路基础与识图"),
    (3, dt.time(8, 30), 270, "practice", "照明电路安装实训"),
    (6, dt.time(8, 30), 90, "online", "在线课程：低压电器"),
    (7, dt.time(8, 30), 270, "practice", "动力配电线路安装实训"),
]


def _user(username: str) -> User:
    return User.objects.select_related("organisation").get(username=username)


def _ensure_plan(unit: Organisation, year: int, occupation: Occupation, level: SkillLevel) -> None:
    key = SubjectKey(category="employment", occupation_id=occupation.pk, level_id=level.pk)
    if planned_trainees(unit, year, key) is not None:
        return
    actor = _user("ly_operator")
    case = approvals.review_create(
        actor=actor, doc_type="annual_plan", title=f"{unit.name}{year}年度培训计划", unit=unit
    )
    case = approvals.review_submit(actor=actor, case=case)
    for username in ("cz_reviewer", "js_bureau_head", "cz_hrss_reviewer"):
        case = approvals.review_approve(actor=_user(username), case=case, stage_id=case.current_stage_id)
    plan = AnnualPlan.objects.create(unit=unit, year=year, review=case, created_by=actor, reason="演示数据")
    PlanItem.objects.create(
        plan=plan,
        category="employment",
        occupation=occupation,
        level=level,
        planned_trainees=40,
        planned_classes=2,
        budget=Decimal("48000.00"),
        note="演示数据",
    )


def _ensure_agreement(unit: Organisation, institution: Organisation, start: dt.date, end: dt.date) -> None:
    agreement = agreement_in_force(unit, institution, start)
    if agreement and agreement.valid_to >= end:
        return
    Agreement.objects.create(
        unit=unit,
        institution=institution,
        number=f"LY-CZJS-{start.year}-DEMO",
        unit_address="江苏省溧阳市",
        unit_legal_representative="溧阳监狱负责人",
        unit_contact="0519-87000000",
        institution_address="常州市武进区滆湖中路28号",
        institution_legal_representative="周建华",
        institution_contact="0519-86331234",
        content="电工、焊工等职业技能培训",
        mode="理论教授、视频教学与实操训练相结合",
        trainees=80,
        valid_from=dt.date(start.year, 1, 1),
        valid_to=dt.date(end.year, 12, 31),
        fee_standard="按常州市职业培训补贴标准",
        payment_method="银行转账",
        payment_time="鉴定发证、补贴拨付后",
        unit_duties="提供培训场地，负责培训期间组织管理",
        institution_duties="提供专业师资、教材，实施培训",
        status=AgreementStatus.SIGNED,
        unit_signatory="溧阳监狱负责人",
        institution_signatory="周建华",
        unit_signed_on=dt.date(start.year, 1, 1),
        institution_signed_on=dt.date(start.year, 1, 1),
        created_by=_user("ly_operator"),
    )


@transaction.atomic
def load_demo(*, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    orgs = {o.name: o for o in Organisation.objects.filter(name__in=[UNIT, INSTITUTION])}
    if len(orgs) < 2:
        return "跳过：缺少溧阳监狱或常州技师学院（请先运行平台演示数据）"
    unit, institution = orgs[UNIT], orgs[INSTITUTION]
    if TrainingClass.objects.filter(unit=unit, institution=institution).exists():
        return "培训演示数据已存在"
    occupation, level = Occupation.objects.get(code=OCCUPATION), SkillLevel.objects.get(code=LEVEL)
    start = max(today - dt.timedelta(days=3), dt.date(today.year, 1, 1))
    end = min(start + dt.timedelta(days=20), dt.date(today.year, 12, 31))
    if not ApprovedOccupation.objects.filter(
        institution=institution, occupation=occupation, levels=level
    ).exists():
        catalog.approved_occupation_set(
            actor=_user("cz_hrss_operator"),
            institution=institution,
            occupation=occupation,
            levels=list(SkillLevel.objects.filter(code__in=[5, 4])),
        )
    _ensure_agreement(unit, institution, start, end)
    _ensure_plan(unit, today.year, occupation, level)
    operator = _user("ly_operator")
    period = ClassApplication.objects.filter(unit=unit, plan_year=today.year).count() + 1
    application = services.application_create(
        actor=operator,
        data={
            "institution": institution,
            "plan_year": today.year,
            "category": "employment",
            "occupation": occupation,
            "special_item": None,
            "project_name": "",
            "level": level,
            "trainees": 20,
            "period_number": period,
            "period_total": max(period, 2),
            "date_from": start,
            "date_to": end,
            "days": (end - start).days + 1,
            "theory_hours": 32,
            "practice_hours": 48,
            "teachers": "王建国（电工高级技师）、陈明（电工技师）",
            "textbooks": "《电工（初级）》（中国劳动社会保障出版社）",
            "venue": "溧阳监狱教育改造中心电工实训室",
            "filled_on": start - dt.timedelta(days=20),
        },
    )
    problems = application_problems(application)
    if problems:  # e.g. the catalogue demo's designation period no longer covers the year
        transaction.set_rollback(True)
        return "跳过：" + "；".join(p.message for p in problems)
    application = services.application_submit(actor=operator, application=application)
    case = application.review
    for username, opinion in (
        ("js_bureau_reviewer", "同意开班，请严格落实监管安全。"),
        ("cz_hrss_reviewer", "同意。"),
    ):
        case = approvals.review_approve(
            actor=_user(username), case=case, stage_id=case.current_stage_id, opinion=opinion
        )
    if case.status != ReviewStatus.APPROVED:
        raise RuntimeError(f"演示办班申报未能审核通过：{case.get_status_display()}")
    training_class = services.class_open(actor=operator, application=application)
    eligible = [
        c.person for c in roster_candidates(operator, training_class, today=today) if c.decision.allowed
    ]
    if eligible:
        services.enrolments_add(
            actor=operator, training_class=training_class, people=eligible[:12], today=today
        )
    for offset, start_time, minutes, kind, topic in TIMETABLE:
        day = start + dt.timedelta(days=offset)
        if day > end:
            continue
        session = services.session_create(
            actor=_user("czjs_operator"),
            training_class=training_class,
            data={
                "date": day,
                "start_time": start_time,
                "minutes": minutes,
                "kind": kind,
                "topic": topic,
                "teacher": "王建国",
            },
        )
        if day < today and eligible:
            services.attendance_mark_all_present(actor=operator, session=session)
            first = training_class.enrolments.order_by("id").first()
            services.attendance_set(
                actor=operator,
                session=session,
                entries=[{"person_id": first.person_id, "minutes": minutes // 2, "note": "就医"}],
            )
            services.session_sign_off(actor=operator, session=session)
    return f"已创建培训班“{training_class}”，学员{training_class.enrolments.count()}人"
