"""Real concurrent transactions on PostgreSQL: two payments racing for the same money never overdraw."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from skillbridge.errors import Conflict
from skillbridge.funds import services
from skillbridge.funds.models import FundAccount, FundEntry

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def run_together(*calls):
    """Start the calls at the same instant on separate connections; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        from django.db import connections

        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the outcome is what the test checks
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _pay(demo, amount, source_id, username="cz_operator"):
    return lambda: services.payment_record(
        actor=demo.user(username),
        unit=demo.orgs["常州监狱"],
        payee=demo.orgs["常州技师学院"],
        amount=Decimal(amount),
        paid_on=dt.date(2026, 5, 10),
        category="training_subsidy",
        source_type="subsidies.claim",
        source_id=source_id,
    )


@pytest.fixture
def funded(demo):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; CI runs this on PostgreSQL")
    services.receipt_record(
        actor=demo.user("cz_finance_reviewer"),
        unit=demo.orgs["常州监狱"],
        amount=Decimal("1000.00"),
        received_on=dt.date(2026, 5, 6),
        voucher_no="C-1",
        source_type="",
        source_id="",
    )
    return demo


def test_two_payments_racing_for_the_balance_leave_it_non_negative(funded):
    outcomes = run_together(_pay(funded, "700.00", 1), _pay(funded, "700.00", 2, "cz_head"))
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], Conflict) and errors[0].field == "amount"
    account = FundAccount.objects.get()
    assert account.balance == Decimal("300.00")
    assert FundEntry.objects.filter(kind="payment").count() == 1
    assert sum(FundEntry.objects.values_list("delta", flat=True)) == account.balance


def test_two_payments_that_both_fit_are_both_booked_in_sequence(funded):
    outcomes = run_together(_pay(funded, "400.00", 1), _pay(funded, "600.00", 2, "cz_head"))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert FundAccount.objects.get().balance == Decimal("0.00")
    assert sorted(FundEntry.objects.filter(kind="payment").values_list("balance_after", flat=True)) in (
        [Decimal("0.00"), Decimal("400.00")],
        [Decimal("0.00"), Decimal("600.00")],
    )


def test_the_same_claim_paid_twice_at_once_is_paid_once(funded):
    outcomes = run_together(_pay(funded, "100.00", 9), _pay(funded, "100.00", 9, "cz_head"))
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes
    assert FundAccount.objects.get().balance == Decimal("900.00")
