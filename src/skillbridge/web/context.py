"""Navigation by role: each user sees only the menu entries of the work they do."""

from django.urls import reverse

SYSTEM_NAME = "特殊人群职业技能培训及评价管理平台"

# (label, url name, roles that see it — None: every business user)
BUSINESS_MENU = (
    ("待办事项", "home", None),
    ("审核事项", "approvals:case_list", None),
    ("人员信息", "registry:person_list", None),
    ("年度计划", "planning:plan_list", None),
    ("培训班", "training:class_list", None),
    ("组织机构", "accounts:organisation_list", None),
    ("目录与机构", "catalog:index", None),
    ("Excel导入", "imports:job_list", None),
    ("政策参数", "policy:pack_list", None),
)
PLATFORM_MENU = (
    ("用户管理", "accounts:user_list", "system_admin"),
    ("组织机构管理", "accounts:organisation_list", "system_admin"),
    ("安全设置", "accounts:security", "security_admin"),
    ("审计日志", "audit:event_list", "auditor"),
)
PLATFORM_ROLE_CODES = {"system_admin", "security_admin", "auditor"}


def menu_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    roles = user.roles
    entries = [(label, name) for label, name, role in PLATFORM_MENU if role in roles]
    if not roles & PLATFORM_ROLE_CODES:
        entries = [(label, name) for label, name, _ in BUSINESS_MENU]
    return [{"label": label, "url": reverse(name)} for label, name in entries]


def navigation(request):
    user = request.user
    return {"system_name": SYSTEM_NAME, "menu": menu_for(user) if hasattr(request, "user") else []}
