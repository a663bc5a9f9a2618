"""Every write to organisations, users and roles: one transaction, one audit event each."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from skillbridge.audit.services import audit_record
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.policy.loader import UnknownPack, get_pack

from .models import (
    PLATFORM_ROLES,
    ApiToken,
    Organisation,
    OrgType,
    Role,
    RoleGrant,
    User,
    region_code_validator,
)

API_TOKEN_DAYS = 90


def require_role(actor, *roles: str) -> None:
    """`actor=None` means the platform itself (CLI, demo loader), which may do anything."""
    if actor is not None and not actor.has_role(*roles):
        names = "、".join(Role(r).label for r in roles)
        raise Forbidden(f"需要{names}角色才能执行此操作")


def _validate_organisation(*, name, org_type, region_code, policy_pack, parent) -> None:
    if not name.strip():
        raise ServiceError("单位名称不能为空", field="name")
    if org_type not in OrgType.values:
        raise ServiceError(f"未知的单位类型：{org_type}", field="org_type")
    try:
        region_code_validator(region_code)
    except ValidationError:
        raise ServiceError("行政区划代码须为6位数字", field="region_code") from None
    try:
        get_pack(policy_pack)
    except UnknownPack as exc:
        raise ServiceError(str(exc), field="policy_pack") from None
    if parent is not None and parent.pk is None:
        raise ServiceError("上级单位不存在", field="parent")


@transaction.atomic
def organisation_create(
    *,
    actor,
    name: str,
    org_type: str,
    region_code: str,
    policy_pack: str,
    parent: Organisation | None = None,
    is_lead_unit: bool = False,
) -> Organisation:
    require_role(actor, Role.SYSTEM_ADMIN)
    _validate_organisation(
        name=name, org_type=org_type, region_code=region_code, policy_pack=policy_pack, parent=parent
    )
    if Organisation.objects.filter(name=name).exists():
        raise Conflict(f"单位“{name}”已存在", field="name")
    org = Organisation.objects.create(
        name=name,
        org_type=org_type,
        region_code=region_code,
        policy_pack=policy_pack,
        parent=parent,
        is_lead_unit=is_lead_unit,
    )
    audit_record(
        action="organisation.create",
        actor=actor,
        obj=org,
        changes={
            "name": name,
            "org_type": org_type,
            "region_code": region_code,
            "policy_pack": policy_pack,
            "is_lead_unit": is_lead_unit,
            "parent": parent.pk if parent else None,
        },
    )
    return org


EDITABLE_ORG_FIELDS = ("name", "region_code", "policy_pack", "parent", "is_lead_unit", "is_active")


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, **fields) -> Organisation:
    require_role(actor, Role.SYSTEM_ADMIN)
    unknown = set(fields) - set(EDITABLE_ORG_FIELDS)
    if unknown:
        raise ServiceError(f"不可修改的字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    merged = {f: fields.get(f, getattr(org, f)) for f in ("name", "region_code", "policy_pack", "parent")}
    _validate_organisation(org_type=org.org_type, **merged)
    if fields.get("parent") is not None and fields["parent"].pk == org.pk:
        raise ServiceError("上级单位不能是本单位", field="parent")
    if "name" in fields and Organisation.objects.filter(name=fields["name"]).exclude(pk=org.pk).exists():
        raise Conflict(f"单位“{fields['name']}”已存在", field="name")
    changes = {}
    for field, value in fields.items():
        old = getattr(org, field)
        if old != value:
            changes[field] = [getattr(old, "pk", old), getattr(value, "pk", value)]
            setattr(org, field, value)
    if changes:
        org.save()
        audit_record(action="organisation.update", actor=actor, obj=org, changes=changes)
    return org


def _check_platform_roles(roles: set[str], field: str) -> None:
    if len(roles & PLATFORM_ROLES) > 1:
        raise ServiceError(
            "系统管理员、安全管理员、审计管理员三个角色须分设（三权分立），同一用户只能担任其一",
            field=field,
        )


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError("；".join(exc.messages), field="password") from None


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    full_name: str,
    organisation: Organisation,
    roles: list[str],
    password: str,
    phone: str = "",
    must_change_password: bool = True,
) -> User:
    require_role(actor, Role.SYSTEM_ADMIN)
    username = username.strip()
    if not username:
        raise ServiceError("用户名不能为空", field="username")
    if not full_name.strip():
        raise ServiceError("姓名不能为空", field="full_name")
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ServiceError(f"未知角色：{'、'.join(sorted(unknown))}", field="roles")
    if not roles:
        raise ServiceError("至少授予一个角色", field="roles")
    _check_platform_roles(set(roles), field="roles")
    if User.objects.filter(username=username).exists():
        raise Conflict(f"用户名“{username}”已被使用", field="username")
    user = User(username=username, full_name=full_name.strip(), organisation=organisation, phone=phone)
    _validate_password(password, user)
    user.set_password(password)
    user.must_change_password = must_change_password
    user.save()
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in sorted(set(roles))])
    audit_record(
        action="user.create",
        actor=actor,
        obj=user,
        organisation=actor.organisation if actor else organisation,
        changes={"username": username, "organisation": organisation.pk, "roles": sorted(set(roles))},
    )
    return user


@transaction.atomic
def role_grant(*, actor, user: User, role: str) -> RoleGrant:
    require_role(actor, Role.SYSTEM_ADMIN)
    if role not in Role.values:
        raise ServiceError(f"未知角色：{role}", field="role")
    # Lock the user so two concurrent grants cannot both pass the separation-of-duties check.
    locked = User.objects.select_for_update().get(pk=user.pk)
    current = set(locked.role_grants.values_list("role", flat=True))
    if role in current:
        raise Conflict(f"{locked} 已拥有{Role(role).label}角色", field="role")
    _check_platform_roles(current | {role}, field="role")
    grant = RoleGrant.objects.create(user=locked, role=role)
    audit_record(action="user.role_grant", actor=actor, obj=locked, changes={"role": role})
    return grant


@transaction.atomic
def role_revoke(*, actor, user: User, role: str) -> None:
    require_role(actor, Role.SYSTEM_ADMIN)
    deleted, _ = RoleGrant.objects.filter(user=user, role=role).delete()
    if not deleted:
        raise ServiceError(
            f"{user} 没有{Role(role).label if role in Role.values else role}角色", field="role"
        )
    audit_record(action="user.role_revoke", actor=actor, obj=user, changes={"role": role})


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ServiceError("原密码不正确", field="old_password")
    if old_password == new_password:
        raise ServiceError("新密码不能与原密码相同", field="new_password")
    _validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(action="user.password_change", actor=user, obj=user)


@transaction.atomic
def password_reset(*, actor, user: User, new_password: str) -> None:
    """An administrator sets an initial password; the user must change it at next login."""
    require_role(actor, Role.SYSTEM_ADMIN)
    _validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit_record(action="user.password_reset", actor=actor, obj=user)


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool) -> None:
    require_role(actor, Role.SYSTEM_ADMIN)
    if actor is not None and actor.pk == user.pk:
        raise ServiceError("不能停用自己的账号", field="is_active")
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(action="user.activate" if active else "user.deactivate", actor=actor, obj=user)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_issue(*, user: User) -> str:
    """Return a new raw token (shown once); only its digest is kept."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        digest=token_digest(raw),
        prefix=raw[:8],
        expires_at=timezone.now() + timedelta(days=API_TOKEN_DAYS),
    )
    audit_record(action="api_token.issue", actor=user, obj=user, changes={"prefix": token.prefix})
    return raw


@transaction.atomic
def account_unlock(*, actor, username: str) -> int:
    """Security admin lifts a django-axes lockout; returns how many failure records were cleared."""
    from axes.models import AccessAttempt

    require_role(actor, Role.SECURITY_ADMIN)
    cleared, _ = AccessAttempt.objects.filter(username=username).delete()
    if not cleared:
        raise ServiceError(f"账号“{username}”当前未被锁定", field="username")
    audit_record(
        action="security.unlock",
        actor=actor,
        object_type="accounts.user",
        object_repr=username,
        changes={"attempt_records_cleared": cleared},
    )
    return cleared
