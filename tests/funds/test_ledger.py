"""Receipts, payments, prepayments and refunds on a unit's special account: balance always = ledger sum."""

from datetime import date
from decimal import Decimal

import pytest

from skillbridge.audit.models import AuditEvent
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.funds import services
from skillbridge.funds.models import FundAccount, FundEntry

pytestmark = pytest.mark.django_db

D = Decimal


def _receipt(demo, amount="10000.00", voucher="CZ-2026-001", source_id=1, on=date(2026, 3, 2)):
    return services.receipt_record(
        actor=demo.user("cz_finance_reviewer"),
        unit=demo.orgs["常州监狱"],
        amount=D(amount),
        received_on=on,
        voucher_no=voucher,
        source_type="subsidies.claim",
        source_id=source_id,
    )


def _pay(demo, amount, *, source_id=1, on=date(2026, 3, 5), voucher=""):
    return services.payment_record(
        actor=demo.user("cz_operator"),
        unit=demo.orgs["常州监狱"],
        payee=demo.orgs["常州技师学院"],
        amount=D(amount),
        paid_on=on,
        category="training_subsidy",
        source_type="subsidies.claim",
        source_id=source_id,
        voucher_no=voucher,
    )


def test_receipt_then_payment_keeps_balance_and_ledger(demo):
    receipt = _receipt(demo)
    payment = _pay(demo, "7600.50")
    account = FundAccount.objects.get(unit=demo.orgs["常州监狱"])
    assert account.balance == D("2399.50")
    assert (receipt.delta, receipt.balance_after) == (D("10000.00"), D("10000.00"))
    assert (payment.delta, payment.balance_after) == (D("-7600.50"), D("2399.50"))
    assert payment.counterparty == "常州技师学院"
    assert payment.counterparty_org == demo.orgs["常州技师学院"]
    assert receipt.counterparty == "常州市财政局"
    assert (payment.source_type, payment.source_id) == ("subsidies.claim", "1")
    assert list(
        AuditEvent.objects.filter(action__startswith="funds.").order_by("id").values_list("action", flat=True)
    ) == [
        "funds.entry.receipt",
        "funds.entry.payment",
    ]


def test_payment_that_would_overdraw_writes_nothing(demo):
    _receipt(demo, amount="1000.00")
    events = AuditEvent.objects.count()
    with pytest.raises(Conflict) as err:
        _pay(demo, "1000.01")
    assert err.value.field == "amount"
    assert "余额不足" in err.value.message
    assert FundEntry.objects.count() == 1
    assert FundAccount.objects.get().balance == D("1000.00")
    assert AuditEvent.objects.count() == events


def test_payment_exactly_the_balance_leaves_zero(demo):
    _receipt(demo, amount="1000.00")
    _pay(demo, "1000.00")
    assert FundAccount.objects.get().balance == D("0.00")


@pytest.mark.parametrize("amount", ["0", "-5.00", "0.001", "abc"])
def test_zero_negative_or_malformed_amount_is_refused(demo, amount):
    with pytest.raises(ServiceError) as err:
        services.receipt_record(
            actor=demo.user("cz_finance_reviewer"),
            unit=demo.orgs["常州监狱"],
            amount=amount,
            received_on=date(2026, 3, 2),
            voucher_no="V1",
            source_type="subsidies.claim",
            source_id=9,
        )
    assert err.value.field == "amount"
    assert FundEntry.objects.count() == 0


def test_duplicate_voucher_is_refused(demo):
    _receipt(demo, voucher="CZ-9")
    with pytest.raises(Conflict) as err:
        _receipt(demo, voucher="CZ-9", source_id=2)
    assert err.value.field == "voucher_no"
    assert FundEntry.objects.count() == 1


def test_same_source_cannot_be_paid_twice(demo):
    _receipt(demo, amount="5000")
    _pay(demo, "100")
    with pytest.raises(Conflict) as err:
        _pay(demo, "100")
    assert err.value.field == "source_id"
    assert FundAccount.objects.get().balance == D("4900.00")


def test_back_dated_payment_cannot_make_an_earlier_day_negative(demo):
    _receipt(demo, amount="1000", on=date(2026, 3, 10))
    with pytest.raises(Conflict) as err:
        _pay(demo, "500", on=date(2026, 3, 9))
    assert err.value.field == "paid_on"
    assert FundEntry.objects.count() == 1


def test_other_unit_or_institution_cannot_pay_from_the_account(demo):
    _receipt(demo, amount="1000")
    for username in ("ly_operator", "czjs_operator", "cz_finance_reviewer"):
        with pytest.raises(Forbidden):
            services.payment_record(
                actor=demo.user(username),
                unit=demo.orgs["常州监狱"],
                payee="某供应商",
                amount=D("10"),
                paid_on=date(2026, 3, 5),
                category="materials",
                source_type="",
                source_id="",
            )
    assert FundEntry.objects.count() == 1


def test_finance_of_another_city_cannot_record_a_receipt(demo):
    with pytest.raises(Forbidden):
        services.receipt_record(
            actor=demo.user("hf_finance"),
            unit=demo.orgs["常州监狱"],
            amount=D("10"),
            received_on=date(2026, 3, 2),
            voucher_no="X",
            source_type="",
            source_id="",
        )
    assert not FundAccount.objects.exists()


def test_prepayment_and_refunds(demo):
    unit = demo.orgs["安徽省蜀山监狱"]
    services.prepayment_record(
        actor=demo.user("hf_finance"),
        unit=unit,
        amount=D("84000.00"),
        paid_on=date(2026, 4, 1),
        voucher_no="HF-1",
    )
    services.payment_record(
        actor=demo.user("ah_prison_operator"),
        unit=unit,
        payee="某教材供应商",
        amount=D("3000"),
        paid_on=date(2026, 4, 2),
        category="materials",
        source_type="",
        source_id="",
    )
    services.refund_record(
        actor=demo.user("ah_prison_operator"),
        unit=unit,
        amount=D("500"),
        refunded_on=date(2026, 4, 3),
        direction=services.REFUND_IN,
        counterparty="某教材供应商",
        category="materials",
    )
    services.refund_record(
        actor=demo.user("ah_prison_operator"),
        unit=unit,
        amount=D("1500"),
        refunded_on=date(2026, 4, 4),
        direction=services.REFUND_OUT,
        counterparty="合肥市财政局",
    )
    assert FundAccount.objects.get(unit=unit).balance == D("80000.00")
    assert list(FundEntry.objects.order_by("id").values_list("delta", flat=True)) == [
        D("84000.00"),
        D("-3000.00"),
        D("500.00"),
        D("-1500.00"),
    ]


def test_anhui_unit_cannot_book_a_use_outside_the_pack(demo):
    unit = demo.orgs["安徽省蜀山监狱"]
    services.prepayment_record(
        actor=demo.user("hf_finance"), unit=unit, amount=D("100"), paid_on=date(2026, 4, 1), voucher_no="HF-1"
    )
    with pytest.raises(ServiceError) as err:
        services.payment_record(
            actor=demo.user("ah_prison_operator"),
            unit=unit,
            payee="x",
            amount=D("10"),
            paid_on=date(2026, 4, 2),
            category="training_subsidy",
            source_type="",
            source_id="",
        )
    assert err.value.field == "category"
