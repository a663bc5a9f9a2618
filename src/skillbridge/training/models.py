"""Class applications (办班申报, 附件4), classes, enrolments, sessions, attendance and online learning.

A class application is a reviewable document: its `approvals.ReviewCase` is created when it is first
submitted (so a draft can never be sent through the review pages without the pre-submission checks) and
goes through the unit's pack chain (Changzhou: 省监狱管理局意见 → 市人社局意见).

The class (`TrainingClass`) is opened by the final approval itself: the review engine runs the training
app's on-approved follow-up (`services.class_open`) in the approving transaction, audited as
`training.class.open`.

Minutes are the unit of attendance. Classroom minutes (theory and practice sessions) and online learning
minutes are kept apart: online minutes (online sessions attended plus minutes reported by a learning
platform) count towards completion only through the pack's `training.online_credit_ratio`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from skillbridge.accounts.scope import ScopedQuerySet
from skillbridge.approvals.models import ReviewedDocument
from skillbridge.planning.models import PlanCategory


class ClassApplication(ReviewedDocument, models.Model):
    """江苏省特殊人群职业技能培训办班申报表 (附件4)."""

    unit = models.ForeignKey(
        "accounts.Organisation", verbose_name="申报单位", on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(
        "accounts.Organisation", verbose_name="培训机构", on_delete=models.PROTECT, related_name="+"
    )
    plan_year = models.PositiveSmallIntegerField("计划年度")
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
    project_name = models.CharField("项目名称", max_length=100, blank=True)
    level = models.ForeignKey(
        "catalog.SkillLevel",
        verbose_name="等级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    trainees = models.PositiveIntegerField("培训人数")
    period_number = models.PositiveSmallIntegerField("培训班期（第N期）")
    period_total = models.PositiveSmallIntegerField("共M班")
    date_from = models.DateField("培训时间从")
    date_to = models.DateField("培训时间至")
    days = models.PositiveSmallIntegerField("共计天数")
    theory_hours = models.PositiveIntegerField("理论课时")
    practice_hours = models.PositiveIntegerField("实操课时")
    teachers = models.TextField("授课教师")
    textbooks = models.TextField("使用教材")
    venue = models.CharField("教学场地", max_length=200)
    filled_on = models.DateField("填报日期")
    review = models.OneToOneField(
        "approvals.ReviewCase",
        verbose_name="审核事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="class_application",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_participant_fields = ("institution",)

    class Meta:
        verbose_name = "办班申报"
        ordering = ["-id"]
        indexes = [models.Index(fields=["unit", "plan_year"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(occupation__isnull=False, special_item__isnull=False),
                name="class_application_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(date_to__gte=models.F("date_from")), name="class_application_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name}{self.subject_display}第{self.period_number}期"

    @property
    def subject_name(self) -> str:
        if self.occupation_id:
            return self.occupation.name
        if self.special_item_id:
            return self.special_item.name
        return self.project_name

    @property
    def subject_display(self) -> str:
        """培训工种类别、名称 as printed: 就业技能培训：电工（五级/初级工）."""
        level = f"（{self.level}）" if self.level_id else ""
        return f"{self.get_category_display()}：{self.subject_name}{level}"

    @property
    def class_hours(self) -> int:
        return self.theory_hours + self.practice_hours


class ClassStatus(models.TextChoices):
    OPEN = "open", "开班中"
    COMPLETED = "completed", "已结业"


class TrainingClass(models.Model):
    """The class that runs once its application is approved; the approved 附件4 stays on the application."""

    application = models.OneToOneField(
        ClassApplication, verbose_name="办班申报", on_delete=models.PROTECT, related_name="training_class"
    )
    # Copied from the application for scope and overlap queries (the application never changes once approved).
    unit = models.ForeignKey(
        "accounts.Organisation", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(
        "accounts.Organisation", verbose_name="培训机构", on_delete=models.PROTECT, related_name="+"
    )
    date_from = models.DateField("开班日期")
    date_to = models.DateField("结业日期（计划）")
    status = models.CharField("状态", max_length=12, choices=ClassStatus.choices, default=ClassStatus.OPEN)
    ended_on = models.DateField("考核结业日期", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField("结业办理时间", null=True, blank=True)
    completion_ratio = models.DecimalField(
        "结业出勤率要求", max_digits=5, decimal_places=4, null=True, blank=True
    )
    data_entered_on = models.DateField("学员信息录入日期", null=True, blank=True)
    data_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField("开班时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_participant_fields = ("institution",)

    class Meta:
        verbose_name = "培训班"
        ordering = ["-date_from", "-id"]
        indexes = [models.Index(fields=["unit", "date_from"])]

    def __str__(self) -> str:
        return str(self.application)


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", "在训"
    COMPLETED = "completed", "结业"
    RELEASED = "released", "刑满释放（中途）"
    TRANSFERRED = "transferred", "调出"
    WITHDRAWN = "withdrawn", "退训"
    FAILED = "failed", "未结业"


# Exit states an officer records during the class; completed / failed are set by the class completion.
MANUAL_EXITS = (EnrolmentStatus.RELEASED, EnrolmentStatus.TRANSFERRED, EnrolmentStatus.WITHDRAWN)
# Enrolments that occupy a person's time (an overlapping class is refused while one of these exists).
OCCUPYING = (EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED, EnrolmentStatus.FAILED)


class Enrolment(models.Model):
    training_class = models.ForeignKey(
        TrainingClass, verbose_name="培训班", on_delete=models.PROTECT, related_name="enrolments"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name="学员", on_delete=models.PROTECT, related_name="enrolments"
    )
    episode = models.ForeignKey(
        "registry.Episode", verbose_name="羁押记录", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    warnings = models.JSONField("入班提示", default=list, blank=True)
    exit_on = models.DateField("离班（结业）日期", null=True, blank=True)
    exit_reason = models.CharField("说明", max_length=300, blank=True)
    classroom_minutes = models.PositiveIntegerField("面授出勤分钟（结业时）", null=True, blank=True)
    online_credited_minutes = models.PositiveIntegerField("在线学习计入分钟（结业时）", null=True, blank=True)
    attendance_ratio = models.DecimalField(
        "出勤率（结业时）", max_digits=5, decimal_places=4, null=True, blank=True
    )
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enrolled_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "training_class__unit"
    scope_participant_fields = ("training_class__institution",)

    class Meta:
        verbose_name = "学员"
        ordering = ["training_class_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["training_class", "person"], name="training_enrolment_once")
        ]
        indexes = [models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.training_class}"


class SessionKind(models.TextChoices):
    THEORY = "theory", "理论"
    PRACTICE = "practice", "实操"
    ONLINE = "online", "在线学习"


CLASSROOM_KINDS = (SessionKind.THEORY, SessionKind.PRACTICE)


class TrainingSession(models.Model):
    training_class = models.ForeignKey(
        TrainingClass, verbose_name="培训班", on_delete=models.PROTECT, related_name="sessions"
    )
    date = models.DateField("日期")
    start_time = models.TimeField("开始时间")
    minutes = models.PositiveIntegerField("时长（分钟）")
    kind = models.CharField("类型", max_length=12, choices=SessionKind.choices)
    topic = models.CharField("内容", max_length=200)
    teacher = models.CharField("授课教师", max_length=50)
    signed_off_at = models.DateTimeField("签认时间", null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "training_class__unit"
    scope_participant_fields = ("training_class__institution",)

    class Meta:
        verbose_name = "课次"
        ordering = ["date", "start_time", "id"]
        constraints = [models.CheckConstraint(condition=Q(minutes__gt=0), name="training_session_minutes")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.start_time:%H:%M} {self.get_kind_display()}：{self.topic}"

    @property
    def is_locked(self) -> bool:
        return self.signed_off_at is not None


class Attendance(models.Model):
    """Minutes one enrolled person attended one session, marked by an officer of the unit."""

    session = models.ForeignKey(
        TrainingSession, verbose_name="课次", on_delete=models.PROTECT, related_name="attendance"
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name="学员", on_delete=models.PROTECT, related_name="attendance"
    )
    minutes = models.PositiveIntegerField("出勤分钟")
    note = models.CharField("说明", max_length=200, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "session__training_class__unit"
    scope_participant_fields = ("session__training_class__institution",)

    class Meta:
        verbose_name = "考勤"
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="training_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}@{self.session_id}: {self.minutes}"


class OnlineSource(models.TextChoices):
    IMPORT = "import", "Excel导入"
    MANUAL = "manual", "手工录入"


class OnlineLearning(models.Model):
    """Minutes a learning platform reports for one trainee (the platform's running total, so re-importing
    the same report updates it). Kept apart from classroom attendance; credited by the pack's ratio."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name="学员", on_delete=models.PROTECT, related_name="online_learning"
    )
    platform = models.CharField("平台名称", max_length=100)
    minutes = models.PositiveIntegerField("学习分钟数")
    source = models.CharField("来源", max_length=10, choices=OnlineSource.choices)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "enrolment__training_class__unit"
    scope_participant_fields = ("enrolment__training_class__institution",)

    class Meta:
        verbose_name = "在线学习"
        ordering = ["enrolment_id", "platform"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "platform"], name="training_online_per_platform")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.platform} {self.minutes}"
