"""Catalogues (occupations, levels, certificate types, special-ability items), subsidy standards with
their history, the training / evaluation institution directory and designation (定点认定).

Catalogues and the institution directory are reference data every logged-in user may read; writes are
made only through `services.py` by the organisations named there.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from skillbridge.accounts.models import region_code_validator

INSTITUTION_TYPES = ("training_institution", "evaluation_institution")


class PublicQuerySet(models.QuerySet):
    """Reference data: readable by every active, logged-in user."""

    def for_user(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.all()


class Occupation(models.Model):
    """A CSCO 2022 entry (中华人民共和国职业分类大典): level 1 大类 … level 4 职业（细类）."""

    code = models.CharField("职业编码", max_length=10, unique=True)
    name = models.CharField("名称", max_length=60, db_index=True)
    level = models.PositiveSmallIntegerField("层级", db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    green = models.BooleanField("绿色职业（L）", default=False)
    digital = models.BooleanField("数字职业（S）", default=False)
    # The assessment route (002 二(七)): the national certificate an evaluation institution can award for
    # this occupation — 职业资格证书 if it is in the 国家职业资格目录, 职业技能等级证书 if skill-level
    # evaluation (职业技能等级认定) is available. Empty: no national evaluation, so the training
    # institution's completion exam and its 培训合格证书. Seeded by migration 0003 (sources there) and kept
    # by the HRSS (`services.occupation_route_set`).
    national_certificate_type = models.ForeignKey(
        "CertificateType",
        verbose_name="可评价的国家证书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = PublicQuerySet.as_manager()

    LEVEL_NAMES = {1: "大类", 2: "中类", 3: "小类", 4: "职业（细类）"}

    class Meta:
        verbose_name = "职业"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def level_name(self) -> str:
        return self.LEVEL_NAMES.get(self.level, str(self.level))


class SkillLevel(models.Model):
    """职业技能等级: 5 五级/初级工 … 1 一级/高级技师. The primary key is the level number."""

    code = models.PositiveSmallIntegerField("等级", primary_key=True)
    name = models.CharField("名称", max_length=10)
    title = models.CharField("对应称谓", max_length=10)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = "技能等级"
        ordering = ["-code"]

    def __str__(self) -> str:
        return f"{self.name}/{self.title}"


class CertificateType(models.Model):
    """The certificate types of 001 二 / 003 (十四). `is_national`: a national certificate issued through a
    registered evaluation institution (or the competent authority); otherwise the training institution's
    own completion certificate (培训合格证书)."""

    code = models.CharField("代码", max_length=30, primary_key=True)
    name = models.CharField("名称", max_length=30, unique=True)
    is_national = models.BooleanField("国家证书（经评价机构考核颁发）", default=True)
    issuer_org_type = models.CharField("考核颁证单位类型", max_length=40)
    has_levels = models.BooleanField("分等级", default=False)
    for_special_items = models.BooleanField("用于专项职业能力", default=False)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = "证书类型"
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name


class SpecialAbilityItem(models.Model):
    """专项职业能力考核项目 (not in CSCO): maintained by the city HRSS for its city."""

    code = models.CharField("项目编码", max_length=30)
    name = models.CharField("项目名称", max_length=100, db_index=True)
    region_code = models.CharField("地区（市）", max_length=6, validators=[region_code_validator])
    occupation = models.ForeignKey(
        Occupation, verbose_name="对应职业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField("启用", default=True)
    maintained_by = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = "专项职业能力"
        ordering = ["region_code", "code"]
        constraints = [models.UniqueConstraint(fields=["region_code", "code"], name="uniq_item_region_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


def subject_key(*, occupation_code: str | None = None, item_id: int | None = None, level, cert_type) -> str:
    """One string naming what a standard is for, so uniqueness holds even where columns are null."""
    subject = f"O:{occupation_code}" if occupation_code else f"I:{item_id}"
    return f"{subject}|{level or 0}|{cert_type}"


class SubsidyStandard(models.Model):
    """Subsidy standard per city and year for (occupation or item, level, certificate type).

    An amount is never changed in place: a change closes the row (`valid_to` = the day before) and
    creates a new one from the change date (`previous` points back). `valid_to` empty = until year end.
    """

    region_code = models.CharField("地区（市）", max_length=6, validators=[region_code_validator])
    year = models.PositiveSmallIntegerField("年度")
    occupation = models.ForeignKey(
        Occupation, verbose_name="职业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    special_item = models.ForeignKey(
        SpecialAbilityItem,
        verbose_name="专项职业能力",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.ForeignKey(
        SkillLevel, verbose_name="等级", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    certificate_type = models.ForeignKey(
        CertificateType, verbose_name="证书类型", on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(max_length=80, editable=False)
    amount = models.DecimalField("补贴标准（元）", max_digits=10, decimal_places=2)
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期（含）", null=True, blank=True)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next", verbose_name="变更前"
    )
    note = models.CharField("备注", max_length=200, blank=True)
    maintained_by = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = "补贴标准"
        ordering = ["region_code", "-year", "key", "valid_from"]
        indexes = [models.Index(fields=["region_code", "year", "key", "valid_from"])]
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "year", "key"],
                condition=Q(valid_to__isnull=True),
                name="uniq_open_standard",
            ),
            models.CheckConstraint(
                condition=Q(occupation__isnull=False, special_item__isnull=True)
                | Q(occupation__isnull=True, special_item__isnull=False),
                name="standard_one_subject",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="standard_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year} {self.subject_name} {self.amount}元"

    @property
    def subject(self):
        return self.occupation or self.special_item

    @property
    def subject_code(self) -> str:
        return self.occupation.code if self.occupation_id else self.special_item.code

    @property
    def subject_name(self) -> str:
        return self.occupation.name if self.occupation_id else self.special_item.name

    @property
    def is_open(self) -> bool:
        return self.valid_to is None


class ShortageOccupation(models.Model):
    """紧缺职业（工种）目录 of a city for a year."""

    region_code = models.CharField("地区（市）", max_length=6, validators=[region_code_validator])
    year = models.PositiveSmallIntegerField("年度")
    occupation = models.ForeignKey(
        Occupation, verbose_name="职业", on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("备注", max_length=200, blank=True)
    maintained_by = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = "紧缺职业"
        ordering = ["region_code", "-year", "occupation__code"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year", "occupation"], name="uniq_shortage")
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year} {self.occupation}"


# ---- institution directory ---------------------------------------------------------------------------


class InstitutionProfile(models.Model):
    """Directory entry of a training or evaluation institution (an Organisation of that type).

    Public to logged-in users except the bank account (see `selectors.can_view_bank_account`).
    """

    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name="机构",
        on_delete=models.PROTECT,
        related_name="institution_profile",
    )
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    legal_representative = models.CharField("法定代表人", max_length=50)
    address = models.CharField("地址", max_length=200)
    contact_person = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=30)
    bank_name = models.CharField("开户银行", max_length=100, blank=True)
    bank_account = models.CharField("银行账号", max_length=40, blank=True)
    qualifications = models.TextField("资质", blank=True)
    capacity = models.PositiveIntegerField("年培训（鉴定）能力（人次）", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = "机构信息"
        ordering = ["organisation__region_code", "organisation__name"]

    def __str__(self) -> str:
        return str(self.organisation)


class ApprovedOccupation(models.Model):
    """An occupation or special-ability item (and its levels) an institution is approved for."""

    institution = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="机构",
        on_delete=models.PROTECT,
        related_name="approved_occupations",
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name="职业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    special_item = models.ForeignKey(
        SpecialAbilityItem,
        verbose_name="专项职业能力",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    levels = models.ManyToManyField(SkillLevel, verbose_name="等级", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = "核准职业（工种）"
        ordering = ["institution_id", "occupation__code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "occupation"], name="uniq_approved_occupation"),
            models.UniqueConstraint(fields=["institution", "special_item"], name="uniq_approved_item"),
            models.CheckConstraint(
                condition=Q(occupation__isnull=False, special_item__isnull=True)
                | Q(occupation__isnull=True, special_item__isnull=False),
                name="approved_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.occupation or self.special_item}"


class DishonestyRecord(models.Model):
    """失信记录 (e.g. an administrative penalty by the education or training authority)."""

    institution = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="机构",
        on_delete=models.PROTECT,
        related_name="dishonesty_records",
    )
    source = models.CharField("来源（认定部门/文书）", max_length=200)
    recorded_on = models.DateField("认定日期")
    until = models.DateField("有效期至", null=True, blank=True, help_text="为空表示长期有效")
    description = models.TextField("失信情形")
    recorded_by_org = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = "失信记录"
        ordering = ["-recorded_on", "-id"]
        indexes = [models.Index(fields=["institution", "recorded_on"])]

    def __str__(self) -> str:
        return f"{self.institution} {self.recorded_on} {self.source}"

    def active_on(self, day) -> bool:
        return self.recorded_on <= day and (self.until is None or self.until >= day)


# ---- designation (定点认定, 001 五(二)) ---------------------------------------------------------------


class CallStatus(models.TextChoices):
    PUBLISHED = "published", "征集中"
    CLOSED = "closed", "已截止"


class DesignationCall(models.Model):
    """征集定点培训机构公告: published by the city justice bureau together with the city HRSS."""

    region_code = models.CharField("地区（市）", max_length=6, validators=[region_code_validator])
    title = models.CharField("标题", max_length=200)
    content = models.TextField("公告内容", blank=True)
    published_on = models.DateField("发布日期")
    deadline = models.DateField("申报截止日期")
    period_from = models.DateField("定点有效期起")
    period_to = models.DateField("定点有效期止")
    justice_org = models.ForeignKey(
        "accounts.Organisation", verbose_name="市司法局", on_delete=models.PROTECT, related_name="+"
    )
    hrss_org = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="市人力资源和社会保障局",
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField("状态", max_length=20, choices=CallStatus.choices, default=CallStatus.PUBLISHED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = "定点机构征集公告"
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "已申报"
    APPROVED = "approved", "已认定"
    REJECTED = "rejected", "未认定"


class ApplicationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The institution's own applications; every application of its city for the city HRSS/justice."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        org = user.organisation
        condition = Q(institution=org.pk)
        if org.org_type in ("city_hrss", "city_justice"):
            condition |= Q(call__region_code=org.city_prefix + "00")
        return self.filter(condition)


class DesignationApplication(models.Model):
    call = models.ForeignKey(
        DesignationCall, verbose_name="征集公告", on_delete=models.PROTECT, related_name="applications"
    )
    institution = models.ForeignKey(
        "accounts.Organisation", verbose_name="申报机构", on_delete=models.PROTECT, related_name="+"
    )
    occupations = models.ManyToManyField(Occupation, verbose_name="申报职业（工种）", related_name="+")
    statement = models.TextField("申报说明", blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    opinion = models.CharField("认定意见", max_length=500, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("申报时间", auto_now_add=True)
    decided_at = models.DateTimeField("认定时间", null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "定点认定申报"
        ordering = ["-submitted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["call", "institution"], name="uniq_application")]

    def __str__(self) -> str:
        return f"{self.institution} · {self.call}"


class DesignationBasis(models.TextChoices):
    APPLICATION = "application", "申报认定"
    EXEMPTION = "exemption", "免于重新认定"


class Designation(models.Model):
    """A designated institution (定点机构) of a city for a validity period; revocable, never deleted."""

    institution = models.ForeignKey(
        "accounts.Organisation", verbose_name="机构", on_delete=models.PROTECT, related_name="designations"
    )
    region_code = models.CharField("地区（市）", max_length=6, validators=[region_code_validator])
    valid_from = models.DateField("有效期起")
    valid_to = models.DateField("有效期止")
    basis = models.CharField("认定方式", max_length=20, choices=DesignationBasis.choices)
    basis_note = models.CharField("认定依据", max_length=500, blank=True)
    call = models.ForeignKey(
        DesignationCall,
        verbose_name="征集公告",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    application = models.OneToOneField(
        DesignationApplication,
        verbose_name="申报",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="designation",
    )
    previous = models.ForeignKey(
        "self", verbose_name="原认定", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occupations = models.ManyToManyField(
        Occupation, verbose_name="定点职业（工种）", blank=True, related_name="+"
    )
    decided_by_org = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("认定时间", auto_now_add=True)
    revoked_on = models.DateField("撤销生效日期", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = "定点认定"
        ordering = ["region_code", "-valid_from", "institution_id"]
        indexes = [models.Index(fields=["institution", "region_code", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="designation_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution}（{self.valid_from}至{self.valid_to}）"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_on is not None

    def in_force_on(self, day) -> bool:
        return self.valid_from <= day <= self.valid_to and (self.revoked_on is None or self.revoked_on > day)
