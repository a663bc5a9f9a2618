"""Organisations, users and roles: who someone is decides what they may see (scope.py)."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models

from .scope import OrganisationQuerySet, ScopedQuerySet


class OrgType(models.TextChoices):
    PRISON = "prison", "监狱"
    REHAB_CENTRE = "rehab_centre", "强制隔离戒毒所"
    COMMUNITY_CORRECTION_OFFICE = "community_correction_office", "社区矫正机构"
    PROVINCIAL_PRISON_BUREAU = "provincial_prison_bureau", "省监狱管理局"
    PROVINCIAL_REHAB_BUREAU = "provincial_rehab_bureau", "省戒毒管理局"
    PROVINCIAL_HRSS = "provincial_hrss", "省人力资源和社会保障厅"
    PROVINCIAL_FINANCE = "provincial_finance", "省财政厅"
    PROVINCIAL_JUSTICE = "provincial_justice", "省司法厅"
    CITY_HRSS = "city_hrss", "市人力资源和社会保障局"
    CITY_FINANCE = "city_finance", "市财政局"
    CITY_JUSTICE = "city_justice", "市司法局"
    TRAINING_INSTITUTION = "training_institution", "培训机构"
    EVALUATION_INSTITUTION = "evaluation_institution", "评价机构"
    PUBLIC_EMPLOYMENT_SERVICE = "public_employment_service", "公共就业服务机构"
    PLATFORM = "platform", "平台运维单位"


class Role(models.TextChoices):
    OPERATOR = "operator", "经办"
    REVIEWER = "reviewer", "审核"
    UNIT_HEAD = "unit_head", "负责人"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDITOR = "auditor", "审计管理员"


# 三权分立: nobody may hold two of these at once.
PLATFORM_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
# Roles that may act on a review stage for their organisation.
REVIEW_ROLES = frozenset({Role.REVIEWER, Role.UNIT_HEAD})

region_code_validator = RegexValidator(r"^\d{6}$", "行政区划代码须为6位数字")


class Organisation(models.Model):
    name = models.CharField("名称", max_length=100, unique=True)
    org_type = models.CharField("类型", max_length=40, choices=OrgType.choices)
    region_code = models.CharField("行政区划代码", max_length=6, validators=[region_code_validator])
    parent = models.ForeignKey(
        "self",
        verbose_name="上级单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_lead_unit = models.BooleanField("牵头单位", default=False)
    policy_pack = models.CharField("适用政策包", max_length=40)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "组织机构"
        ordering = ["region_code", "name"]
        indexes = [models.Index(fields=["org_type", "region_code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def province_prefix(self) -> str:
        return self.region_code[:2]

    @property
    def city_prefix(self) -> str:
        return self.region_code[:4]


class UserManager(BaseUserManager):
    def create_user(self, username, password=None, **fields):
        user = self.model(username=username, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(username, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    username = models.CharField("用户名", max_length=64, unique=True)
    full_name = models.CharField("姓名", max_length=50)
    organisation = models.ForeignKey(
        Organisation, verbose_name="所属单位", on_delete=models.PROTECT, related_name="users"
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    is_active = models.BooleanField("启用", default=True)
    is_staff = models.BooleanField(default=False)
    must_change_password = models.BooleanField("须修改密码", default=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["full_name", "organisation"]

    class Meta:
        verbose_name = "用户"
        ordering = ["organisation_id", "username"]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）"

    @property
    def roles(self) -> frozenset[str]:
        """Role codes, cached per instance: checked many times per request."""
        if not hasattr(self, "_roles"):
            self._roles = frozenset(self.role_grants.values_list("role", flat=True))
        return self._roles

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "user__organisation"

    class Meta:
        verbose_name = "角色授权"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="uniq_user_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A machine token for the REST API; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} · {self.prefix}…"
