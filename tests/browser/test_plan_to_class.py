"""Issue 4 end to end in a real browser: 溧阳监狱's operator builds next year's plan from the 摸排 (survey), it
passes 常州监狱 (lead prison), 省监狱管理局 and 常州市人社局; a class is applied for (附件4) against the plan line
and approved, opens, gets a roster, theory and practice sessions and attendance, and completes. The plan's
forms (001 附件1/附件2 xlsx, 附件2 PDF), the 附件4 PDF and a sign-in sheet are exported and read back; the
PDFs are rasterised into screenshots/ to be looked at.

Year: the plan is for next year (2027), the year an operator compiles in November (the Changzhou deadline is
30 November of the year before). The `demo` fixture loads organisations and accounts only, so 溧阳监狱 has no
2027 plan yet (the planning demo's draft 2027 plan is not loaded). The class must lie in the plan year, so it
runs in March 2027: chinesecalendar only covers years up to 2026, and that is fine here because the Changzhou
pack sets no working-day deadline on class dates (no 学员信息录入 time limit); the only working-day count on
these pages is the inbox's overdue count, against the plan's 2026 deadline.
"""

import datetime as dt
import io
import subprocess

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook
from tests.browser.conftest import SCREENSHOTS

from skillbridge.approvals.models import ReviewStatus
from skillbridge.planning.models import AnnualPlan
from skillbridge.registry import services as registry
from skillbridge.registry.idnumbers import make_id_number
from skillbridge.training.models import ClassApplication, ClassStatus, EnrolmentStatus, TrainingClass

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date
UNIT = "溧阳监狱"
INSTITUTION = "常州技师学院"
YEAR = 2027
PLAN_TITLE = f"{UNIT}{YEAR}年度职业技能培训计划"
ELECTRICIAN = "6-31-01-03"

# name, employment intention, expected release: all eligible in 2027 (released within 24 months, no skill,
# able to study) and, for the 电工 group, released well after the March 2027 class (no enrolment warning).
PEOPLE = [
    ("赵一鸣", "电工", D(2028, 1, 15)),
    ("钱二虎", "电工", D(2028, 2, 15)),
    ("孙三立", "电工", D(2028, 3, 15)),
    ("李四海", "电工", D(2028, 4, 15)),
    ("周五洲", "电工", D(2028, 5, 15)),
    ("吴六合", "电工", D(2028, 6, 15)),
    ("郑七星", "焊工", D(2027, 10, 20)),
    ("王八方", "焊工", D(2028, 8, 20)),
    ("冯九成", "焊工", D(2028, 9, 20)),
    ("陈十全", "中式面点师", D(2027, 12, 1)),
    ("褚永安", "中式面点师", D(2028, 2, 1)),
]
SKILLED = ("卫有技", "电工", D(2028, 1, 1))  # has a skill already: listed as not eligible
TRAINEES = [name for name, intention, _ in PEOPLE if intention == "电工"]

CLASS_FROM, CLASS_TO = D(2027, 3, 1), D(2027, 3, 26)
# (date, start, minutes, kind label, topic): 2 × 180 theory, 3 × 180 practice = 40% / 60% (常州 五(三)).
SESSIONS = [
    (D(2027, 3, 1), "08:30", 180, "理论", "电工基础知识与安全用电"),
    (D(2027, 3, 3), "08:30", 180, "理论", "低压电器与照明线路"),
    (D(2027, 3, 8), "08:30", 180, "实操", "导线连接与绝缘恢复"),
    (D(2027, 3, 15), "08:30", 180, "实操", "照明电路安装"),
    (D(2027, 3, 22), "08:30", 180, "实操", "电动机控制线路安装"),
]
EXCEPTION = ("钱二虎", 90, "下午提审，缺课90分钟")


# ---- helpers ----------------------------------------------------------------------------------------------


def arrange_people(demo):
    """The 摸排 data the registry holds (the import page is tested in test_registry_import.py)."""
    operator, unit = demo.user("ly_operator"), demo.orgs[UNIT]
    for i, (name, intention, release) in enumerate([*PEOPLE, SKILLED], start=1):
        registry.person_create(
            actor=operator,
            unit=unit,
            person={
                "name": name,
                "id_number": make_id_number("320481", D(1985, 1, i), 2 * i + 1),
                "population_category": "inmate",
                "education": "junior",
                "household_registration": "江苏省常州市溧阳市",
            },
            episode={
                "kind": "custody",
                "inmate_number": f"LY27{i:03d}",
                "term_start": D(2022, 6, 1),
                "term_end": release,
                "expected_release_date": release,
                "has_skill": name == SKILLED[0],
                "skill": "电焊" if name == SKILLED[0] else "",
                "can_study": True,
                "labour_capacity": True,
                "employment_intention": intention,
            },
        )


