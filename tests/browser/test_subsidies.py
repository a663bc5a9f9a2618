"""Issue 6 (claims) end to end in a real browser.

常州技师学院 builds a training-subsidy claim from the certificates of its 溧阳监狱 class (电工 五级); 赵一 has
already had 3 subsidies this year, so that line is flagged (每人每年不超过3次, a flag per the Changzhou pack);
溧阳监狱's reviewer rejects it with a reason and the claim passes 常州监狱, 省监狱管理局 and 常州市人社局. The
public notice (公示) lists the two remaining people with masked names and IDs, without login; the notice
window is then moved into the past in the database (time passing: the pack's 5 working days), 市人社局 ends
the notice, 市财政局 disburses into 溧阳监狱's special account and 溧阳监狱 pays the institution. The account
page shows the receipt and the payment; 附件7/8 (xlsx) and 附件7 (PDF) are downloaded and read back.

Upstream state (plan, approved class, roster, certificates, earlier subsidies) is arranged with the other
apps' services and the subsidies test helpers; the class and certificate pages have their own browser tests.
"""

import datetime as dt
import io
import subprocess

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook
from tests.browser.conftest import SCREENSHOTS
from tests.registry.conftest import make_person
from tests.subsidies.conftest import history_line, make_certificate
from tests.training.conftest import (
    ELECTRICIAN,
    TODAY,
    application_data,
    approve_application,
    approved_plan,
    signed_agreement,
)

from skillbridge.catalog import services as catalog
from skillbridge.catalog.models import Occupation, SkillLevel
from skillbridge.funds.models import FundAccount, FundEntry
from skillbridge.subsidies.models import Claim, ClaimLine
from skillbridge.training import services as training

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date
NAMES = ["赵一", "钱二", "孙三"]


def arrange(demo):
    from skillbridge.catalog.demo import load_demo

    load_demo()
    catalog.approved_occupation_set(
        actor=demo.user("cz_hrss_operator"),
        institution=demo.orgs["常州技师学院"],
        occupation=Occupation.objects.get(code=ELECTRICIAN),
        levels=list(SkillLevel.objects.filter(code__in=[5, 4])),
    )
    signed_agreement(demo)
    approved_plan(demo)
    application = training.application_create(actor=demo.user("ly_operator"), data=application_data(demo))
    approve_application(demo, application)
    training_class = training.class_open(actor=demo.user("ly_operator"), application=application)
    unit = demo.orgs["溧阳监狱"]
    people = [
        make_person(unit, name=name, release=D(2027, 9, 30), number=f"LY{i:04d}")
        for i, name in enumerate(NAMES, 1)
    ]
    training.enrolments_add(
        actor=demo.user("ly_operator"), training_class=training_class, people=people, today=TODAY
    )
    for person in people:
        make_certificate(demo, person, in_class=training_class)
    for occupation, on in (
        ("6-18-02-04", D(2026, 2, 1)),
        ("4-04-05-01", D(2026, 5, 1)),
        ("4-01-06-01", D(2026, 8, 1)),
    ):
        history_line(demo, people[0], occupation=occupation, on=on)
    return training_class


def review(new_session, username, claim, shot):
    s = new_session()
    page = s.login(username)
    page.goto(f"/subsidies/{claim.pk}/")
    page.locator("#review-form textarea[name=opinion]").fill("经审核，同意申领。")
    page.locator("#review-form").get_by_role("button", name="同意", exact=True).click()
    expect(page.locator(".alert, .toast, body").first).to_contain_text("审核意见已提交")
    s.screenshot(shot)
    return page


