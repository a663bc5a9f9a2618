"""Reads of the fund accounts, statements and Anhui budgets; every one starts from the user's scope.

A unit sees its own account; city finance / HRSS the units of their city; a provincial body the units
of its province (``Organisation.objects.visible_units``). An account that has never had an entry does not
exist yet: it is shown with a zero balance.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils import timezone

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import UNIT_TYPES
from skillbridge.errors import NotFound
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import is_overdue, overdue_working_days
from skillbridge.policy.schema import FUND_USES

from .models import EntryKind, FundAccount, FundEntry, YearBudget
from .services import is_city_org, is_unit_staff

ZERO = Decimal("0.00")


def units_for_user(user):
    """Units whose account the user may read, each with ``balance`` and ``entry_count`` annotated."""
    accounts = FundAccount.objects.filter(unit=OuterRef("pk"))
    return (
        Organisation.objects.visible_units(user)
        .filter(org_type__in=UNIT_TYPES)
        .annotate(
            balance=Subquery(accounts.values("balance")[:1]),
            entry_count=Count("fund_account__entries"),
        )
        .order_by("region_code", "name")
    )


def unit_in_scope(user, pk: int) -> Organisation:
    """One unit through the user's scope: an out-of-scope unit is reported like a missing one (audited)."""
    from skillbridge.audit.services import audit_denied

    unit = Organisation.objects.visible_units(user).filter(pk=pk, org_type__in=UNIT_TYPES).first()
    if unit is not None:
        return unit
    if Organisation.objects.filter(pk=pk).exists():
        audit_denied(action="scope.denied", actor=user, object_type="funds.fundaccount", object_id=str(pk))
    raise NotFound("专账不存在或不在您的数据权限范围内")


def account_of(unit: Organisation) -> FundAccount | None:
    return FundAccount.objects.filter(unit=unit).first()


def entries_for_user(user):
    return FundEntry.objects.for_user(user).select_related("account__unit", "created_by", "counterparty_org")


def entries(unit: Organisation):
    return FundEntry.objects.filter(account__unit=unit).select_related("created_by", "counterparty_org")


@dataclass
class CategoryTotal:
    code: str
    label: str
    spent: Decimal = ZERO
    recovered: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.spent - self.recovered


@dataclass
class StatementRow:
    entry: FundEntry
    balance: Decimal


@dataclass
class Statement:
    unit: Organisation
    date_from: date
    date_to: date
    opening: Decimal
    rows: list[StatementRow]
    income: Decimal
    expense: Decimal
    closing: Decimal
    categories: list[CategoryTotal] = field(default_factory=list)
    by_kind: dict[str, Decimal] = field(default_factory=dict)


def statement(unit: Organisation, date_from: date, date_to: date) -> Statement:
    """Entries dated within [date_from, date_to] in date order with the running balance; the opening
    balance is the sum of everything dated before; totals per kind and per use category."""
    qs = entries(unit)
    opening = (qs.filter(entry_date__lt=date_from).aggregate(s=Sum("delta"))["s"] or ZERO).quantize(ZERO)
    running, income, expense = opening, ZERO, ZERO
    rows, by_kind = [], {}
    categories = {code: CategoryTotal(code, label) for code, label in FUND_USES.items()}
    for entry in qs.filter(entry_date__gte=date_from, entry_date__lte=date_to).order_by("entry_date", "id"):
        running += entry.delta
        rows.append(StatementRow(entry, running))
        if entry.delta > 0:
            income += entry.delta
        else:
            expense -= entry.delta
        by_kind[entry.kind] = by_kind.get(entry.kind, ZERO) + entry.delta
        if entry.category:
            total = categories[entry.category]
            if entry.delta < 0:
                total.spent += -entry.delta
            else:
                total.recovered += entry.delta
    return Statement(
        unit=unit,
        date_from=date_from,
        date_to=date_to,
        opening=opening,
        rows=rows,
        income=income,
        expense=expense,
        closing=running,
        categories=[c for c in categories.values() if c.spent or c.recovered],
        by_kind={EntryKind(k).label: v for k, v in by_kind.items()},
    )


# ---- permissions shown on pages ------------------------------------------------------------------------------


def can_receive(user, unit: Organisation) -> bool:
    return is_unit_staff(user, unit) or is_city_org(user, unit, "city_finance")


def can_pay(user, unit: Organisation) -> bool:
    return is_unit_staff(user, unit)


def can_manage_budget(user, unit: Organisation) -> bool:
    return is_city_org(user, unit, "city_finance", "city_hrss")


def can_prepay(user, unit: Organisation) -> bool:
    return is_city_org(user, unit, "city_finance")


# ---- Anhui budgets ------------------------------------------------------------------------------------------


def has_budget_model(unit: Organisation) -> bool:
    pack = get_pack(unit.policy_pack)
    return bool(pack.subsidy.prepayment_ratio and pack.subsidy.per_person_cap_yuan)


def budgets_for_user(user, *, year: int | None = None):
    qs = YearBudget.objects.for_user(user).select_related("unit", "prepayment_entry", "settlement_entry")
    return qs.filter(year=year) if year else qs


@dataclass
class PrepaymentStatus:
    label: str
    tone: str  # bootstrap colour
    overdue_days: int = 0


def prepayment_status(budget: YearBudget, today: date | None = None) -> PrepaymentStatus:
    """待收到资金 / 待预拨（截止 …）/ 逾期 N 个工作日未预拨 / 已预拨 / 逾期预拨."""
    today = today or timezone.localdate()
    if budget.prepayment_entry_id:
        paid_on = budget.prepayment_entry.entry_date
        if budget.prepayment_due and paid_on > budget.prepayment_due:
            late = overdue_working_days(budget.prepayment_due, paid_on)
            return PrepaymentStatus(f"已预拨（逾期{late}个工作日）", "warning", late)
        return PrepaymentStatus("已按时预拨", "success")
    if not budget.funds_received_on:
        return PrepaymentStatus("待市财政局收到资金", "secondary")
    if is_overdue(budget.prepayment_due, today):
        late = overdue_working_days(budget.prepayment_due, today)
        return PrepaymentStatus(f"逾期{late}个工作日未预拨", "danger", late)
    return PrepaymentStatus(f"待预拨（截止{budget.prepayment_due:%Y-%m-%d}）", "primary")


@dataclass
class BudgetRow:
    unit: Organisation
    year: int
    budget: YearBudget | None
    status: PrepaymentStatus | None


def budget_overview(user, year: int) -> list[BudgetRow]:
    """Every unit in scope whose pack prepays by plan (Anhui), with its budget for ``year`` if prepared."""
    budgets = {b.unit_id: b for b in budgets_for_user(user, year=year)}
    rows = []
    for unit in Organisation.objects.visible_units(user).filter(org_type__in=UNIT_TYPES, is_active=True):
        if not has_budget_model(unit):
            continue
        budget = budgets.get(unit.pk)
        rows.append(BudgetRow(unit, year, budget, prepayment_status(budget) if budget else None))
    return rows
