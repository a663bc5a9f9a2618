"""Special accounts (专账): ledger, statements, receipts/payments/refunds; Anhui budgets, prepayment, settlement.

Every read goes through the user's scope (another city's unit is a 404, audited); every write through the
same services as the web pages.
"""

from datetime import date
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import get_in_scope
from skillbridge.api.pagination import PageNumber
from skillbridge.errors import ServiceError

from . import selectors, services
from .models import YearBudget

router = Router(tags=["专项资金"])
CENT = Decimal("0.01")


# ---- schemas ----------------------------------------------------------------------------------------------


class AccountOut(Schema):
    unit_id: int
    unit_name: str
    region_code: str
    balance: Decimal
    entry_count: int


class EntryOut(Schema):
    id: int
    unit_id: int = Field(alias="account.unit_id")
    kind: str
    kind_display: str = Field(alias="get_kind_display")
    amount: Decimal
    delta: Decimal = Field(description="收入为正，支出为负")
    entry_date: date
    category: str
    category_display: str = Field(alias="get_category_display")
    counterparty: str
    counterparty_org_id: int | None
    voucher_no: str
    source_type: str
    source_id: str
    advance: bool
    note: str
    balance_after: Decimal
    created_by: str = Field(alias="created_by.full_name")


class EntryFilter(Schema):
    kind: str | None = Field(None, description="receipt / prepayment / payment / refund / settlement")
    category: str | None = None
    date_from: date | None = None
    date_to: date | None = None


class ReceiptIn(Schema):
    amount: Decimal
    received_on: date
    voucher_no: str
    source_type: str = ""
    source_id: str = ""
    note: str = ""


class PaymentIn(Schema):
    payee_org_id: int | None = Field(None, description="收款的培训/评价机构；与 payee 二选一")
    payee: str = ""
    amount: Decimal
    paid_on: date
    category: str = Field(description="用途类别代码，见 policy.schema.FUND_USES")
    voucher_no: str = ""
    source_type: str = ""
    source_id: str = ""
    note: str = ""


class AdvanceIn(Schema):
    payee_org_id: int
    subsidy_amount: Decimal = Field(description="项目制培训补贴总额")
    amount: Decimal = Field(description="本次先行拨付金额")
    paid_on: date
    voucher_no: str = ""
    source_type: str = ""
    source_id: str = ""
    note: str = ""


class RefundIn(Schema):
    direction: str = Field(description="to_finance 退回财政（支出）/ from_payee 机构退回（收入）")
    counterparty: str
    amount: Decimal
    refunded_on: date
    category: str = ""
    voucher_no: str = ""
    note: str = ""


class CategoryOut(Schema):
    code: str
    label: str
    spent: Decimal
    recovered: Decimal
    net: Decimal


class StatementLineOut(Schema):
    entry: EntryOut
    balance: Decimal


class StatementOut(Schema):
    unit_id: int
    unit_name: str
    date_from: date
    date_to: date
    opening: Decimal
    income: Decimal
    expense: Decimal
    closing: Decimal
    lines: list[StatementLineOut]
    categories: list[CategoryOut]


class BudgetOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    year: int
    planned_trainees: int
    standard: Decimal
    budget: Decimal
    funds_received_on: date | None
    prepayment_due: date | None
    prepayment_amount: Decimal | None
    prepaid: Decimal
    prepayment_entry_id: int | None
    prepayment_status: str
    prepayment_overdue_working_days: int
    certified_trainees: int | None
    settlement_due: Decimal | None
    settlement_difference: Decimal | None
    settled_on: date | None
    settlement_entry_id: int | None
    source: str

    @staticmethod
    def resolve_prepayment_status(obj):
        return selectors.prepayment_status(obj).label

    @staticmethod
    def resolve_prepayment_overdue_working_days(obj):
        return selectors.prepayment_status(obj).overdue_days


class BudgetIn(Schema):
    unit_id: int
    year: int


class FundsReceivedIn(Schema):
    received_on: date
    voucher_no: str = ""


class PrepayIn(Schema):
    paid_on: date
    voucher_no: str


class SettleIn(Schema):
    settled_on: date
    voucher_no: str = ""


# ---- accounts and ledger ----------------------------------------------------------------------------------


def _account_out(unit: Organisation) -> dict:
    account = selectors.account_of(unit)
    return {
        "unit_id": unit.pk,
        "unit_name": unit.name,
        "region_code": unit.region_code,
        "balance": account.balance if account else Decimal("0.00"),
        "entry_count": account.entries.count() if account else 0,
    }


@router.get("/accounts", response=list[AccountOut], summary="单位培训资金专账（按数据权限）")
@paginate(PageNumber)
def account_list(request):
    return [
        {
            "unit_id": u.pk,
            "unit_name": u.name,
            "region_code": u.region_code,
            "balance": Decimal(u.balance or 0).quantize(CENT),
            "entry_count": u.entry_count,
        }
        for u in selectors.units_for_user(request.user)
    ]


@router.get("/accounts/{unit_id}", response=AccountOut, summary="一个单位的专账余额")
def account_get(request, unit_id: int):
    return _account_out(selectors.unit_in_scope(request.user, unit_id))


