"""Login, lockout and unlock, forced password change, session idle timeout, hashing, 三权分立 check."""

import importlib.util
import sys

import pytest
from django.conf import settings as live_settings
from django.core import checks
from django.urls import reverse

from skillbridge.accounts import services
from skillbridge.accounts.checks import separation_of_duties
from skillbridge.accounts.models import RoleGrant, User
from skillbridge.audit.models import AuditEvent

from .conftest import PASSWORD

LOGIN = "/accounts/login/"


def login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


# ---- hashing ------------------------------------------------------------------------------------------


def test_production_hasher_is_argon2(settings, orgs):
    assert live_settings.PASSWORD_HASHERS  # the test run swaps in MD5 for speed; production uses Argon2:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = services.user_create(
        actor=None,
        username="argon",
        full_name="哈希测试",
        organisation=orgs["溧阳监狱"],
        roles=["operator"],
        password=PASSWORD,
    )
    stored = User.objects.get(pk=user.pk).password
    assert stored.startswith("argon2$argon2id$")
    assert PASSWORD not in stored
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


# ---- login, lockout, unlock ---------------------------------------------------------------------------


def test_successful_login_is_audited(client, users):
    response = login(client, "ly_operator", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert logged_in_user_id(client) == str(users["ly_operator"].pk)
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.outcome, event.actor_id, event.object_id) == (
        "auth.login",
        "success",
        users["ly_operator"].pk,
        str(users["ly_operator"].pk),
    )


def test_failed_login_is_audited(client, users):
    response = login(client, "ly_operator", "wrong-Password1")
    assert response.status_code == 200
    assert "用户名或密码错误。连续多次错误后账号将被临时锁定。" in response.content.decode()
    assert logged_in_user_id(client) is None
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.outcome, event.object_repr, event.actor_id) == (
        "auth.login_failed",
        "failed",
        "ly_operator",
        None,
    )


def test_lockout_after_five_failures_then_unlock(client, users):
    from axes.models import AccessAttempt

    assert live_settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert login(client, "ly_operator", "wrong-Password1").status_code == 200
    fifth = login(client, "ly_operator", "wrong-Password1")
    assert fifth.status_code == 429
    assert AuditEvent.objects.filter(action="auth.login_failed", object_repr="ly_operator").count() == 5

    # Locked: even the right password is refused, with the Chinese lockout page.
    locked = login(client, "ly_operator", PASSWORD)
    assert locked.status_code == 429
    assert "账号已被临时锁定" in locked.content.decode()
    assert logged_in_user_id(client) is None
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    # Another account is not affected (the lock is per account, not per address).
    other = login(client, "cz_hrss", PASSWORD)
    assert other.status_code == 302
    client.post(reverse("logout"))

    # The security administrator sees the locked account and unlocks it.
    client.force_login(users["secadmin"])
    page = client.get(reverse("accounts:security"))
    assert page.status_code == 200
    # Five wrong passwords plus the refused attempt with the right one while locked.
    assert [(a["username"], a["failures"], a["ip_address"]) for a in page.context["locked"]] == [
        ("ly_operator", 6, "127.0.0.1")
    ]
    assert "ly_operator" in page.content.decode()
    response = client.post(reverse("accounts:security"), {"username": "ly_operator"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:security")
    assert not AccessAttempt.objects.filter(username="ly_operator").exists()
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.actor_id, event.object_repr, event.changes) == (
        "security.unlock",
        users["secadmin"].pk,
        "ly_operator",
        {"attempt_records_cleared": 1},
    )
    assert client.get(reverse("accounts:security")).context["locked"] == []
    client.post(reverse("logout"))

    again = login(client, "ly_operator", PASSWORD)
    assert again.status_code == 302
    assert logged_in_user_id(client) == str(users["ly_operator"].pk)


def test_unlock_of_account_not_locked_shows_error(client, users):
    client.force_login(users["secadmin"])
    events = AuditEvent.objects.count()
    response = client.post(reverse("accounts:security"), {"username": "ly_operator"}, follow=True)
    assert "账号“ly_operator”当前未被锁定" in response.content.decode()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("username", ["sysadmin", "auditor", "ly_operator"])
def test_security_page_is_for_the_security_admin_only(client, users, username):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="cz_hrss",
        ip_address="10.0.0.9",
        user_agent="x",
        failures_since_start=5,
        get_data="",
        post_data="",
    )
    client.force_login(users[username])
    events = AuditEvent.objects.count()
    assert client.get(reverse("accounts:security")).status_code == 403
    assert client.post(reverse("accounts:security"), {"username": "cz_hrss"}).status_code == 403
    assert AccessAttempt.objects.filter(username="cz_hrss").count() == 1
    denied = AuditEvent.objects.order_by("id")[events:]
    assert [(e.action, e.outcome) for e in denied] == [("page.denied", "denied")] * 2


