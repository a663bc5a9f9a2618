import pytest

from skillbridge.planning.models import Agreement, AnnualPlan, PlanItem

from .conftest import AGREEMENT, ELECTRICIAN, approve_all

pytestmark = pytest.mark.django_db

ITEM = {
    "category": "employment",
    "occupation_code": ELECTRICIAN,
    "level": 5,
    "planned_trainees": 20,
    "budget": "24000",
}


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def create(client, **changes):
    return post(client, "/api/v1/planning/plans", {"year": 2027, "items": [ITEM], **changes})


def test_plan_lifecycle(client, demo):
    client.force_login(demo.user("ly_operator"))
    response = create(client)
    assert response.status_code == 201, response.json()
    plan = response.json()
    assert (plan["status"], plan["due_date"], plan["total_trainees"]) == ("draft", "2026-11-30", 20)
    pid = plan["id"]
    item = post(
        client,
        f"/api/v1/planning/plans/{pid}/items",
        {**ITEM, "occupation_code": "4-03-02-02", "planned_trainees": 10, "budget": "10000"},
    )
    assert item.status_code == 201
    item_id = item.json()["id"]
    response = client.put(
        f"/api/v1/planning/plans/{pid}/items/{item_id}",
        {**ITEM, "planned_trainees": 12, "budget": "12000"},
        content_type="application/json",
    )
    assert response.json()["planned_trainees"] == 12
    assert client.delete(f"/api/v1/planning/plans/{pid}/items/{item_id}").status_code == 204
    submitted = post(client, f"/api/v1/planning/plans/{pid}/submit", {}).json()
    assert submitted["status"] == "in_review"
    assert [s["org_name"] for s in submitted["stages"]] == [
        "常州监狱",
        "江苏省监狱管理局",
        "常州市人力资源和社会保障局",
    ]
    again = post(client, f"/api/v1/planning/plans/{pid}/submit", {})
    assert again.status_code == 409 and again.json()["field"] == "status"
    edit = post(client, f"/api/v1/planning/plans/{pid}/items", ITEM)
    assert edit.status_code == 409 and "不能修改计划项目" in edit.json()["message"]
    assert PlanItem.objects.filter(plan_id=pid).count() == 1
    listed = client.get("/api/v1/planning/plans", {"year": 2027}).json()
    assert listed["count"] == 1 and listed["items"][0]["unit_name"] == "溧阳监狱"
    download = client.get(f"/api/v1/planning/plans/{pid}/forms/cz2")
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxml")

    approve_all(demo, AnnualPlan.objects.get(pk=pid))
    adjustment = post(
        client,
        f"/api/v1/planning/plans/{pid}/adjustments",
        {
            "kind": "temporary",
            "reason": "临时增加",
            "items": [{**ITEM, "occupation_code": "4-10-01-06", "budget": "16000"}],
        },
    )
    assert adjustment.status_code == 201
    body = adjustment.json()
    assert (body["kind"], body["based_on_id"], body["total_trainees"]) == ("temporary", pid, 20)
    assert [v["kind"] for v in body["versions"]] == ["annual", "temporary"]


@pytest.mark.parametrize(
    ("item", "field", "message"),
    [
        ({"planned_trainees": 0}, "planned_trainees", "第1项：计划培训人数须大于0"),
        ({"occupation_code": "9-99-99-99"}, "occupation_code", "第1项：职业编码“9-99-99-99”不存在"),
        ({"category": "other"}, "category", "第1项：请选择培训类别"),
    ],
)
def test_bad_items_change_nothing(client, demo, item, field, message):
    client.force_login(demo.user("ly_operator"))
    response = create(client, items=[{**ITEM, **item}])
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and body["message"].startswith(message)
    assert AnnualPlan.objects.count() == 0


def test_duplicate_is_conflict(client, demo):
    client.force_login(demo.user("ly_operator"))
    assert create(client).status_code == 201
    response = create(client)
    assert response.status_code == 409 and response.json()["field"] == "year"
    assert AnnualPlan.objects.count() == 1