@router.get("/accounts/{unit_id}/entries", response=list[EntryOut], summary="专账明细（分页）")
@paginate(PageNumber)
def entry_list(request, unit_id: int, filters: Query[EntryFilter]):
    unit = selectors.unit_in_scope(request.user, unit_id)
    rows = selectors.entries(unit).select_related("account")
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.date_from:
        rows = rows.filter(entry_date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(entry_date__lte=filters.date_to)
    return rows.order_by("entry_date", "id")


def _entry(entry):
    return selectors.entries(entry.account.unit).select_related("account").get(pk=entry.pk)


@router.post("/accounts/{unit_id}/receipts", response={201: EntryOut}, summary="登记资金到账")
def receipt_create(request, unit_id: int, payload: ReceiptIn):
    unit = selectors.unit_in_scope(request.user, unit_id)
    entry = services.receipt_record(actor=request.user, unit=unit, **payload.dict())
    return Status(201, _entry(entry))


def _payee(payload) -> Organisation | str:
    if payload.payee_org_id:
        org = Organisation.objects.filter(pk=payload.payee_org_id).first()
        if org is None:
            raise ServiceError("收款机构不存在", field="payee_org_id")
        return org
    return payload.payee


@router.post("/accounts/{unit_id}/payments", response={201: EntryOut}, summary="登记专账支付")
def payment_create(request, unit_id: int, payload: PaymentIn):
    unit = selectors.unit_in_scope(request.user, unit_id)
    data = payload.dict(exclude={"payee_org_id", "payee"})
    entry = services.payment_record(actor=request.user, unit=unit, payee=_payee(payload), **data)
    return Status(201, _entry(entry))


@router.post(
    "/accounts/{unit_id}/advances", response={201: EntryOut}, summary="项目制培训先行拨付（不高于补贴的50%）"
)
def advance_create(request, unit_id: int, payload: AdvanceIn):
    unit = selectors.unit_in_scope(request.user, unit_id)
    data = payload.dict(exclude={"payee_org_id"})
    entry = services.advance_record(actor=request.user, unit=unit, payee=_payee(payload), **data)
    return Status(201, _entry(entry))


@router.post("/accounts/{unit_id}/refunds", response={201: EntryOut}, summary="登记退回财政或机构退回")
def refund_create(request, unit_id: int, payload: RefundIn):
    unit = selectors.unit_in_scope(request.user, unit_id)
    entry = services.refund_record(actor=request.user, unit=unit, **payload.dict())
    return Status(201, _entry(entry))


class PeriodIn(Schema):
    date_from: date
    date_to: date


@router.get(
    "/accounts/{unit_id}/statement", response=StatementOut, summary="对账单（期初、明细、期末、按用途汇总）"
)
def statement_get(request, unit_id: int, period: Query[PeriodIn]):
    unit = selectors.unit_in_scope(request.user, unit_id)
    if period.date_to < period.date_from:
        raise ServiceError("截止日期不能早于起始日期", field="date_to")
    st = selectors.statement(unit, period.date_from, period.date_to)
    return {
        "unit_id": unit.pk,
        "unit_name": unit.name,
        "date_from": st.date_from,
        "date_to": st.date_to,
        "opening": st.opening,
        "income": st.income,
        "expense": st.expense,
        "closing": st.closing,
        "lines": [{"entry": r.entry, "balance": r.balance} for r in st.rows],
        "categories": [
            {"code": c.code, "label": c.label, "spent": c.spent, "recovered": c.recovered, "net": c.net}
            for c in st.categories
        ],
    }


# ---- Anhui budgets ---------------------------------------------------------------------------------------


def _budget(user, pk: int) -> YearBudget:
    get_in_scope(YearBudget, user, pk=pk)
    return selectors.budgets_for_user(user).get(pk=pk)


@router.get("/budgets", response=list[BudgetOut], summary="年度培训资金预算、预拨与清算（安徽）")
@paginate(PageNumber)
def budget_list(request, year: int | None = None):
    return selectors.budgets_for_user(request.user, year=year).order_by("-year", "unit__name")


@router.post("/budgets", response={201: BudgetOut}, summary="按已下达的计划测算年度经费预算")
def budget_create(request, payload: BudgetIn):
    unit = selectors.unit_in_scope(request.user, payload.unit_id)
    budget = services.budget_prepare(actor=request.user, unit=unit, year=payload.year)
    return Status(201, _budget(request.user, budget.pk))


@router.get("/budgets/{budget_id}", response=BudgetOut, summary="年度预算、预拨与清算详情")
def budget_get(request, budget_id: int):
    return _budget(request.user, budget_id)


@router.post("/budgets/{budget_id}/funds-received", response=BudgetOut, summary="登记市财政局收到资金")
def budget_received(request, budget_id: int, payload: FundsReceivedIn):
    budget = _budget(request.user, budget_id)
    services.budget_funds_received(actor=request.user, budget=budget, **payload.dict())
    return _budget(request.user, budget_id)


@router.post("/budgets/{budget_id}/prepay", response=BudgetOut, summary="预拨资金到单位专账")
def budget_prepay(request, budget_id: int, payload: PrepayIn):
    budget = _budget(request.user, budget_id)
    services.budget_prepay(actor=request.user, budget=budget, **payload.dict())
    return _budget(request.user, budget_id)


@router.post("/budgets/{budget_id}/settle", response=BudgetOut, summary="年度清算（多退少补）")
def budget_settle(request, budget_id: int, payload: SettleIn):
    budget = _budget(request.user, budget_id)
    services.budget_settle(actor=request.user, budget=budget, **payload.dict())
    return _budget(request.user, budget_id)