def test_security_page_shows_effective_settings(client, users):
    client.force_login(users["secadmin"])
    response = client.get(reverse("accounts:security"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="h4 mb-3">安全设置</h1>' in html
    items = {label: (value, env) for label, value, env in response.context["items"]}
    assert items["连续登录失败锁定次数"] == ("5 次", "SKILLBRIDGE_LOCKOUT_FAILURES")
    assert items["锁定时长"] == ("30 分钟", "SKILLBRIDGE_LOCKOUT_MINUTES")
    assert items["空闲超时（无操作自动退出）"] == ("30 分钟", "SKILLBRIDGE_IDLE_MINUTES")
    assert items["密码最小长度"] == ("10 位", "")
    for env in ("SKILLBRIDGE_LOCKOUT_FAILURES", "SKILLBRIDGE_LOCKOUT_MINUTES", "SKILLBRIDGE_IDLE_MINUTES"):
        assert env in html
    assert "当前没有被锁定的账号" in html


def test_security_page_follows_changed_settings(client, users, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 1.5
    settings.SESSION_COOKIE_AGE = 900
    client.force_login(users["secadmin"])
    items = {label: value for label, value, _ in client.get(reverse("accounts:security")).context["items"]}
    assert (items["连续登录失败锁定次数"], items["锁定时长"], items["空闲超时（无操作自动退出）"]) == (
        "3 次",
        "90 分钟",
        "15 分钟",
    )


# ---- forced password change ---------------------------------------------------------------------------


@pytest.fixture
def fresh_user(orgs):
    return services.user_create(
        actor=None,
        username="newcomer",
        full_name="新入职经办",
        organisation=orgs["溧阳监狱"],
        roles=["operator"],
        password=PASSWORD,
    )


def test_initial_password_must_be_changed(client, settings, fresh_user):
    settings.DEMO_MODE = False
    assert fresh_user.must_change_password is True
    client.force_login(fresh_user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/"
    page = client.get("/accounts/password/")
    assert page.status_code == 200
    assert "您正在使用管理员设置的初始密码" in page.content.decode()

    new = "Nw7&lkjhgfd"
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password": new, "confirm_password": new}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    fresh_user.refresh_from_db()
    assert fresh_user.must_change_password is False
    assert fresh_user.check_password(new)
    assert fresh_user.password_changed_at is not None
    home = client.get("/")
    assert home.status_code == 200
    assert "待办事项" in home.content.decode()


def test_forced_change_refuses_weak_password(client, settings, fresh_user):
    settings.DEMO_MODE = False
    client.force_login(fresh_user)
    old_hash = fresh_user.password
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password": "Qwzxrtplmnvb", "confirm_password": "Qwzxrtplmnvb"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "new_password": ["密码须包含小写字母、大写字母、数字、特殊字符中的至少三类。"]
    }
    assert "密码须包含小写字母、大写字母、数字、特殊字符中的至少三类。" in response.content.decode()
    fresh_user.refresh_from_db()
    assert (fresh_user.password, fresh_user.must_change_password) == (old_hash, True)
    assert client.get("/").status_code == 302


def test_demo_mode_does_not_force_the_change(client, settings, fresh_user):
    settings.DEMO_MODE = True
    client.force_login(fresh_user)
    response = client.get("/")
    assert response.status_code == 200


# ---- idle timeout -------------------------------------------------------------------------------------


def load_settings_module(monkeypatch, **env):
    """Run a fresh copy of skillbridge/settings.py under the given environment (the live one is untouched)."""
    for name in ("SKILLBRIDGE_IDLE_MINUTES", "SKILLBRIDGE_LOCKOUT_FAILURES", "SKILLBRIDGE_LOCKOUT_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(
        "skillbridge_settings_copy", sys.modules["skillbridge.settings"].__file__
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_idle_timeout_defaults(monkeypatch):
    module = load_settings_module(monkeypatch)
    assert module.SESSION_COOKIE_AGE == 1800
    assert module.SESSION_SAVE_EVERY_REQUEST is True
    assert module.AXES_FAILURE_LIMIT == 5
    assert module.AXES_COOLOFF_TIME == 0.5  # hours: 30 minutes
    assert live_settings.SESSION_COOKIE_AGE == 1800
    assert live_settings.SESSION_SAVE_EVERY_REQUEST is True


def test_security_settings_follow_environment(monkeypatch):
    module = load_settings_module(
        monkeypatch,
        SKILLBRIDGE_IDLE_MINUTES="15",
        SKILLBRIDGE_LOCKOUT_FAILURES="3",
        SKILLBRIDGE_LOCKOUT_MINUTES="60",
    )
    assert (module.SESSION_COOKIE_AGE, module.AXES_FAILURE_LIMIT, module.AXES_COOLOFF_TIME) == (900, 3, 1.0)


# ---- 三权分立 system check ------------------------------------------------------------------------------


def test_separation_of_duties_check(users):
    assert separation_of_duties(None) == []
    # Bypassing the service (e.g. a raw SQL fix-up) is caught by the system check.
    RoleGrant.objects.create(user=users["sysadmin"], role="auditor")
    errors = separation_of_duties(None)
    assert [(e.id, e.msg) for e in errors] == [
        ("accounts.E001", "用户 sysadmin 同时拥有两个以上平台管理角色，违反三权分立")
    ]
    registered = checks.run_checks(tags=[checks.Tags.database], databases=["default"])
    assert [e.id for e in registered if e.id == "accounts.E001"] == ["accounts.E001"]
