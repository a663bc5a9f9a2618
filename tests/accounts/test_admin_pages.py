"""The system administrator's pages: organisations and users, each write through its service."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from skillbridge.accounts import services
from skillbridge.accounts.models import Organisation, RoleGrant, User
from skillbridge.audit.models import AuditEvent

from .conftest import PASSWORD
from .test_services import SEPARATION_MESSAGE, snapshot


def test_organisation_pages_render(admin_client, orgs):
    response = admin_client.get(reverse("accounts:organisation_list"))
    assert response.status_code == 200
    assert '<h1 class="h4 mb-0">组织机构</h1>' in response.content.decode()
    response = admin_client.get(reverse("accounts:organisation_create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="h4 mb-3">新增单位</h1>' in html
    assert "常州市职业技能培训政策" in html or "changzhou" in html
    response = admin_client.get(reverse("accounts:organisation_edit", args=[orgs["溧阳监狱"].pk]))
    assert response.status_code == 200
    assert "编辑单位：溧阳监狱" in response.content.decode()
    assert response.context["form"].initial["region_code"] == "320481"


def test_organisation_create_via_web(admin_client, orgs):
    response = admin_client.post(
        reverse("accounts:organisation_create"),
        {
            "name": "宜兴监狱",
            "org_type": "prison",
            "region_code": "320282",
            "policy_pack": "jiangsu-special",
            "parent": orgs["江苏省监狱管理局"].pk,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:organisation_list")
    org = Organisation.objects.get(name="宜兴监狱")
    assert (org.org_type, org.region_code, org.policy_pack, org.parent, org.is_lead_unit) == (
        "prison",
        "320282",
        "jiangsu-special",
        orgs["江苏省监狱管理局"],
        False,
    )
    assert AuditEvent.objects.filter(action="organisation.create", object_id=str(org.pk)).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"region_code": "3202"}, "region_code", "行政区划代码须为6位数字"),
        ({"name": "常州监狱"}, "name", "单位“常州监狱”已存在"),
    ],
)
def test_organisation_create_via_web_shows_service_error(admin_client, orgs, changes, field, message):
    before = snapshot()
    data = {"name": "宜兴监狱", "org_type": "prison", "region_code": "320282", "policy_pack": "changzhou"}
    response = admin_client.post(reverse("accounts:organisation_create"), {**data, **changes})
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert message in response.content.decode()
    assert snapshot() == before


def test_organisation_create_unknown_pack_is_refused_by_the_form(admin_client, orgs):
    before = snapshot()
    data = {"name": "宜兴监狱", "org_type": "prison", "region_code": "320282", "policy_pack": "shanghai"}
    response = admin_client.post(reverse("accounts:organisation_create"), data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["policy_pack"]
    assert snapshot() == before


def test_organisation_edit_via_web(admin_client, orgs):
    target = orgs["溧阳监狱"]
    response = admin_client.post(
        reverse("accounts:organisation_edit", args=[target.pk]),
        {
            "name": "江苏省溧阳监狱",
            "org_type": "rehab_centre",  # disabled on the edit form: ignored
            "region_code": "320481",
            "policy_pack": "changzhou",
            "parent": orgs["江苏省监狱管理局"].pk,
            "is_lead_unit": "on",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.name, target.org_type, target.is_lead_unit, target.is_active) == (
        "江苏省溧阳监狱",
        "prison",
        True,
        False,
    )
    event = AuditEvent.objects.filter(action="organisation.update").get()
    assert event.changes == {
        "name": ["溧阳监狱", "江苏省溧阳监狱"],
        "is_lead_unit": [False, True],
        "is_active": [True, False],
    }


def test_organisation_edit_duplicate_name_shows_error(admin_client, orgs):
    target = orgs["溧阳监狱"]
    before = snapshot()
    response = admin_client.post(
        reverse("accounts:organisation_edit", args=[target.pk]),
        {"name": "新康监狱", "region_code": "320481", "policy_pack": "changzhou", "is_active": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["单位“新康监狱”已存在"]}
    assert snapshot() == before


@pytest.mark.parametrize("username", ["ly_operator", "secadmin", "auditor"])
def test_admin_pages_refuse_others(client, users, orgs, username):
    client.force_login(users[username])
    before = snapshot()
    urls = [
        reverse("accounts:organisation_create"),
        reverse("accounts:user_list"),
        reverse("accounts:user_create"),
        reverse("accounts:user_detail", args=[users["cz_hrss"].pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403
    response = client.post(
        reverse("accounts:user_detail", args=[users["cz_hrss"].pk]), {"action": "deactivate"}
    )
    assert response.status_code == 403
    response = client.post(
        reverse("accounts:organisation_create"),
        {"name": "宜兴监狱", "org_type": "prison", "region_code": "320282", "policy_pack": "changzhou"},
    )
    assert response.status_code == 403
    organisations, accounts, grants, events = before
    assert snapshot()[:3] == (organisations, accounts, grants)
    denied = AuditEvent.objects.order_by("id")[events:]
    assert [(e.action, e.outcome, e.actor_id) for e in denied] == [
        ("page.denied", "denied", users[username].pk)
    ] * 6
    assert AuditEvent.objects.count() == events + 6


def test_user_list_renders_with_roles_without_n_plus_one(admin_client, users, orgs):
    response = admin_client.get(reverse("accounts:user_list"))
    assert response.status_code == 200
    assert '<h1 class="h4 mb-0">用户管理</h1>' in response.content.decode()
    rows = {u.username: u.role_labels for u in response.context["page"]}
    assert rows["secadmin"] == "安全管理员"
    assert rows["js_bureau"] == "审核"
    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse("accounts:user_list"))
    for i in range(15):
        services.user_create(
            actor=None,
            username=f"extra{i}",
            full_name=f"用户{i}",
            organisation=orgs["常州监狱"],
            roles=["operator", "reviewer"],
            password=PASSWORD,
        )
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(reverse("accounts:user_list"))
    assert len(response.context["page"]) == 20
    # 7 users on the first page, 20 now: the same number of queries (roles are prefetched).
    assert len(many.captured_queries) == len(few.captured_queries)


def test_user_list_filters(admin_client, users, orgs):
    url = reverse("accounts:user_list")
    response = admin_client.get(url, {"role": "reviewer"})
    assert [u.username for u in response.context["page"]] == ["js_bureau", "cz_hrss"]
    response = admin_client.get(url, {"organisation": orgs["平台运维中心"].pk})
    assert [u.username for u in response.context["page"]] == ["auditor", "secadmin", "sysadmin"]
    response = admin_client.get(url, {"q": "ly_"})
    assert [u.username for u in response.context["page"]] == ["ly_operator"]


def test_user_create_page_and_post(admin_client, orgs):
    response = admin_client.get(reverse("accounts:user_create"))
    assert response.status_code == 200
    assert '<h1 class="h4 mb-3">新增用户</h1>' in response.content.decode()
    response = admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "xk_operator",
            "full_name": "新康经办",
            "organisation": orgs["新康监狱"].pk,
            "phone": "0519-88888888",
            "roles": ["operator", "reviewer"],
            "password": PASSWORD,
            "confirm_password": PASSWORD,
        },
    )
    user = User.objects.get(username="xk_operator")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", args=[user.pk])
    assert (user.full_name, user.organisation, user.phone, user.must_change_password) == (
        "新康经办",
        orgs["新康监狱"],
        "0519-88888888",
        True,
    )
    assert sorted(user.roles) == ["operator", "reviewer"]
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"roles": ["system_admin", "auditor"]}, {"roles": [SEPARATION_MESSAGE]}),
        ({"confirm_password": "Ab3$defghiX"}, {"confirm_password": ["两次输入的密码不一致"]}),
        (
            {"password": "Qwzxrtplmnvb", "confirm_password": "Qwzxrtplmnvb"},
            {"password": ["密码须包含小写字母、大写字母、数字、特殊字符中的至少三类。"]},
        ),
        ({"username": "sysadmin"}, {"username": ["用户名“sysadmin”已被使用"]}),
    ],
)
def test_user_create_errors_write_nothing(admin_client, orgs, changes, errors):
    before = snapshot()
    data = {
        "username": "newbie",
        "full_name": "新用户",
        "organisation": orgs["平台运维中心"].pk,
        "roles": ["operator"],
        "password": PASSWORD,
        "confirm_password": PASSWORD,
    }
    response = admin_client.post(reverse("accounts:user_create"), {**data, **changes})
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert next(iter(errors.values()))[0] in response.content.decode()
    assert snapshot() == before


def detail(client, user, data=None):
    url = reverse("accounts:user_detail", args=[user.pk])
    return client.post(url, data) if data is not None else client.get(url)


def test_user_detail_renders(admin_client, users):
    response = detail(admin_client, users["ly_operator"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "用户详情：ly_operator姓名" in html
    assert "溧阳监狱" in html
    assert [c[0] for c in response.context["forms"]["revoke"].fields["role"].choices] == ["operator"]


def test_user_detail_missing_is_404(admin_client, users):
    response = admin_client.get(reverse("accounts:user_detail", args=[max(u.pk for u in users.values()) + 1]))
    assert response.status_code == 404


def test_user_detail_grant_and_revoke(admin_client, users):
    target = users["ly_operator"]
    response = detail(admin_client, target, {"action": "grant", "grant-role": "reviewer"})
    assert response.status_code == 302
    assert sorted(RoleGrant.objects.filter(user=target).values_list("role", flat=True)) == [
        "operator",
        "reviewer",
    ]
    follow = admin_client.get(response["Location"])
    assert "已授予审核角色。" in follow.content.decode()

    response = detail(admin_client, target, {"action": "revoke", "revoke-role": "operator"})
    assert response.status_code == 302
    assert list(RoleGrant.objects.filter(user=target).values_list("role", flat=True)) == ["reviewer"]
    assert [e.action for e in AuditEvent.objects.filter(object_id=str(target.pk)).order_by("id")][-2:] == [
        "user.role_grant",
        "user.role_revoke",
    ]


def test_user_detail_separation_of_duties_is_shown(admin_client, users):
    target = users["secadmin"]
    before = snapshot()
    response = detail(admin_client, target, {"action": "grant", "grant-role": "auditor"})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"<strong>操作未执行：</strong>{SEPARATION_MESSAGE}" in html
    assert response.context["forms"]["grant"].errors["role"] == [SEPARATION_MESSAGE]
    assert snapshot() == before


def test_user_detail_revoke_missing_role_is_refused(admin_client, users):
    before = snapshot()
    response = detail(admin_client, users["ly_operator"], {"action": "revoke", "revoke-role": "auditor"})
    assert response.status_code == 400
    assert "ly_operator姓名（ly_operator） 没有审计管理员角色" in response.content.decode()
    assert snapshot() == before


def test_user_detail_password_reset(admin_client, users):
    target = users["ly_operator"]
    new = "Zx9#mnbvcxz"
    response = detail(
        admin_client,
        target,
        {"action": "reset_password", "reset-password": new, "reset-confirm_password": new},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(new)
    assert target.must_change_password is True

    before = snapshot()
    response = detail(
        admin_client,
        target,
        {"action": "reset_password", "reset-password": "Abcdefghij", "reset-confirm_password": "Abcdefghij"},
    )
    assert response.status_code == 400
    errors = response.context["forms"]["reset_password"].errors["password"]
    assert errors == ["这个密码太常见了。；密码须包含小写字母、大写字母、数字、特殊字符中的至少三类。"]
    assert snapshot() == before


def test_user_detail_deactivate_and_activate(admin_client, users):
    target = users["ly_operator"]
    assert detail(admin_client, target, {"action": "deactivate"}).status_code == 302
    target.refresh_from_db()
    assert target.is_active is False
    assert detail(admin_client, target, {"action": "activate"}).status_code == 302
    target.refresh_from_db()
    assert target.is_active is True
    actions = list(
        AuditEvent.objects.filter(object_id=str(target.pk)).order_by("id").values_list("action", flat=True)
    )
    assert actions[-2:] == ["user.deactivate", "user.activate"]


def test_user_detail_cannot_deactivate_self(admin_client, users):
    admin = users["sysadmin"]
    before = snapshot()
    response = detail(admin_client, admin, {"action": "deactivate"})
    assert response.status_code == 400
    assert "不能停用自己的账号" in response.content.decode()
    assert snapshot() == before
    unknown = detail(admin_client, admin, {"action": "delete"})
    assert unknown.status_code == 400
    assert snapshot() == before
