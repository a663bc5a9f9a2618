"""Supervision demo: a risk scan of the Changzhou units by the city justice bureau (run at once, not queued),
an inspection of 溧阳监狱 with issues under rectification, a notice of praise for 常州监狱, and the credit
rating of 常州技师学院 for the current year.

Runs after the platform, catalogue and training demos. Idempotent: a second run changes nothing.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from skillbridge.accounts.models import Organisation, User

from . import services
from .models import CreditRating, Inspection, Notice, ScanRun

INSPECTION_TITLE = "特殊人群职业技能培训工作督查（演示）"
NOTICE_TITLE = "关于表扬常州监狱职业技能培训工作的通报（演示）"


def _user(username: str) -> User | None:
    return User.objects.select_related("organisation").filter(username=username).first()


def load_demo(*, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    justice, hrss = _user("cz_justice_reviewer"), _user("cz_hrss_reviewer")
    orgs = {o.name: o for o in Organisation.objects.filter(name__in=["溧阳监狱", "常州监狱", "常州技师学院"])}
    if justice is None or hrss is None or len(orgs) < 3:
        return "跳过：缺少常州演示机构或账号（请先运行平台演示数据）"
    done = []
    if not ScanRun.objects.filter(organisation=justice.organisation).exists():
        run = services.scan_request(actor=justice)
        services.scan_execute(run.pk)  # at once; the queued task then finds it done and does nothing
        run.refresh_from_db()
        done.append(f"风险扫描：{run.message}")
    with transaction.atomic():
        if not Inspection.objects.filter(title=INSPECTION_TITLE).exists():
            visit = today - dt.timedelta(days=7)
            inspection = services.inspection_plan(
                actor=justice,
                target=orgs["溧阳监狱"],
                title=INSPECTION_TITLE,
                planned_on=visit,
                scope_text="培训计划执行、课次与考勤台账、学员信息录入、补贴资金专账",
            )
            services.inspection_visit(
                actor=justice,
                inspection=inspection,
                visited_on=visit,
                inspectors="常州市司法局、常州市人力资源和社会保障局联合督查组",
                visit_record="查阅培训班课次与考勤台账，实地查看实训场地，抽查学员3名。",
                issues=["部分课次考勤未当日签认", "实训耗材领用无登记"],
                rectification_required="补齐考勤签认；建立实训耗材领用登记制度",
            )
            done.append("督查1项")
        if not Notice.objects.filter(title=NOTICE_TITLE).exists():
            services.notice_issue(
                actor=justice,
                target=orgs["常州监狱"],
                kind="praise",
                title=NOTICE_TITLE,
                content="常州监狱牵头汇总全市监狱培训计划，培训行动快、工作实、质量高、效果好，予以通报表扬。",
                issued_on=today,
            )
            done.append("通报1项")
    if not CreditRating.objects.filter(institution=orgs["常州技师学院"], year=today.year).exists():
        rating = services.rating_compute(
            actor=hrss, institution=orgs["常州技师学院"], year=today.year, today=today
        )
        done.append(f"信用评价：常州技师学院{today.year}年度{rating.grade}级")
    return "；".join(done) if done else "监督检查演示数据已存在"
