"""Browser: 常州市财政局 records a receipt into 常州监狱's special account; the prison pays the institution,
is refused an overdraft with the reason on the form, reads the statement; 合肥市财政局 prepares the Anhui
budget from the plan, records the funds received and prepays 70 %; the prison sees the prepayment."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from skillbridge.funds.demo import approved_plan
from skillbridge.funds.models import FundAccount

pytestmark = pytest.mark.django_db(transaction=True)


def _patient(s):
    """A shared 2-core machine under load: allow slower page loads than the suite's 10 s default."""
    s.context.set_default_timeout(30_000)
    s.context.set_default_navigation_timeout(60_000)
    return s


def test_account_receipt_payment_statement_and_anhui_prepayment(demo, demo_mode, session, new_session):
    unit = demo.orgs["常州监狱"]
    finance = _patient(session).login("cz_finance_reviewer")
    finance.goto("/funds/")
    finance.get_by_role("link", name="常州监狱").click()
    finance.get_by_role("link", name="登记资金到账").click()
    finance.get_by_label("金额（元）").fill("86400")
    finance.get_by_label("到账日期").fill("2026-06-15")
    finance.get_by_label("凭证号/拨款文号").fill("CZCZ-2026-018")
    finance.get_by_label("摘要").fill("2026年第一批培训、鉴定补贴")
    finance.get_by_role("button", name="记账").click()
    expect(finance.locator("#balance")).to_have_text("86,400.00")
    session.screenshot("funds_01_receipt")

    prison = _patient(new_session())
    page = prison.login("cz_operator")
    page.goto(f"/funds/units/{unit.pk}/payment/")
    page.get_by_label("收款机构").select_option(label="常州技师学院")
    page.get_by_label("用途类别").select_option(label="培训补贴（拨付培训机构）")
    page.get_by_label("金额（元）").fill("90000")
    page.get_by_label("支付日期").fill("2026-06-24")
    page.get_by_role("button", name="记账").click()
    expect(page.get_by_text("专账余额不足：当前余额 86400.00 元，本次支出 90000.00 元")).to_be_visible()
    prison.screenshot("funds_02_overdraft_refused")
    assert FundAccount.objects.get(unit=unit).balance == 86400
    page.get_by_label("金额（元）").fill("72000")
    page.get_by_role("button", name="记账").click()
    expect(page.locator("#balance")).to_have_text("14,400.00")
    prison.screenshot("funds_03_account")

    page.get_by_role("link", name="对账单").first.click()
    page.locator("input[name=date_from]").fill("2026-06-01")
    page.locator("input[name=date_to]").fill("2026-06-30")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#opening")).to_have_text("0.00")
    expect(page.locator("#income")).to_have_text("86,400.00")
    expect(page.locator("#closing")).to_have_text("14,400.00")
    expect(page.locator("#categories")).to_contain_text("72,000.00")
    prison.screenshot("funds_04_statement")

    shushan = demo.orgs["安徽省蜀山监狱"]
    approved_plan(
        demo.user("ah_prison_operator"), shushan, 2025, [("6-31-01-03", 5, 60), ("4-03-02-02", 5, 40)]
    )
    hefei = _patient(new_session())
    page = hefei.login("hf_finance")
    page.goto("/funds/budgets/?year=2025")
    page.get_by_role("row").filter(has_text="安徽省蜀山监狱").get_by_role("button", name="按计划测算").click()
    expect(page.locator("#budget")).to_have_text("120,000.00 元")
    page.get_by_label("市财政局收到资金日期").fill("2025-03-20")
    page.get_by_role("button", name="登记").click()
    expect(page.locator("#due")).to_have_text("2025-04-03")
    expect(page.locator("#prepayment")).to_have_text("84,000.00 元")
    page.get_by_label("预拨日期").fill("2025-03-31")
    page.get_by_label("拨款凭证号").fill("HFCZ-2025-007")
    page.get_by_role("button", name="预拨", exact=True).click()
    page.wait_for_load_state("load")
    hefei.screenshot("funds_05_anhui_prepayment")
    expect(page.locator("#status")).to_have_text("已按时预拨")
    hefei.screenshot("funds_05_anhui_prepayment")
    page.get_by_label("清算日期").fill(dt.date(2026, 1, 12).isoformat())
    page.get_by_role("button", name="清算并记账").click()
    expect(page.locator("#settlement")).to_have_text("退回 84,000.00 元")  # no certificates in 2025
    hefei.screenshot("funds_06_anhui_settlement")
    page.goto("/funds/budgets/?year=2025")
    hefei.screenshot("funds_07_anhui_budget_list")
    assert not session.external_requests and not prison.external_requests and not hefei.external_requests
