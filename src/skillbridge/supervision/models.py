"""Supervision (监督检查): risk scans and their findings, inspections (督查) with rectification and notices
(通报), and the institution credit rating (信用等级评定).

A finding is the durable result of a risk rule: a scan that meets the same problem again (same `key`) refreshes
the open finding instead of adding one. The responsible organisation is the unit (prison / rehab centre) the
data belongs to, or the institution for findings that concern only it (a teacher in two places, a spike).

A credit rating stores the measured facts it was computed from (`facts`) with the pack parameters used
(`params`), so `rating.compute_grade(facts, params)` gives back the stored score and grade.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from skillbridge.accounts.scope import CITY_SCOPE, PROVINCIAL_SCOPE, ScopedQuerySet

SUPERVISOR_ORG_TYPES = tuple(t for t in (*PROVINCIAL_SCOPE, *CITY_SCOPE) if t != "public_employment_service")


def _authority_region_condition(user, field: str) -> Q | None:
    """Records tied to a region (not to a unit): visible to the city / provincial authorities covering it."""
    org = user.organisation
    if org.org_type in CITY_SCOPE:
        return Q(**{f"{field}__startswith": org.city_prefix})
    if org.org_type in PROVINCIAL_SCOPE:
        return Q(**{f"{field}__startswith": org.province_prefix})
    return None


class RegionScopedQuerySet(ScopedQuerySet):
    """ScopedQuerySet plus: records without a unit (about an institution only) are visible to the authorities
    of the region they lie in (`scope_region_field`)."""

    def scope_condition(self, user) -> Q:
        condition = super().scope_condition(user)
        region = _authority_region_condition(user, self.model.scope_region_field)
        if region is not None:
            condition |= region
        return condition


class Rule(models.TextChoices):
    OVERLAPPING_CLASSES = "overlapping_classes", "同一人员同时参加时间重叠的培训班"
    ATTENDANCE_AFTER_EXIT = "attendance_after_exit", "释放或调出后仍有考勤记录"
    IDENTICAL_ATTENDANCE = "identical_attendance", "整班考勤长期雷同"
    CERTIFICATE_BEFORE_END = "certificate_before_end", "证书发证日期早于培训班结业"
    SUBSIDY_LIMIT = "subsidy_limit", "超过每年补贴次数或同一职业等级重复补贴"
    INSTITUTION_INELIGIBLE = "institution_ineligible", "失信或未定点机构办班、申领补贴"
    AMOUNT_ABOVE_STANDARD = "amount_above_standard", "申领金额高于补贴标准"
    TEACHER_DOUBLE_BOOKED = "teacher_double_booked", "同一教师同一时间在两处授课"
    LATE_DATA_ENTRY = "late_data_entry", "结业后学员信息逾期录入"
    INSTITUTION_SPIKE = "institution_spike", "机构入班人次异常突增"


class Severity(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class ScanStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ScanRun(models.Model):
    """One run of the risk rules over the units a user could see when asking (or over one claim)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="发起单位", on_delete=models.PROTECT, related_name="+"
    )
    unit_ids = models.JSONField("扫描范围（单位）", default=list)
    region_prefix = models.CharField("扫描范围（地区）", max_length=6, blank=True)
    claim_id = models.PositiveBigIntegerField("补贴申领", null=True, blank=True)
    rules = models.JSONField("规则", default=list)
    status = models.CharField("状态", max_length=10, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    found = models.PositiveIntegerField("发现问题", default=0)
    new = models.PositiveIntegerField("新增问题", default=0)
    notes = models.JSONField("说明", default=list, blank=True)
    message = models.CharField("结果说明", max_length=500, blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "organisation"
    scope_participant_fields = ("organisation",)

    class Meta:
        verbose_name = "风险扫描"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"风险扫描#{self.pk}"


class FindingStatus(models.TextChoices):
    OPEN = "open", "待分派"
    ASSIGNED = "assigned", "待答复"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已办结"


OPEN_STATUSES = (FindingStatus.OPEN, FindingStatus.ASSIGNED, FindingStatus.ANSWERED)


class Outcome(models.TextChoices):
    CONFIRMED = "confirmed", "属实（已整改/已处理）"
    DISMISSED = "dismissed", "不属实（已核实排除）"


class Finding(models.Model):
    rule = models.CharField("规则", max_length=40, choices=Rule.choices)
    severity = models.CharField("风险等级", max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    key = models.CharField("去重键", max_length=200)
    unit = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="责任单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    institution = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="相关机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region_code = models.CharField("地区", max_length=6)
    year = models.PositiveSmallIntegerField("年度")
    summary = models.CharField("问题摘要", max_length=300)
    object_type = models.CharField("对象类型", max_length=60)
    object_id = models.CharField("对象编号", max_length=40)
    object_label = models.CharField("对象", max_length=200)
    object_url = models.CharField("对象链接", max_length=300, blank=True)
    claim_id = models.PositiveBigIntegerField("补贴申领", null=True, blank=True, db_index=True)
    evidence = models.JSONField("证据", default=dict)
    status = models.CharField(
        "状态", max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField("答复期限", null=True, blank=True)
    answer = models.TextField("答复", blank=True)
    outcome = models.CharField("办结结论", max_length=12, choices=Outcome.choices, blank=True)
    close_note = models.TextField("办结意见", blank=True)
    first_scan = models.ForeignKey(
        ScanRun, verbose_name="发现于", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_seen_at = models.DateTimeField("最近一次扫描发现")
    created_at = models.DateTimeField("发现时间", auto_now_add=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    objects = RegionScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_participant_fields = ("institution",)
    scope_region_field = "region_code"

    class Meta:
        verbose_name = "风险问题"
        ordering = ["-id"]
        constraints = [
            # A re-scan refreshes the open finding; once closed, the same problem may be raised again.
            models.UniqueConstraint(
                fields=["key"], condition=~Q(status="closed"), name="supervision_finding_open_once"
            )
        ]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["institution", "year"]),
            models.Index(fields=["region_code", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}：{self.summary}"

    @property
    def responsible(self):
        return self.unit or self.institution

    @property
    def is_open(self) -> bool:
        return self.status != FindingStatus.CLOSED


class FindingEvent(models.Model):
    class Action(models.TextChoices):
        FOUND = "found", "扫描发现"
        SEEN = "seen", "再次扫描发现"
        ASSIGNED = "assigned", "分派"
        ANSWERED = "answered", "答复"
        RETURNED = "returned", "退回重新答复"
        CLOSED = "closed", "办结"

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("操作", max_length=12, choices=Action.choices)
    note = models.TextField("说明", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "问题处理记录"
        ordering = ["finding_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.finding_id}"


# ---- inspections (督查) -----------------------------------------------------------------------------------


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", "已计划"
    VISITED = "visited", "已检查"
    RECTIFYING = "rectifying", "整改中"
    REPORTED = "reported", "整改已报告"
    CLOSED = "closed", "已办结"


class Inspection(models.Model):
    """A supervision visit (督查) by an authority to a unit or an institution."""

    inspector_org = models.ForeignKey(
        "accounts.Organisation", verbose_name="督查单位", on_delete=models.PROTECT, related_name="+"
    )
    target = models.ForeignKey(
        "accounts.Organisation", verbose_name="被督查单位", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("督查事项", max_length=200)
    scope_text = models.TextField("督查内容", blank=True)
    planned_on = models.DateField("计划日期")
    status = models.CharField(
        "状态", max_length=12, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    visited_on = models.DateField("检查日期", null=True, blank=True)
    inspectors = models.CharField("检查人员", max_length=200, blank=True)
    visit_record = models.TextField("检查记录", blank=True)
    rectification_required = models.TextField("整改要求", blank=True)
    rectification_deadline = models.DateField("整改期限", null=True, blank=True)
    rectification_source = models.CharField("期限依据", max_length=300, blank=True)
    rectification_report = models.TextField("整改情况报告", blank=True)
    reported_on = models.DateField("整改报告日期", null=True, blank=True)
    follow_up_on = models.DateField("复查日期", null=True, blank=True)
    follow_up_result = models.TextField("复查结论", blank=True)
    follow_up_passed = models.BooleanField("复查通过", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "target"
    scope_participant_fields = ("target", "inspector_org")

    class Meta:
        verbose_name = "督查"
        ordering = ["-planned_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.target.name}）"


class InspectionIssue(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="issues")
    description = models.CharField("发现问题", max_length=500)
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    finding = models.ForeignKey(
        Finding,
        verbose_name="关联风险问题",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "督查发现问题"
        ordering = ["inspection_id", "id"]

    def __str__(self) -> str:
        return self.description


class NoticeKind(models.TextChoices):
    PRAISE = "praise", "通报表扬"
    CRITICISM = "criticism", "通报批评"


class Notice(models.Model):
    """通报: praise for units whose work is fast, solid and effective; criticism for those that fall short
    (皖司通〔2019〕45号 三(十))."""

    kind = models.CharField("类型", max_length=12, choices=NoticeKind.choices)
    target = models.ForeignKey(
        "accounts.Organisation", verbose_name="被通报单位", on_delete=models.PROTECT, related_name="+"
    )
    issuer = models.ForeignKey(
        "accounts.Organisation", verbose_name="通报单位", on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField("文号", max_length=60, blank=True)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("内容")
    issued_on = models.DateField("通报日期")
    inspection = models.ForeignKey(
        Inspection,
        verbose_name="依据督查",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "target"
    scope_participant_fields = ("target", "issuer")

    class Meta:
        verbose_name = "通报"
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.title


# ---- credit rating (信用等级评定) ----------------------------------------------------------------------------


class CreditRating(models.Model):
    institution = models.ForeignKey(
        "accounts.Organisation", verbose_name="机构", on_delete=models.PROTECT, related_name="credit_ratings"
    )
    region_code = models.CharField("地区", max_length=6)
    year = models.PositiveSmallIntegerField("评价年度")
    score = models.DecimalField("得分", max_digits=6, decimal_places=2)
    grade = models.CharField("信用等级", max_length=1)
    facts = models.JSONField("评价事实")
    params = models.JSONField("评价参数（政策包）")
    reasons = models.JSONField("评分说明")
    pack_code = models.CharField("政策包", max_length=40)
    computed_at = models.DateTimeField("评定时间", auto_now=True)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = RegionScopedQuerySet.as_manager()
    scope_unit_field = "institution"
    scope_participant_fields = ("institution",)
    scope_region_field = "region_code"

    class Meta:
        verbose_name = "机构信用评价"
        ordering = ["-year", "institution_id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="supervision_rating_once")
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.year}年度 {self.grade}级"
