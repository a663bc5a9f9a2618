"""Certificates (证书), their history, and the personal credit ledger (学分).

A certificate is never deleted or edited in place: revocation changes its status with a reason, a
reissue creates a new record that supersedes the old one, and every change is a `CertificateEvent`.
Credits are an append-only ledger; a correction is a reversing entry linked to the entry it reverses.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from skillbridge.accounts.scope import ScopedQuerySet


class CertificateStatus(models.TextChoices):
    VALID = "valid", "有效"
    REVOKED = "revoked", "已撤销"
    SUPERSEDED = "superseded", "已被换发"


class Certificate(models.Model):
    person = models.ForeignKey(
        "registry.Person", verbose_name="持证人", on_delete=models.PROTECT, related_name="certificates"
    )
    # The unit (prison / rehab centre …) whose trainee obtained it: the scope of the record.
    unit = models.ForeignKey(
        "accounts.Organisation", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    training_class = models.ForeignKey(
        "training.TrainingClass",
        verbose_name="培训班",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    certificate_type = models.ForeignKey(
        "catalog.CertificateType", verbose_name="证书类型", on_delete=models.PROTECT, related_name="+"
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
    # The institution that assessed and issued it (never the prison: the public page shows this).
    issuer = models.ForeignKey(
        "accounts.Organisation", verbose_name="发证机构", on_delete=models.PROTECT, related_name="+"
    )
    issue_date = models.DateField("发证日期")
    official_number = models.CharField("证书编号", max_length=64)
    number_warning = models.CharField("编号格式提示", max_length=200, blank=True)
    verification_code = models.CharField("查验码", max_length=16, unique=True)
    status = models.CharField(
        "状态", max_length=12, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    status_reason = models.CharField("状态说明", max_length=300, blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name="换发自",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    # The canonical record exactly as signed (UTF-8 JSON), so a later key rotation or rename of a
    # catalogue entry never changes what the printed QR code carries.
    signed_record = models.TextField("签名记录", blank=True)
    signature = models.TextField("签名（Ed25519，Base64）", blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_participant_fields = ("issuer",)

    class Meta:
        verbose_name = "证书"
        ordering = ["-issue_date", "-id"]
        constraints = [
            # A superseded record may share its number with the record that replaced it.
            models.UniqueConstraint(
                fields=["certificate_type", "official_number"],
                condition=~Q(status="superseded"),
                name="certificates_number_once_per_type",
            )
        ]
        indexes = [
            models.Index(fields=["person", "issue_date"]),
            models.Index(fields=["unit", "issue_date"]),
            models.Index(fields=["training_class"]),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_type_id} {self.official_number}"


class CertificateEvent(models.Model):
    """History of a certificate: issued, revoked, superseded (reissued)."""

    class Action(models.TextChoices):
        ISSUED = "issued", "颁发"
        REVOKED = "revoked", "撤销"
        SUPERSEDED = "superseded", "换发"

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("操作", max_length=12, choices=Action.choices)
    reason = models.CharField("原因", max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "certificate__unit"
    scope_participant_fields = ("certificate__issuer",)

    class Meta:
        verbose_name = "证书记录"
        ordering = ["certificate_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.certificate}"


class CreditSource(models.TextChoices):
    CLASS = "class", "培训结业"
    CERTIFICATE = "certificate", "取得证书"
    REVERSAL = "reversal", "冲销"


class CreditEntry(models.Model):
    """One line of a person's credit ledger (学分累计). Never updated; reversed by a linked entry."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="credit_entries")
    unit = models.ForeignKey(
        "accounts.Organisation", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("来源", max_length=12, choices=CreditSource.choices)
    enrolment = models.ForeignKey(
        "training.Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_entries"
    )
    certificate = models.ForeignKey(
        Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_entries"
    )
    amount = models.DecimalField("学分", max_digits=7, decimal_places=2)
    rule_version = models.CharField("规则版本", max_length=60)
    reverses = models.OneToOneField(
        "self",
        verbose_name="冲销",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "学分记录"
        ordering = ["person_id", "id"]
        indexes = [models.Index(fields=["person", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount}"


class VerificationCheck(models.Model):
    """Every public verification attempt (查验日志): also the basis of the per-IP rate limit."""

    class Method(models.TextChoices):
        CODE = "code", "查验码"
        NAME_NUMBER = "name_number", "姓名+证书编号"

    class Outcome(models.TextChoices):
        FOUND = "found", "查到"
        NOT_FOUND = "not_found", "未查到"
        MALFORMED = "malformed", "格式不符"
        RATE_LIMITED = "rate_limited", "超过频次"
        BAD_SIGNATURE = "bad_signature", "二维码签名无效"

    at = models.DateTimeField("时间", auto_now_add=True)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    method = models.CharField("方式", max_length=12, choices=Method.choices)
    # What was asked, without personal data: the code, or the certificate number (the name is not kept).
    query = models.CharField("查询内容", max_length=80, blank=True)
    outcome = models.CharField("结果", max_length=14, choices=Outcome.choices)
    certificate = models.ForeignKey(
        Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="verification_checks"
    )
    user_agent = models.CharField("浏览器", max_length=200, blank=True)

    class Meta:
        verbose_name = "证书查验记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["ip", "at"]), models.Index(fields=["certificate", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.ip} {self.get_outcome_display()}"
