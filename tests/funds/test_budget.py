"""Anhui: plan budget (trainees × 1200), 70 % prepayment within 10 working days, year-end settlement."""

import datetime as dt
from decimal import Decimal

import pytest

from skillbridge.certificates import services as certificates
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.funds import selectors, services
from skillbridge.funds.models import FundAccount, FundEntry, YearBudget

from .conftest import certify, inmates

pytestmark = pytest.mark.django_db

D = dt.date
M = Decimal


RECEIVED, PAID = D(2025, 3, 20), D(2025, 3, 28)


def _prepaid_budget(demo, unit, *, received=RECEIVED, paid=PAID):
    finance = demo.user("hf_finance")
    budget = services.budget_prepare(actor=finance, unit=unit, year=2025)
    budget = services.budget_funds_received(
        actor=finance, budget=budget, received_on=received, voucher_no="皖财-1"
    )
    return services.budget_prepay(actor=finance, budget=budget, paid_on=paid, voucher_no="HF-2025-1")


def test_budget_is_planned_trainees_times_1200(demo, plan_2025):
    budget = services.budget_prepare(actor=demo.user("hf_hrss"), unit=plan_2025, year=2025)
    assert (budget.planned_trainees, budget.standard, budget.budget) == (10, M("1200.00"), M("12000.00"))
    assert budget.prepayment_due is None and budget.prepayment_entry is None


def test_prepayment_70_percent_with_deadline_and_ledger_entry(demo, plan_2025):
    budget = _prepaid_budget(demo, plan_2025)
    # Received Thu 2025-03-20; the 10th working day after it (the day itself not counted) is Thu 2025-04-03.
    assert budget.prepayment_due == D(2025, 4, 3)
    assert budget.prepayment_amount == M("8400.00")
    entry = budget.prepayment_entry
    assert (entry.kind, entry.amount, entry.delta, entry.entry_date) == (
        "prepayment",
        M("8400.00"),
        M("8400.00"),
        D(2025, 3, 28),
    )
    assert (entry.source_type, entry.source_id) == ("funds.budget", str(budget.pk))
    assert FundAccount.objects.get(unit=plan_2025).balance == M("8400.00")
    assert selectors.prepayment_status(budget).label == "已按时预拨"


def test_prepayment_status_around_the_deadline(demo, plan_2025):
    finance = demo.user("hf_finance")
    budget = services.budget_prepare(actor=finance, unit=plan_2025, year=2025)
    budget = services.budget_funds_received(actor=finance, budget=budget, received_on=D(2025, 3, 20))
    assert selectors.prepayment_status(budget, D(2025, 4, 2)).label == "待预拨（截止2025-04-03）"
    assert selectors.prepayment_status(budget, D(2025, 4, 3)).label == "待预拨（截止2025-04-03）"
    late = selectors.prepayment_status(
        budget, D(2025, 4, 7)
    )  # Apr 4–6 清明 holiday: Mon 7th is 1 working day late
    assert (late.label, late.tone, late.overdue_days) == ("逾期1个工作日未预拨", "danger", 1)


def test_late_prepayment_is_recorded_and_shown_late(demo, plan_2025):
    budget = _prepaid_budget(demo, plan_2025, paid=D(2025, 4, 8))
    assert selectors.prepayment_status(budget).label == "已预拨（逾期2个工作日）"


def test_only_city_finance_of_the_city_prepays(demo, plan_2025):
    budget = services.budget_prepare(actor=demo.user("hf_finance"), unit=plan_2025, year=2025)
    for username in ("hf_hrss", "ah_prison_operator", "cz_finance_reviewer"):
        with pytest.raises(Forbidden):
            services.budget_funds_received(
                actor=demo.user(username), budget=budget, received_on=D(2025, 3, 20)
            )
    budget.refresh_from_db()
    assert budget.funds_received_on is None


def test_prepay_needs_funds_received_and_happens_once(demo, plan_2025):
    finance = demo.user("hf_finance")
    budget = services.budget_prepare(actor=finance, unit=plan_2025, year=2025)
    with pytest.raises(ServiceError) as err:
        services.budget_prepay(actor=finance, budget=budget, paid_on=D(2025, 3, 28), voucher_no="X")
    assert err.value.field == "received_on"
    assert budget.prepayment_entry is None
    b = services.budget_funds_received(actor=finance, budget=budget, received_on=D(2025, 3, 20))
    services.budget_prepay(actor=finance, budget=b, paid_on=D(2025, 3, 28), voucher_no="X1")
    with pytest.raises(Conflict):
        services.budget_prepay(actor=finance, budget=b, paid_on=D(2025, 3, 29), voucher_no="X2")
    with pytest.raises(Conflict):
        services.budget_prepare(actor=finance, unit=plan_2025, year=2025)
    assert FundEntry.objects.count() == 1


