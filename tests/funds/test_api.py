"""API: ledger, statement, receipts/payments/refunds/advances, Anhui budgets; scoped (404 outside)."""

from decimal import Decimal

import pytest

from skillbridge.accounts import services as accounts
from skillbridge.funds.models import FundAccount, FundEntry, YearBudget

pytestmark = pytest.mark.django_db

M = Decimal


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def cz_unit(demo):
    return demo.orgs["常州监狱"]


def test_receipt_payment_ledger_and_statement(client, demo, cz_unit):
    base = f"/api/v1/funds/accounts/{cz_unit.pk}"
    client.force_login(demo.user("cz_finance_reviewer"))
    receipt = {
        "amount": "5000.00",
        "received_on": "2026-05-06",
        "voucher_no": "A-1",
        "source_type": "subsidies.claim",
        "source_id": "3",
    }
    response = post(client, f"{base}/receipts", receipt)
    assert response.status_code == 201, response.content
    assert response.json()["balance_after"] == "5000.00"
    client.force_login(demo.user("cz_operator"))
    payment = {
        "payee_org_id": demo.orgs["常州技师学院"].pk,
        "amount": "4200.00",
        "paid_on": "2026-05-08",
        "category": "training_subsidy",
        "source_type": "subsidies.claim",
        "source_id": "3",
    }
    body = post(client, f"{base}/payments", payment).json()
    assert (body["delta"], body["counterparty"], body["balance_after"]) == (
        "-4200.00",
        "常州技师学院",
        "800.00",
    )
    over = post(client, f"{base}/payments", payment | {"source_id": "4", "amount": "800.01"})
    assert over.status_code == 409
    assert (
        over.json()["error"]["field"] == "amount"
        if "error" in over.json()
        else over.json()["field"] == "amount"
    )
    zero = post(client, f"{base}/payments", payment | {"source_id": "5", "amount": "0"})
    assert zero.status_code == 400
    assert client.get(base).json()["balance"] == "800.00"
    ledger = client.get(f"{base}/entries").json()
    assert ledger["count"] == 2
    assert [e["kind"] for e in ledger["items"]] == ["receipt", "payment"]
    st = client.get(f"{base}/statement?date_from=2026-05-07&date_to=2026-05-31").json()
    assert (st["opening"], st["income"], st["expense"], st["closing"]) == (
        "5000.00",
        "0.00",
        "4200.00",
        "800.00",
    )
    assert st["categories"] == [
        {
            "code": "training_subsidy",
            "label": "培训补贴（拨付培训机构）",
            "spent": "4200.00",
            "recovered": "0.00",
            "net": "4200.00",
        }
    ]
    accounts_list = client.get("/api/v1/funds/accounts").json()
    assert [(a["unit_name"], a["balance"]) for a in accounts_list["items"]] == [("常州监狱", "800.00")]


def test_other_city_and_other_unit_get_404_and_nothing_written(client, demo, cz_unit):
    base = f"/api/v1/funds/accounts/{cz_unit.pk}"
    receipt = {"amount": "5000.00", "received_on": "2026-05-06", "voucher_no": "A-1"}
    for username in ("hf_finance", "ly_operator", "ah_prison_operator"):
        client.force_login(demo.user(username))
        assert client.get(base).status_code == 404
        assert client.get(f"{base}/entries").status_code == 404
        assert client.get(f"{base}/statement?date_from=2026-01-01&date_to=2026-12-31").status_code == 404
        assert post(client, f"{base}/receipts", receipt).status_code == 404
    assert not FundEntry.objects.exists()


def test_refund_api(client, demo, cz_unit):
    base = f"/api/v1/funds/accounts/{cz_unit.pk}"
    client.force_login(demo.user("cz_finance_reviewer"))
    post(client, f"{base}/receipts", {"amount": "100", "received_on": "2026-05-06", "voucher_no": "A-1"})
    client.force_login(demo.user("cz_operator"))
    body = {
        "direction": "to_finance",
        "counterparty": "常州市财政局",
        "amount": "100.01",
        "refunded_on": "2026-05-07",
    }
    assert post(client, f"{base}/refunds", body).status_code == 409
    assert post(client, f"{base}/refunds", body | {"amount": "100"}).status_code == 201
    assert FundAccount.objects.get(unit=cz_unit).balance == M("0.00")


