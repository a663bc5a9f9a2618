"""Employment-services demo: the public employment services of 常州 and 合肥 (with one operator each), and
for 溧阳监狱 people approaching release with profiles, a handover being served, a released person handed
over and followed up at 3 months, a job-introduction event with attendance and an assistance agreement.

Runs after the platform, catalogue and registry demos; dates are relative to today. Idempotent: a second
run changes nothing (everything is keyed by the inmate numbers LY-EMP-*).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from skillbridge.accounts.models import Organisation, User
from skillbridge.policy.rules import add_months
from skillbridge.registry import services as registry
from skillbridge.registry.idnumbers import make_id_number
from skillbridge.registry.models import Episode

from . import services
from .models import EventKind

SERVICE_ORGS = ("常州市公共就业服务中心", "合肥市公共就业服务中心")  # created by the platform demo
UNIT = "溧阳监狱"
# inmate number, name, birth, months to release (negative: released that many months ago), intention, needs
PEOPLE = [
    ("LY-EMP-01", "周建军", dt.date(1985, 3, 12), 2, "电工、设备维修", ["job_referral", "career_guidance"]),
    ("LY-EMP-02", "吴海涛", dt.date(1990, 7, 8), 4, "餐饮服务", ["job_referral", "social_insurance"]),
    ("LY-EMP-03", "郑国平", dt.date(1979, 11, 23), 5, "自主创业（汽修）", ["entrepreneurship"]),
    ("LY-EMP-04", "王立新", dt.date(1988, 1, 30), -4, "电工", ["job_referral"]),
]


def _user(username: str) -> User:
    return User.objects.select_related("organisation").get(username=username)


@transaction.atomic
def load_demo(today: dt.date | None = None) -> str:
    orgs = {o.name: o for o in Organisation.objects.filter(name__in=SERVICE_ORGS)}
    unit = Organisation.objects.filter(name=UNIT).first()
    if unit is None:
        return f"未找到{UNIT}，跳过就业服务演示数据"
    if Episode.objects.filter(unit=unit, inmate_number=PEOPLE[0][0]).exists():
        return "就业服务演示数据已存在"
    today = today or timezone.localdate()
    operator, pes = _user("ly_operator"), _user("cz_pes_operator")
    recipient = orgs["常州市公共就业服务中心"]
    profiles = {}
    for i, (number, name, birth, months, intention, needs) in enumerate(PEOPLE):
        release = add_months(today, months)
        start = add_months(release, -36)
        registry.person_create(
            actor=None,
            unit=unit,
            person={
                "name": name,
                "id_number": make_id_number("320481", birth, 101 + 2 * i),
                "population_category": "inmate",
                "education": "junior",
                "household_registration": "江苏省常州市溧阳市",
            },
            episode={
                "kind": "custody",
                "inmate_number": number,
                "term_start": start,
                "term_end": release,
                "expected_release_date": release,
                "has_skill": False,
                "can_study": True,
                "labour_capacity": True,
            },
        )
        episode = Episode.objects.get(unit=unit, inmate_number=number)
        if months < 0:
            registry.episode_status_change(
                actor=operator, episode=episode, to_status="released", changed_on=release, note="刑满释放"
            )
        profiles[number] = services.profile_save(
            actor=operator,
            episode=episode,
            data={
                "employment_intention": intention,
                "destination_region": "320481",
                "destination_address": "江苏省常州市溧阳市",
                "needs": needs,
                "needs_note": "希望在溧阳本地就业" if i % 2 == 0 else "",
            },
        )
    # 周建军: handed over two months before release, received and being served, with an agreement.
    first = profiles["LY-EMP-01"]
    handover = services.handover_create(
        actor=operator,
        profile=first,
        recipient=recipient,
        handed_over_on=add_months(today, -1),
        note="刑释前移交",
    )
    services.handover_receive(actor=pes, handover=handover, on=add_months(today, -1) + dt.timedelta(days=3))
    services.agreement_create(
        actor=pes,
        profile=first,
        data={
            "number": f"CZJY-{today.year}-0001",
            "signed_on": add_months(today, -1) + dt.timedelta(days=10),
            "valid_until": add_months(today, 12),
            "goals": "释放后3个月内实现稳定就业",
            "measures": "推荐电工岗位不少于3个；提供职业指导1次；协助办理社会保险接续",
            "contact": "陈老师",
        },
    )
    # 王立新: released four months ago, handed over, 3-month follow-up: employed as an electrician.
    released = profiles["LY-EMP-04"]
    released_on = add_months(today, -4)
    handover = services.handover_create(
        actor=operator, profile=released, recipient=recipient, handed_over_on=released_on
    )
    services.handover_receive(actor=pes, handover=handover, on=released_on + dt.timedelta(days=2))
    services.follow_up_record(
        actor=pes,
        handover=handover,
        milestone_months=3,
        data={
            "done_on": add_months(released_on, 3),
            "employment_form": "employed",
            "employer_name": "溧阳市某机电设备有限公司",
            "employer_sector": "C",
            "uses_trained_occupation": True,
            "note": "从事设备电工，月收入约4500元",
        },
        today=today,
    )
    event = services.event_create(
        actor=operator,
        data={
            "kind": EventKind.JOB_INTRODUCTION,
            "title": "刑释人员岗位推介会",
            "held_on": today - dt.timedelta(days=7),
            "venue": "溧阳监狱教育中心",
            "content": "常州市公共就业服务中心推介本地制造业、餐饮业岗位42个",
            "organiser": recipient,
        },
    )
    services.attendance_add(
        actor=operator,
        event=event,
        people=[profiles[n].person for n in ("LY-EMP-01", "LY-EMP-02", "LY-EMP-03")],
    )
    return "已创建就业服务演示数据：4份就业档案、2条移交、1次回访、1场岗位推介会"