def test_no_plan_no_budget(demo):
    with pytest.raises(ServiceError) as err:
        services.budget_prepare(actor=demo.user("hf_finance"), unit=demo.orgs["安徽省蜀山监狱"], year=2024)
    assert err.value.field == "year"
    assert not YearBudget.objects.exists()


def test_changzhou_unit_has_no_budget_model(demo):
    with pytest.raises(Forbidden):
        services.budget_prepare(actor=demo.user("hf_finance"), unit=demo.orgs["常州监狱"], year=2025)
    with pytest.raises(ServiceError):
        services.budget_prepare(actor=demo.user("cz_finance_reviewer"), unit=demo.orgs["常州监狱"], year=2025)


def test_settlement_top_up_counts_valid_certificates_of_the_year_once_per_person(
    demo, plan_2025, ah_evaluator
):
    budget = _prepaid_budget(demo, plan_2025)
    people = inmates(demo, 10)
    certify(demo, ah_evaluator, people[:8])  # 8 people certified in 2025
    certify(demo, ah_evaluator, people[:1], issue_date=D(2025, 12, 1))  # a 2nd certificate: still one person
    revoked = certify(demo, ah_evaluator, people[8:9])[0]
    certificates.certificate_revoke(actor=ah_evaluator, certificate=revoked, reason="考试作弊")
    certify(demo, ah_evaluator, people[9:10], issue_date=D(2026, 1, 5))  # next year's: not counted
    budget = services.budget_settle(
        actor=demo.user("hf_hrss"), budget=budget, settled_on=D(2026, 2, 10), voucher_no="QS-1"
    )
    # 8 × 1200 = 9600 due; 8400 prepaid → top-up 1200.
    assert (budget.certified_trainees, budget.settlement_due, budget.settlement_difference) == (
        8,
        M("9600.00"),
        M("1200.00"),
    )
    entry = budget.settlement_entry
    assert (entry.kind, entry.delta, entry.entry_date) == ("settlement", M("1200.00"), D(2026, 2, 10))
    assert FundAccount.objects.get(unit=plan_2025).balance == M("9600.00")


def test_settlement_refund_books_money_out(demo, plan_2025, ah_evaluator):
    budget = _prepaid_budget(demo, plan_2025)
    certify(demo, ah_evaluator, inmates(demo, 6))
    budget = services.budget_settle(actor=demo.user("hf_finance"), budget=budget, settled_on=D(2026, 1, 15))
    # 6 × 1200 = 7200 due; 8400 prepaid → refund 1200.
    assert (budget.settlement_due, budget.settlement_difference) == (M("7200.00"), M("-1200.00"))
    assert budget.settlement_entry.delta == M("-1200.00")
    assert FundAccount.objects.get(unit=plan_2025).balance == M("7200.00")


def test_settlement_refund_the_account_cannot_cover_writes_nothing(demo, plan_2025, ah_evaluator):
    budget = _prepaid_budget(demo, plan_2025)
    services.payment_record(
        actor=demo.user("ah_prison_operator"),
        unit=plan_2025,
        payee="某师资",
        amount=M("8000"),
        paid_on=D(2025, 6, 1),
        category="teachers",
        source_type="",
        source_id="",
    )
    certify(demo, ah_evaluator, inmates(demo, 6))  # refund 1200 > balance 400
    with pytest.raises(Conflict):
        services.budget_settle(actor=demo.user("hf_finance"), budget=budget, settled_on=D(2026, 1, 15))
    budget.refresh_from_db()
    assert budget.settled_on is None and budget.settlement_difference is None
    assert FundAccount.objects.get(unit=plan_2025).balance == M("400.00")


def test_settlement_even_writes_no_entry(demo, plan_2025, ah_evaluator):
    budget = _prepaid_budget(demo, plan_2025)
    certify(demo, ah_evaluator, inmates(demo, 7))  # 7 × 1200 = 8400 = prepaid
    budget = services.budget_settle(actor=demo.user("hf_finance"), budget=budget, settled_on=D(2026, 1, 2))
    assert (budget.settlement_difference, budget.settlement_entry) == (M("0.00"), None)
    assert FundEntry.objects.count() == 1


def test_settlement_only_after_year_end_and_once(demo, plan_2025):
    budget = _prepaid_budget(demo, plan_2025)
    with pytest.raises(ServiceError) as err:
        services.budget_settle(actor=demo.user("hf_finance"), budget=budget, settled_on=D(2025, 12, 31))
    assert err.value.field == "settled_on"
    services.budget_settle(actor=demo.user("hf_finance"), budget=budget, settled_on=D(2026, 1, 1))
    with pytest.raises(Conflict):
        services.budget_settle(actor=demo.user("hf_finance"), budget=budget, settled_on=D(2026, 1, 2))
    # No certificates: 0 due, the whole 8400 goes back.
    assert FundAccount.objects.get(unit=plan_2025).balance == M("0.00")
