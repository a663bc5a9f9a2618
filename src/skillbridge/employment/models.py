"""Employment services around release (常司发〔2022〕42号 五(五)): employment profiles of people approaching
release, handovers to the public employment service of the destination city, service events held in
prisons with attendance, personalised employment-assistance agreements (个性化就业帮扶协议) and
follow-ups after release (3, 6, 12 months by the pack).

Scope: a unit (and the bureaus / city bodies above it) sees its own records through ``unit``. A public
employment service (公共就业服务机构) sees ONLY what was handed to it — the handovers naming it as
recipient, the profiles, follow-ups and agreements of those people and the events it organised — never
the other units' people of its city, whatever ``accounts.scope.CITY_SCOPE`` gives it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from skillbridge.accounts.scope import ScopedQuerySet

PES = "public_employment_service"


class EmploymentQuerySet(ScopedQuerySet):
    """``ScopedQuerySet`` whose public-employment-service users see only ``Model.recipient_condition``."""

    def scope_condition(self, user) -> Q:
        if user.organisation.org_type == PES:
            return self.model.recipient_condition(user.organisation_id)
        return super().scope_condition(user)


class Need(models.TextChoices):
    JOB_REFERRAL = "job_referral", "岗位推荐"
    CAREER_GUIDANCE = "career_guidance", "职业指导"
    SKILLS_TRAINING = "skills_training", "技能培训"
    ENTREPRENEURSHIP = "entrepreneurship", "创业扶持"
    SOCIAL_INSURANCE = "social_insurance", "社会保险接续"
    LIVING_ASSISTANCE = "living_assistance", "生活救助"
    HOUSING = "housing", "住所安置"


class EmploymentProfile(models.Model):
    """就业档案 of one custody episode. The employment intention stays on the episode (registry)."""

    episode = models.OneToOneField(
        "registry.Episode",
        verbose_name="羁押记录",
        on_delete=models.PROTECT,
        related_name="employment_profile",
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="employment_profiles"
    )
    unit = models.ForeignKey(
        "accounts.Organisation", verbose_name="所在单位", on_delete=models.PROTECT, related_name="+"
    )
    destination_region = models.CharField("释放后去向（行政区划代码）", max_length=6)
    destination_address = models.CharField("去向地址", max_length=200, blank=True)
    needs = models.JSONField("就业需求", default=list)
    needs_note = models.CharField("需求说明", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmploymentQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "就业档案"
        ordering = ["-id"]
        indexes = [models.Index(fields=["unit", "person"])]

    def __str__(self) -> str:
        return f"{self.person.name}的就业档案"

    @staticmethod
    def recipient_condition(org_id: int) -> Q:
        return Q(Exists(Handover.objects.filter(profile_id=OuterRef("pk"), recipient_id=org_id)))

    @property
    def needs_display(self) -> str:
        labels = dict(Need.choices)
        return "、".join(labels.get(n, n) for n in self.needs)


class HandoverStatus(models.TextChoices):
    HANDED_OVER = "handed_over", "已移交"
    RECEIVED = "received", "已接收"
    IN_SERVICE = "in_service", "服务中"
    CLOSED = "closed", "已结束"


# from → allowed next statuses
HANDOVER_MOVES = {
    HandoverStatus.HANDED_OVER: {HandoverStatus.RECEIVED, HandoverStatus.CLOSED},
    HandoverStatus.RECEIVED: {HandoverStatus.IN_SERVICE, HandoverStatus.CLOSED},
    HandoverStatus.IN_SERVICE: {HandoverStatus.CLOSED},
    HandoverStatus.CLOSED: set(),
}


class Handover(models.Model):
    """移交: a person's employment needs handed to the public employment service of the destination city."""

    profile = models.ForeignKey(EmploymentProfile, on_delete=models.PROTECT, related_name="handovers")
    person = models.ForeignKey(
        "registry.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "accounts.Organisation", verbose_name="移交单位", on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        "accounts.Organisation", verbose_name="接收机构", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=20, choices=HandoverStatus.choices, default=HandoverStatus.HANDED_OVER
    )
    handed_over_on = models.DateField("移交日期")
    received_on = models.DateField("接收日期", null=True, blank=True)
    closed_on = models.DateField("结束日期", null=True, blank=True)
    note = models.CharField("移交说明", max_length=500, blank=True)
    close_reason = models.CharField("结束原因", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EmploymentQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_participant_fields = ("recipient",)

    class Meta:
        verbose_name = "就业服务移交"
        ordering = ["-handed_over_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile"], condition=~Q(status="closed"), name="employment_one_open_handover"
            )
        ]
        indexes = [models.Index(fields=["recipient", "status"]), models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.person.name} → {self.recipient.name}"

    @staticmethod
    def recipient_condition(org_id: int) -> Q:
        return Q(recipient_id=org_id)

    @property
    def is_open(self) -> bool:
        return self.status != HandoverStatus.CLOSED


