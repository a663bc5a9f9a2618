import io

import pytest
from python_calamine import CalamineWorkbook

from skillbridge.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_auditor_browses_and_filters_the_log(client, demo):
    client.force_login(demo.user("auditor"))
    response = client.get("/audit/", {"action": "user.create"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "审计日志" in html
    assert html.count('<div class="sb-action-code">user.create</div>') == 29  # one per demo account
    assert html.count("新增用户") == 29
    assert "organisation.create" not in html
    assert "共 29 条" in html


def test_auditor_exports_the_filtered_log_as_xlsx(client, demo):
    client.force_login(demo.user("auditor"))
    response = client.get("/audit/export/", {"action": "organisation.create"})
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(
        io.BytesIO(b"".join(response.streaming_content))
    ).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[0] == [
        "序号",
        "时间",
        "操作人",
        "单位",
        "操作",
        "操作代码",
        "对象类型",
        "对象ID",
        "对象",
        "结果",
        "请求ID",
        "IP",
    ]
    assert len(rows) == 1 + 20
    assert {(r[4], r[5]) for r in rows[1:]} == {("新增单位", "organisation.create")}


def test_hash_chain_check_from_the_page(client, demo):
    client.force_login(demo.user("auditor"))
    html = client.get("/audit/", {"verify": "1"}).content.decode()
    assert f"哈希链完整：共校验 {AuditEvent.objects.count()} 条事件。" in html


@pytest.mark.parametrize("username", ["ly_operator", "sysadmin", "secadmin", "cz_hrss_reviewer"])
def test_nobody_but_the_auditor_reads_the_log(client, demo, username):
    client.force_login(demo.user(username))
    before = AuditEvent.objects.count()
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export/").status_code == 403
    denied = AuditEvent.objects.filter(outcome="denied", action="page.denied", actor__username=username)
    assert denied.count() == 2
    assert AuditEvent.objects.count() == before + 2
