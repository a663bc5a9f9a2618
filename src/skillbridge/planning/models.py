"""Annual training plans (年度计划, with adjustments and temporary additions) and cooperation agreements
(合作协议, 附件5) between a unit and a designated training institution.

A plan is a reviewable document: it links to one `approvals.ReviewCase` and goes through the unit's pack
chain. A plan is never edited after it is submitted and approved: an adjustment (调整) is a new version
carrying the full revised item list, a temporary addition (临时申请备案) a new document carrying only the
added items. The plan in force for a unit and year is the latest approved annual plan or adjustment plus
every approved temporary addition (see selectors.plan_in_force).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from skillbridge.accounts.scope import ScopedQuerySet
from skillbridge.approvals.models import ReviewStage, ReviewStatus


class PlanKind(models.TextChoices):
    ANNUAL = "annual", "年度计划"
    ADJUSTMENT = "adjustment", "计划调整"
    TEMPORARY = "temporary", "临时增加项目（申请备案）"


class PlanCategory(models.TextChoices):
    EMPLOYMENT = "employment", "就业技能培训"
    ENTREPRENEURSHIP = "entrepreneurship", "创业培训（含SIYB）"


# How an approved plan is called where the last step is a filing that issues it back to the units.
ISSUED_LABELS = {"anhui": "已下达"}


class AnnualPlanQuerySet(ScopedQuerySet):
    def scope_condition(self, user) -> Q:
        """Plans of the units in scope, plus the plans whose review the user's organisation authored or has a
        stage in (the lead prison, the bureau and the city HRSS see the plans that pass through them)."""
        org = user.organisation_id
        in_chain = ReviewStage.objects.filter(org=org).values("case_id")
        return super().scope_condition(user) | Q(review__author_org=org) | Q(review_id__in=in_chain)


class AnnualPlan(models.Model):
    unit = models.ForeignKey(
        "accounts.Organisation", verbose_name="单位", on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField("计划年度")
    kind = models.CharField("类型", max_length=12, choices=PlanKind.choices, default=PlanKind.ANNUAL)
    based_on = models.ForeignKey(
        "self",
        verbose_name="调整所依据的计划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
    )
    review = models.OneToOneField(
        "approvals.ReviewCase", verbose_name="审核事项", on_delete=models.PROTECT, related_name="plan"
    )
    reason = models.TextField("编制说明/调整理由", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AnnualPlanQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "年度培训计划"
        ordering = ["-year", "unit_id", "id"]
        indexes = [models.Index(fields=["unit", "year", "kind"])]

    def __str__(self) -> str:
        return f"{self.unit.name}{self.year}年{self.get_kind_display()}"

    @property
    def is_editable(self) -> bool:
        """Items may change only before submission or after 退回修改."""
        return self.review.status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED)

    @property
    def status_label(self) -> str:
        """The review status, with an approved plan shown as the pack calls it (安徽: 备案后正式下达 → 已下达)."""
        if self.review.status == ReviewStatus.APPROVED:
            return ISSUED_LABELS.get(self.unit.policy_pack, "已核准")
        return self.review.get_status_display()


class PlanItem(models.Model):
    """One line of a plan: what (occupation or special-ability item), which level, how many, how much."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="items")
    category = models.CharField("培训类别", max_length=20, choices=PlanCategory.choices)
    occupation = models.ForeignKey(
        "catalog.Occupation",
        verbose_name="职业（工种）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    special_item = models.ForeignKey(
        "catalog.SpecialAbilityItem",
        verbose_name="专项职业能力",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    project_name = models.CharField(
        "项目名称", max_length=100, blank=True, help_text="创业培训（如 SIYB）填写"
    )
    level = models.ForeignKey(
        "catalog.SkillLevel",
        verbose_name="等级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    planned_trainees = models.PositiveIntegerField("计划培训人数")
    planned_classes = models.PositiveIntegerField("计划班次")
    budget = models.DecimalField("经费预算（元）", max_digits=12, decimal_places=2)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "计划项目"
        ordering = ["plan_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(occupation__isnull=False, special_item__isnull=False),
                name="plan_item_one_subject",
            ),
            models.CheckConstraint(condition=Q(planned_trainees__gt=0), name="plan_item_trainees_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.planned_trainees}人"

    @property
    def subject_name(self) -> str:
        if self.occupation_id:
            return self.occupation.name
        if self.special_item_id:
            return self.special_item.name
        return self.project_name


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "草拟"
    SIGNED = "signed", "已签订"
    TERMINATED = "terminated", "已终止"


class Agreement(models.Model):
    """常州市特殊人群职业技能培训合作协议（附件5）: 甲方 the unit, 乙方 a designated training institution."""

    unit = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="甲方（监狱/戒毒所）",
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    institution = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="乙方（培训机构）",
        on_delete=models.PROTECT,
        related_name="institution_agreements",
    )
    number = models.CharField("协议编号", max_length=40, unique=True)
    # Parties as they stand on the signed document (copied, so later directory edits do not alter it).
    unit_address = models.CharField("甲方地址", max_length=200)
    unit_legal_representative = models.CharField("甲方法定代表人", max_length=50)
    unit_contact = models.CharField("甲方联系方式", max_length=100)
    institution_address = models.CharField("乙方地址", max_length=200)
    institution_legal_representative = models.CharField("乙方法定代表人", max_length=50)
    institution_contact = models.CharField("乙方联系方式", max_length=100)
    content = models.TextField("培训内容")
    mode = models.CharField("培训方式", max_length=200)
    trainees = models.PositiveIntegerField("培训人数")
    valid_from = models.DateField("合作期限自")
    valid_to = models.DateField("合作期限至")
    fee_standard = models.CharField("培训费用标准", max_length=200)
    payment_method = models.CharField("支付方式", max_length=200)
    payment_time = models.CharField("支付时间", max_length=200)
    unit_duties = models.TextField("甲方责任与义务")
    institution_duties = models.TextField("乙方责任与义务")
    copies = models.PositiveSmallIntegerField("协议份数", default=2)
    unit_signatory = models.CharField("甲方签字人", max_length=50, blank=True)
    institution_signatory = models.CharField("乙方签字人", max_length=50, blank=True)
    unit_signed_on = models.DateField("甲方签订日期", null=True, blank=True)
    institution_signed_on = models.DateField("乙方签订日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    terminated_on = models.DateField("终止日期", null=True, blank=True)
    termination_reason = models.CharField("终止原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_participant_fields = ("institution",)

    class Meta:
        verbose_name = "合作协议"
        ordering = ["-valid_from", "id"]
        indexes = [models.Index(fields=["unit", "institution", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="agreement_term_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.unit.name}—{self.institution.name}"
