from django.conf import settings
from django.contrib import messages
from django.contrib.auth import password_validation, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max, Q, Sum
from django.shortcuts import redirect, render
from django.utils import timezone

from skillbridge.errors import NotFound, ServiceError
from skillbridge.policy.loader import load_all
from skillbridge.web.decorators import role_required
from skillbridge.web.exports import xlsx_response
from skillbridge.web.forms import form_error

from . import services
from .forms import (
    LoginForm,
    OrganisationFilterForm,
    OrganisationForm,
    PasswordChangeForm,
    PasswordResetForm,
    RoleForm,
    UserCreateForm,
    UserFilterForm,
)
from .models import Organisation, Role, User
from .scope import get_in_scope

PAGE_SIZE = 20


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ServiceError as exc:
            field = "new_password" if exc.field == "password" else exc.field
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("home")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": request.user.must_change_password, "page_title": "修改密码"},
    )


# ---- organisations ----------------------------------------------------------------------------------

ORG_EXPORT_HEADERS = ["名称", "类型", "行政区划代码", "上级单位", "牵头单位", "政策包", "状态"]


def _pack_names() -> dict[str, str]:
    return {code: pack.name for code, pack in load_all().items()}


def _filtered_organisations(request):
    form = OrganisationFilterForm(request.GET or None)
    orgs = Organisation.objects.for_user(request.user).select_related("parent")
    if form.is_valid():
        data = form.cleaned_data
        if data["org_type"]:
            orgs = orgs.filter(org_type=data["org_type"])
        if data["region"]:
            orgs = orgs.filter(region_code__startswith=data["region"])
        if data["q"]:
            orgs = orgs.filter(name__contains=data["q"])
    elif form.is_bound:
        orgs = orgs.none()
    return form, orgs.order_by("region_code", "name")


@login_required
def organisation_list(request):
    form, orgs = _filtered_organisations(request)
    page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
    packs = _pack_names()
    for org in page:
        org.pack_name = packs.get(org.policy_pack, org.policy_pack)
    return render(
        request,
        "accounts/organisation_list.html",
        {
            "form": form,
            "page": page,
            "can_manage": request.user.has_role(Role.SYSTEM_ADMIN),
            "page_title": "组织机构",
        },
    )


@login_required
def organisation_export(request):
    _, orgs = _filtered_organisations(request)
    packs = _pack_names()
    rows = (
        (
            o.name,
            o.get_org_type_display(),
            o.region_code,
            o.parent.name if o.parent else "",
            "是" if o.is_lead_unit else "否",
            packs.get(o.policy_pack, o.policy_pack),
            "启用" if o.is_active else "停用",
        )
        for o in orgs.iterator(chunk_size=1000)
    )
    return xlsx_response("组织机构.xlsx", "组织机构", ORG_EXPORT_HEADERS, rows)


@role_required(Role.SYSTEM_ADMIN)
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = services.organisation_create(
                actor=request.user,
                name=data["name"],
                org_type=data["org_type"],
                region_code=data["region_code"],
                policy_pack=data["policy_pack"],
                parent=data["parent"],
                is_lead_unit=data["is_lead_unit"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已新增单位“{org.name}”。")
            return redirect("accounts:organisation_list")
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "organisation": None, "page_title": "新增单位"},
    )


@login_required
def organisation_edit(request, pk: int):
    # Scope first: an organisation outside the user's scope is a 404 (audited), never a hint that it exists.
    organisation = get_in_scope(Organisation, request.user, pk=pk)
    return _organisation_edit(request, organisation)


@role_required(Role.SYSTEM_ADMIN)
def _organisation_edit(request, organisation):
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.organisation_update(
                actor=request.user,
                organisation=organisation,
                **{field: data[field] for field in services.EDITABLE_ORG_FIELDS},
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已保存单位“{data['name']}”。")
            return redirect("accounts:organisation_list")
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "organisation": organisation, "page_title": f"编辑单位：{organisation.name}"},
    )


# ---- users ------------------------------------------------------------------------------------------

USER_EXPORT_HEADERS = ["用户名", "姓名", "所属单位", "角色", "联系电话", "状态", "须修改密码"]


def _filtered_users(request):
    form = UserFilterForm(request.GET or None)
    users = User.objects.select_related("organisation").prefetch_related("role_grants")
    if form.is_valid():
        data = form.cleaned_data
        if data["organisation"]:
            users = users.filter(organisation=data["organisation"])
        if data["role"]:
            users = users.filter(role_grants__role=data["role"])
        if data["q"]:
            users = users.filter(Q(full_name__contains=data["q"]) | Q(username__contains=data["q"]))
    elif form.is_bound:
        users = users.none()
    return form, users.order_by("organisation__region_code", "organisation__name", "username")


def _role_labels(user) -> str:
    return "、".join(
        Role(g.role).label for g in sorted(user.role_grants.all(), key=lambda g: Role.values.index(g.role))
    )


@role_required(Role.SYSTEM_ADMIN)
def user_list(request):
    form, users = _filtered_users(request)
    if request.GET.get("export") == "xlsx":
        rows = (
            (
                u.username,
                u.full_name,
                u.organisation.name,
                _role_labels(u),
                u.phone,
                "启用" if u.is_active else "停用",
                "是" if u.must_change_password else "否",
            )
            for u in users.iterator(chunk_size=1000)
        )
        return xlsx_response("用户.xlsx", "用户", USER_EXPORT_HEADERS, rows)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    for u in page:
        u.role_labels = _role_labels(u)
    return render(request, "accounts/user_list.html", {"form": form, "page": page, "page_title": "用户管理"})


