"""Writers of the training-fund account (专账) and of the Anhui yearly budget, prepayment and settlement.

Every posting locks the unit's account row first (``select_for_update``): concurrent payments are
serialised, the second sees the first's balance, and a payment that would take the balance below zero
is refused with nothing written. Amounts are ``Decimal`` yuan with at most two decimals, always > 0; the
entry kind (and for refunds the direction) decides the sign.

Other apps call ``receipt_record`` / ``payment_record`` with ``source_type`` ("subsidies.claim") and
``source_id`` (the claim pk): one account accepts one receipt, one prepayment, one payment and one
settlement per source (advances are counted apart), so a retried call cannot pay twice.
"""

from dataclasses import asdict
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from skillbridge.accounts.models import Organisation, OrgType, Role
from skillbridge.accounts.scope import UNIT_TYPES
from skillbridge.audit.services import audit_record
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.policy.errors import RuleNotDefined
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import (
    per_capita_budget,
    prepayment,
    project_advance,
    settlement,
    settlement_open,
)
from skillbridge.policy.schema import FUND_USES

from .models import EntryKind, FundAccount, FundEntry, YearBudget

ACTING_ROLES = (Role.OPERATOR, Role.REVIEWER, Role.UNIT_HEAD)
MAX_AMOUNT = Decimal("999999999999.99")
REFUND_OUT = "to_finance"  # the unit returns money to finance (money out)
REFUND_IN = "from_payee"  # an institution returns money to the unit (money in)
REFUND_DIRECTIONS = {REFUND_OUT: "退回财政", REFUND_IN: "收回（机构退回）"}


# ---- who may write ------------------------------------------------------------------------------------------


def _acts(actor) -> bool:
    return actor is not None and actor.is_active and actor.has_role(*ACTING_ROLES)


def is_unit_staff(actor, unit: Organisation) -> bool:
    return _acts(actor) and actor.organisation_id == unit.pk


def is_city_org(actor, unit: Organisation, *org_types: str) -> bool:
    """The actor works for a city bureau of one of ``org_types`` in the unit's city (市财政局, 市人社局)."""
    org = actor.organisation if actor is not None else None
    return (
        _acts(actor)
        and org.org_type in org_types
        and org.region_code[:4] == unit.region_code[:4]
        and org.province_prefix == unit.province_prefix
    )


def _require_unit(unit) -> None:
    if not isinstance(unit, Organisation) or unit.org_type not in UNIT_TYPES:
        raise ServiceError("专账只能开立在监狱、戒毒所或社区矫正机构", field="unit")


def _require_unit_staff(actor, unit: Organisation) -> None:
    if not is_unit_staff(actor, unit):
        raise Forbidden(f"只有{unit.name}的经办人、审核人或负责人可以办理专账支出", field="unit")


def _require_finance_or_unit(actor, unit: Organisation) -> None:
    if not (is_unit_staff(actor, unit) or is_city_org(actor, unit, OrgType.CITY_FINANCE)):
        raise Forbidden(f"只有{unit.name}或其驻在地市财政局可以登记资金到账", field="unit")


def _require_city_finance(actor, unit: Organisation) -> None:
    if not is_city_org(actor, unit, OrgType.CITY_FINANCE):
        raise Forbidden(f"只有{unit.name}驻在地的市财政局可以办理", field="unit")


def city_finance_of(unit: Organisation) -> Organisation | str:
    """The 市财政局 of the unit's city (the other side of receipts, prepayments and settlements)."""
    finance = Organisation.objects.filter(
        org_type=OrgType.CITY_FINANCE, region_code__startswith=unit.region_code[:4], is_active=True
    ).first()
    return finance or "市财政局"


# ---- input -----------------------------------------------------------------------------------------------


