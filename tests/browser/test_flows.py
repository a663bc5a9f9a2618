"""The main flows through a real browser: login, inbox, review, audit log, lockout, navigation by role."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from skillbridge.approvals import services
from skillbridge.approvals.models import ReviewStatus
from skillbridge.audit.models import AuditEvent
from skillbridge.demo import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN_TITLE = "溧阳监狱2027年度罪犯职业技能培训计划"


def submitted_plan(demo):
    operator = demo.user("ly_operator")
    case = services.review_create(
        actor=operator, doc_type="annual_plan", title=PLAN_TITLE, unit=operator.organisation
    )
    return services.review_submit(actor=operator, case=case)


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")


def rows(page, *texts):
    found = page.locator("tbody tr")
    for text in texts:
        found = found.filter(has_text=text)
    return found


def cells(row) -> list[str]:
    expect(row).to_have_count(1)
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def menu(page) -> list[str]:
    return [text.strip() for text in page.locator("nav.sb-sidebar .nav-link").all_inner_texts()]


def test_operator_logs_in_and_resubmits_a_returned_plan(demo, demo_mode, session):
    case = submitted_plan(demo)
    case = services.review_return(
        actor=demo.user("cz_reviewer"),
        case=case,
        stage_id=case.current_stage_id,
        opinion="计划人数与摸排不符",
    )
    returned_at = local(case.stages.get(round=1, index=0).decided_at)

    page = session.page
    page.goto("/")
    expect(page).to_have_url(f"{session.base_url}/accounts/login/?next=/")
    expect(page.locator("h1")).to_have_text("特殊人群职业技能培训及评价管理平台")
    expect(page.locator("main p").first).to_have_text("请使用本单位分配的账号登录")
    session.screenshot("login")

    session.login("ly_operator")
    expect(page).to_have_url(f"{session.base_url}/")
    expect(page).to_have_title("待办事项 - 特殊人群职业技能培训及评价管理平台")
    expect(page.locator("h1")).to_have_text("待办事项")
    expect(page.locator("header .sb-user div")).to_have_text(["溧阳监狱教育科经办", "溧阳监狱"])
    assert cells(rows(page, PLAN_TITLE)) == [
        f"{PLAN_TITLE}\n退回意见：计划人数与摸排不符",
        "年度培训计划",
        "溧阳监狱",
        "退回修改",
        local(case.submitted_at),
        "—",
        "待修改后重新报送",
        "办理",
    ]
    session.screenshot("inbox_operator")

    rows(page, PLAN_TITLE).get_by_role("link", name="办理").click()
    expect(page).to_have_url(f"{session.base_url}/reviews/{case.pk}/")
    expect(page.locator("h1")).to_have_text(PLAN_TITLE)
    expect(page.locator("main strong").first).to_have_text("退回修改")
    assert cells(rows(page, "第1次报送", "牵头监狱汇总")) == [
        "第1次报送",
        "牵头监狱汇总",
        "常州监狱",
        "退回修改",
        "计划人数与摸排不符",
        "常州监狱教育科审核",
        returned_at,
    ]

    page.get_by_role("button", name="修改完成，重新报送").click()
    expect(page.get_by_role("alert")).to_have_text("已报送。")
    expect(page.locator("main strong").first).to_have_text("审核中")
    assert cells(rows(page, "第2次报送", "牵头监狱汇总")) == [
        "第2次报送",
        "牵头监狱汇总",
        "常州监狱",
        "办理中",
        "—",
        "—",
        "—",
    ]
    expect(page.get_by_role("button", name="修改完成，重新报送")).to_have_count(0)
    case.refresh_from_db()
    assert (case.status, case.round, case.current_stage.key) == (ReviewStatus.IN_REVIEW, 2, "lead_aggregate")


def test_reviewer_approves_from_the_inbox(demo, demo_mode, session):
    case = submitted_plan(demo)

    page = session.login("cz_reviewer")
    expect(page.locator("h1")).to_have_text("待办事项")
    assert cells(rows(page, PLAN_TITLE)) == [
        PLAN_TITLE,
        "年度培训计划",
        "溧阳监狱",
        "牵头监狱汇总",
        local(case.submitted_at),
        "—",
        "待审核",
        "办理",
    ]
    rows(page, PLAN_TITLE).get_by_role("link", name="办理").click()
    expect(page.locator("h1")).to_have_text(PLAN_TITLE)
    expect(page.locator("h2").filter(has_text="办理：")).to_have_text("办理：牵头监狱汇总")
    session.screenshot("case_detail_reviewer")

    page.get_by_label("同意", exact=True).check()
    page.get_by_role("button", name="提交意见").click()

    expect(page.get_by_role("alert")).to_have_text("审核意见已提交。")
    expect(page.locator("main strong").first).to_have_text("审核中")
    decided = case.stages.get(round=1, index=0)
    decided.refresh_from_db()
    assert cells(rows(page, "牵头监狱汇总")) == [
        "第1次报送",
        "牵头监狱汇总",
        "常州监狱",
        "同意",
        "同意",
        "常州监狱教育科审核",
        local(decided.decided_at),
    ]
    assert cells(rows(page, "省监狱管理局审核确认备案")) == [
        "第1次报送",
        "省监狱管理局审核确认备案",
        "江苏省监狱管理局",
        "办理中",
        "—",
        "—",
        "—",
    ]
    expect(rows(page, "省监狱管理局审核确认备案")).to_have_class("table-warning")
    # The stage has moved on: 常州监狱 has nothing left to decide here.
    expect(page.get_by_role("button", name="提交意见")).to_have_count(0)
    case.refresh_from_db()
    assert (case.status, case.current_stage.key) == (ReviewStatus.IN_REVIEW, "bureau_confirm")


def test_auditor_lands_on_the_audit_log_and_verifies_the_chain(demo, demo_mode, session, new_session):
    new_session().login("ly_operator")
    page = session.login("auditor")
    expect(page).to_have_url(f"{session.base_url}/audit/")
    expect(page.locator("h1")).to_have_text("审计日志")
    own_login = AuditEvent.objects.filter(action="auth.login").latest("id")
    first = cells(page.locator("tbody tr").first)
    assert first[0] == str(own_login.pk)
    assert first[2:5] == ["审计管理员（auditor）", "平台运维中心", "登录\nauth.login"]
    assert first[6] == "成功"
    logins = [cells(row)[2] for row in rows(page, "auth.login").all()]
    assert logins == ["审计管理员（auditor）", "溧阳监狱教育科经办（ly_operator）"]
    expect(page.locator(".alert")).to_have_count(0)
    session.screenshot("audit_log")

    page.get_by_role("link", name="校验哈希链").click()
    checked = AuditEvent.objects.count()
    expect(page.locator(".alert-success")).to_have_text(f"哈希链完整：共校验 {checked} 条事件。")


def test_five_wrong_passwords_lock_the_account(demo, demo_mode, session):
    page = session.page
    for attempt in range(1, 6):
        session.login("ly_operator", "Wrong@2026pass")
        if attempt < 5:
            expect(page.locator(".alert-danger")).to_have_text(
                "用户名或密码错误。连续多次错误后账号将被临时锁定。"
            )
        else:
            # The fifth failure already locks the account.
            expect(page.locator("h1")).to_have_text("账号已被临时锁定")
    session.login("ly_operator")
    expect(page.locator("h1")).to_have_text("账号已被临时锁定")
    session.screenshot("locked")
    expect(page.locator("main p")).to_have_text(
        "由于连续 5 次密码错误，该账号已被锁定，请 30 分钟后再试。如需立即解锁，请联系安全管理员。"
    )
    expect(page.get_by_role("button", name="退出登录")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url(f"{session.base_url}/accounts/login/?next=/")
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    failed = AuditEvent.objects.filter(action="auth.login_failed", object_repr="ly_operator")
    # Five wrong passwords and the refused (locked) sixth attempt are all audited as failures.
    assert failed.count() == 6


def test_navigation_by_role(demo, demo_mode, new_session):
    operator_session, admin_session = new_session(), new_session()
    operator = operator_session.login("ly_operator")
    assert menu(operator) == [
        "待办事项",
        "审核事项",
        "人员信息",
        "年度计划",
        "培训班",
        "鉴定申报",
        "证书管理",
        "补贴申领",
        "专项资金",
        "就业服务",
        "监督检查",
        "统计报表",
        "组织机构",
        "目录与机构",
        "Excel导入",
        "政策参数",
    ]
    expect(operator.get_by_role("link", name="审计日志")).to_have_count(0)
    expect(operator.get_by_role("link", name="用户管理")).to_have_count(0)

    admin = admin_session.login("sysadmin")
    expect(admin).to_have_url(f"{admin_session.base_url}/users/")
    expect(admin.locator("h1")).to_have_text("用户管理")
    assert menu(admin) == ["用户管理", "组织机构管理"]
    expect(admin.get_by_role("link", name="审计日志")).to_have_count(0)
    expect(admin.get_by_role("link", name="待办事项")).to_have_count(0)


def test_without_demo_mode_a_demo_account_must_change_its_password_first(settings, session):
    # The demo accounts exactly as `skillbridge demo` creates them (the `demo` fixture marks every
    # password as already changed).
    load_demo()
    settings.DEMO_MODE = False
    page = session.login("ly_operator")
    expect(page).to_have_url(f"{session.base_url}/accounts/password/")
    expect(page.locator("h1")).to_have_text("修改密码")
    expect(page.locator(".alert-warning")).to_have_text(
        "您正在使用管理员设置的初始密码，请先设置自己的密码后再使用系统。"
    )
    session.screenshot("password_change_forced")
    page.goto("/reviews/")
    expect(page).to_have_url(f"{session.base_url}/accounts/password/")
