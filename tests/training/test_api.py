import pytest

from skillbridge.training.models import Attendance, ClassApplication, Enrolment

from .conftest import ELECTRICIAN, approve_through_chain

pytestmark = pytest.mark.django_db


def payload(demo, **overrides):
    from skillbridge.catalog.models import Occupation

    data = {
        "institution_id": demo.orgs["常州技师学院"].pk,
        "plan_year": 2026,
        "category": "employment",
        "occupation_id": Occupation.objects.get(code=ELECTRICIAN).pk,
        "level": 5,
        "trainees": 20,
        "period_number": 1,
        "period_total": 2,
        "date_from": "2026-12-01",
        "date_to": "2026-12-20",
        "days": 18,
        "theory_hours": 48,
        "practice_hours": 72,
        "teachers": "王建国",
        "textbooks": "《电工（初级）》",
        "venue": "实训楼",
    }
    data.update(overrides)
    return data


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_application_crud_submit_and_class(client, cz):
    client.force_login(cz.user("ly_operator"))
    created = post(client, "/api/v1/training/applications", payload(cz))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["problems"], body["class_hours"]) == ("draft", [], 120)
    pk = body["id"]
    updated = client.put(
        f"/api/v1/training/applications/{pk}", payload(cz, trainees=25), content_type="application/json"
    )
    assert updated.json()["trainees"] == 25
    submitted = post(client, f"/api/v1/training/applications/{pk}/submit").json()
    assert [s["name"] for s in submitted["stages"]] == ["省监狱管理局意见", "市人社局意见"]
    again = post(client, f"/api/v1/training/applications/{pk}/submit")
    assert again.status_code == 409
    assert again.json() == {
        "code": "conflict",
        "message": "该办班申报当前状态为“审核中”，不能重复报送",
        "field": "status",
        "details": [],
    }
    assert (
        client.put(
            f"/api/v1/training/applications/{pk}", payload(cz), content_type="application/json"
        ).status_code
        == 409
    )
    application = ClassApplication.objects.get()
    approve_through_chain(cz, application.review, ["js_bureau_reviewer", "cz_hrss_reviewer"])
    classes = client.get("/api/v1/training/classes").json()
    assert classes["count"] == 1
    assert classes["items"][0]["subject_display"] == "就业技能培训：电工（五级/初级工）"
    detail = client.get(f"/api/v1/training/classes/{classes['items'][0]['id']}").json()
    assert detail["online_credit_ratio"] == "0.5" and detail["completion_ratio"] == "0.80"
    assert detail["data_entry"]["note"] == "本地政策未规定结业后学员信息录入时限"


def test_refused_submission_returns_every_problem(client, cz):
    client.force_login(cz.user("ly_operator"))
    pk = post(client, "/api/v1/training/applications", payload(cz, trainees=40)).json()["id"]
    response = post(client, f"/api/v1/training/applications/{pk}/submit")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("application_check", "trainees")
    assert (
        body["message"]
        == "培训人数：40人超过计划剩余名额30人（2026年度计划30人，本单位其他未被否决的办班申报已占0人）"
    )
    assert ClassApplication.objects.get().review_id is None


def test_enrol_sessions_bulk_attendance_online_and_complete(client, cz, training_class, trainees):
    client.force_login(cz.user("ly_operator"))
    base = f"/api/v1/training/classes/{training_class.pk}"
    added = post(client, f"{base}/enrolments", {"person_ids": [p.pk for p in trainees]})
    assert added.status_code == 201 and len(added.json()) == 3
    session = post(
        client,
        f"{base}/sessions",
        {
            "date": "2026-12-01",
            "start_time": "08:30",
            "minutes": 400,
            "kind": "theory",
            "topic": "安全用电",
            "teacher": "王建国",
        },
    ).json()
    practice = post(
        client,
        f"{base}/sessions",
        {
            "date": "2026-12-02",
            "start_time": "08:30",
            "minutes": 600,
            "kind": "practice",
            "topic": "实训",
            "teacher": "陈明",
        },
    ).json()
    for s in (session, practice):
        assert len(post(client, f"/api/v1/training/sessions/{s['id']}/attendance/all-present").json()) == 3
    bad = post(
        client,
        f"/api/v1/training/sessions/{session['id']}/attendance",
        {"entries": [{"person_id": trainees[0].pk, "minutes": 401}]},
    )
    assert bad.status_code == 400
    assert bad.json()["message"] == "赵一：出勤401分钟超过本课次时长400分钟"
    ok = post(
        client,
        f"/api/v1/training/sessions/{session['id']}/attendance",
        {"entries": [{"person_id": trainees[0].pk, "minutes": 0, "note": "缺勤"}]},
    )
    assert {r["person_name"]: r["minutes"] for r in ok.json()} == {"孙三": 400, "赵一": 0, "钱二": 400}
    online = post(
        client,
        f"{base}/online",
        {"person_id": trainees[0].pk, "platform": "江苏职业培训网络学习平台", "minutes": 500},
    )
    assert online.json()["minutes"] == 500
    for s in (session, practice):
        assert post(client, f"/api/v1/training/sessions/{s['id']}/sign-off").json()["locked"] is True
    locked = post(
        client,
        f"/api/v1/training/sessions/{session['id']}/attendance",
        {"entries": [{"person_id": trainees[0].pk, "minutes": 400}]},
    )
    assert locked.status_code == 409
    done = post(client, f"{base}/complete", {"on": "2026-12-20"}).json()
    assert (done["status"], done["ended_on"]) == ("completed", "2026-12-20")
    enrolments = {e["person_name"]: e for e in client.get(f"{base}/enrolments").json()}
    # 赵一: 600 classroom + 500 × 0.5 = 250 credited of 1000 → 85% ≥ 80%.
    assert (enrolments["赵一"]["status"], enrolments["赵一"]["attendance_ratio"]) == ("completed", "0.8500")
    assert enrolments["赵一"]["online_credited_minutes"] == 250


def test_api_scope(client, cz, running_class):
    person = running_class.enrolments.first().person
    client.force_login(cz.user("xk_operator"))
    assert client.get("/api/v1/training/classes").json()["count"] == 0
    assert client.get("/api/v1/training/applications").json()["count"] == 0
    for url in (
        f"/api/v1/training/classes/{running_class.pk}",
        f"/api/v1/training/applications/{running_class.application_id}",
    ):
        response = client.get(url)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), url
    response = post(
        client, f"/api/v1/training/classes/{running_class.pk}/enrolments", {"person_ids": [person.pk]}
    )
    assert response.status_code == 404
    assert client.delete(f"/api/v1/training/applications/{running_class.application_id}").status_code == 404
    assert Enrolment.objects.count() == 3 and ClassApplication.objects.count() == 1
    client.force_login(cz.user("czjs_operator"))
    assert client.get("/api/v1/training/classes").json()["count"] == 1
    forbidden = post(client, f"/api/v1/training/classes/{running_class.pk}/complete", {"on": "2026-12-20"})
    assert forbidden.status_code == 403
    assert not Attendance.objects.exists()
