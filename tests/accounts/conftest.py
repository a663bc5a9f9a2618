"""Organisations and accounts built through the services, as in production (a subset of the demo set-up)."""

import pytest

from skillbridge.accounts import services
from skillbridge.accounts.models import Organisation, User

PASSWORD = "Ab3$defghij"

# name, type, region code, policy pack, parent name
ORGANISATIONS = [
    ("平台运维中心", "platform", "320000", "jiangsu-special", None),
    ("江苏省监狱管理局", "provincial_prison_bureau", "320000", "jiangsu-special", None),
    ("常州监狱", "prison", "320404", "changzhou", "江苏省监狱管理局"),
    ("溧阳监狱", "prison", "320481", "changzhou", "江苏省监狱管理局"),
    ("新康监狱", "prison", "320412", "changzhou", "江苏省监狱管理局"),
    ("江苏省常州强制隔离戒毒所", "rehab_centre", "320411", "jiangsu-special", None),
    ("常州市人力资源和社会保障局", "city_hrss", "320400", "changzhou", None),
    ("常州技师学院", "training_institution", "320400", "changzhou", None),
    ("安徽省监狱管理局", "provincial_prison_bureau", "340000", "anhui", None),
    ("安徽省蜀山监狱", "prison", "340104", "anhui", "安徽省监狱管理局"),
]

# username, organisation, roles
ACCOUNTS = [
    ("sysadmin", "平台运维中心", ["system_admin"]),
    ("secadmin", "平台运维中心", ["security_admin"]),
    ("auditor", "平台运维中心", ["auditor"]),
    ("ly_operator", "溧阳监狱", ["operator"]),
    ("cz_hrss", "常州市人力资源和社会保障局", ["reviewer"]),
    ("js_bureau", "江苏省监狱管理局", ["reviewer"]),
    ("czjs_operator", "常州技师学院", ["operator"]),
]


@pytest.fixture
def orgs(db) -> dict[str, Organisation]:
    made: dict[str, Organisation] = {}
    for name, org_type, region, pack, parent in ORGANISATIONS:
        made[name] = services.organisation_create(
            actor=None,
            name=name,
            org_type=org_type,
            region_code=region,
            policy_pack=pack,
            parent=made[parent] if parent else None,
            is_lead_unit=name == "常州监狱",
        )
    return made


@pytest.fixture
def users(orgs) -> dict[str, User]:
    return {
        username: services.user_create(
            actor=None,
            username=username,
            full_name=f"{username}姓名",
            organisation=orgs[org],
            roles=roles,
            password=PASSWORD,
            must_change_password=False,
        )
        for username, org, roles in ACCOUNTS
    }


@pytest.fixture
def admin_client(client, users):
    client.force_login(users["sysadmin"])
    return client
