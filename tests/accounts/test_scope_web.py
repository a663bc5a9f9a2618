"""Data scope through the web pages: each user sees only the organisations of their scope."""

from django.urls import reverse

from skillbridge.accounts.models import Organisation
from skillbridge.audit.models import AuditEvent


def listed_names(response) -> list[str]:
    return [o.name for o in response.context["page"]]


def test_prison_user_sees_only_itself(client, users, orgs):
    client.force_login(users["ly_operator"])
    response = client.get(reverse("accounts:organisation_list"))
    assert response.status_code == 200
    assert listed_names(response) == ["溧阳监狱"]
    assert "常州监狱" not in response.content.decode()
    assert response.context["can_manage"] is False
    assert "新增</a>" not in response.content.decode()


def test_prison_user_cannot_open_another_units_edit_page(client, users, orgs):
    client.force_login(users["ly_operator"])
    target = orgs["常州监狱"]
    before = list(Organisation.objects.values_list("pk", "name", "region_code", "policy_pack").order_by("pk"))
    events_before = AuditEvent.objects.count()

    get = client.get(reverse("accounts:organisation_edit", args=[target.pk]))
    post = client.post(
        reverse("accounts:organisation_edit", args=[target.pk]),
        {"name": "改名监狱", "region_code": "320404", "policy_pack": "changzhou", "is_active": "on"},
    )

    assert get.status_code == 404
    assert post.status_code == 404
    assert "页面不存在，或不在您的数据权限范围内。" in get.content.decode()
    assert (
        list(Organisation.objects.values_list("pk", "name", "region_code", "policy_pack").order_by("pk"))
        == before
    )
    denied = list(AuditEvent.objects.filter(pk__gt=0).order_by("id")[events_before:])
    assert [(e.action, e.outcome, e.object_type, e.object_id, e.actor_id) for e in denied] == [
        ("scope.denied", "denied", "accounts.organisation", str(target.pk), users["ly_operator"].pk)
    ] * 2


def test_prison_user_own_edit_page_is_forbidden(client, users, orgs):
    client.force_login(users["ly_operator"])
    own = orgs["溧阳监狱"]
    response = client.post(
        reverse("accounts:organisation_edit", args=[own.pk]),
        {"name": "溧阳监狱（改）", "region_code": "320481", "policy_pack": "changzhou"},
    )
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.name == "溧阳监狱"
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.outcome, event.object_repr) == (
        "page.denied",
        "denied",
        f"/organisations/{own.pk}/edit/",
    )


def test_missing_organisation_is_404_for_admin(admin_client, orgs):
    missing = max(o.pk for o in orgs.values()) + 100
    events_before = AuditEvent.objects.count()
    response = admin_client.get(reverse("accounts:organisation_edit", args=[missing]))
    assert response.status_code == 404
    # Nothing exists to hide, so nothing to audit as a scope probe.
    assert AuditEvent.objects.count() == events_before


def test_city_hrss_sees_the_city_prisons_not_anhui(client, users, orgs):
    client.force_login(users["cz_hrss"])
    response = client.get(reverse("accounts:organisation_list"))
    # The city's units (prisons and the rehab centre located in 3204) and the bureau itself.
    assert listed_names(response) == [
        "常州市人力资源和社会保障局",
        "常州监狱",
        "江苏省常州强制隔离戒毒所",
        "新康监狱",
        "溧阳监狱",
    ]
    assert {"常州监狱", "溧阳监狱", "新康监狱"} <= set(listed_names(response))
    assert "安徽省蜀山监狱" not in response.content.decode()


def test_city_hrss_filters_stay_inside_scope(client, users, orgs):
    client.force_login(users["cz_hrss"])
    response = client.get(reverse("accounts:organisation_list"), {"org_type": "prison"})
    assert listed_names(response) == ["常州监狱", "新康监狱", "溧阳监狱"]
    response = client.get(reverse("accounts:organisation_list"), {"region": "34"})
    assert listed_names(response) == []
    response = client.get(reverse("accounts:organisation_list"), {"q": "溧阳"})
    assert listed_names(response) == ["溧阳监狱"]


def test_provincial_prison_bureau_sees_province_prisons_not_rehab(client, users, orgs):
    client.force_login(users["js_bureau"])
    response = client.get(reverse("accounts:organisation_list"))
    assert listed_names(response) == ["江苏省监狱管理局", "常州监狱", "新康监狱", "溧阳监狱"]
    assert "江苏省常州强制隔离戒毒所" not in response.content.decode()
    assert "安徽省蜀山监狱" not in response.content.decode()


def test_institution_sees_only_itself(client, users, orgs):
    client.force_login(users["czjs_operator"])
    response = client.get(reverse("accounts:organisation_list"))
    assert listed_names(response) == ["常州技师学院"]


def test_export_uses_the_same_scope_and_filters(client, users, orgs):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(users["cz_hrss"])
    response = client.get(reverse("accounts:organisation_export"), {"org_type": "prison"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("名称", "类型", "行政区划代码", "上级单位", "牵头单位", "政策包", "状态")
    assert [r[0] for r in rows[1:]] == ["常州监狱", "新康监狱", "溧阳监狱"]
    assert rows[1][1:5] == ("监狱", "320404", "江苏省监狱管理局", "是")
    assert rows[1][6] == "启用"


def test_system_admin_sees_all_with_manage_buttons(admin_client, orgs):
    response = admin_client.get(reverse("accounts:organisation_list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == len(orgs)
    html = response.content.decode()
    assert reverse("accounts:organisation_create") in html
    assert reverse("accounts:organisation_edit", args=[orgs["安徽省蜀山监狱"].pk]) in html