def shot(session, name: str):
    session.screenshot(f"p2c_{name}")


def rows(page, *texts):
    found = page.locator("tbody tr")
    for text in texts:
        found = found.filter(has_text=text)
    return found


def cells(row) -> list[str]:
    expect(row).to_have_count(1)
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def download(page, link) -> tuple[str, bytes]:
    with page.expect_download() as info:
        link.click()
    d = info.value
    with open(d.path(), "rb") as f:
        return d.suggested_filename, f.read()


def fetch_pdf(session, link) -> bytes:
    """PDFs are served inline (the browser would open its viewer): fetch the link's target with the session."""
    response = session.context.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    return response.body()


def rasterise(content: bytes, name: str) -> list[str]:
    """pdftoppm -png -r 70 into screenshots/: p2c_<name>-1.png, -2.png …; returns the page files."""
    SCREENSHOTS.mkdir(exist_ok=True)
    pdf = SCREENSHOTS / f"p2c_{name}.pdf"
    pdf.write_bytes(content)
    for old in SCREENSHOTS.glob(f"p2c_{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(SCREENSHOTS / f"p2c_{name}")], check=True)
    pdf.unlink()
    pages = sorted(p.name for p in SCREENSHOTS.glob(f"p2c_{name}-*.png"))
    assert pages
    return pages


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def sheet_rows(content: bytes) -> list[list]:
    with CalamineWorkbook.from_filelike(io.BytesIO(content)) as book:
        return book.get_sheet_by_index(0).to_python()


def approve_from_inbox(session, username: str, title: str, stage: str, shot_name: str):
    page = session.login(username)
    expect(page.locator("h1")).to_have_text("待办事项")
    row = rows(page, title)
    assert cells(row)[3] == stage
    shot(session, f"inbox_{shot_name}")
    row.get_by_role("link", name="办理").click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("h2").filter(has_text="办理：")).to_have_text(f"办理：{stage}")
    page.get_by_label("同意", exact=True).check()
    page.get_by_label("审核意见").fill("同意")
    page.get_by_role("button", name="提交意见").click()
    expect(page.get_by_role("alert")).to_have_text("审核意见已提交。")


# ---- the flow ---------------------------------------------------------------------------------------------


def build_plan(session) -> AnnualPlan:
    page = session.login("ly_operator")
    page.locator("nav").get_by_role("link", name="年度计划").click()
    expect(page.locator("h1")).to_have_text("年度培训计划")
    page.get_by_role("link", name="按摸排结果编制年度计划").click()
    expect(page.locator("h1")).to_have_text(f"编制年度培训计划：{UNIT}")
    expect(page.get_by_label("计划年度")).to_have_value(str(YEAR))
    survey = page.locator("main p").filter(has_text="年度摸排")
    expect(survey).to_contain_text(f"{len(PEOPLE)} 人符合培训条件（1 人不符合）")
    groups = page.locator(".sb-card").first.locator("tbody tr")
    assert [cells(groups.nth(i))[:3] for i in range(3)] == [
        ["电工", "6", "电工"],
        ["焊工", "3", "焊工"],
        ["中式面点师", "2", "中式面点师"],
    ]
    shot(session, "01_plan_create")

    # The operator adds two people expected after a second 摸排 to the 电工 line and states why.
    page.locator("#id_items-0-planned_trainees").fill("8")
    page.locator("#id_items-0-budget").fill("9600")
    page.locator("#id_items-0-note").fill("就业意向：电工（6人），另预留2个名额")
    page.get_by_label("编制说明").fill("根据2026年11月摸排结果，按服刑人员就业意向编制。")
    page.get_by_role("button", name="保存为草稿").click()
    expect(page.get_by_role("alert")).to_contain_text("（草稿），请核对计划项目后报送。")
    expect(page.locator("h1")).to_have_text(PLAN_TITLE)
    plan = AnnualPlan.objects.get(unit__name=UNIT, year=YEAR)

    # Adjust an item on the plan page: the 焊工 line gets a second class.
    rows(page, "焊工").get_by_role("link", name="修改").click()
    expect(page.locator("h1")).to_have_text("修改计划项目")
    shot(session, "02_plan_item_edit")
    page.get_by_label("计划班次").fill("2")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_have_text("已修改计划项目。")
    assert cells(rows(page, "焊工"))[3:6] == ["五级/初级工", "3", "2"]
    shot(session, "03_plan_detail_draft")

    page.get_by_role("button", name="报送审核").click()
    expect(page.get_by_role("alert")).to_have_text("已报送，当前环节：牵头监狱汇总（常州监狱）。")
    return plan


