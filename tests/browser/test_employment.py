"""Issue 8, employment services, in a real browser: 溧阳监狱's operator builds the employment profile of a person
released three months ago (with a certificate obtained before release), hands them over to 常州市公共就业服务中心;
the employment service receives them, records the 3-month follow-up (employed, trained occupation), and the
person appears in the employment-rate figure of certified released persons. The employment service's list
shows only the people handed to it. Screenshots go to screenshots/employment_*.png."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from skillbridge.accounts.models import User
from skillbridge.catalog.models import CertificateType, Occupation
from skillbridge.certificates.models import Certificate
from skillbridge.employment.models import FollowUp, Handover
from skillbridge.policy.rules import add_months
from skillbridge.registry import services as registry
from skillbridge.registry.idnumbers import make_id_number
from skillbridge.registry.models import Episode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNIT = "溧阳监狱"
PES = "常州市公共就业服务中心"


def arrange(demo, today):
    operator, unit = demo.user("ly_operator"), demo.orgs[UNIT]
    released_on = add_months(today, -3)
    people = {}
    for i, (name, release) in enumerate([("王立新", released_on), ("周建军", add_months(today, 2))], start=1):
        person = registry.person_create(
            actor=operator,
            unit=unit,
            person={
                "name": name,
                "id_number": make_id_number("320481", dt.date(1985, 3, i), 101 + 2 * i),
                "population_category": "inmate",
                "education": "junior",
            },
            episode={
                "kind": "custody",
                "inmate_number": f"LYB{i:03d}",
                "term_start": add_months(release, -30),
                "term_end": release,
                "expected_release_date": release,
                "has_skill": False,
                "can_study": True,
                "labour_capacity": True,
                "employment_intention": "电工",
            },
        )
        people[name] = person
    Certificate.objects.create(
        person=people["王立新"],
        unit=unit,
        certificate_type=CertificateType.objects.get(name="职业技能等级证书"),
        occupation=Occupation.objects.get(code="6-31-01-03"),
        issuer=demo.orgs["常州市职业技能鉴定指导中心"],
        issue_date=released_on - dt.timedelta(days=40),
        official_number="S000032040000000001",
        verification_code="BRWEMP0000000001",
        issued_by=demo.user("cz_eval_operator"),
    )
    episode = Episode.objects.get(unit=unit, inmate_number="LYB001")
    registry.episode_status_change(
        actor=operator, episode=episode, to_status="released", changed_on=released_on, note="刑满释放"
    )
    return released_on, episode


def test_released_person_handed_over_followed_up_and_counted(demo, demo_mode, session, new_session):
    today = timezone.localdate()
    released_on, _ = arrange(demo, today)

    # 1. The prison: released people in the follow-up period, build the profile, hand over.
    page = session.login("ly_operator")
    page.goto("/employment/people/?phase=released")
    row = page.locator("tr", has_text="王立新")
    expect(row).to_contain_text("未建档")
    expect(row).to_contain_text("1本")
    session.screenshot("employment_1_released_people")
    row.get_by_role("link", name="建档").click()
    page.get_by_label("释放后去向（行政区划代码）").fill("3204")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".text-danger").first).to_contain_text("须为6位行政区划代码")
    page.get_by_label("释放后去向（行政区划代码）").fill("320481")
    page.get_by_label("去向地址").fill("江苏省常州市溧阳市")
    page.get_by_label("岗位推荐").check()
    page.get_by_label("职业指导").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_have_text("就业档案：王立新")
    expect(page.locator("body")).to_contain_text("岗位推荐、职业指导")
    expect(page.locator("body")).to_contain_text("S000032040000000001")
    page.get_by_label("接收机构").select_option(label=PES)
    page.get_by_label("移交说明").fill("刑释人员就业需求移交")
    session.screenshot("employment_2_profile")
    page.get_by_role("button", name="移交").click()
    expect(page.locator("h1")).to_have_text("就业服务移交：王立新")
    expect(page.locator("body")).to_contain_text("状态：已移交")
    handover = Handover.objects.get()
    assert (handover.recipient.name, handover.status) == (PES, "handed_over")

    # 2. The employment service: only this person is listed; receive, record the 3-month follow-up.
    pes = new_session()
    page = pes.login("cz_pes_operator")
    page.goto("/employment/")
    expect(page.locator("h1")).to_have_text("就业服务移交")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("王立新")
    expect(page.locator("table")).not_to_contain_text("周建军")
    pes.screenshot("employment_3_pes_list")
    rows.first.get_by_role("link", name="王立新").click()
    page.get_by_role("button", name="接收").click()
    expect(page.locator("body")).to_contain_text("状态：已接收")
    due = add_months(released_on, 3)
    expect(page.locator("tr", has_text="释放后3个月").first).to_contain_text(due.isoformat())
    page.get_by_label("就业状态").select_option(label="单位就业")
    page.get_by_label("就业单位").fill("溧阳市某机电设备有限公司")
    page.get_by_label("行业（GB/T 4754 门类）").select_option(label="制造业")
    page.get_by_label("从事所培训职业（工种）").select_option(label="是")
    page.get_by_label("回访情况").fill("从事设备电工")
    page.get_by_role("button", name="保存回访").click()
    expect(page.locator(".alert").first).to_contain_text("回访已登记")
    expect(page.locator("tr", has_text="释放后3个月").first).to_contain_text("已回访")
    expect(page.locator("body")).to_contain_text("状态：服务中")
    pes.screenshot("employment_4_follow_up")
    follow_up = FollowUp.objects.get()
    assert (follow_up.employment_form, follow_up.employer_sector, follow_up.uses_trained_occupation) == (
        "employed",
        "C",
        True,
    )

    # 3. The employment rate: certified released persons, released in the period.
    page.goto("/employment/rate/")
    page.get_by_label("释放日期从").fill(released_on.isoformat())
    page.get_by_label("释放日期至").fill(released_on.isoformat())
    page.get_by_role("button", name="统计").click()
    certified = page.locator('tr[data-group="certified"] td')
    expect(certified).to_have_text(["持证人员", "1", "1", "100.0%", "1", "100.0%"])
    expect(page.locator('tr[data-group="uncertified"] td')).to_have_text(
        ["未持证人员", "0", "0", "—", "0", "—"]
    )
    page.wait_for_timeout(300)
    pes.screenshot("employment_5_rate")

    # The prison sees the same figure for its unit; the people list now shows the service status.
    page = session.page
    page.goto(f"/employment/rate/?date_from={released_on.isoformat()}&date_to={released_on.isoformat()}")
    expect(page.locator('tr[data-group="total"] td').nth(3)).to_have_text("100.0%")
    page.goto("/employment/people/?phase=released")
    expect(page.locator("tr", has_text="王立新")).to_contain_text("服务中")
    assert session.external_requests == [] and pes.external_requests == []


def test_demo_pages_for_the_prison_and_the_employment_service(demo, demo_mode, session, new_session):
    """The other pages with the employment demo data: the list of people approaching release, a service
    event with its attendance, agreements and the follow-ups due — looked at in screenshots."""
    from skillbridge.employment.demo import load_demo

    load_demo()
    User.objects.update(must_change_password=False)
    page = session.login("ly_operator")
    page.goto("/employment/people/")
    expect(page.locator("tr", has_text="周建军")).to_contain_text("已接收")
    expect(page.locator("tr", has_text="吴海涛")).to_contain_text("已建档（未移交）")
    session.screenshot("employment_6_approaching")
    page.goto("/employment/events/")
    page.get_by_role("link", name="刑释人员岗位推介会").click()
    expect(page.locator("h2").first).to_have_text("参加人员（3人）")
    session.screenshot("employment_7_event")
    pes = new_session()
    page = pes.login("cz_pes_operator")
    page.goto("/employment/agreements/")
    expect(page.locator("table tbody tr")).to_have_count(1)
    pes.screenshot("employment_8_agreements")
    page.goto("/employment/follow-ups/?state=not_due")
    expect(page.locator("table tbody tr").first).to_contain_text("释放后6个月")
    pes.screenshot("employment_9_follow_ups")
    page.goto("/employment/events/")
    page.get_by_role("link", name="刑释人员岗位推介会").click()
    expect(page.locator("h2").first).to_have_text("参加人员（3人）")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody")).to_contain_text("周建军")
    pes.screenshot("employment_10_event_pes")
