"""Periodic reports (季报 / 年报, 003 §(十七)) and special reports (重大情况专报).

A report is generated for one scope (a unit, a city, a province) and one period; its figures are frozen at
generation as a JSON snapshot of the dashboard (`figures`) and never recomputed, so later data changes do not
alter a report once generated, and a submitted report cannot be edited. It is submitted up the chain
(`chain`: a prison to its city's lead prison, the lead prison with its group's report to the provincial bureau,
a city bureau to the provincial department of its line), where it is received or sent back with a reason (then
the author may edit, delete or resubmit it). Every step is audited.

Scope: a report is visible to its author organisation, to the organisation it is submitted to, and — for the
bureaus above — when its scope unit lies in their visible units (`scope_unit`: the unit of a unit report, the lead
unit of a group report).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from skillbridge.accounts.scope import ScopedQuerySet


class ReportKind(models.TextChoices):
    QUARTERLY = "quarterly", "季报"
    ANNUAL = "annual", "年报"
    SPECIAL = "special", "重大情况专报"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "已生成（未报送）"
    SUBMITTED = "submitted", "已报送"
    RECEIVED = "received", "上级已签收"
    RETURNED = "returned", "上级已退回"


class ScopeLevel(models.TextChoices):
    PROVINCE = "province", "全省"
    CITY = "city", "设区市"
    LEAD = "lead", "牵头单位汇总"
    UNIT = "unit", "单位"


class ReportQuerySet(ScopedQuerySet):
    def scope_condition(self, user) -> Q:
        org = user.organisation_id
        return super().scope_condition(user) | Q(author_org_id=org) | Q(submitted_to_id=org)


class PeriodicReport(models.Model):
    kind = models.CharField("报告类型", max_length=12, choices=ReportKind.choices)
    title = models.CharField("标题", max_length=120)
    scope_level = models.CharField("统计范围层级", max_length=10, choices=ScopeLevel.choices)
    scope_code = models.CharField("统计范围代码", max_length=12)
    scope_name = models.CharField("统计范围", max_length=100)
    # The unit itself for a unit report (lets the bureaus above see it through the ordinary scope).
    scope_unit = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    period_code = models.CharField("统计期间", max_length=10)
    period_label = models.CharField("统计期间名称", max_length=30)
    period_start = models.DateField("期间起")
    period_end = models.DateField("期间止")
    figures = models.JSONField("冻结数据（生成时快照）", default=dict)
    body = models.TextField("报告正文/情况说明", blank=True)
    status = models.CharField("状态", max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    author_org = models.ForeignKey(
        "accounts.Organisation", verbose_name="报送单位", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField("生成时间", auto_now_add=True)
    submitted_to = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="报送至",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    receipt_note = models.CharField("签收意见/退回原因", max_length=300, blank=True)

    objects = ReportQuerySet.as_manager()
    scope_unit_field = "scope_unit"

    class Meta:
        verbose_name = "统计报告"
        ordering = ["-generated_at", "-id"]
        indexes = [
            models.Index(fields=["author_org", "period_start"]),
            models.Index(fields=["submitted_to", "status"]),
        ]

    def __str__(self) -> str:
        return self.title


# ---- pre-aggregated dashboard figures (rollup) ---------------------------------------------------------


def _count(label: str):
    return models.IntegerField(label, default=0, db_default=0)


def _money(label: str):
    return models.DecimalField(label, max_digits=16, decimal_places=2, default=0, db_default=0)


class FigureCell(models.Model):
    """The dashboard's counts and sums, pre-aggregated per (unit, month, subject, level, institution).

    Each figure is keyed by the month of its own date (release date for 应培训 / 刑释前获证, class start for 参训 /
    开班, class end for 结业, issue date for 取证, assessment date for 鉴定, claim filled date for 补贴); the
    plan-year actual (计划年度参训) is keyed by `plan_year` instead (month empty). Rows are rebuilt, never
    edited, by `services.rollup_refresh` (delete + insert per unit and month in one transaction); the
    dashboard sums the rows of its scope and period. Subject columns are empty for figures not broken down."""

    unit = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    month = models.DateField("月份（首日）", null=True)
    plan_year = models.IntegerField("计划年度", null=True)
    occupation_id = models.IntegerField(null=True)
    special_item_id = models.IntegerField(null=True)
    project_name = models.CharField(max_length=200, null=True)  # noqa: DJ001 (as the source: empty = no subject)
    level_id = models.IntegerField(null=True)
    institution_id = models.IntegerField(null=True)
    due = _count("应培训")
    due_certified = _count("刑释前获证")
    enrolled = _count("参训")
    completed = _count("结业")
    plan_actual = _count("计划年度参训")
    classes = _count("开班")
    certified = _count("取证")
    assessed = _count("参加鉴定")
    claim_lines = _count("申领补贴")
    approved_lines = _count("审核通过")
    rejected_lines = _count("不予补贴")
    noticed_lines = _count("已公示")
    claimed_amount = _money("申领金额")
    approved_amount = _money("核定金额")
    noticed_amount = _money("公示金额")
    disbursed_amount = _money("已拨付")
    paid_amount = _money("已支付")

    class Meta:
        verbose_name = "统计汇总单元"
        indexes = [
            models.Index(fields=["month", "unit"], name="reporting_cell_month"),
            models.Index(fields=["plan_year", "unit"], name="reporting_cell_plan_year"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month or self.plan_year}"


class RollupUnit(models.Model):
    """When a unit's figures were last computed (shown on the dashboard as 数据更新于 …)."""

    unit = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    refreshed_at = models.DateTimeField("数据更新时间")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.refreshed_at:%Y-%m-%d %H:%M}"


class RollupStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class RollupRun(models.Model):
    """One refresh of the rollup: all units (empty list) or some, all months (empty list) or some."""

    unit_ids = models.JSONField("单位", default=list)
    months = models.JSONField("月份", default=list)
    status = models.CharField("状态", max_length=8, choices=RollupStatus.choices, default=RollupStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    cells = models.IntegerField("汇总行数", default=0)
    seconds = models.FloatField("耗时（秒）", null=True, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "统计汇总刷新"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"统计汇总刷新 {self.pk}"
