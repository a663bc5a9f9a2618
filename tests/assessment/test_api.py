import pytest

from skillbridge.assessment.models import AssessmentApplication, AssessmentResult
from skillbridge.certificates.models import Certificate

from .conftest import EVALUATOR, approve_all

pytestmark = pytest.mark.django_db


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_create_submit_results_and_certificates(client, setup, completed_class, people):
    zhao, qian, sun = people
    client.force_login(setup.user("ly_operator"))
    payload = {
        "class_id": completed_class.pk,
        "examiner_id": setup.orgs[EVALUATOR].pk,
        "assessment_date": "2026-11-05",
        "candidates": 2,
        "filled_on": "2026-10-29",
    }
    response = post(client, "/api/v1/assessment/applications", payload)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["route"], body["certificate_type"], body["subject_display"], body["problems"]) == (
        "evaluation",
        "skill_level",
        "电工（五级/初级工）",
        [],
    )
    pk = body["id"]
    submitted = post(client, f"/api/v1/assessment/applications/{pk}/submit").json()
    assert submitted["status"] == "in_review"
    assert [s["org_name"] for s in submitted["stages"]] == [
        "常州市职业技能鉴定指导中心",
        "常州监狱",
        "江苏省监狱管理局",
        "常州市人力资源和社会保障局",
    ]
    approve_all(setup, AssessmentApplication.objects.get(pk=pk))
    client.force_login(setup.user("cz_eval_operator"))
    bad = post(
        client,
        f"/api/v1/assessment/applications/{pk}/results",
        {"results": [
            {"person_id": zhao.pk, "theory_score": 80, "practical_score": 90, "outcome": "passed"},
            {"person_id": qian.pk, "theory_score": 80, "practical_score": 90, "outcome": "passed"},
        ]},
    )  # fmt: skip
    assert bad.status_code == 400
    assert bad.json()["code"] == "row_errors"
    assert bad.json()["details"] == [
        {"row": 2, "field": "person", "message": "钱二在本班的状态为“未结业”，未结业不能参加鉴定"}
    ]
    assert AssessmentResult.objects.count() == 0
    saved = post(
        client,
        f"/api/v1/assessment/applications/{pk}/results",
        {"results": [
            {"person_id": zhao.pk, "theory_score": 80, "practical_score": 90, "outcome": "passed"},
            {"person_id": sun.pk, "outcome": "absent"},
        ]},
    )  # fmt: skip
    assert saved.json() == {"created": 2, "updated": 0}
    results = client.get(f"/api/v1/assessment/applications/{pk}/results").json()
    by_name = {r["person_name"]: r for r in results}
    assert by_name["孙三"]["outcome_display"] == "缺考"
    refused = post(
        client,
        f"/api/v1/assessment/applications/{pk}/certificates",
        {
            "issue_date": "2026-11-20",
            "items": [{"result_id": by_name["孙三"]["id"], "official_number": "X1"}],
        },
    )
    assert refused.status_code == 400
    assert refused.json()["details"][0]["message"] == "孙三鉴定结果为“缺考”，不能颁发证书"
    issued = post(
        client,
        f"/api/v1/assessment/applications/{pk}/certificates",
        {
            "issue_date": "2026-11-20",
            "items": [{"result_id": by_name["赵一"]["id"], "official_number": "S000032040005261000123"}],
        },
    )
    assert issued.status_code == 201
    assert issued.json()[0]["official_number"] == "S000032040005261000123"
    assert Certificate.objects.get().person == zhao


def test_route_endpoint(client, setup, completed_class):
    client.force_login(setup.user("ly_operator"))
    by_class = client.get(f"/api/v1/assessment/route?class_id={completed_class.pk}").json()
    assert (by_class["route"], by_class["certificate_type_name"]) == ("evaluation", "职业技能等级证书")
    welder = client.get("/api/v1/assessment/route?occupation_code=6-18-02-04").json()
    assert (welder["certificate_type"], welder["examiner_org_type"]) == (
        "qualification",
        "evaluation_institution",
    )
    other = client.get("/api/v1/assessment/route?occupation_code=4-03-02-03").json()
    assert (other["route"], other["certificate_type"], other["examiner_org_type"]) == (
        "completion",
        "training",
        "training_institution",
    )
    missing = client.get("/api/v1/assessment/route?occupation_code=9-99-99-99")
    assert (missing.status_code, missing.json()["field"]) == (400, "occupation_code")
    client.force_login(setup.user("xk_operator"))
    assert client.get(f"/api/v1/assessment/route?class_id={completed_class.pk}").status_code == 404


def test_api_scope(client, setup, approved, people):
    for username in ("xk_operator", "ah_prison_operator", "czjs_operator"):
        client.force_login(setup.user(username))
        assert client.get("/api/v1/assessment/applications").json()["count"] == 0
        for url in (
            f"/api/v1/assessment/applications/{approved.pk}",
            f"/api/v1/assessment/applications/{approved.pk}/results",
        ):
            response = client.get(url)
            assert (response.status_code, response.json()["code"]) == (404, "not_found"), url
        response = post(
            client,
            f"/api/v1/assessment/applications/{approved.pk}/results",
            {"results": [{"person_id": people[0].pk, "theory_score": 80, "outcome": "passed"}]},
        )
        assert response.status_code == 404
    assert AssessmentResult.objects.count() == 0
    # Another unit cannot build an application on 溧阳监狱's class.
    client.force_login(setup.user("xk_operator"))
    response = post(
        client,
        "/api/v1/assessment/applications",
        {
            "class_id": approved.training_class_id,
            "examiner_id": setup.orgs[EVALUATOR].pk,
            "assessment_date": "2026-11-05",
            "candidates": 1,
        },
    )
    assert (response.status_code, response.json()["field"]) == (400, "class_id")
    client.force_login(setup.user("cz_hrss_reviewer"))
    assert client.get("/api/v1/assessment/applications").json()["count"] == 1
    forbidden = post(
        client,
        f"/api/v1/assessment/applications/{approved.pk}/results",
        {"results": [{"person_id": people[0].pk, "theory_score": 80, "outcome": "passed"}]},
    )
    assert forbidden.status_code == 403
    assert AssessmentApplication.objects.count() == 1 and AssessmentResult.objects.count() == 0
