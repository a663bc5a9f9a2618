"""Subsidy claims (补贴申领): training-subsidy claims by a training institution (附件7 申领表 + 附件8 明细)
and assessment-subsidy claims by an evaluation institution (附件9 + 附件10).

A claim is built from the certificates of a class (or of an assessment); each `ClaimLine` is one person's
certificate with the amount from the standards catalogue and the result of every pack check. A claim is a
reviewable document (`approvals.ReviewCase`, chain `chains.training_claim` / `chains.assessment_claim`);
after the final approval the city HRSS publishes a public notice (公示) for a number of working days, then
the city finance bureau disburses to the unit's special account and the unit pays the institution.

Guarantees held by the database:
- a certificate is in at most one *active* line per kind (`ClaimLine.is_active`: the line is not rejected and
  its claim is neither rejected nor withdrawn) — so it is paid at most once even when two claims race;
- one active claim per (kind, class) — a double submit of "build the claim" creates one claim.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from skillbridge.accounts.scope import ScopedQuerySet


class ClaimScopedQuerySet(ScopedQuerySet):
    """Unit scope and the claimant, plus every organisation with a stage in the claim's review (the lead
    prison of another prison's claim)."""

    claim_path = ""

    def scope_condition(self, user) -> Q:
        from skillbridge.approvals.models import ReviewStage

        in_chain = ReviewStage.objects.filter(org=user.organisation_id).values("case_id")
        return super().scope_condition(user) | Q(**{f"{self.claim_path}review__in": in_chain})


class LineScopedQuerySet(ClaimScopedQuerySet):
    claim_path = "claim__"


class ClaimKind(models.TextChoices):
    TRAINING = "training", "培训补贴"
    ASSESSMENT = "assessment", "鉴定补贴"


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "审核中"
    RETURNED = "returned", "退回修改"
    NOTICE = "notice", "公示中"
    APPROVED = "approved", "公示期满待拨付"
    DISBURSED = "disbursed", "已拨付至单位专账"
    PAID = "paid", "已支付培训（鉴定）机构"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


# A claim in one of these states no longer holds its certificates.
INACTIVE_CLAIM_STATUSES = (ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN)
EDITABLE_STATUSES = (ClaimStatus.DRAFT, ClaimStatus.RETURNED)