def test_project_advance_at_most_half(client, demo):
    """A Jiangsu-general unit (苏政办发〔2019〕71号（十四）): 50 % passes, one fen more is refused."""
    unit = accounts.organisation_create(
        actor=None, name="常州市武进区社区矫正中心（测试）", org_type="community_correction_office",
        region_code="320412", policy_pack="jiangsu-general",
    )  # fmt: skip
    user = accounts.user_create(
        actor=None, username="wj_operator", full_name="武进社矫经办", organisation=unit, roles=["operator"],
        password="Skill@2026test",
    )  # fmt: skip
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    client.force_login(demo.user("cz_finance_reviewer"))
    base = f"/api/v1/funds/accounts/{unit.pk}"
    assert (
        post(
            client, f"{base}/receipts", {"amount": "20000", "received_on": "2026-05-06", "voucher_no": "W-1"}
        ).status_code
        == 201
    )
    client.force_login(demo.user("wj_operator"))
    advance = {
        "payee_org_id": demo.orgs["常州市天宁区职业培训学校"].pk,
        "subsidy_amount": "10000.00",
        "amount": "5000.01",
        "paid_on": "2026-05-07",
        "source_type": "subsidies.claim",
        "source_id": "11",
    }
    refused = post(client, f"{base}/advances", advance)
    assert refused.status_code == 400
    assert "超过补贴资金 10000.00 元的 50%（上限 5000.00 元）" in refused.json()["message"]
    assert FundEntry.objects.count() == 1
    ok = post(client, f"{base}/advances", advance | {"amount": "5000.00"})
    assert ok.status_code == 201 and ok.json()["advance"] is True
    # The rest of the same claim is paid later as an ordinary payment of the same source.
    rest = {
        "payee_org_id": advance["payee_org_id"], "amount": "5000.00", "paid_on": "2026-06-01",
        "category": "training_subsidy", "source_type": "subsidies.claim", "source_id": "11",
    }  # fmt: skip
    assert post(client, f"{base}/payments", rest).status_code == 201
    assert FundAccount.objects.get(unit=unit).balance == M("10000.00")


def test_changzhou_pack_states_no_project_advance(client, demo, cz_unit):
    client.force_login(demo.user("cz_operator"))
    body = {
        "payee_org_id": demo.orgs["常州技师学院"].pk,
        "subsidy_amount": "100",
        "amount": "10",
        "paid_on": "2026-05-07",
    }
    response = post(client, f"/api/v1/funds/accounts/{cz_unit.pk}/advances", body)
    assert response.status_code == 400 and "未规定项目制培训先行拨付" in response.json()["message"]


def test_budget_api_and_scope(client, demo, plan_2025):
    client.force_login(demo.user("hf_finance"))
    created = post(client, "/api/v1/funds/budgets", {"unit_id": plan_2025.pk, "year": 2025})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert (created.json()["planned_trainees"], created.json()["budget"]) == (10, "12000.00")
    body = post(client, f"/api/v1/funds/budgets/{pk}/funds-received", {"received_on": "2025-03-20"}).json()
    assert (body["prepayment_due"], body["prepayment_amount"]) == ("2025-04-03", "8400.00")
    assert body["prepayment_status"].startswith("逾期")
    body = post(
        client, f"/api/v1/funds/budgets/{pk}/prepay", {"paid_on": "2025-04-03", "voucher_no": "P-1"}
    ).json()
    assert (body["prepaid"], body["prepayment_status"]) == ("8400.00", "已按时预拨")
    body = post(client, f"/api/v1/funds/budgets/{pk}/settle", {"settled_on": "2026-01-10"}).json()
    assert (body["certified_trainees"], body["settlement_due"], body["settlement_difference"]) == (
        0,
        "0.00",
        "-8400.00",
    )
    assert client.get("/api/v1/funds/budgets?year=2025").json()["count"] == 1

    client.force_login(demo.user("cz_finance_reviewer"))
    assert client.get(f"/api/v1/funds/budgets/{pk}").status_code == 404
    assert client.get("/api/v1/funds/budgets").json()["count"] == 0
    assert post(client, "/api/v1/funds/budgets", {"unit_id": plan_2025.pk, "year": 2026}).status_code == 404
    assert YearBudget.objects.count() == 1
