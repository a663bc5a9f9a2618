"""Generic multi-stage review (the digital form of 盖章): a case per reviewable document.

A later app's document (plan, class application, claim …) links to one `ReviewCase`. The stages of
each submission round are resolved from the unit's policy pack when it is submitted and frozen as
`ReviewStage` rows; each stage row records the acting organisation, reviewer, decision and opinion.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from skillbridge.accounts.scope import ScopedQuerySet


class DocType(models.TextChoices):
    ANNUAL_PLAN = "annual_plan", "年度培训计划"
    PLAN_ADJUSTMENT = "plan_adjustment", "计划调整/临时备案"
    CLASS_APPLICATION = "class_application", "办班申报"
    ASSESSMENT_APPLICATION = "assessment_application", "鉴定申报"
    TRAINING_CLAIM = "training_claim", "培训补贴申领"
    ASSESSMENT_CLAIM = "assessment_claim", "鉴定补贴申领"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "审核中"
    RETURNED = "returned", "退回修改"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "未通过"


class ReviewedDocument:
    """Status of a document whose case is created on its first submission (no `review` yet: a draft).

    A plain mixin, not an abstract model, so the documents' tables and migrations stay as they are.
    """

    @property
    def status(self) -> str:
        return self.review.status if self.review_id else "draft"

    @property
    def status_display(self) -> str:
        return self.review.get_status_display() if self.review_id else "草稿（未报送）"

    @property
    def is_editable(self) -> bool:
        return self.status in ("draft", "returned")


class Decision(models.TextChoices):
    APPROVE = "approve", "同意"
    RETURN = "return", "退回修改"
    REJECT = "reject", "不同意"


class ReviewCaseQuerySet(ScopedQuerySet):
    def scope_condition(self, user) -> Q:
        """The units' own cases and those in scope, plus every case the user's organisation authored or
        has a stage in (each an indexed lookup; a join across stages would scan them all)."""
        org = user.organisation_id
        in_chain = ReviewStage.objects.filter(org=org).values("case_id")
        return super().scope_condition(user) | Q(author_org=org) | Q(pk__in=in_chain)


class ReviewCase(models.Model):
    doc_type = models.CharField("材料类型", max_length=40, choices=DocType.choices)
    title = models.CharField("标题", max_length=200)
    unit = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="所属单位",
        on_delete=models.PROTECT,
        related_name="review_cases",
    )
    author_org = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="报送单位",
        on_delete=models.PROTECT,
        related_name="authored_cases",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    round = models.PositiveIntegerField("报送轮次", default=0)
    current_stage = models.ForeignKey(
        "ReviewStage",
        verbose_name="当前环节",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_date = models.DateField("办理期限", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    # A deadline to submit (e.g. the annual plan's) is met or missed by the first submission, not by a
    # resubmission after 退回修改 (reporting.selectors.missed_deadlines).
    first_submitted_at = models.DateTimeField("首次报送时间", null=True, blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)

    objects = ReviewCaseQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "审核事项"
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()}：{self.title}"


class ReviewStage(models.Model):
    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="stages")
    round = models.PositiveIntegerField("报送轮次")
    index = models.PositiveSmallIntegerField("环节序号")
    key = models.CharField(max_length=60)
    name = models.CharField("环节", max_length=100)
    org = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="办理单位",
        on_delete=models.PROTECT,
        related_name="review_stages",
    )
    decision = models.CharField("意见类型", max_length=10, choices=Decision.choices, blank=True)
    opinion = models.TextField("意见", blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("办理时间", null=True, blank=True)

    class Meta:
        verbose_name = "审核环节"
        ordering = ["round", "index"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round", "index"], name="uniq_stage_per_round"),
        ]
        indexes = [models.Index(fields=["org", "decision"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.org}）"
