import json

import pytest
from django.test import Client

from skillbridge.approvals import services
from skillbridge.approvals.models import ReviewStage
from skillbridge.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "Skill@2026demo"


def token_for(client, username):
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def bearer(client, username):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_for(client, username)}"}


def submitted_plan(demo, username="ly_operator"):
    actor = demo.user(username)
    case = services.review_create(
        actor=actor, doc_type="annual_plan", title="2027年度计划", unit=actor.organisation
    )
    return services.review_submit(actor=actor, case=case)


def test_token_then_me(client, demo):
    response = client.get("/api/v1/me", **bearer(client, "ly_operator"))
    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["full_name"], body["roles"]) == (
        "ly_operator",
        "溧阳监狱教育科经办",
        ["operator"],
    )
    assert body["organisation"]["name"] == "溧阳监狱"
    assert body["organisation"]["org_type_display"] == "监狱"
    assert body["organisation"]["region_code"] == "320481"


def test_wrong_password_gets_the_json_error_format(client, demo):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "ly_operator", "password": "wrong"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthorized",
        "message": "未登录，或访问令牌无效、已过期",
        "field": None,
        "details": [],
    }


def test_no_credentials_and_bad_token_are_401(client, demo):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer nonsense").json()["code"] == "unauthorized"


def test_validation_error_names_the_field(client, demo):
    case = submitted_plan(demo)
    response = client.post(
        f"/api/v1/reviews/{case.pk}/approve",
        {},
        content_type="application/json",
        **bearer(client, "cz_reviewer"),
    )
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"], body["message"]) == (
        "validation_error",
        "stage_id",
        "参数“stage_id”不正确",
    )
    assert ReviewStage.objects.filter(case=case).exclude(decision="").count() == 0


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("ly_operator", ["溧阳监狱"]),
        ("cz_hrss_reviewer", ["常州市人力资源和社会保障局", "常州监狱", "新康监狱", "溧阳监狱"]),
        ("js_bureau_reviewer", ["江苏省监狱管理局", "常州监狱", "新康监狱", "溧阳监狱"]),
        ("ah_prison_bureau", ["安徽省监狱管理局", "安徽省蜀山监狱"]),
        ("ah_rehab_bureau", ["安徽省戒毒管理局", "安徽省合肥强制隔离戒毒所"]),
        ("czjs_operator", ["常州技师学院"]),
    ],
)
def test_organisations_are_scoped(client, demo, username, expected):
    response = client.get("/api/v1/organisations", {"page_size": 100}, **bearer(client, username))
    body = response.json()
    assert body["count"] == len(expected)
    assert [o["name"] for o in body["items"]] == expected


def test_organisation_outside_scope_is_404_and_audited(client, demo):
    other = demo.orgs["安徽省蜀山监狱"]
    response = client.get(f"/api/v1/organisations/{other.pk}", **bearer(client, "ly_operator"))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    denied = AuditEvent.objects.get(action="scope.denied")
    assert (denied.actor.username, denied.object_id, denied.outcome) == (
        "ly_operator",
        str(other.pk),
        "denied",
    )


def test_pagination(client, demo):
    headers = bearer(client, "sysadmin")
    first = client.get("/api/v1/organisations", {"page": 1, "page_size": 5}, **headers).json()
    last = client.get("/api/v1/organisations", {"page": 4, "page_size": 6}, **headers).json()
    assert (first["count"], first["page"], first["page_size"], len(first["items"])) == (20, 1, 5, 5)
    assert len(last["items"]) == 2
    too_big = client.get("/api/v1/organisations", {"page_size": 1000}, **headers)
    assert too_big.status_code == 422
    assert too_big.json()["field"] == "page_size"


