"""The unit's special fund account (培训资金专账) and its append-only ledger; Anhui yearly budgets.

- ``FundAccount``: one per unit (监狱/戒毒所), its balance always equal to the sum of its entries and never
  negative. Every write locks the account row (``select_for_update``) so two payments racing for the
  same money are serialised: the second sees the first's balance.
- ``FundEntry``: one movement, never changed or deleted. Money in: a receipt from finance (资金到账), a
  prepayment (预拨), a top-up on settlement, money recovered from a payee. Money out: a payment to an
  institution or for a use (支付), a refund to finance (退回), a settlement refund.
- ``YearBudget`` (Anhui, 皖司通〔2019〕45号 二(五)): the unit's plan budget for a year (planned trainees ×
  1200), the day city finance received the funds, the 70 % prepayment with its deadline, and the
  settlement after year end against the certified trainees.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from skillbridge.accounts.scope import ScopedQuerySet
from skillbridge.policy.schema import FUND_USES

MONEY = {"max_digits": 14, "decimal_places": 2}


class EntryKind(models.TextChoices):
    RECEIPT = "receipt", "资金到账"
    PREPAYMENT = "prepayment", "预拨资金"
    PAYMENT = "payment", "支付"
    REFUND = "refund", "退回/收回"
    SETTLEMENT = "settlement", "清算"


FundUse = models.TextChoices("FundUse", [(code, (code, label)) for code, label in FUND_USES.items()])


class FundAccount(models.Model):
    unit = models.OneToOneField(
        "accounts.Organisation", verbose_name="单位", on_delete=models.PROTECT, related_name="fund_account"
    )
    name = models.CharField("专账名称", max_length=100)
    balance = models.DecimalField("余额（元）", default=Decimal("0.00"), **MONEY)
    opened_at = models.DateTimeField("开立时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "培训资金专账"
        ordering = ["unit__region_code", "unit__name"]
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="fund_account_balance_not_negative")
        ]

    def __str__(self) -> str:
        return self.name


class FundEntry(models.Model):
    account = models.ForeignKey(
        FundAccount, verbose_name="专账", on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField("类型", max_length=12, choices=EntryKind.choices)
    amount = models.DecimalField("金额（元）", **MONEY)
    # Signed movement: + money in, − money out; the balance is the sum of these.
    delta = models.DecimalField("收支（元）", **MONEY)
    entry_date = models.DateField("日期")
    category = models.CharField("用途类别", max_length=24, choices=FundUse.choices, blank=True)
    counterparty = models.CharField("付款方/收款方", max_length=100, blank=True)
    counterparty_org = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="往来单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    voucher_no = models.CharField("凭证号", max_length=40, blank=True)
    source_type = models.CharField("来源类型", max_length=40, blank=True)
    source_id = models.CharField("来源编号", max_length=40, blank=True)
    note = models.CharField("摘要", max_length=300, blank=True)
    advance = models.BooleanField("先行拨付", default=False)
    balance_after = models.DecimalField("记账后余额（元）", **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("记账时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "account__unit"

    class Meta:
        verbose_name = "专账明细"
        ordering = ["entry_date", "id"]
        indexes = [
            models.Index(fields=["account", "entry_date"]),
            models.Index(fields=["source_type", "source_id"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_entry_amount_positive"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="fund_entry_balance_not_negative"),
            models.UniqueConstraint(
                fields=["account", "voucher_no"],
                condition=~Q(voucher_no=""),
                name="fund_entry_unique_voucher",
            ),
            # A claim (or budget) is received, prepaid, paid or settled at most once into one account.
            models.UniqueConstraint(
                fields=["account", "kind", "source_type", "source_id", "advance"],
                condition=~Q(source_id="") & ~Q(kind="refund"),
                name="fund_entry_unique_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_date} {self.get_kind_display()} {self.amount}"

    @property
    def income(self) -> Decimal | None:
        return self.delta if self.delta > 0 else None

    @property
    def expense(self) -> Decimal | None:
        return -self.delta if self.delta < 0 else None


class YearBudget(models.Model):
    """An Anhui unit's training-fund budget for one plan year, its prepayment and its settlement."""

    unit = models.ForeignKey(
        "accounts.Organisation", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("计划年度")
    planned_trainees = models.PositiveIntegerField("计划培训人数")
    standard = models.DecimalField("人均标准（元）", **MONEY)
    budget = models.DecimalField("经费预算数（元）", **MONEY)
    funds_received_on = models.DateField("市财政局收到资金日期", null=True, blank=True)
    funds_voucher_no = models.CharField("资金文号/凭证号", max_length=40, blank=True)
    prepayment_due = models.DateField("预拨截止日期", null=True, blank=True)
    prepayment_amount = models.DecimalField("应预拨金额（元）", null=True, blank=True, **MONEY)
    prepayment_entry = models.OneToOneField(
        FundEntry, verbose_name="预拨记账", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    certified_trainees = models.PositiveIntegerField("实际取证人数", null=True, blank=True)
    settlement_due = models.DecimalField("按实际取证应拨（元）", null=True, blank=True, **MONEY)
    settlement_difference = models.DecimalField(
        "清算差额（元，正为补拨、负为退回）", null=True, blank=True, **MONEY
    )
    settled_on = models.DateField("清算日期", null=True, blank=True)
    settlement_entry = models.OneToOneField(
        FundEntry, verbose_name="清算记账", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("政策依据", max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "年度培训资金预算"
        ordering = ["-year", "unit__region_code", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="year_budget_unique_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit.name}{self.year}年度培训资金"

    @property
    def prepaid(self) -> Decimal:
        return self.prepayment_entry.amount if self.prepayment_entry_id else Decimal("0.00")

    @property
    def is_settled(self) -> bool:
        return self.settled_on is not None