def clean_amount(value, field: str = "amount") -> Decimal:
    if isinstance(value, float):
        raise ServiceError("金额须为精确小数（不接受浮点数）", field=field)
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ServiceError("金额格式不正确", field=field) from None
    if not amount.is_finite():
        raise ServiceError("金额格式不正确", field=field)
    if amount <= 0:
        raise ServiceError("金额须大于0", field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise ServiceError("金额最多保留两位小数（分）", field=field)
    if amount > MAX_AMOUNT:
        raise ServiceError("金额过大", field=field)
    return amount.quantize(Decimal("0.01"))


def _clean_date(value, field: str) -> date:
    if not isinstance(value, date):
        raise ServiceError("日期格式不正确", field=field)
    if value > timezone.localdate():
        raise ServiceError("日期不能晚于今天", field=field)
    return value


def _text(value, field: str, label: str, max_length: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ServiceError(f"{label}不能为空", field=field)
    if len(text) > max_length:
        raise ServiceError(f"{label}不能超过{max_length}个字", field=field)
    return text


def allowed_categories(unit: Organisation) -> dict[str, str]:
    """Use categories a unit may book: the pack's list where it states one (Anhui 一(三)), else all."""
    rule = get_pack(unit.policy_pack).funds.use_categories
    codes = rule.value if rule else tuple(FUND_USES)
    return {code: FUND_USES[code] for code in codes}


def _clean_category(unit: Organisation, category: str, *, required: bool) -> str:
    category = (category or "").strip()
    if not category:
        if required:
            raise ServiceError("请选择用途类别", field="category")
        return ""
    allowed = allowed_categories(unit)
    if category not in allowed:
        if category in FUND_USES:
            raise ServiceError(
                f"用途类别「{FUND_USES[category]}」不在本单位适用政策规定的资金用途内", field="category"
            )
        raise ServiceError(f"未知的用途类别「{category}」", field="category")
    return category


# ---- the account --------------------------------------------------------------------------------------------


def account_for(unit: Organisation) -> FundAccount:
    """The unit's account, opened on first use (inside the caller's transaction)."""
    account, _ = FundAccount.objects.get_or_create(unit=unit, defaults={"name": f"{unit.name}培训资金专账"})
    return account


def _lock(unit: Organisation) -> FundAccount:
    account = account_for(unit)
    return FundAccount.objects.select_for_update().get(pk=account.pk)


def _lowest_balance_from(account: FundAccount, on: date, delta: Decimal) -> Decimal:
    """The lowest running balance (in date order) from ``on`` onwards once ``delta`` is booked on ``on``:
    a back-dated payment must not make any later day's balance negative either."""
    entries = account.entries.all()
    running = (entries.filter(entry_date__lte=on).aggregate(s=Sum("delta"))["s"] or Decimal(0)) + delta
    lowest = running
    for later in (
        entries.filter(entry_date__gt=on).order_by("entry_date", "id").values_list("delta", flat=True)
    ):
        running += later
        lowest = min(lowest, running)
    return lowest


def _post(
    *,
    actor,
    unit: Organisation,
    kind: str,
    amount,
    sign: int,
    entry_date: date,
    date_field: str,
    category: str = "",
    counterparty="",
    voucher_no: str = "",
    source_type: str = "",
    source_id="",
    note: str = "",
    advance: bool = False,
    action: str,
) -> FundEntry:
    amount = clean_amount(amount)
    entry_date = _clean_date(entry_date, date_field)
    voucher_no = _text(voucher_no, "voucher_no", "凭证号", 40)
    source_type = _text(source_type, "source_type", "来源类型", 40)
    source_id = _text(source_id, "source_id", "来源编号", 40)
    note = _text(note, "note", "摘要", 300)
    counterparty_org = counterparty if isinstance(counterparty, Organisation) else None
    counterparty = _text(
        counterparty_org.name if counterparty_org else counterparty, "payee", "收付款方", 100
    )
    if bool(source_type) != bool(source_id):
        raise ServiceError("来源类型与来源编号须同时填写", field="source_id")

    account = _lock(unit)
    if voucher_no and account.entries.filter(voucher_no=voucher_no).exists():
        raise Conflict(f"凭证号「{voucher_no}」已在本专账登记过", field="voucher_no")
    if (
        source_id
        and kind != EntryKind.REFUND
        and account.entries.filter(
            kind=kind, source_type=source_type, source_id=source_id, advance=advance
        ).exists()
    ):
        raise Conflict(
            f"来源 {source_type}#{source_id} 的{EntryKind(kind).label}已记账，不能重复登记", field="source_id"
        )
    delta = amount * sign
    new_balance = account.balance + delta
    if delta < 0:
        if new_balance < 0:
            raise Conflict(
                f"专账余额不足：当前余额 {account.balance:.2f} 元，本次支出 {amount:.2f} 元", field="amount"
            )
        lowest = _lowest_balance_from(account, entry_date, delta)
        if lowest < 0:
            raise Conflict(
                f"按日期计，{entry_date} 之后专账余额将出现负数（{lowest:.2f} 元），请核对支出日期",
                field=date_field,
            )
    try:
        with transaction.atomic():
            entry = FundEntry.objects.create(
                account=account,
                kind=kind,
                amount=amount,
                delta=delta,
                entry_date=entry_date,
                category=category,
                counterparty=counterparty,
                counterparty_org=counterparty_org,
                voucher_no=voucher_no,
                source_type=source_type,
                source_id=source_id,
                note=note,
                advance=advance,
                balance_after=new_balance,
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict("凭证号或来源已登记，不能重复记账", field="voucher_no") from None
    account.balance = new_balance
    account.save(update_fields=["balance", "updated_at"])
    audit_record(
        action=action,
        obj=entry,
        actor=actor,
        changes={
            "unit": unit.name,
            "kind": kind,
            "amount": str(amount),
            "date": entry_date.isoformat(),
            "category": category,
            "counterparty": counterparty,
            "voucher_no": voucher_no,
            "source": f"{source_type}#{source_id}" if source_id else "",
            "balance_after": str(new_balance),
        },
    )
    return entry


# ---- public writers --------------------------------------------------------------------------------------


@transaction.atomic
def receipt_record(
    *, actor, unit, amount, received_on, voucher_no, source_type, source_id, note=""
) -> FundEntry:
    """Money received into the unit's account from 市财政局 (a disbursed claim, a grant)."""
    _require_unit(unit)
    _require_finance_or_unit(actor, unit)
    voucher_no = _text(voucher_no, "voucher_no", "凭证号", 40, required=True)
    return _post(
        actor=actor,
        unit=unit,
        kind=EntryKind.RECEIPT,
        amount=amount,
        sign=1,
        entry_date=received_on,
        date_field="received_on",
        counterparty=city_finance_of(unit),
        voucher_no=voucher_no,
        source_type=source_type,
        source_id=str(source_id if source_id is not None else ""),
        note=note,
        action="funds.entry.receipt",
    )


@transaction.atomic
def payment_record(
    *,
    actor,
    unit,
    payee,
    amount,
    paid_on,
    category,
    source_type,
    source_id,
    note="",
    voucher_no="",
) -> FundEntry:
    """Money paid out of the account to an institution (``payee`` an Organisation) or for a use
    (``payee`` a name). Refused with nothing written if the balance would go negative."""
    _require_unit(unit)
    _require_unit_staff(actor, unit)
    category = _clean_category(unit, category, required=True)
    if not (payee.name if isinstance(payee, Organisation) else str(payee or "").strip()):
        raise ServiceError("收款方不能为空", field="payee")
    return _post(
        actor=actor,
        unit=unit,
        kind=EntryKind.PAYMENT,
        amount=amount,
        sign=-1,
        entry_date=paid_on,
        date_field="paid_on",
        category=category,
        counterparty=payee,
        voucher_no=voucher_no,
        source_type=source_type,
        source_id=str(source_id if source_id is not None else ""),
        note=note,
        action="funds.entry.payment",
    )


@transaction.atomic
def prepayment_record(
    *, actor, unit, amount, paid_on, voucher_no, source_type="", source_id="", note=""
) -> FundEntry:
    """A prepayment (预拨) received into the unit's account from 市财政局."""
    _require_unit(unit)
    _require_finance_or_unit(actor, unit)
    voucher_no = _text(voucher_no, "voucher_no", "凭证号", 40, required=True)
    return _post(
        actor=actor,
        unit=unit,
        kind=EntryKind.PREPAYMENT,
        amount=amount,
        sign=1,
        entry_date=paid_on,
        date_field="paid_on",
        counterparty=city_finance_of(unit),
        voucher_no=voucher_no,
        source_type=source_type,
        source_id=str(source_id or ""),
        note=note,
        action="funds.entry.prepayment",
    )


@transaction.atomic
def refund_record(
    *,
    actor,
    unit,
    amount,
    refunded_on,
    direction,
    counterparty,
    voucher_no="",
    category="",
    source_type="",
    source_id="",
    note="",
) -> FundEntry:
    """A refund: the unit returns money to finance (``to_finance``, money out, may not overdraw) or an
    institution returns money it was paid (``from_payee``, money in; ``category`` names the use it reverses)."""
    _require_unit(unit)
    _require_unit_staff(actor, unit)
    if direction not in REFUND_DIRECTIONS:
        raise ServiceError("请选择退回方向", field="direction")
    if not (counterparty.name if isinstance(counterparty, Organisation) else str(counterparty or "").strip()):
        raise ServiceError("往来单位不能为空", field="counterparty")
    return _post(
        actor=actor,
        unit=unit,
        kind=EntryKind.REFUND,
        amount=amount,
        sign=-1 if direction == REFUND_OUT else 1,
        entry_date=refunded_on,
        date_field="refunded_on",
        category=_clean_category(unit, category, required=False),
        counterparty=counterparty,
        voucher_no=voucher_no,
        source_type=source_type,
        source_id=str(source_id or ""),
        note=note or REFUND_DIRECTIONS[direction],
        action="funds.entry.refund",
    )


@transaction.atomic
def advance_record(
    *, actor, unit, payee, subsidy_amount, amount, paid_on, source_type, source_id, note="", voucher_no=""
) -> FundEntry:
    """Project-based training (项目制培训): an advance to the institution of at most the pack's share of the
    subsidy (Jiangsu 50 %, 苏政办发〔2019〕71号（十四）). The rest is paid later with ``payment_record``."""
    _require_unit(unit)
    _require_unit_staff(actor, unit)
    subsidy_amount = clean_amount(subsidy_amount, "subsidy_amount")
    amount = clean_amount(amount)
    pack = get_pack(unit.policy_pack)
    if not pack.subsidy.project_prepayment_max_ratio:
        raise ServiceError("本单位适用的政策未规定项目制培训先行拨付", field="amount")
    decision = project_advance(subsidy_amount, amount, pack)
    if not decision.allowed:
        raise ServiceError(decision.reasons[0].message, field="amount")
    if not isinstance(payee, Organisation):
        raise ServiceError("先行拨付的收款方须为培训机构", field="payee")
    return _post(
        actor=actor,
        unit=unit,
        kind=EntryKind.PAYMENT,
        amount=amount,
        sign=-1,
        entry_date=paid_on,
        date_field="paid_on",
        category=_clean_category(unit, "training_subsidy", required=True),
        counterparty=payee,
        voucher_no=voucher_no,
        source_type=source_type,
        source_id=str(source_id or ""),
        note=note or f"项目制培训先行拨付（补贴 {subsidy_amount:.2f} 元）",
        advance=True,
        action="funds.entry.advance",
    )


# ---- Anhui: budget, prepayment, settlement ------------------------------------------------------------------


def planned_trainees_for(unit: Organisation, year: int) -> int:
    from skillbridge.planning.selectors import plan_in_force

    return sum(item.planned_trainees for item in plan_in_force(unit, year))


def certified_trainees_for(unit: Organisation, year: int) -> int:
    """People of the unit holding a valid certificate issued in ``year`` (each counted once)."""
    from skillbridge.certificates.models import Certificate, CertificateStatus

    return (
        Certificate.objects.filter(unit=unit, status=CertificateStatus.VALID, issue_date__year=year)
        .values("person_id")
        .distinct()
        .count()
    )


def _require_budget_actor(actor, unit: Organisation) -> None:
    if not is_city_org(actor, unit, OrgType.CITY_FINANCE, OrgType.CITY_HRSS):
        raise Forbidden(f"只有{unit.name}驻在地的市财政局或市人社局可以办理", field="unit")


def _budget_pack(unit: Organisation):
    pack = get_pack(unit.policy_pack)
    if not (pack.subsidy.per_person_cap_yuan and pack.subsidy.prepayment_ratio):
        raise ServiceError("本单位适用的政策未规定按计划预拨培训资金", field="unit")
    return pack


@transaction.atomic
def budget_prepare(*, actor, unit, year: int) -> YearBudget:
    """The unit's budget for ``year`` from the plan in force: planned trainees × per-capita standard.
    Recomputed while nothing has been prepaid (an adjusted plan changes it)."""
    _require_unit(unit)
    _require_budget_actor(actor, unit)
    pack = _budget_pack(unit)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ServiceError("年度不正确", field="year")
    trainees = planned_trainees_for(unit, year)
    if trainees <= 0:
        raise ServiceError(f"{unit.name}{year}年度没有已下达的培训计划", field="year")
    budget_yuan = per_capita_budget(trainees, pack)
    existing = YearBudget.objects.select_for_update().filter(unit=unit, year=year).first()
    if existing and existing.prepayment_entry_id:
        raise Conflict("已预拨资金，预算不能再重算", field="year")
    values = {
        "planned_trainees": trainees,
        "standard": pack.subsidy.per_person_cap_yuan.value,
        "budget": budget_yuan,
        "source": pack.subsidy.per_person_cap_yuan.source[:300],
    }
    if existing:
        before = {"planned_trainees": existing.planned_trainees, "budget": str(existing.budget)}
        for key, value in values.items():
            setattr(existing, key, value)
        if existing.funds_received_on:
            existing.prepayment_amount = prepayment(existing.funds_received_on, budget_yuan, pack).amount
        existing.save()
        budget = existing
    else:
        before = {}
        budget = YearBudget.objects.create(unit=unit, year=year, created_by=actor, **values)
    audit_record(
        action="funds.budget.prepare",
        obj=budget,
        actor=actor,
        changes={"before": before, "planned_trainees": trainees, "budget": str(budget_yuan)},
    )
    return budget


def _lock_budget(budget: YearBudget) -> YearBudget:
    return YearBudget.objects.select_for_update().select_related("unit").get(pk=budget.pk)


@transaction.atomic
def budget_funds_received(
    *, actor, budget: YearBudget, received_on: date, voucher_no: str = ""
) -> YearBudget:
    """市财政局 records the day it received the provincial funds: the 70 % prepayment and its deadline
    (10 working days, the receiving day not counted) follow from it."""
    budget = _lock_budget(budget)
    _require_city_finance(actor, budget.unit)
    received_on = _clean_date(received_on, "received_on")
    if budget.prepayment_entry_id:
        raise Conflict("已预拨资金，不能再修改到账日期", field="received_on")
    pack = _budget_pack(budget.unit)
    due = prepayment(received_on, budget.budget, pack)
    budget.funds_received_on = received_on
    budget.funds_voucher_no = _text(voucher_no, "voucher_no", "凭证号", 40)
    budget.prepayment_due = due.due
    budget.prepayment_amount = due.amount
    budget.save()
    audit_record(
        action="funds.budget.funds_received",
        obj=budget,
        actor=actor,
        changes={
            "received_on": received_on.isoformat(),
            "due": due.due.isoformat(),
            "amount": str(due.amount),
        },
    )
    return budget


@transaction.atomic
def budget_prepay(*, actor, budget: YearBudget, paid_on: date, voucher_no: str) -> YearBudget:
    """市财政局 pays the prepayment into the unit's account (late payments are recorded and shown late)."""
    budget = _lock_budget(budget)
    _require_city_finance(actor, budget.unit)
    if budget.prepayment_entry_id:
        raise Conflict("该年度资金已预拨", field="paid_on")
    if not budget.funds_received_on:
        raise ServiceError("请先登记市财政局收到资金的日期", field="received_on")
    if isinstance(paid_on, date) and paid_on < budget.funds_received_on:
        raise ServiceError("预拨日期不能早于市财政局收到资金的日期", field="paid_on")
    entry = prepayment_record(
        actor=actor,
        unit=budget.unit,
        amount=budget.prepayment_amount,
        paid_on=paid_on,
        voucher_no=voucher_no,
        source_type="funds.budget",
        source_id=str(budget.pk),
        note=f"{budget.year}年度培训资金预拨（计划{budget.planned_trainees}人，预算{budget.budget:.2f}元的70%）",
    )
    budget.prepayment_entry = entry
    budget.save(update_fields=["prepayment_entry", "updated_at"])
    audit_record(
        action="funds.budget.prepay",
        obj=budget,
        actor=actor,
        changes={"entry": entry.pk, "amount": str(entry.amount), "late": paid_on > budget.prepayment_due},
    )
    return budget


@transaction.atomic
def budget_settle(*, actor, budget: YearBudget, settled_on: date, voucher_no: str = "") -> YearBudget:
    """After year end: certified trainees × standard against the prepayment; the difference is booked as a
    settlement top-up (money in) or refund (money out, refused if the account cannot cover it)."""
    budget = _lock_budget(budget)
    _require_budget_actor(actor, budget.unit)
    settled_on = _clean_date(settled_on, "settled_on")
    if budget.settled_on:
        raise Conflict("该年度资金已清算", field="settled_on")
    pack = _budget_pack(budget.unit)
    if not settlement_open(budget.year, settled_on, pack):
        raise ServiceError(f"年度培训任务完成后（{budget.year + 1}年1月1日起）方可清算", field="settled_on")
    try:
        result = settlement(certified_trainees_for(budget.unit, budget.year), budget.prepaid, pack)
    except RuleNotDefined as exc:
        raise ServiceError(str(exc), field="unit") from None
    entry = None
    if result.difference:
        outcome = "补拨" if result.difference > 0 else "退回"
        entry = _post(
            actor=actor,
            unit=budget.unit,
            kind=EntryKind.SETTLEMENT,
            amount=abs(result.difference),
            sign=1 if result.difference > 0 else -1,
            entry_date=settled_on,
            date_field="settled_on",
            counterparty=city_finance_of(budget.unit),
            voucher_no=voucher_no,
            source_type="funds.budget",
            source_id=str(budget.pk),
            note=(
                f"{budget.year}年度清算{outcome}：取证{result.certified_trainees}人×{budget.standard:.2f}元"
                f"={result.due:.2f}元，已预拨{result.prepaid:.2f}元"
            ),
            action="funds.entry.settlement",
        )
    budget.certified_trainees = result.certified_trainees
    budget.settlement_due = result.due
    budget.settlement_difference = result.difference
    budget.settled_on = settled_on
    budget.settlement_entry = entry
    budget.save()
    audit_record(
        action="funds.budget.settle",
        obj=budget,
        actor=actor,
        changes={k: str(v) for k, v in asdict(result).items()} | {"outcome": result.outcome},
    )
    return budget
