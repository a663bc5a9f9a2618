"""The menu each kind of user gets: groups of business work, a single domain, or platform administration."""

from skillbridge.web.context import menu_for


def labels(user) -> list[tuple[str, list[str]]]:
    return [(group["label"], [item["label"] for item in group["items"]]) for group in menu_for(user)]


def test_a_prison_operator_gets_every_business_group(demo):
    assert labels(demo.user("cz_operator")) == [
        ("工作台", ["待办事项", "审核事项"]),
        ("人员与计划", ["人员信息", "年度计划"]),
        ("培训与鉴定", ["培训班", "鉴定申报", "证书管理"]),
        ("补贴与资金", ["补贴申领", "专项资金"]),
        ("就业与监督", ["就业服务", "监督检查"]),
        ("统计分析", ["统计报表"]),
        ("基础数据", ["组织机构", "目录与机构", "Excel导入", "政策参数"]),
    ]


def test_a_public_employment_service_gets_only_its_work(demo):
    assert labels(demo.user("cz_pes_operator")) == [("工作台", ["待办事项"]), ("就业服务", ["就业服务"])]


def test_platform_roles_get_only_their_administration(demo):
    assert labels(demo.user("sysadmin")) == [("系统管理", ["用户管理", "组织机构管理"])]
    assert labels(demo.user("auditor")) == [("系统管理", ["审计日志"])]