class HandoverStep(models.Model):
    """Status history of a handover."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField("原状态", max_length=20, choices=HandoverStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=HandoverStatus.choices)
    on = models.DateField("日期")
    note = models.CharField("说明", max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "移交记录"
        ordering = ["handover_id", "id"]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.get_to_status_display()}"


class EventKind(models.TextChoices):
    POLICY_CONSULTATION = "policy_consultation", "政策咨询"
    JOB_INTRODUCTION = "job_introduction", "岗位推介"
    CAREER_GUIDANCE = "career_guidance", "职业指导"
    ENTREPRENEURSHIP_GUIDANCE = "entrepreneurship_guidance", "创业指导"


class ServiceEvent(models.Model):
    """A service activity held in a prison (五(五)：政策咨询、职业介绍、职业指导和创业指导)."""

    unit = models.ForeignKey(
        "accounts.Organisation", verbose_name="举办单位（监狱）", on_delete=models.PROTECT, related_name="+"
    )
    organiser = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="服务机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("活动类型", max_length=30, choices=EventKind.choices)
    title = models.CharField("活动名称", max_length=100)
    held_on = models.DateField("活动日期")
    venue = models.CharField("地点", max_length=100, blank=True)
    content = models.CharField("活动内容", max_length=1000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EmploymentQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_participant_fields = ("organiser",)

    class Meta:
        verbose_name = "就业服务活动"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["unit", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}：{self.title}"

    @staticmethod
    def recipient_condition(org_id: int) -> Q:
        return Q(organiser_id=org_id)


class EventAttendance(models.Model):
    event = models.ForeignKey(ServiceEvent, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        "registry.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "活动参加人员"
        ordering = ["event_id", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="employment_attendance_once")]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.person_id}"


class AgreementStatus(models.TextChoices):
    IN_FORCE = "in_force", "履行中"
    COMPLETED = "completed", "已完成"
    TERMINATED = "terminated", "已终止"


class AssistanceAgreement(models.Model):
    """个性化就业帮扶协议 between a person and the public employment service that received them."""

    profile = models.ForeignKey(EmploymentProfile, on_delete=models.PROTECT, related_name="agreements")
    person = models.ForeignKey(
        "registry.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "accounts.Organisation", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "accounts.Organisation", verbose_name="帮扶机构", on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField("协议编号", max_length=40, unique=True)
    signed_on = models.DateField("签订日期")
    valid_until = models.DateField("帮扶期限至")
    goals = models.CharField("帮扶目标", max_length=500)
    measures = models.CharField("帮扶措施", max_length=1000)
    contact = models.CharField("帮扶联系人", max_length=50, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.IN_FORCE
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EmploymentQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_participant_fields = ("provider",)

    class Meta:
        verbose_name = "个性化就业帮扶协议"
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("signed_on")), name="employment_agreement_dates"
            )
        ]

    def __str__(self) -> str:
        return f"帮扶协议 {self.number}"

    @staticmethod
    def recipient_condition(org_id: int) -> Q:
        return Q(provider_id=org_id)


class EmploymentForm(models.TextChoices):
    EMPLOYED = "employed", "单位就业"
    SELF_EMPLOYED = "self_employed", "自主创业"
    FLEXIBLE = "flexible", "灵活就业"
    UNEMPLOYED = "unemployed", "未就业"


EMPLOYED_FORMS = (EmploymentForm.EMPLOYED, EmploymentForm.SELF_EMPLOYED, EmploymentForm.FLEXIBLE)


class Sector(models.TextChoices):
    """国民经济行业分类 GB/T 4754-2017 门类."""

    A = "A", "农、林、牧、渔业"
    B = "B", "采矿业"
    C = "C", "制造业"
    D = "D", "电力、热力、燃气及水生产和供应业"
    E = "E", "建筑业"
    F = "F", "批发和零售业"
    G = "G", "交通运输、仓储和邮政业"
    H = "H", "住宿和餐饮业"
    I = "I", "信息传输、软件和信息技术服务业"  # noqa: E741
    J = "J", "金融业"
    K = "K", "房地产业"
    L = "L", "租赁和商务服务业"
    M = "M", "科学研究和技术服务业"
    N = "N", "水利、环境和公共设施管理业"
    O = "O", "居民服务、修理和其他服务业"  # noqa: E741
    P = "P", "教育"
    Q = "Q", "卫生和社会工作"
    R = "R", "文化、体育和娱乐业"
    S = "S", "公共管理、社会保障和社会组织"
    T = "T", "国际组织"


class FollowUp(models.Model):
    """回访 at a milestone after release (months from the pack)."""

    handover = models.ForeignKey(Handover, on_delete=models.PROTECT, related_name="follow_ups")
    milestone_months = models.PositiveSmallIntegerField("回访节点（释放后月数）")
    due_on = models.DateField("应回访日期")
    done_on = models.DateField("回访日期")
    employment_form = models.CharField("就业状态", max_length=20, choices=EmploymentForm.choices)
    employer_name = models.CharField("就业单位", max_length=100, blank=True)
    employer_sector = models.CharField("行业", max_length=1, choices=Sector.choices, blank=True)
    uses_trained_occupation = models.BooleanField("从事所培训职业（工种）", null=True, blank=True)
    note = models.CharField("回访情况", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EmploymentQuerySet.as_manager()
    scope_unit_field = "handover__unit"
    scope_participant_fields = ("handover__recipient",)

    class Meta:
        verbose_name = "就业回访"
        ordering = ["handover_id", "milestone_months"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "milestone_months"], name="employment_follow_up_once")
        ]

    def __str__(self) -> str:
        return f"释放后{self.milestone_months}个月回访"

    @staticmethod
    def recipient_condition(org_id: int) -> Q:
        return Q(handover__recipient_id=org_id)

    @property
    def employed(self) -> bool:
        return self.employment_form in EMPLOYED_FORMS
