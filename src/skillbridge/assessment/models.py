"""Assessment applications (鉴定申报, 附件6) and results per candidate.

An application is a reviewable document (`approvals.ReviewCase`, doc type `assessment_application`): the
pack's chain asks the examining institution (the party the application names), the lead prison, the
provincial bureau and the city HRSS for their opinions. Its case is created when it is first submitted,
after the pre-submission checks (`checks.application_problems`).

The route (002 二(七)) is decided from the catalogue (`routes.route_for`): an occupation with a national
certificate recorded in the catalogue (or a special-ability item) goes to a registered evaluation
institution and ends in that national certificate; any other occupation ends in the training
institution's completion exam and a 培训合格证书. It is stored on the application when saved.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from skillbridge.accounts.scope import ScopedQuerySet
from skillbridge.approvals.models import ReviewedDocument


class Route(models.TextChoices):
    EVALUATION = "evaluation", "社会评价组织鉴定评价（国家证书）"
    COMPLETION = "completion", "培训机构结业考核（培训合格证书）"


class AssessmentApplication(ReviewedDocument, models.Model):
    """江苏省特殊人群职业技能鉴定申报表 (附件6)."""

    unit = models.ForeignKey(
        "accounts.Organisation", verbose_name="申报单位", on_delete=models.PROTECT, related_name="+"
    )
    training_class = models.ForeignKey(
        "training.TrainingClass",
        verbose_name="培训班",
        on_delete=models.PROTECT,
        related_name="assessment_applications",
    )
    # Copied from the class's approved 附件4 (it never changes once approved).
    occupation = models.ForeignKey(
        "catalog.Occupation",
        verbose_name="鉴定职业（工种）",
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
        verbose_name="鉴定等级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    route = models.CharField("考核评价方式", max_length=12, choices=Route.choices)
    certificate_type = models.ForeignKey(
        "catalog.CertificateType", verbose_name="颁发证书", on_delete=models.PROTECT, related_name="+"
    )
    examiner = models.ForeignKey(
        "accounts.Organisation", verbose_name="考核评价机构", on_delete=models.PROTECT, related_name="+"
    )
    assessment_date = models.DateField("鉴定日期")
    candidates = models.PositiveIntegerField("鉴定人数")
    filled_on = models.DateField("填报日期")
    review = models.OneToOneField(
        "approvals.ReviewCase",
        verbose_name="审核事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_application",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_participant_fields = ("examiner",)

    class Meta:
        verbose_name = "鉴定申报"
        ordering = ["-id"]
        indexes = [models.Index(fields=["unit", "assessment_date"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(occupation__isnull=False, special_item__isnull=False),
                name="assessment_application_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name}{self.subject_display}鉴定申报"

    @property
    def subject_name(self) -> str:
        if self.occupation_id:
            return self.occupation.name
        if self.special_item_id:
            return self.special_item.name
        return self.training_class.application.project_name

    @property
    def subject_display(self) -> str:
        level = f"（{self.level}）" if self.level_id else ""
        return f"{self.subject_name}{level}"

    @property
    def is_approved(self) -> bool:
        return self.status == "approved"


class Outcome(models.TextChoices):
    PASSED = "passed", "合格"
    FAILED = "failed", "不合格"
    ABSENT = "absent", "缺考"


class AssessmentResult(models.Model):
    """One candidate's result: theory and practical scores (0–100, empty when absent) and the outcome."""

    application = models.ForeignKey(
        AssessmentApplication, verbose_name="鉴定申报", on_delete=models.PROTECT, related_name="results"
    )
    enrolment = models.ForeignKey(
        "training.Enrolment", verbose_name="学员", on_delete=models.PROTECT, related_name="assessment_results"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name="考生", on_delete=models.PROTECT, related_name="assessment_results"
    )
    theory_score = models.DecimalField("理论成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    practical_score = models.DecimalField("实操成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    outcome = models.CharField("结果", max_length=8, choices=Outcome.choices)
    certificate = models.OneToOneField(
        "certificates.Certificate",
        verbose_name="证书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_result",
    )
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "application__unit"
    scope_participant_fields = ("application__examiner",)

    class Meta:
        verbose_name = "鉴定成绩"
        ordering = ["application_id", "enrolment_id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "enrolment"], name="assessment_result_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} {self.get_outcome_display()}"