def approve_plan(session_factory, plan):
    for username, stage, name in (
        ("cz_reviewer", "牵头监狱汇总", "plan_cz_reviewer"),
        ("js_bureau_reviewer", "省监狱管理局审核确认备案", "plan_js_bureau"),
        ("cz_hrss_reviewer", "市人社局核准", "plan_cz_hrss"),
    ):
        approve_from_inbox(session_factory(), username, PLAN_TITLE, stage, name)
    plan.review.refresh_from_db()
    assert plan.review.status == ReviewStatus.APPROVED


def check_plan_exports(session, plan):
    page = session.page
    page.goto(f"/planning/{plan.pk}/")
    expect(page.locator("main strong").first).to_have_text("已核准")
    shot(session, "04_plan_detail_approved")

    filename, content = download(
        page, page.get_by_role("link", name="附件1 年度监狱培训项目及人员信息表（Excel）")
    )
    assert filename == f"年度监狱培训项目及人员信息表-{UNIT}{YEAR}.xlsx"
    sheet = sheet_rows(content)
    assert sheet[0][0] == f"{YEAR}年度监狱培训项目及人员信息表"
    assert sheet[2] == ["序号", "监狱", "参加人数", "培训项目", "具体项目人数"]
    print(sheet)

    filename, content = download(
        page, page.get_by_role("link", name="附件2 江苏省特殊人群职业技能工作年度计划表（Excel）")
    )
    sheet = sheet_rows(content)
    print(filename, sheet)
    assert sheet[2][:4] == ["序号", "单位", "培训类别", "职业（工种）/项目"]

    content = fetch_pdf(session, page.get_by_role("link", name="附件2 年度计划表（PDF，打印盖章）"))
    print(pdf_text(content))
    rasterise(content, "plan_annex2_pdf")


def arrange_institution(session_factory, demo):
    """The city HRSS approves 常州技师学院 for 电工 五级 on the institution page (catalogue)."""
    s = session_factory()
    page = s.login("cz_hrss_operator")
    page.goto(f"/catalog/institutions/{demo.orgs[INSTITUTION].pk}/")
    form = page.locator("form").filter(has=page.get_by_role("button", name="保存核准职业"))
    form.locator("input[name=occupation]").fill(ELECTRICIAN)
    form.get_by_label("五级/初级工").check()
    form.get_by_role("button", name="保存核准职业").click()
    expect(page.get_by_role("alert")).to_have_text("核准职业（工种）已保存。")


def sign_agreement(session):
    page = session.page
    page.goto("/planning/agreements/")
    page.get_by_role("link", name="起草合作协议").click()
    page.get_by_label("选择乙方以带出机构信息").select_option(label=INSTITUTION)
    page.get_by_role("button", name="带出机构信息").click()
    expect(page.get_by_label("乙方法定代表人")).to_have_value("周建华")
    page.get_by_label("甲方地址").fill("江苏省溧阳市燕山路1号")
    page.get_by_label("甲方法定代表人").fill("孙建国")
    page.get_by_label("甲方联系方式").fill("教育科 0519-87221234")
    page.get_by_label("培训内容").fill("电工（五级/初级工）职业技能培训")
    page.get_by_label("培训人数").fill("30")
    page.get_by_label("合作期限自").fill("2027-01-01")
    page.get_by_label("合作期限至").fill("2027-12-31")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("alert")).to_contain_text("已起草合作协议")
    page.get_by_label("甲方签字人").fill("孙建国")
    page.get_by_label("甲方签订日期").fill("2026-11-20")
    page.get_by_label("乙方签字人").fill("周建华")
    page.get_by_label("乙方签订日期").fill("2026-11-20")
    page.get_by_role("button", name="确认签订").click()
    expect(page.get_by_role("alert")).to_have_text("已登记协议签订，协议生效。")


def apply_for_class(session) -> ClassApplication:
    page = session.page
    page.goto("/training/applications/")
    page.get_by_role("link", name="新建办班申报").click()
    page.get_by_label("培训机构名称").select_option(label=INSTITUTION)
    page.get_by_label("计划年度").fill(str(YEAR))
    page.get_by_label("培训类别").select_option(label="就业技能培训")
    page.get_by_label("职业（工种）").select_option(label=f"{ELECTRICIAN} 电工")
    page.get_by_label("等级").select_option(label="五级/初级工")
    page.get_by_label("培训人数").fill(str(len(TRAINEES)))
    page.get_by_label("培训班期：第N期").fill("1")
    page.get_by_label("培训班期：共M班").fill("1")
    page.get_by_label("培训时间从").fill(CLASS_FROM.isoformat())
    page.get_by_label("培训时间至").fill(CLASS_TO.isoformat())
    page.get_by_label("共计天数").fill("20")
    page.get_by_label("理论课时").fill("24")
    page.get_by_label("实操课时").fill("36")
    page.get_by_label("授课教师").fill("王建国（高级技师）、陈明（技师）")
    page.get_by_label("使用教材").fill("《电工（初级）》中国劳动社会保障出版社")
    page.get_by_label("教学场地").fill("溧阳监狱教育中心实训楼")
    shot(session, "05_application_form")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_have_text("办班申报已保存为草稿，请检查后报送。")
    expect(page.locator(".alert-success").last).to_have_text("报送前检查已全部通过。")
    shot(session, "06_application_draft")
    page.get_by_role("button", name="报送审核").click()
    expect(page.get_by_role("alert")).to_have_text("已报送审核。")
    return ClassApplication.objects.get(unit__name=UNIT, plan_year=YEAR)


