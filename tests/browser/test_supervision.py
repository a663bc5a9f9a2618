"""A risk scan finds a seeded overlapping-class case; the city justice bureau assigns it to 溧阳监狱, the prison
answers, the bureau closes it; the city HRSS rates 常州技师学院 and the rating page explains the grade.

The scan task runs in the request (ImmediateBackend) once the request commits.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect
from tests.supervision.conftest import certificate, enrol, make_class, person

from skillbridge.supervision.models import CreditRating, Finding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = dt.date


@pytest.fixture(autouse=True)
def _scan_in_request(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def seeded(demo):
    from skillbridge.catalog.demo import load_demo

    load_demo()
    first = make_class(demo, date_from=D(2026, 3, 2), date_to=D(2026, 3, 27), ended_on=D(2026, 3, 27))
    second = make_class(demo, date_from=D(2026, 3, 16), date_to=D(2026, 4, 10), venue="溧阳监狱二监区教室")
    who = person(demo, name="欧阳重叠")
    enrol(demo, first, who, status="completed", exit_on=D(2026, 3, 27))
    enrol(demo, second, who)
    others = [person(demo) for _ in range(4)]
    for p in others[:3]:
        enrol(demo, first, p, status="completed", exit_on=D(2026, 3, 27))
    enrol(demo, first, others[3], status="failed", exit_on=D(2026, 3, 27))
    for p in (who, *others[:2]):
        certificate(demo, first, p, D(2026, 4, 8))
    return demo


def test_scan_finds_overlap_assign_answer_close_and_rating_page(seeded, demo_mode, session, new_session):
    page = session.login("cz_justice_reviewer")
    page.goto("/supervision/")
    page.get_by_role("button", name="发起风险扫描").click()
    expect(page.get_by_text("状态：已完成")).to_be_visible()
    session.screenshot("supervision_scan")
    page.goto("/supervision/?status=open")
    expect(page.get_by_role("cell", name="同一人员同时参加时间重叠的培训班")).to_be_visible()
    session.screenshot("supervision_finding_list")
    page.get_by_role("link", name="欧阳重叠同时在两个培训班：2026-03-16至2026-03-27重叠").click()
    expect(page.get_by_role("heading", name="风险问题", exact=False).first).to_be_visible()
    expect(
        page.get_by_text("溧阳监狱二监区教室", exact=False).or_(page.get_by_text("涉及培训班"))
    ).to_be_visible()
    page.get_by_label("承办人").select_option(label="溧阳监狱教育科经办（溧阳监狱）")
    page.get_by_label("分派说明").fill("请核实该学员为何同时在两个班")
    page.get_by_role("button", name="分派", exact=True).click()
    expect(page.get_by_text("承办人：溧阳监狱教育科经办（溧阳监狱）")).to_be_visible()
    session.screenshot("supervision_finding_assigned")
    finding = Finding.objects.get(rule="overlapping_classes")
    assert finding.status == "assigned"

    unit = new_session()
    upage = unit.login("ly_operator")
    upage.goto(f"/supervision/findings/{finding.pk}/")
    upage.get_by_label("答复（核查情况、整改措施）").fill("第一期结业前误将其编入第二期，已办理退班。")
    upage.get_by_role("button", name="提交答复").click()
    expect(upage.get_by_text("答复：第一期结业前误将其编入第二期，已办理退班。")).to_be_visible()

    page.reload()
    page.get_by_label("办结结论").select_option(label="属实（已整改/已处理）")
    page.get_by_label("办结意见").fill("情况属实，已整改到位。")
    page.get_by_role("button", name="办结").click()
    expect(page.locator(".badge", has_text="已办结")).to_be_visible()
    expect(page.get_by_text("办结结论：属实（已整改/已处理）")).to_be_visible()
    session.screenshot("supervision_finding_closed")
    finding.refresh_from_db()
    assert (finding.status, finding.outcome) == ("closed", "confirmed")
    assert list(finding.events.values_list("action", flat=True)) == [
        "found",
        "assigned",
        "answered",
        "closed",
    ]

    hrss = new_session()
    hpage = hrss.login("cz_hrss_reviewer")
    hpage.goto("/supervision/ratings/")
    hpage.get_by_label("机构").select_option(label="常州技师学院")
    hpage.get_by_label("评价年度").fill("2026")
    hpage.get_by_role("button", name="评定（重新评定）").click()
    rating = CreditRating.objects.get()
    expect(hpage.get_by_role("heading", name="常州技师学院 · 2026年度信用评价")).to_be_visible()
    expect(hpage.get_by_text(f"{rating.grade}级", exact=True)).to_be_visible()
    expect(hpage.get_by_text("结业4人，未结业1人，合格率80.0%")).to_be_visible()
    expect(hpage.get_by_text("结业4人中3人取得证书，获证率75.0%")).to_be_visible()
    expect(hpage.get_by_text("考勤类风险问题1项（经核实排除的不计）")).to_be_visible()
    hrss.screenshot("supervision_rating")
    assert not session.external_requests and not unit.external_requests and not hrss.external_requests


def test_inspection_rectification_and_notice(demo, demo_mode, session, new_session):
    page = session.login("cz_justice_reviewer")
    page.goto("/supervision/inspections/")
    page.get_by_label("被督查单位").select_option(label="溧阳监狱")
    page.get_by_label("督查事项").fill("2026年度培训工作督查")
    page.get_by_label("计划日期").fill("2026-09-28")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="2026年度培训工作督查")).to_be_visible()
    page.get_by_label("检查日期").fill("2026-09-30")
    page.get_by_label("检查人员").fill("张三、李四")
    page.get_by_label("检查记录").fill("查阅考勤台账，实地查看实训楼。")
    page.get_by_label("发现问题（每行一项，无问题留空）").fill("考勤未当日签认\n实训耗材领用无登记")
    page.get_by_label("整改要求").fill("补齐签认；建立领用登记")
    page.get_by_role("button", name="保存").click()
    # 2026-09-30 + 15 working days by the official calendar (National Day holiday skipped, make-up days counted).
    from skillbridge.policy.workdays import add_working_days

    due = add_working_days(D(2026, 9, 30), 15)
    assert due == D(2026, 10, 27)
    expect(page.get_by_text(f"{due.year}年{due.month}月{due.day}日", exact=False).first).to_be_visible()
    session.screenshot("supervision_inspection")

    unit = new_session()
    upage = unit.login("ly_operator")
    upage.goto(page.url)
    upage.get_by_label("整改情况").fill("已补签考勤，建立实训耗材领用登记簿。")
    upage.get_by_label("报告日期").fill("2026-10-20")
    upage.get_by_role("button", name="提交").click()
    expect(upage.get_by_text("状态：整改已报告")).to_be_visible()

    page.reload()
    page.get_by_label("复查日期").fill("2026-10-29")
    page.get_by_label("复查结论").fill("整改到位。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("状态：已办结")).to_be_visible()
    page.goto("/supervision/notices/new/")
    page.get_by_label("被通报单位").select_option(label="溧阳监狱")
    page.get_by_label("类型").select_option(label="通报表扬")
    page.get_by_label("标题").fill("关于表扬溧阳监狱整改工作的通报")
    page.get_by_label("内容").fill("整改及时、到位。")
    page.get_by_label("通报日期").fill("2026-11-02")
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("关于表扬溧阳监狱整改工作的通报")).to_be_visible()
    session.screenshot("supervision_inspection_list")
