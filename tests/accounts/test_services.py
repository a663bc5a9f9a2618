"""Service rules: validation with exact messages and fields, 三权分立, password policy, permissions."""

import pytest

from skillbridge.accounts import services
from skillbridge.accounts.models import Organisation, RoleGrant, User
from skillbridge.audit.models import AuditEvent
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.policy.loader import load_all

from .conftest import PASSWORD

SEPARATION_MESSAGE = "系统管理员、安全管理员、审计管理员三个角色须分设（三权分立），同一用户只能担任其一"
COMPLEXITY_MESSAGE = "密码须包含小写字母、大写字母、数字、特殊字符中的至少三类。"


def snapshot():
    return (
        list(Organisation.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values()),
        list(RoleGrant.objects.order_by("pk").values_list("user_id", "role")),
        AuditEvent.objects.count(),
    )


def new_org(**overrides):
    fields = {
        "actor": None,
        "name": "宜兴监狱",
        "org_type": "prison",
        "region_code": "320282",
        "policy_pack": "jiangsu-special",
    }
    return services.organisation_create(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("overrides", "message", "field"),
    [
        ({"region_code": "32040"}, "行政区划代码须为6位数字", "region_code"),
        ({"region_code": "32040A"}, "行政区划代码须为6位数字", "region_code"),
        ({"name": "  "}, "单位名称不能为空", "name"),
        ({"org_type": "bank"}, "未知的单位类型：bank", "org_type"),
    ],
)
def test_organisation_create_rejects_bad_input(orgs, overrides, message, field):
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        new_org(**overrides)
    assert (exc.value.message, exc.value.field) == (message, field)
    assert snapshot() == before


def test_organisation_create_rejects_unknown_pack(orgs):
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        new_org(policy_pack="shanghai")
    known = "、".join(sorted(load_all()))
    assert exc.value.message == f"未知的政策包「shanghai」，现有：{known}"
    assert "changzhou" in known
    assert exc.value.field == "policy_pack"
    assert snapshot() == before


def test_organisation_create_rejects_duplicate_name(orgs):
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        new_org(name="溧阳监狱")
    assert (exc.value.message, exc.value.field, exc.value.code) == (
        "单位“溧阳监狱”已存在",
        "name",
        "conflict",
    )
    assert snapshot() == before


def test_organisation_create_writes_row_and_audit(users, orgs):
    admin = users["sysadmin"]
    org = new_org(actor=admin, parent=orgs["江苏省监狱管理局"])
    org.refresh_from_db()
    assert (org.name, org.org_type, org.region_code, org.policy_pack, org.parent_id, org.is_lead_unit) == (
        "宜兴监狱",
        "prison",
        "320282",
        "jiangsu-special",
        orgs["江苏省监狱管理局"].pk,
        False,
    )
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.actor_id, event.object_id, event.outcome) == (
        "organisation.create",
        admin.pk,
        str(org.pk),
        "success",
    )


def test_organisation_update_validation(users, orgs):
    admin = users["sysadmin"]
    target = orgs["溧阳监狱"]
    before = snapshot()
    cases = [
        ({"region_code": "3204811"}, "行政区划代码须为6位数字", "region_code"),
        (
            {"policy_pack": "nope"},
            f"未知的政策包「nope」，现有：{'、'.join(sorted(load_all()))}",
            "policy_pack",
        ),
        ({"name": "常州监狱"}, "单位“常州监狱”已存在", "name"),
        ({"parent": target}, "上级单位不能是本单位", "parent"),
        ({"org_type": "rehab_centre"}, "不可修改的字段：org_type", "org_type"),
    ]
    for fields, message, field in cases:
        with pytest.raises(ServiceError) as exc:
            services.organisation_update(actor=admin, organisation=target, **fields)
        assert (exc.value.message, exc.value.field) == (message, field)
    assert snapshot() == before


def test_organisation_update_records_changes(users, orgs):
    admin = users["sysadmin"]
    target = orgs["溧阳监狱"]
    services.organisation_update(actor=admin, organisation=target, region_code="320482", is_lead_unit=True)
    target.refresh_from_db()
    assert (target.region_code, target.is_lead_unit) == ("320482", True)
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "organisation.update"
    assert event.changes == {"region_code": ["320481", "320482"], "is_lead_unit": [False, True]}


@pytest.mark.parametrize(
    "roles", [["system_admin", "auditor"], ["security_admin", "system_admin", "operator"]]
)
def test_user_create_refuses_two_platform_roles(users, orgs, roles):
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        services.user_create(
            actor=users["sysadmin"],
            username="dual",
            full_name="兼职管理员",
            organisation=orgs["平台运维中心"],
            roles=roles,
            password=PASSWORD,
        )
    assert (exc.value.message, exc.value.field) == (SEPARATION_MESSAGE, "roles")
    assert snapshot() == before
    assert not User.objects.filter(username="dual").exists()


