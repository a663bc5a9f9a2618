"""Assessment demo: for 溧阳监狱, a 电工（五级）class held with 常州技师学院 about two months ago and
completed, its assessment application (附件6) approved by 常州市职业技能鉴定指导中心, 常州监狱, 省监狱管理局
and 常州市人社局, the results (passed, failed, absent) and the certificates of those who passed.

Runs after the training demo (which provides the plan line, the agreement and the institution's approval).
Idempotent: a second run changes nothing.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from skillbridge.accounts.models import Organisation, User
from skillbridge.approvals import services as approvals
from skillbridge.approvals.models import ReviewStatus
from skillbridge.catalog import services as catalog
from skillbridge.catalog.models import ApprovedOccupation, Occupation, SkillLevel
from skillbridge.training import services as training
from skillbridge.training.checks import application_problems as class_problems
from skillbridge.training.models import ClassApplication
from skillbridge.training.selectors import roster_candidates

from . import services
from .checks import application_problems
from .models import AssessmentApplication

UNIT, INSTITUTION, EVALUATOR, OCCUPATION, LEVEL = (
    "溧阳监狱",
    "常州技师学院",
    "常州市职业技能鉴定指导中心",
    "6-31-01-03",
    5,
)
SESSIONS = [  # day offset, minutes, kind, topic: 2 × 180 theory, 3 × 180 practice (40% / 60%)
    (0, 180, "theory", "电工基础知识与安全用电"),
    (2, 180, "theory", "低压电器与照明线路"),
    (5, 180, "practice", "导线连接与绝缘恢复"),
    (9, 180, "practice", "照明电路安装"),
    (13, 180, "practice", "电动机控制线路安装"),
]
CHAIN = [
    ("cz_eval_operator", "同意，已安排考场与考评员。"),
    ("cz_reviewer", "同意，汇总上报。"),
    ("js_bureau_head", "同意备案。"),
    ("cz_hrss_reviewer", "同意。"),
]
# theory, practical, outcome for the candidates in roster order (the rest pass with these scores).
SCORES = [("86", "90", "passed"), ("72", "58", "failed"), (None, None, "absent")]
PASS = ("78", "84", "passed")


def _user(username: str) -> User:
    return User.objects.select_related("organisation").get(username=username)


def _skip(message: str) -> str:
    transaction.set_rollback(True)
    return "跳过：" + message


def _completed_class(unit, institution, start, end, today):
    operator = _user("ly_operator")
    occupation, level = Occupation.objects.get(code=OCCUPATION), SkillLevel.objects.get(code=LEVEL)
    period = ClassApplication.objects.filter(unit=unit, plan_year=start.year).count() + 1
    application = training.application_create(
        actor=operator,
        data={
            "institution": institution,
            "plan_year": start.year,
            "category": "employment",
            "occupation": occupation,
            "special_item": None,
            "project_name": "",
            "level": level,
            "trainees": 8,
            "period_number": period,
            "period_total": max(period, 2),
            "date_from": start,
            "date_to": end,
            "days": (end - start).days + 1,
            "theory_hours": 32,
            "practice_hours": 48,
            "teachers": "王建国（电工高级技师）",
            "textbooks": "《电工（初级）》（中国劳动社会保障出版社）",
            "venue": "溧阳监狱教育改造中心电工实训室",
            "filled_on": start - dt.timedelta(days=20),
        },
    )
    problems = class_problems(application)
    if problems:
        return None, "；".join(p.message for p in problems)
    application = training.application_submit(actor=operator, application=application)
    case = application.review
    for username in ("js_bureau_reviewer", "cz_hrss_reviewer"):
        case = approvals.review_approve(actor=_user(username), case=case, stage_id=case.current_stage_id)
    c = training.class_open(actor=operator, application=application)
    people = [x.person for x in roster_candidates(operator, c, today=start) if x.decision.allowed][:6]
    if len(people) < 3:
        return None, "溧阳监狱符合条件的人员不足3人（请先运行人员演示数据）"
    training.enrolments_add(actor=operator, training_class=c, people=people, today=start)
    for offset, minutes, kind, topic in SESSIONS:
        session = training.session_create(
            actor=operator,
            training_class=c,
            data={
                "date": start + dt.timedelta(days=offset),
                "start_time": dt.time(8, 30),
                "minutes": minutes,
                "kind": kind,
                "topic": topic,
                "teacher": "王建国",
            },
        )
        training.attendance_mark_all_present(actor=operator, session=session)
        training.session_sign_off(actor=operator, session=session)
    training.class_complete(actor=operator, training_class=c, ended_on=end)
    c.refresh_from_db()
    return c, ""


@transaction.atomic
def load_demo(*, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    orgs = {o.name: o for o in Organisation.objects.filter(name__in=[UNIT, INSTITUTION, EVALUATOR])}
    if len(orgs) < 3:
        return "跳过：缺少溧阳监狱、常州技师学院或常州市职业技能鉴定指导中心（请先运行平台演示数据）"
    unit, institution, evaluator = orgs[UNIT], orgs[INSTITUTION], orgs[EVALUATOR]
    if AssessmentApplication.objects.filter(unit=unit).exists():
        return "鉴定演示数据已存在"
    start, end = today - dt.timedelta(days=70), today - dt.timedelta(days=50)
    if start.year != today.year:
        return _skip("演示培训班须在本年度内（年初不生成）")
    occupation = Occupation.objects.get(code=OCCUPATION)
    if not ApprovedOccupation.objects.filter(institution=evaluator, occupation=occupation).exists():
        catalog.approved_occupation_set(
            actor=_user("cz_hrss_operator"),
            institution=evaluator,
            occupation=occupation,
            levels=list(SkillLevel.objects.filter(code__in=[5, 4])),
        )
    c, problem = _completed_class(unit, institution, start, end, today)
    if c is None:
        return _skip(problem)
    operator = _user("ly_operator")
    completed = list(c.enrolments.filter(status="completed").select_related("person").order_by("id"))
    application = services.application_create(
        actor=operator,
        data={
            "training_class": c,
            "examiner": evaluator,
            "assessment_date": end + dt.timedelta(days=10),
            "candidates": len(completed),
            "filled_on": end + dt.timedelta(days=1),
        },
    )
    problems = application_problems(application)
    if problems:
        return _skip("；".join(p.message for p in problems))
    application = services.application_submit(actor=operator, application=application)
    case = application.review
    for username, opinion in CHAIN:
        case = approvals.review_approve(
            actor=_user(username), case=case, stage_id=case.current_stage_id, opinion=opinion
        )
    if case.status != ReviewStatus.APPROVED:
        raise RuntimeError(f"演示鉴定申报未能审核通过：{case.get_status_display()}")
    application.refresh_from_db()
    examiner = _user("cz_eval_operator")
    rows = []
    for i, enrolment in enumerate(completed):
        theory, practical, outcome = SCORES[i] if i < len(SCORES) else PASS
        rows.append(
            {
                "person_id": enrolment.person_id,
                "theory_score": theory,
                "practical_score": practical,
                "outcome": outcome,
            }
        )
    services.results_save(actor=examiner, application=application, rows=rows)
    passed = application.results.filter(outcome="passed").order_by("id")
    services.certificates_issue(
        actor=examiner,
        application=application,
        items=[
            {"result": r, "official_number": f"S{today.year}320400{application.pk:04d}{n:04d}"}
            for n, r in enumerate(passed, start=1)
        ],
        issue_date=min(end + dt.timedelta(days=30), today),
    )
    return f"已创建鉴定申报“{application}”：考生{len(rows)}人，颁发证书{passed.count()}本"