def run_class(session, application) -> TrainingClass:
    page = session.page
    page.goto(f"/training/applications/{application.pk}/")
    expect(page.locator("main strong").first).to_have_text("已通过")
    shot(session, "07_application_approved")
    content = fetch_pdf(session, page.get_by_role("link", name="打印申报表（PDF）"))
    print(pdf_text(content))
    rasterise(content, "annex4_pdf")

    page.get_by_role("link", name="进入培训班").click()
    training_class = TrainingClass.objects.get(application=application)
    expect(page.locator("main strong").first).to_have_text("开班中")

    page.get_by_role("link", name="添加学员").click()
    shot(session, "08_roster_add")
    for name in TRAINEES:
        page.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="加入所选学员").click()
    expect(page.get_by_role("alert")).to_have_text(f"已加入{len(TRAINEES)}名学员。")

    for day, start, minutes, kind, topic in SESSIONS:
        page.get_by_role("link", name="添加课次").click()
        page.get_by_label("日期").fill(day.isoformat())
        page.get_by_label("开始时间").fill(start)
        page.get_by_label("时长（分钟）").fill(str(minutes))
        page.get_by_label("类型").select_option(label=kind)
        page.get_by_label("内容").fill(topic)
        page.get_by_label("授课教师").fill("王建国" if kind == "理论" else "陈明")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("alert")).to_have_text("课次已添加。")
    shot(session, "09_class_detail_open")

    page.on("dialog", lambda dialog: dialog.accept())
    for index, (_, _, _, _, topic) in enumerate(SESSIONS):
        rows(page, topic).get_by_role("link", name="考勤").click()
        page.get_by_role("button", name="全部出勤（满180分钟）").click()
        expect(page.get_by_role("alert")).to_contain_text(f"已为{len(TRAINEES)}名学员登记全勤")
        if index == 0:
            name, minutes, note = EXCEPTION
            row = rows(page, name)
            row.locator("input[type=number]").fill(str(minutes))
            row.locator("input[name^=n_]").fill(note)
            page.get_by_role("button", name="保存考勤").click()
            expect(page.locator("#attendance-grid").get_by_role("status")).to_have_text(
                f"已保存{len(TRAINEES)}人的考勤。"
            )
            expect(rows(page, name).locator("input[type=number]")).to_have_value(str(minutes))
            shot(session, "10_attendance_grid")
            content = fetch_pdf(session, page.get_by_role("link", name="打印签到表（PDF）"))
            print(pdf_text(content))
            rasterise(content, "sign_in_pdf")
        page.get_by_role("button", name="签认并锁定").click()
        expect(page.get_by_role("alert")).to_have_text("考勤已签认并锁定。")
        if index == 0:
            shot(session, "11_attendance_signed")
        page.get_by_role("link", name="返回班级").click()

    shot(session, "12_class_before_completion")
    page.get_by_label("考核结业日期").fill(CLASS_TO.isoformat())
    page.get_by_role("button", name="办理结业").click()
    expect(page.get_by_role("alert")).to_have_text("已办理结业。")
    shot(session, "13_class_completed")
    training_class.refresh_from_db()
    return training_class


def test_plan_from_survey_to_completed_class(demo, demo_mode, session, new_session):
    from skillbridge.catalog.demo import load_demo

    load_demo()  # standards, institution profiles, 常州技师学院 designated 2026–2027
    arrange_people(demo)

    plan = build_plan(session)
    approve_plan(new_session, plan)
    check_plan_exports(session, plan)

    arrange_institution(new_session, demo)
    sign_agreement(session)
    application = apply_for_class(session)
    approve_from_inbox(
        new_session(), "js_bureau_reviewer", application.review.title, "省监狱管理局意见", "class_js_bureau"
    )
    approve_from_inbox(
        new_session(), "cz_hrss_reviewer", application.review.title, "市人社局意见", "class_cz_hrss"
    )

    training_class = run_class(session, application)
    assert training_class.status == ClassStatus.COMPLETED
    statuses = dict(training_class.enrolments.values_list("person__name", "status"))
    assert statuses == {name: EnrolmentStatus.COMPLETED for name in TRAINEES}