def test_scope(client, demo):
    client.force_login(demo.user("ly_operator"))
    pid = create(client).json()["id"]
    item_id = PlanItem.objects.get().pk
    client.force_login(demo.user("xk_operator"))
    assert client.get("/api/v1/planning/plans").json()["count"] == 0
    for response in (
        client.get(f"/api/v1/planning/plans/{pid}"),
        post(client, f"/api/v1/planning/plans/{pid}/submit", {}),
        post(client, f"/api/v1/planning/plans/{pid}/items", ITEM),
        client.delete(f"/api/v1/planning/plans/{pid}/items/{item_id}"),
        client.get(f"/api/v1/planning/plans/{pid}/forms/cz2"),
    ):
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert PlanItem.objects.count() == 1
    assert AnnualPlan.objects.get().review.status == "draft"
    client.force_login(demo.user("ly_operator"))
    post(client, f"/api/v1/planning/plans/{pid}/submit", {})
    for username in ("cz_reviewer", "js_bureau_reviewer", "cz_hrss_reviewer"):
        client.force_login(demo.user(username))
        assert client.get(f"/api/v1/planning/plans/{pid}").status_code == 200, username
    client.force_login(demo.user("ah_prison_bureau"))
    assert client.get(f"/api/v1/planning/plans/{pid}").status_code == 404


def test_anhui_compilation(client, demo):
    client.force_login(demo.user("ah_prison_operator"))
    plan = create(client, items=[{**ITEM, "budget": None, "planned_trainees": 10}]).json()
    assert plan["due_date"] == "2027-01-31" and plan["total_budget"] == "12000.00"
    post(client, f"/api/v1/planning/plans/{plan['id']}/submit", {})
    client.force_login(demo.user("ah_prison_bureau"))
    rows = client.get("/api/v1/planning/compilation", {"year": 2027}).json()
    assert rows == [
        {
            "city": "合肥市",
            "unit_id": plan["unit_id"],
            "unit_name": "安徽省蜀山监狱",
            "plan_id": plan["id"],
            "status": "审核中",
            "trainees": 10,
            "budget": "12000.00",
        }
    ]
    assert client.get("/api/v1/planning/compilation/forms/ah2", {"year": 2027}).status_code == 200


def agreement_json(institution_id, **changes):
    data = {**AGREEMENT, "institution_id": institution_id, **changes}
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def test_agreements(client, catalog):
    client.force_login(catalog.user("ly_operator"))
    institution = catalog.orgs["常州技师学院"]
    bad = post(
        client,
        "/api/v1/planning/agreements",
        agreement_json(institution.pk, valid_from="2026-12-31", valid_to="2026-01-01"),
    )
    assert bad.status_code == 400 and bad.json()["field"] == "valid_to"
    expired = post(
        client,
        "/api/v1/planning/agreements",
        agreement_json(institution.pk, valid_from="2028-01-01", valid_to="2028-12-31"),
    )
    assert expired.status_code == 400 and expired.json()["field"] == "institution"
    assert Agreement.objects.count() == 0
    created = post(client, "/api/v1/planning/agreements", agreement_json(institution.pk))
    assert created.status_code == 201
    aid = created.json()["id"]
    patched = client.patch(
        f"/api/v1/planning/agreements/{aid}", {"trainees": 40}, content_type="application/json"
    )
    assert patched.json()["trainees"] == 40
    signed = post(
        client,
        f"/api/v1/planning/agreements/{aid}/sign",
        {
            "unit_signatory": "孙建国",
            "unit_signed_on": "2025-12-20",
            "institution_signatory": "周建华",
            "institution_signed_on": "2025-12-20",
        },
    )
    assert signed.json()["status"] == "signed"
    assert client.get(f"/api/v1/planning/agreements/{aid}/pdf").content.startswith(b"%PDF")
    client.force_login(catalog.user("xk_operator"))
    assert (
        post(
            client,
            f"/api/v1/planning/agreements/{aid}/terminate",
            {"terminated_on": "2026-03-01", "reason": "x"},
        ).status_code
        == 404
    )
    client.force_login(catalog.user("czjs_operator"))
    assert client.get("/api/v1/planning/agreements").json()["count"] == 1
    client.force_login(catalog.user("ly_operator"))
    ended = post(
        client,
        f"/api/v1/planning/agreements/{aid}/terminate",
        {"terminated_on": "2026-03-01", "reason": "停办"},
    )
    assert ended.json()["status"] == "terminated"
