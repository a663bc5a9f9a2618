"""Periodic reports (季报 / 年报, 003 §(十七)) and special reports (重大情况专报).

A report is generated for one scope (a unit, a city, a province) and one period; its figures are frozen at
generation as a JSON snapshot of the dashboard (`figures`) and never recomputed, so later data changes do not
alter a report once generated, and a submitted report cannot be edited at all. It is submitted up the chain to
the parent organisation (a prison to its provincial bureau, a city bureau to the provincial department of the
same kind), which receives it. Every step is audited.

Scope: a report is visible to its author organisation, to the organisation it is submitted to, and — for the
bureaus above — when its scope unit lies in their visible units (`scope_unit`, for unit reports).
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


class ScopeLevel(models.TextChoices):
    PROVINCE = "province", "全省"
    CITY = "city", "设区市"
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
    receipt_note = models.CharField("签收意见", max_length=300, blank=True)

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
