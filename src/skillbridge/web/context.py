"""Navigation by role: each user sees only the menu entries of the work they do, grouped by stage of work."""

from django.urls import reverse

SYSTEM_NAME = "特殊人群职业技能培训及评价管理平台"

# (group label, ((label, url name), …)) — every business user; the data scope decides what they see inside.
BUSINESS_MENU = (
    ("工作台", (("待办事项", "home"), ("审核事项", "approvals:case_list"))),
    ("人员与计划", (("人员信息", "registry:person_list"), ("年度计划", "planning:plan_list"))),
    (
        "培训与鉴定",
        (
            ("培训班", "training:class_list"),
            ("鉴定申报", "assessment:application_list"),
            ("证书管理", "certificates:certificate_list"),
        ),
    ),
    ("补贴与资金", (("补贴申领", "subsidies:claim_list"), ("专项资金", "funds:account_list"))),
    ("就业与监督", (("就业服务", "employment:index"), ("监督检查", "supervision:finding_list"))),
    ("统计分析", (("统计报表", "reporting:dashboard"),)),
    (
        "基础数据",
        (
            ("组织机构", "accounts:organisation_list"),
            ("目录与机构", "catalog:index"),
            ("Excel导入", "imports:job_list"),
            ("政策参数", "policy:pack_list"),
        ),
    ),
)
# Organisations whose work is a single domain see only that part (a public employment service has no unit scope).
MENU_BY_ORG_TYPE = {
    "public_employment_service": (
        ("工作台", (("待办事项", "home"),)),
        ("就业服务", (("就业服务", "employment:index"),)),
    ),
}
# (label, url name, role that sees it)
PLATFORM_MENU = (
    ("用户管理", "accounts:user_list", "system_admin"),
    ("组织机构管理", "accounts:organisation_list", "system_admin"),
    ("安全设置", "accounts:security", "security_admin"),
    ("审计日志", "audit:event_list", "auditor"),
)
PLATFORM_ROLE_CODES = {"system_admin", "security_admin", "auditor"}


def menu_for(user) -> list[dict]:
    """Groups of entries: [{"label": group or "", "items": [{"label", "url"}]}]."""
    if not user.is_authenticated:
        return []
    roles = user.roles
    if roles & PLATFORM_ROLE_CODES:
        items = [(label, name) for label, name, role in PLATFORM_MENU if role in roles]
        groups = [("系统管理", items)]
    else:
        groups = MENU_BY_ORG_TYPE.get(user.organisation.org_type, BUSINESS_MENU)
    return [
        {"label": group, "items": [{"label": label, "url": reverse(name)} for label, name in items]}
        for group, items in groups
    ]


def navigation(request):
    user = request.user
    return {"system_name": SYSTEM_NAME, "menu": menu_for(user) if hasattr(request, "user") else []}
