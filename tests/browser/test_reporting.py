"""Issue 7 in a real browser: the provincial prison bureau opens its dashboard (2026), drills down to 常州市 and
溧阳监狱 and to the people missing a certificate before release, and exports the view and the list; 溧阳监狱
generates its 2026 third-quarter report and submits it to its city's lead prison (常州监狱), which sees it in its
报送情况, receives it, and sends its own group report (常州市各监狱) on to the bureau, which receives it; a certificate
recorded afterwards changes the live dashboard but not the frozen reports.

The data are the hand-computed world of tests/reporting/conftest.py (numbers explained there).
"""

import datetime as dt
import re
import subprocess

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook
from tests.browser.conftest import SCREENSHOTS
from tests.reporting.conftest import make_certificate, refresh, world  # noqa: F401  (fixture)

from skillbridge.reporting.models import PeriodicReport, ReportStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sheet_rows(download) -> list[list]:
    path = SCREENSHOTS / download.suggested_filename
    download.save_as(path)
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_index(0).to_python()
    path.unlink()
    return rows


def test_bureau_dashboard_drill_down_and_frozen_quarterly_report(world, demo_mode, session, new_session):  # noqa: F811
    page = session.login("js_bureau_reviewer")
    page.goto("/reporting/?period=2026")
    expect(page.get_by_role("heading", name="江苏省职业技能培训统计（2026年度）")).to_be_visible()
    table = page.locator("#table-rows")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tfoot")).to_contain_text("57.1%")
    page.wait_for_function("document.querySelector('#chart-rows canvas') !== null")
    session.screenshot("reporting_province")

    table.get_by_role("link", name="常州市").click()
    expect(page.get_by_role("heading", name="常州市职业技能培训统计（2026年度）")).to_be_visible()
    session.screenshot("reporting_city")
    page.locator("#table-rows").get_by_role("link", name="溧阳监狱").click()
    expect(page.get_by_role("heading", name="溧阳监狱职业技能培训统计（2026年度）")).to_be_visible()
    expect(page.locator(".breadcrumb")).to_contain_text("江苏省")
    expect(page.locator(".breadcrumb")).to_contain_text("常州市")
    page.wait_for_function("document.querySelector('#chart-rows canvas') !== null")
    session.screenshot("reporting_unit")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出Excel").click()
    rows = _sheet_rows(info.value)
    assert rows[4][:3] == ["溧阳监狱", 4.0, 1.0]

    page.locator("#table-rows tfoot").get_by_role("link", name="未获证名单").click()
    expect(page.get_by_role("heading", name="溧阳监狱2026年度刑释前未取得证书人员")).to_be_visible()
    names = page.locator("#table-people tbody tr td:first-child")
    expect(names).to_have_text(["钱二", "孙三", "吴六"])
    expect(page.locator("#table-people")).to_contain_text("释放后取证（2026-08-01）")
    session.screenshot("reporting_people")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出Excel").click()
    rows = _sheet_rows(info.value)
    assert [r[0] for r in rows[1:]] == ["钱二", "孙三", "吴六"]
    assert rows[1][1] == world.people["qian"].masked_id_number

    # 溧阳监狱 generates and submits its third-quarter report.
    unit = new_session()
    upage = unit.login("ly_operator")
    upage.goto("/reporting/?period=2026Q3")
    expect(upage.locator("#table-rows tbody tr")).to_have_count(1)
    expect(upage.locator("#table-rows tbody tr")).to_contain_text("0.0%")
    upage.get_by_role("button", name="生成报告").click()
    # Wait until the form has finished unfolding (a click during Bootstrap's collapse animation can be lost).
    expect(upage.locator("#report-form")).to_have_class(re.compile(r"\bshow\b"))
    expect(upage.get_by_label("报告类型")).to_have_value("quarterly")
    upage.get_by_label("报告正文/情况说明").fill("第三季度应释放1人，尚未取证，已安排补训。")
    upage.get_by_role("button", name="生成并冻结数据").click()
    expect(upage.get_by_role("heading", name="溧阳监狱2026年第三季度职业技能培训季报")).to_be_visible(
        timeout=15000
    )
    upage.get_by_role("button", name="报送至常州监狱").click()
    expect(upage.locator("#report-status")).to_have_text("已报送")
    report = PeriodicReport.objects.get()
    assert (report.status, report.submitted_to.name) == (ReportStatus.SUBMITTED, "常州监狱")
    frozen = report.figures["totals"]
    assert (frozen["due"], frozen["due_certified"], frozen["cert_rate"]) == (1, 0, 0.0)

    # The lead prison: 报送情况 shows 溧阳 sent and 新康 not; it receives 溧阳's report, then sends its group's.
    lead = new_session()
    lpage = lead.login("cz_reviewer")
    lpage.goto("/reporting/reports/?status_period=2026Q3")
    status = lpage.locator("#reporters-status")
    expect(status).to_contain_text("已报送 1 / 2 个单位")
    expect(status.locator("tbody tr").nth(0)).to_contain_text("新康监狱")
    expect(status.locator("tbody tr").nth(0)).to_contain_text("未报送")
    lead.screenshot("reporting_lead_status")
    status.get_by_role("link", name="溧阳监狱2026年第三季度职业技能培训季报").click()
    lpage.get_by_role("button", name="签收").click()
    expect(lpage.locator("#report-status")).to_have_text("上级已签收")
    lpage.goto("/reporting/?period=2026Q3")
    expect(
        lpage.get_by_role("heading", name="常州市各监狱（常州监狱牵头）职业技能培训统计（2026年第三季度）")
    ).to_be_visible()
    expect(lpage.locator("#table-rows tbody tr")).to_have_count(3)
    expect(lpage.locator("#table-rows tbody").get_by_role("link", name="未获证名单")).to_have_count(1)
    lpage.wait_for_function("document.querySelector('#chart-rows canvas') !== null")
    lead.screenshot("reporting_lead")
    lpage.get_by_role("button", name="生成报告").click()
    expect(lpage.locator("#report-form")).to_have_class(re.compile(r"\bshow\b"))
    lpage.get_by_role("button", name="生成并冻结数据").click()
    expect(
        lpage.get_by_role("heading", name="常州市各监狱（常州监狱牵头）2026年第三季度职业技能培训季报")
    ).to_be_visible(timeout=15000)
    lpage.get_by_role("button", name="报送至江苏省监狱管理局").click()
    expect(lpage.locator("#report-status")).to_have_text("已报送")
    group = PeriodicReport.objects.get(scope_level="lead")
    group_frozen = group.figures["totals"]
    assert (group_frozen["due"], group_frozen["due_certified"]) == (
        2,
        1,
    )  # 孙三 (溧阳) and 郑七 (常州, certified)

    # New data: 孙三 gets a certificate before release; the live dashboard moves, the report does not.
    make_certificate(
        world.people["sun"], world.ly, dt.date(2026, 9, 1), issuer=world.demo.orgs["常州市职业技能鉴定指导中心"],
        user=world.ly_user,
    )  # fmt: skip
    refresh(units=[world.ly.pk])  # the background job that rebuilds the dashboards' figures
    upage.goto("/reporting/?period=2026Q3")
    expect(upage.locator("#table-rows tbody tr")).to_contain_text("100.0%")

    page.goto("/reporting/reports/?box=incoming")
    page.get_by_role("link", name="常州市各监狱（常州监狱牵头）2026年第三季度职业技能培训季报").click()
    expect(page.locator("#table-rows tbody tr").nth(2)).to_contain_text("0.0%")
    page.get_by_role("button", name="签收").click()
    expect(page.locator("#report-status")).to_have_text("上级已签收")
    page.wait_for_function("document.querySelector('#chart-rows canvas') !== null")
    session.screenshot("reporting_report")
    pdf = page.request.get(f"/reporting/reports/{group.pk}/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    pdf_path = SCREENSHOTS / "reporting_report.pdf"
    pdf_path.write_bytes(pdf.body())
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf_path),
                    str(SCREENSHOTS / "reporting_report_pdf")], check=True)  # fmt: skip
    pdf_path.unlink()
    report.refresh_from_db()
    group.refresh_from_db()
    assert (report.status, group.status) == (ReportStatus.RECEIVED, ReportStatus.RECEIVED)
    assert (report.figures["totals"], group.figures["totals"]) == (frozen, group_frozen)
    assert session.external_requests == [] and unit.external_requests == [] and lead.external_requests == []