class Claim(models.Model):
    kind = models.CharField("申领类型", max_length=12, choices=ClaimKind.choices)
    claimant = models.ForeignKey(
        "accounts.Organisation", verbose_name="申领机构", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "accounts.Organisation", verbose_name="监狱（戒毒所）", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    training_class = models.ForeignKey(
        "training.TrainingClass",
        verbose_name="培训班",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    # The assessment (附件6) the claim is for (assessment claims).
    assessment = models.ForeignKey(
        "assessment.AssessmentApplication",
        verbose_name="鉴定申报",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    assessment_ref = models.CharField("鉴定批次", max_length=100, blank=True)
    # 申领机构信息 (snapshot at creation: the form shows what was claimed even if the directory changes).
    claimant_name = models.CharField("机构名称", max_length=100)
    credit_code = models.CharField("组织机构代码", max_length=18, blank=True)
    legal_representative = models.CharField("法定代表人姓名", max_length=50, blank=True)
    bank_name = models.CharField("开户银行名称", max_length=100, blank=True)
    bank_account = models.CharField("银行账号", max_length=40, blank=True)
    contact_person = models.CharField("联系人姓名", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    # 培训（鉴定）情况.
    subject_name = models.CharField("培训（鉴定）工种", max_length=100)
    level_name = models.CharField("培训（鉴定）等级", max_length=30, blank=True)
    date_from = models.DateField("培训（鉴定）时间从")
    date_to = models.DateField("培训（鉴定）时间至")
    filled_on = models.DateField("填表日期")
    status = models.CharField("状态", max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    # Totals (recomputed from the lines by the services).
    line_count = models.PositiveIntegerField("申领人数", default=0)
    claimed_total = models.DecimalField("申领金额（元）", max_digits=12, decimal_places=2, default=0)
    accepted_count = models.PositiveIntegerField("核定人数", default=0)
    accepted_total = models.DecimalField("核定金额（元）", max_digits=12, decimal_places=2, default=0)
    review = models.OneToOneField(
        "approvals.ReviewCase",
        verbose_name="审核事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidy_claim",
    )
    # 公示.
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示截止（含）", null=True, blank=True)
    notice_working_days = models.PositiveSmallIntegerField("公示期（工作日）", null=True, blank=True)
    notice_closed_at = models.DateTimeField("公示结束办理时间", null=True, blank=True)
    # 市财政局拨付 → 单位专账.
    voucher_no = models.CharField("拨付凭证号", max_length=60, blank=True)
    disbursed_on = models.DateField("拨付日期", null=True, blank=True)
    disbursed_amount = models.DecimalField(
        "拨付金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    disbursed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # 单位支付培训（鉴定）机构.
    paid_on = models.DateField("支付机构日期", null=True, blank=True)
    paid_amount = models.DecimalField(
        "支付机构金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_participant_fields = ("claimant",)

    class Meta:
        verbose_name = "补贴申领"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["unit", "year"]),
            models.Index(fields=["claimant", "year"]),
            models.Index(fields=["status"]),
        ]
        constraints = [
            # One live claim of a kind per class: a double submit cannot create a second one.
            models.UniqueConstraint(
                fields=["kind", "training_class"],
                condition=Q(training_class__isnull=False) & ~Q(status__in=["rejected", "withdrawn"]),
                name="subsidies_one_active_claim_per_class",
            ),
            models.CheckConstraint(
                condition=Q(date_to__gte=models.F("date_from")), name="subsidies_claim_dates"
            ),
            models.CheckConstraint(
                condition=Q(disbursed_amount__isnull=True)
                | Q(disbursed_amount__lte=models.F("accepted_total")),
                name="subsidies_disbursed_within_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}申领 {self.claimant_name} · {self.subject_name}"

    @property
    def form_number(self) -> str:
        return "附件7" if self.kind == ClaimKind.TRAINING else "附件9"

    @property
    def detail_form_number(self) -> str:
        return "附件8" if self.kind == ClaimKind.TRAINING else "附件10"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class LineDecision(models.TextChoices):
    PENDING = "pending", "待审核"
    ACCEPTED = "accepted", "通过"
    REJECTED = "rejected", "不予补贴"


class CheckOutcome(models.TextChoices):
    OK = "ok", "通过"
    FLAG = "flag", "提示（需审核确认）"
    BLOCK = "block", "不符合（不得申领）"


class ClaimLine(models.Model):
    """附件8 / 附件10: one person's certificate in a claim."""

    claim = models.ForeignKey(Claim, verbose_name="申领", on_delete=models.CASCADE, related_name="lines")
    # Copied from the claim: the database constraint and the history look-ups need them on the line.
    kind = models.CharField("申领类型", max_length=12, choices=ClaimKind.choices)
    person = models.ForeignKey(
        "registry.Person", verbose_name="姓名", on_delete=models.PROTECT, related_name="subsidy_lines"
    )
    certificate = models.ForeignKey(
        "certificates.Certificate",
        verbose_name="证书",
        on_delete=models.PROTECT,
        related_name="subsidy_lines",
    )
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
    level = models.ForeignKey(
        "catalog.SkillLevel",
        verbose_name="等级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    certificate_type = models.ForeignKey(
        "catalog.CertificateType", verbose_name="证书类型", on_delete=models.PROTECT, related_name="+"
    )
    certificate_date = models.DateField("发证日期")
    standard = models.ForeignKey(
        "catalog.SubsidyStandard",
        verbose_name="补贴标准",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    standard_amount = models.DecimalField(
        "补贴标准（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField("申领金额（元）", max_digits=10, decimal_places=2)
    year = models.PositiveSmallIntegerField("补贴年度")
    checks = models.JSONField("核查结果", default=list, blank=True)
    outcome = models.CharField(
        "核查结论", max_length=8, choices=CheckOutcome.choices, default=CheckOutcome.OK
    )
    checked_at = models.DateTimeField("核查时间", null=True, blank=True)
    decision = models.CharField(
        "审核结论", max_length=10, choices=LineDecision.choices, default=LineDecision.PENDING
    )
    decision_reason = models.CharField("审核说明", max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    # False once the line is rejected or its claim is rejected / withdrawn: it no longer holds the certificate
    # nor counts towards the person's subsidies.
    is_active = models.BooleanField("有效", default=True)

    objects = LineScopedQuerySet.as_manager()
    scope_unit_field = "claim__unit"
    scope_participant_fields = ("claim__claimant",)

    class Meta:
        verbose_name = "申领明细"
        ordering = ["claim_id", "id"]
        constraints = [
            # A certificate is paid at most once per kind (training subsidy / assessment subsidy).
            models.UniqueConstraint(
                fields=["certificate", "kind"],
                condition=Q(is_active=True),
                name="subsidies_certificate_paid_once",
            ),
            models.UniqueConstraint(fields=["claim", "certificate"], name="subsidies_line_once_per_claim"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="subsidies_line_amount_not_negative"),
        ]
        indexes = [
            models.Index(
                fields=["person", "year"], condition=Q(is_active=True), name="subsidies_line_person_year"
            ),
            models.Index(
                fields=["person", "occupation", "level"],
                condition=Q(is_active=True),
                name="subsidies_line_person_occ",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.certificate_id} · {self.amount}"

    @property
    def subject_name(self) -> str:
        if self.occupation_id:
            return self.occupation.name
        if self.special_item_id:
            return self.special_item.name
        return ""


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "待处理"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


class NoticeObjection(models.Model):
    """An objection raised during the public notice (公示异议) and its resolution."""

    claim = models.ForeignKey(Claim, verbose_name="申领", on_delete=models.CASCADE, related_name="objections")
    line = models.ForeignKey(
        ClaimLine,
        verbose_name="涉及明细",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
    )
    raised_by = models.CharField("异议人（来源）", max_length=100)
    received_on = models.DateField("收到日期")
    content = models.TextField("异议内容")
    status = models.CharField(
        "状态", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    resolution = models.TextField("处理结果", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = LineScopedQuerySet.as_manager()
    scope_unit_field = "claim__unit"
    scope_participant_fields = ("claim__claimant",)

    class Meta:
        verbose_name = "公示异议"
        ordering = ["claim_id", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} · {self.raised_by}"