def test_review_inbox_and_approval_through_the_api(client, demo):
    case = submitted_plan(demo)
    headers = bearer(client, "cz_reviewer")
    inbox = client.get("/api/v1/reviews/inbox", **headers).json()
    assert [(i["kind"], i["case"]["id"], i["overdue"]) for i in inbox] == [("review", case.pk, False)]
    response = client.post(
        f"/api/v1/reviews/{case.pk}/approve",
        {"stage_id": case.current_stage_id, "opinion": "同意上报"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_review"
    assert [(s["name"], s["decision"], s["opinion"]) for s in body["stages"]] == [
        ("牵头监狱汇总", "approve", "同意上报"),
        ("省监狱管理局审核确认备案", "", ""),
        ("市人社局核准", "", ""),
    ]
    assert client.get("/api/v1/reviews/inbox", **headers).json() == []


def test_out_of_turn_approval_is_403_and_changes_nothing(client, demo):
    case = submitted_plan(demo)
    response = client.post(
        f"/api/v1/reviews/{case.pk}/approve",
        {"stage_id": case.current_stage_id},
        content_type="application/json",
        **bearer(client, "cz_hrss_reviewer"),
    )
    assert response.status_code == 403
    assert response.json()["message"] == "当前环节为“牵头监狱汇总”，应由常州监狱办理"
    assert ReviewStage.objects.filter(case=case).exclude(decision="").count() == 0
    assert AuditEvent.objects.filter(action="request.denied", actor__username="cz_hrss_reviewer").count() == 1


def test_case_outside_scope_is_404_for_read_and_write(client, demo):
    case = submitted_plan(demo)
    headers = bearer(client, "ah_prison_bureau")
    assert client.get(f"/api/v1/reviews/{case.pk}", **headers).status_code == 404
    response = client.post(
        f"/api/v1/reviews/{case.pk}/approve",
        {"stage_id": case.current_stage_id},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
    assert ReviewStage.objects.filter(case=case).exclude(decision="").count() == 0
    listed = client.get("/api/v1/reviews", **headers).json()
    assert listed["count"] == 0


def test_chain_members_see_the_case_but_other_units_do_not(client, demo):
    case = submitted_plan(demo)
    for username in ("cz_reviewer", "js_bureau_reviewer", "cz_hrss_reviewer", "ly_operator"):
        assert client.get(f"/api/v1/reviews/{case.pk}", **bearer(client, username)).status_code == 200, (
            username
        )
    assert client.get(f"/api/v1/reviews/{case.pk}", **bearer(client, "xk_operator")).status_code == 404


def test_session_auth_requires_csrf_for_writes(demo):
    case = submitted_plan(demo)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(demo.user("cz_reviewer"))
    assert browser.get("/api/v1/me").status_code == 200
    response = browser.post(
        f"/api/v1/reviews/{case.pk}/approve",
        json.dumps({"stage_id": case.current_stage_id}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert ReviewStage.objects.filter(case=case).exclude(decision="").count() == 0


def test_token_refused_until_initial_password_is_changed(client, demo, settings):
    settings.DEMO_MODE = False
    headers = bearer(client, "ly_operator")
    demo.users["ly_operator"].__class__.objects.filter(username="ly_operator").update(
        must_change_password=True
    )
    response = client.get("/api/v1/me", **headers)
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"


def test_openapi_and_docs(client, demo):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "特殊人群职业技能培训及评价管理平台 API"
    for path in (
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/organisations",
        "/api/v1/reviews/inbox",
        "/api/v1/reviews/{case_id}/approve",
        "/api/v1/policy/packs/{code}",
    ):
        assert path in spec["paths"], path
    assert client.get("/api/v1/docs").status_code == 200


def test_policy_packs_are_readable(client, demo):
    headers = bearer(client, "ly_operator")
    codes = [p["code"] for p in client.get("/api/v1/policy/packs", **headers).json()]
    assert codes == ["anhui", "changzhou", "jiangsu-general", "jiangsu-special", "yancheng"]
    changzhou = client.get("/api/v1/policy/packs/changzhou", **headers).json()
    plan = next(c for c in changzhou["chains"] if c["doc_type"] == "annual_plan")
    assert [s["name"] for s in plan["stages"]] == ["牵头监狱汇总", "省监狱管理局审核确认备案", "市人社局核准"]
    missing = client.get("/api/v1/policy/packs/nowhere", **headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_api_docs_need_no_internet(client, demo):
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