def test_claim_from_certificates_to_payment(demo, demo_mode, session, new_session, tmp_path):
    training_class = arrange(demo)

    # 1. The institution builds the claim from the class's certificates.
    page = session.login("czjs_operator")
    page.goto("/subsidies/")
    page.get_by_role("link", name="新建补贴申领").click()
    page.locator(f"input[name=training_class][value='{training_class.pk}']").check()
    page.get_by_role("button", name="生成申领并核查").click()
    expect(page.locator("#claim-status")).to_have_text("草稿")
    flagged = page.locator("#lines tr[data-person='赵一']")
    expect(flagged).to_have_class("table-warning")
    expect(flagged).to_contain_text("本年度已享受 3 次职业培训补贴，每人每年不超过 3 次")
    expect(page.locator("#accepted-total")).to_have_text("3 人 / 3600.00 元")
    session.screenshot("subsidies_claim_built")
    page.get_by_role("button", name="报送审核").click()
    expect(page.locator("#claim-status")).to_have_text("审核中")
    claim = Claim.objects.get(training_class=training_class)

    # 2. 溧阳监狱 rejects the flagged line with a reason, then approves its stage.
    s = new_session()
    page = s.login("ly_reviewer")
    page.goto(f"/subsidies/{claim.pk}/")
    row = page.locator("#lines tr[data-person='赵一']")
    row.locator("input[name=reason]").fill("本年度已享受3次培训补贴，第4次不予补贴")
    row.get_by_role("button", name="不予补贴").click()
    expect(page.locator("#lines tr[data-person='赵一']")).to_contain_text("不予补贴")
    expect(page.locator("#accepted-total")).to_have_text("2 人 / 2400.00 元")
    s.screenshot("subsidies_line_rejected")
    page.locator("#review-form").get_by_role("button", name="同意", exact=True).click()
    line = ClaimLine.objects.get(claim=claim, person__name="赵一")
    assert (line.decision, line.decision_reason, line.is_active) == (
        "rejected",
        "本年度已享受3次培训补贴，第4次不予补贴",
        False,
    )

    # 3. The lead prison, the provincial bureau and the city HRSS approve; the notice starts.
    review(new_session, "cz_reviewer", claim, "subsidies_lead_prison")
    review(new_session, "js_bureau_reviewer", claim, "subsidies_bureau")
    page = review(new_session, "cz_hrss_reviewer", claim, "subsidies_notice_started")
    expect(page.locator("#claim-status")).to_have_text("公示中")
    expect(page.get_by_role("button", name="结束公示，转财政拨付")).to_be_disabled()
    claim.refresh_from_db()
    assert claim.status == "notice" and claim.accepted_total == 2400

    # 4. The public list, without login: masked names and IDs.
    public = new_session()
    public.page.goto("/subsidies/notice/")
    body = public.page.locator("body")
    expect(body).to_contain_text("钱*")
    expect(body).to_contain_text("孙*")
    expect(body).not_to_contain_text("钱二")
    expect(body).not_to_contain_text("赵*")
    public.screenshot("subsidies_public_notice")

    # 5. Time passes: the 5-working-day window ends; 市人社局 ends the notice.
    Claim.objects.filter(pk=claim.pk).update(notice_end=dt.date.today() - dt.timedelta(days=1))
    page.reload()
    page.get_by_role("button", name="结束公示，转财政拨付").click()
    expect(page.locator("#claim-status")).to_have_text("公示期满待拨付")

    # 6. 市财政局 disburses into 溧阳监狱's special account.
    s = new_session()
    page = s.login("cz_finance_reviewer")
    page.goto(f"/subsidies/{claim.pk}/")
    form = page.locator("#disburse-form")
    form.locator("input[name=voucher_no]").fill("CZCZ-2026-118")
    form.locator("input[name=amount]").fill("2400.01")
    form.get_by_role("button", name="确认拨付").click()
    expect(page.locator("body")).to_contain_text("拨付金额 2400.01 元超过核定金额 2400.00 元")
    form = page.locator("#disburse-form")
    form.locator("input[name=voucher_no]").fill("CZCZ-2026-118")
    form.locator("input[name=amount]").fill("2400.00")
    form.get_by_role("button", name="确认拨付").click()
    expect(page.locator("#claim-status")).to_have_text("已拨付至单位专账")
    s.screenshot("subsidies_disbursed")

    # 7. 溧阳监狱 pays the institution; its account shows the receipt and the payment.
    s = new_session()
    page = s.login("ly_operator")
    page.goto(f"/subsidies/{claim.pk}/")
    page.locator("#pay-form").get_by_role("button", name="确认支付").click()
    expect(page.locator("#claim-status")).to_have_text("已支付培训（鉴定）机构")
    unit = demo.orgs["溧阳监狱"]
    page.goto(f"/funds/units/{unit.pk}/")
    body = page.locator("body")
    expect(body).to_contain_text("CZCZ-2026-118")
    expect(body).to_contain_text("常州技师学院")
    s.screenshot("subsidies_fund_account")
    account = FundAccount.objects.get(unit=unit)
    assert account.balance == 0
    assert list(FundEntry.objects.filter(account=account).order_by("id").values_list("kind", "amount")) == [
        ("receipt", 2400),
        ("payment", 2400),
    ]

    # 8. The forms: 附件7 + 附件8 (xlsx) and 附件7 (PDF), read back.
    page = session.page
    page.goto(f"/subsidies/{claim.pk}/")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出附件7、附件8（Excel）").click()
    with open(info.value.path(), "rb") as handle:
        book = CalamineWorkbook.from_filelike(io.BytesIO(handle.read()))
    form_rows = book.get_sheet_by_index(0).to_python()
    assert form_rows[0][0] == "江苏省特殊人群职业技能培训补贴资金申领表"
    fields = {row[0]: row[1] for row in form_rows[2:]}
    assert fields["培训机构名称"] == "常州技师学院"
    assert fields["培训人数"] == "2" and fields["申领金额"] == "2400.00元"
    assert fields["补贴标准"] == "1200.00元/人"
    assert fields["监狱(戒毒所)审核意见"].startswith("同意：同意")
    assert fields["常州市人力资源和社会保障局审核意见"].startswith("同意：经审核，同意申领。")
    detail = book.get_sheet_by_index(1).to_python()
    assert detail[0][0] == "江苏省特殊人群职业技能培训补贴申领明细"
    names = [row[1] for row in detail[3:6]]
    assert names == NAMES
    pdf = page.request.get(f"/subsidies/{claim.pk}/form.pdf")
    assert pdf.status == 200 and pdf.body()[:4] == b"%PDF"
    pdf_path = tmp_path / "form7.pdf"
    pdf_path.write_bytes(pdf.body())
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-singlefile",
            str(pdf_path),
            str(SCREENSHOTS / "subsidies_form7_pdf"),
        ],
        check=True,
    )