@role_required(Role.SYSTEM_ADMIN)
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                organisation=data["organisation"],
                phone=data["phone"],
                roles=data["roles"],
                password=data["password"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已创建用户{user}，首次登录须修改初始密码。")
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "page_title": "新增用户"})


USER_ACTIONS = ("grant", "revoke", "reset_password", "activate", "deactivate")


def _user_action(request, target, action: str, forms_: dict) -> str | None:
    """Run one POSTed action through its service; return the success message, or None if a form is invalid."""
    if action == "grant":
        form = forms_["grant"] = RoleForm(request.POST, prefix="grant")
        if not form.is_valid():
            return None
        services.role_grant(actor=request.user, user=target, role=form.cleaned_data["role"])
        return f"已授予{Role(form.cleaned_data['role']).label}角色。"
    if action == "revoke":
        form = forms_["revoke"] = RoleForm(request.POST, prefix="revoke")
        if not form.is_valid():
            return None
        services.role_revoke(actor=request.user, user=target, role=form.cleaned_data["role"])
        return f"已撤销{Role(form.cleaned_data['role']).label}角色。"
    if action == "reset_password":
        form = forms_["reset_password"] = PasswordResetForm(request.POST, prefix="reset")
        if not form.is_valid():
            return None
        services.password_reset(actor=request.user, user=target, new_password=form.cleaned_data["password"])
        return "已重置密码，用户下次登录须修改密码。"
    services.user_set_active(actor=request.user, user=target, active=action == "activate")
    return "账号已启用。" if action == "activate" else "账号已停用。"


@role_required(Role.SYSTEM_ADMIN)
def user_detail(request, pk: int):
    target = User.objects.select_related("organisation").filter(pk=pk).first()
    if target is None:
        raise NotFound("用户不存在")
    forms_ = {
        "grant": RoleForm(prefix="grant"),
        "revoke": RoleForm(prefix="revoke"),
        "reset_password": PasswordResetForm(prefix="reset"),
    }
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in USER_ACTIONS:
            error = "未知的操作"
        else:
            try:
                done = _user_action(request, target, action, forms_)
            except ServiceError as exc:
                error = exc.message
                if action in forms_:
                    form_error(forms_[action], exc)
            else:
                if done is not None:
                    messages.success(request, done)
                    return redirect("accounts:user_detail", pk=target.pk)
                error = "请检查填写的内容"
        target.refresh_from_db()
    held = sorted(target.role_grants.all(), key=lambda g: Role.values.index(g.role))
    forms_["grant"].fields["role"].choices = [c for c in Role.choices if c[0] not in {g.role for g in held}]
    forms_["revoke"].fields["role"].choices = [(g.role, g.get_role_display()) for g in held]
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "grants": held,
            "forms": forms_,
            "error": error,
            "is_self": target.pk == request.user.pk,
            "page_title": f"用户：{target.full_name}",
        },
        status=400 if error else 200,
    )


# ---- security settings (security administrator) -----------------------------------------------------


def _security_settings() -> list[tuple[str, str, str]]:
    """(item, effective value, environment variable) as this process runs them."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off()
    lock_minutes = (
        f"{round(cool_off.total_seconds() / 60)} 分钟" if cool_off else "不自动解锁（须安全管理员解锁）"
    )
    min_length = next(
        (
            v.get("OPTIONS", {}).get("min_length", 8)
            for v in settings.AUTH_PASSWORD_VALIDATORS
            if v["NAME"].endswith("MinimumLengthValidator")
        ),
        None,
    )
    hasher = settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1].removesuffix("PasswordHasher")
    return [
        ("连续登录失败锁定次数", f"{settings.AXES_FAILURE_LIMIT} 次", "SKILLBRIDGE_LOCKOUT_FAILURES"),
        ("锁定时长", lock_minutes, "SKILLBRIDGE_LOCKOUT_MINUTES"),
        (
            "空闲超时（无操作自动退出）",
            f"{settings.SESSION_COOKIE_AGE // 60} 分钟",
            "SKILLBRIDGE_IDLE_MINUTES",
        ),
        ("关闭浏览器即退出登录", "是" if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE else "否", ""),
        ("密码最小长度", f"{min_length} 位" if min_length else "不限", ""),
        ("密码复杂度", "小写字母、大写字母、数字、特殊字符中的至少三类", ""),
        ("密码存储算法", hasher, ""),
        (
            "新用户首次登录须修改初始密码",
            "否（演示模式）" if settings.DEMO_MODE else "是",
            "SKILLBRIDGE_DEMO",
        ),
    ]


@role_required(Role.SECURITY_ADMIN)
def security(request):
    if request.method == "POST":
        username = request.POST.get("username", "")
        try:
            services.account_unlock(actor=request.user, username=username)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已解锁账号“{username}”。")
        return redirect("accounts:security")
    return render(
        request,
        "accounts/security.html",
        {
            "items": _security_settings(),
            "password_rules": password_validation.password_validators_help_texts(),
            "locked": _locked_accounts(),
            "page_title": "安全设置",
        },
    )


def _locked_accounts() -> list[dict]:
    """Accounts django-axes refuses right now: failures inside the cool-off window reach the limit."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.exclude(username=None)
    if cool_off := get_cool_off():
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    locked = {
        row["username"]: row
        for row in attempts.values("username")
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last_attempt")
    }
    for attempt in attempts.filter(username__in=locked).order_by("attempt_time"):
        locked[attempt.username]["ip_address"] = attempt.ip_address  # the latest attempt's address wins
    return list(locked.values())
