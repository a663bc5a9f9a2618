from decimal import Decimal

import pytest

from skillbridge.funds.demo import load_demo
from skillbridge.funds.models import FundAccount, FundEntry, YearBudget

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_with_exact_figures(demo):
    assert load_demo() == {"changzhou_entries": 4, "anhui_budgets": 1}
    assert load_demo() == {"changzhou_entries": 4, "anhui_budgets": 1}
    cz = FundAccount.objects.get(unit__name="常州监狱")
    assert cz.balance == Decimal("2950.00")  # 86400 − 72000 − 9600 − 1850
    budget = YearBudget.objects.get(unit__name="安徽省蜀山监狱", year=2026)
    assert (budget.planned_trainees, budget.budget) == (100, Decimal("120000.00"))
    assert budget.prepayment_amount == Decimal("84000.00")
    assert budget.prepayment_entry.amount == Decimal("84000.00")
    assert FundAccount.objects.get(unit__name="安徽省蜀山监狱").balance == Decimal("84000.00")
    assert FundEntry.objects.count() == 5
