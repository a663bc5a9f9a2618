"""Pages: account list and ledger, receipt/payment/refund forms, statement (page, xlsx, PDF), Anhui budgets;
scope: another city's unit is a 404 and nothing is written."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from skillbridge.funds import services
from skillbridge.funds.models import FundAccount, FundEntry, YearBudget

pytestmark = pytest.mark.django_db

D = dt.date
M = Decimal


@pytest.fixture
def cz_account(demo):
    unit = demo.orgs["常州监狱"]
    services.receipt_record(
        actor=demo.user("cz_finance_reviewer"),
        unit=unit,
        amount=M("10000"),
        received_on=D(2026, 3, 2),
        voucher_no="R-1",
        source_type="subsidies.claim",
        source_id=7,
    )
    services.payment_record(
        actor=demo.user("cz_operator"),
        unit=unit,
        payee=demo.orgs["常州技师学院"],
        amount=M("6000"),
        paid_on=D(2026, 3, 10),
        category="training_subsidy",
        source_type="subsidies.claim",
        source_id=7,
    )
    services.payment_record(
        actor=demo.user("cz_operator"),
        unit=unit,
        payee="新华书店",
        amount=M("500"),
        paid_on=D(2026, 4, 2),
        category="materials",
        source_type="",
        source_id="",
    )
    return unit


def test_account_list_shows_units_in_scope_with_balance(client, demo, cz_account):
    client.force_login(demo.user("cz_finance_reviewer"))
    page = client.get("/funds/").content.decode()
    assert "常州监狱" in page and "3,500.00" in page
    assert "溧阳监狱" in page and "安徽省蜀山监狱" not in page
    client.force_login(demo.user("ly_operator"))
    page = client.get("/funds/").content.decode()
    assert "溧阳监狱" in page and "常州监狱" not in page


def test_account_detail_and_xlsx(client, demo, cz_account):
    client.force_login(demo.user("cz_operator"))
    page = client.get(f"/funds/units/{cz_account.pk}/").content.decode()
    assert "3,500.00" in page and "常州技师学院" in page and "登记支付" in page
    response = client.get(f"/funds/units/{cz_account.pk}/?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("日期", "类型", "摘要")
    assert [r[1] for r in rows[1:]] == ["支付", "支付", "资金到账"]
    assert [r[8] for r in rows[1:]] == [3500, 4000, 10000]


def test_payment_form_records_and_refuses_overdraft(client, demo, cz_account):
    client.force_login(demo.user("cz_operator"))
    url = f"/funds/units/{cz_account.pk}/payment/"
    assert client.get(url).status_code == 200
    data = {"payee": "某耗材商", "category": "materials", "amount": "3500.01", "paid_on": "2026-04-10"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "专账余额不足" in response.content.decode()
    assert FundAccount.objects.get(unit=cz_account).balance == M("3500.00")
    data["amount"] = "1500.00"
    response = client.post(url, data)
    assert response.status_code == 302
    assert FundAccount.objects.get(unit=cz_account).balance == M("2000.00")


def test_payment_form_rejects_zero_and_negative(client, demo, cz_account):
    client.force_login(demo.user("cz_operator"))
    url = f"/funds/units/{cz_account.pk}/payment/"
    for amount in ("0", "-10"):
        response = client.post(
            url, {"payee": "x", "category": "materials", "amount": amount, "paid_on": "2026-04-10"}
        )
        assert response.status_code == 200
        assert "金额须大于0" in response.content.decode()
    assert FundEntry.objects.count() == 3


def test_receipt_form_duplicate_voucher(client, demo, cz_account):
    client.force_login(demo.user("cz_finance_reviewer"))
    url = f"/funds/units/{cz_account.pk}/receipt/"
    response = client.post(url, {"amount": "100", "received_on": "2026-04-01", "voucher_no": "R-1"})
    assert "凭证号「R-1」已在本专账登记过" in response.content.decode()
    assert FundEntry.objects.count() == 3


def test_refund_form(client, demo, cz_account):
    client.force_login(demo.user("cz_operator"))
    url = f"/funds/units/{cz_account.pk}/refund/"
    data = {
        "direction": "to_finance",
        "counterparty": "常州市财政局",
        "amount": "500",
        "refunded_on": "2026-05-01",
    }
    assert client.post(url, data).status_code == 302
    assert FundAccount.objects.get(unit=cz_account).balance == M("3000.00")


def test_finance_cannot_pay_and_unit_form_is_forbidden_for_others(client, demo, cz_account):
    client.force_login(demo.user("cz_finance_reviewer"))
    assert client.get(f"/funds/units/{cz_account.pk}/payment/").status_code == 403
    client.force_login(demo.user("czjs_operator"))
    assert client.get(f"/funds/units/{cz_account.pk}/").status_code == 404


def test_other_city_sees_404_and_writes_nothing(client, demo, cz_account):
    client.force_login(demo.user("hf_finance"))
    assert client.get(f"/funds/units/{cz_account.pk}/").status_code == 404
    assert client.get(f"/funds/units/{cz_account.pk}/statement/").status_code == 404
    response = client.post(
        f"/funds/units/{cz_account.pk}/receipt/",
        {"amount": "1", "received_on": "2026-04-01", "voucher_no": "Z"},
    )
    assert response.status_code == 404
    client.force_login(demo.user("ly_operator"))
    response = client.post(
        f"/funds/units/{cz_account.pk}/payment/",
        {"payee": "x", "category": "materials", "amount": "1", "paid_on": "2026-04-10"},
    )
    assert response.status_code == 404
    assert FundEntry.objects.count() == 3


def test_statement_page_xlsx_pdf(client, demo, cz_account):
    client.force_login(demo.user("cz_hrss_reviewer"))
    url = f"/funds/units/{cz_account.pk}/statement/?date_from=2026-03-05&date_to=2026-04-30"
    page = client.get(url).content.decode()
    # Opening 10000 (the receipt of Mar 2), expenses 6000 + 500, closing 3500.
    assert 'id="opening">10,000.00' in page
    assert 'id="expense">6,500.00' in page
    assert 'id="closing">3,500.00' in page
    assert "培训补贴（拨付培训机构）" in page and "教材" in page
    response = client.get(url + "&export=xlsx")
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[1][2] == "期初余额" and rows[1][8] == 10000
    assert [(r[0], r[8]) for r in rows[2:4]] == [("2026-03-10", 4000), ("2026-04-02", 3500)]
    assert (None, None, "教材", 500, 0, 500) in [tuple(r[:6]) for r in rows]
    pdf = client.get(url + "&export=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_statement_bad_period_shows_error(client, demo, cz_account):
    client.force_login(demo.user("cz_operator"))
    page = client.get(f"/funds/units/{cz_account.pk}/statement/?date_from=2026-05-01&date_to=2026-04-01")
    assert "截止日期不能早于起始日期" in page.content.decode()


def test_anhui_budget_pages(client, demo, plan_2025):
    client.force_login(demo.user("hf_finance"))
    page = client.get("/funds/budgets/?year=2025").content.decode()
    assert "安徽省蜀山监狱" in page and "按计划测算" in page and "常州监狱" not in page
    response = client.post("/funds/budgets/prepare/", {"unit": plan_2025.pk, "year": 2025})
    budget = YearBudget.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/funds/budgets/{budget.pk}/"
    response = client.post(
        f"/funds/budgets/{budget.pk}/received/",
        {"received-received_on": "2025-03-20", "received-voucher_no": "皖财1"},
    )
    assert response.status_code == 302
    page = client.get(f"/funds/budgets/{budget.pk}/").content.decode()
    assert 'id="due">2025-04-03' in page and 'id="prepayment">8,400.00' in page
    assert "逾期" in page  # today is long after 2025-04-03 and nothing was prepaid
    response = client.post(
        f"/funds/budgets/{budget.pk}/prepay/", {"prepay-paid_on": "2025-03-25", "prepay-voucher_no": ""}
    )
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode()
    assert FundEntry.objects.count() == 0
    client.post(
        f"/funds/budgets/{budget.pk}/prepay/", {"prepay-paid_on": "2025-03-25", "prepay-voucher_no": "HF-1"}
    )
    assert FundAccount.objects.get(unit=plan_2025).balance == M("8400.00")
    response = client.post(f"/funds/budgets/{budget.pk}/settle/", {"settle-settled_on": "2026-01-05"})
    assert response.status_code == 302
    budget.refresh_from_db()
    assert budget.settlement_difference == M("-8400.00")
    xlsx = client.get("/funds/budgets/?year=2025&export=xlsx")
    rows = list(
        load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[1][:5] == ("安徽省蜀山监狱", 2025, 10, 1200, 12000)


def test_budget_out_of_scope(client, demo, plan_2025):
    budget = services.budget_prepare(actor=demo.user("hf_finance"), unit=plan_2025, year=2025)
    client.force_login(demo.user("cz_finance_reviewer"))
    assert client.get(f"/funds/budgets/{budget.pk}/").status_code == 404
    assert (
        client.post(
            f"/funds/budgets/{budget.pk}/received/", {"received-received_on": "2025-03-20"}
        ).status_code
        == 404
    )
    assert client.post("/funds/budgets/prepare/", {"unit": plan_2025.pk, "year": 2025}).status_code == 404
    budget.refresh_from_db()
    assert budget.funds_received_on is None


def test_province_sees_its_units_and_not_the_other_province(client, demo, cz_account):
    client.force_login(demo.user("js_bureau_reviewer"))
    page = client.get("/funds/").content.decode()
    assert "常州监狱" in page and "3500.00" not in page and "3,500.00" in page
    assert client.get(f"/funds/units/{cz_account.pk}/statement/").status_code == 200
    client.force_login(demo.user("ah_hrss"))
    page = client.get("/funds/").content.decode()
    assert "安徽省蜀山监狱" in page and "常州监狱" not in page
    assert client.get(f"/funds/units/{cz_account.pk}/").status_code == 404


def test_home_panel_lists_overdue_prepayment_for_finance_only_in_scope(client, demo, plan_2025):
    finance = demo.user("hf_finance")
    budget = services.budget_prepare(actor=finance, unit=plan_2025, year=2025)
    client.force_login(finance)
    assert "待预拨培训资金" not in client.get("/").content.decode()  # funds not received yet
    services.budget_funds_received(actor=finance, budget=budget, received_on=D(2025, 3, 20))
    page = client.get("/").content.decode()
    assert "待预拨培训资金" in page and "安徽省蜀山监狱" in page and "逾期" in page
    client.force_login(demo.user("cz_finance_reviewer"))
    assert "待预拨培训资金" not in client.get("/").content.decode()