def test_role_grant_refuses_second_platform_role(users):
    secadmin = users["secadmin"]
    before = snapshot()
    for role in ("system_admin", "auditor"):
        with pytest.raises(ServiceError) as exc:
            services.role_grant(actor=users["sysadmin"], user=secadmin, role=role)
        assert (exc.value.message, exc.value.field) == (SEPARATION_MESSAGE, "role")
    assert snapshot() == before
    assert list(RoleGrant.objects.filter(user=secadmin).values_list("role", flat=True)) == ["security_admin"]


def test_role_grant_allows_business_role_next_to_platform_role(users):
    grant = services.role_grant(actor=users["sysadmin"], user=users["auditor"], role="reviewer")
    assert sorted(RoleGrant.objects.filter(user=users["auditor"]).values_list("role", flat=True)) == [
        "auditor",
        "reviewer",
    ]
    assert grant.role == "reviewer"


def test_password_complexity(users, orgs):
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        services.user_create(
            actor=None,
            username="weak",
            full_name="弱密码",
            organisation=orgs["溧阳监狱"],
            roles=["operator"],
            password="Abcdefghij",
        )
    # "Abcdefghij" is also on Django's common-password list; both reasons are given, in Chinese.
    assert exc.value.field == "password"
    assert exc.value.message.split("；") == ["这个密码太常见了。", COMPLEXITY_MESSAGE]
    assert snapshot() == before

    with pytest.raises(ServiceError) as exc:
        services.user_create(
            actor=None,
            username="weak",
            full_name="弱密码",
            organisation=orgs["溧阳监狱"],
            roles=["operator"],
            password="Qwzxrtplmnvb",
        )
    assert (exc.value.message, exc.value.field) == (COMPLEXITY_MESSAGE, "password")
    assert snapshot() == before

    user = services.user_create(
        actor=None,
        username="strong",
        full_name="强密码",
        organisation=orgs["溧阳监狱"],
        roles=["operator"],
        password="Ab3$defghij",
    )
    assert user.check_password("Ab3$defghij")
    assert user.must_change_password is True


def test_password_reset_and_change_enforce_complexity(users):
    target = users["ly_operator"]
    old_hash = User.objects.get(pk=target.pk).password
    with pytest.raises(ServiceError) as exc:
        services.password_reset(actor=users["sysadmin"], user=target, new_password="Qwzxrtplmnvb")
    assert (exc.value.message, exc.value.field) == (COMPLEXITY_MESSAGE, "password")
    with pytest.raises(ServiceError) as exc:
        services.password_change(user=target, old_password=PASSWORD, new_password="Qwzxrtplmnvb")
    assert (exc.value.message, exc.value.field) == (COMPLEXITY_MESSAGE, "password")
    assert User.objects.get(pk=target.pk).password == old_hash


@pytest.mark.parametrize("actor_name", ["ly_operator", "secadmin", "auditor"])
def test_non_admin_actor_is_forbidden_and_nothing_changes(users, orgs, actor_name):
    actor = users[actor_name]
    target = users["cz_hrss"]
    before = snapshot()
    calls = [
        lambda: new_org(actor=actor),
        lambda: services.organisation_update(actor=actor, organisation=orgs["溧阳监狱"], name="X监狱"),
        lambda: services.user_create(
            actor=actor,
            username="x",
            full_name="X",
            organisation=orgs["溧阳监狱"],
            roles=["operator"],
            password=PASSWORD,
        ),
        lambda: services.role_grant(actor=actor, user=target, role="unit_head"),
        lambda: services.role_revoke(actor=actor, user=target, role="reviewer"),
        lambda: services.password_reset(actor=actor, user=target, new_password="Zz9$qwertyu"),
        lambda: services.user_set_active(actor=actor, user=target, active=False),
    ]
    for call in calls:
        with pytest.raises(Forbidden) as exc:
            call()
        assert exc.value.message == "需要系统管理员角色才能执行此操作"
    assert snapshot() == before


def test_account_unlock_needs_security_admin(users):
    with pytest.raises(Forbidden) as exc:
        services.account_unlock(actor=users["sysadmin"], username="ly_operator")
    assert exc.value.message == "需要安全管理员角色才能执行此操作"
    with pytest.raises(ServiceError) as exc:
        services.account_unlock(actor=users["secadmin"], username="ly_operator")
    assert (exc.value.message, exc.value.field) == ("账号“ly_operator”当前未被锁定", "username")
