import datetime as dt

import pytest

from skillbridge.supervision import services
from skillbridge.supervision.models import CreditRating, Finding, Inspection

from .conftest import enrol, make_class, person

pytestmark = pytest.mark.django_db
D = dt.date


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def finding(cz):
    first = make_class(cz, date_from=D(2026, 3, 1), date_to=D(2026, 3, 20))
    second = make_class(cz, date_from=D(2026, 3, 10), date_to=D(2026, 3, 30))
    who = person(cz, name="重叠甲")
    enrol(cz, first, who)
    enrol(cz, second, who)
    run = services.scan_request(actor=cz.user("cz_justice_reviewer"))
    services.scan_execute(run.pk)
    return Finding.objects.get(rule="overlapping_classes")


def test_findings_api_workflow(client, cz, finding):
    client.force_login(cz.user("cz_justice_reviewer"))
    data = client.get("/api/v1/supervision/findings?rule=overlapping_classes").json()
    assert data["count"] == 1 and data["items"][0]["id"] == finding.pk
    detail = client.get(f"/api/v1/supervision/findings/{finding.pk}").json()
    assert detail["evidence"]["person"] == "重叠甲"
    assert [e["action"] for e in detail["events"]] == ["found"]
    bad = post(client, f"/api/v1/supervision/findings/{finding.pk}/assign", {"assignee": "cz_operator"})
    assert bad.status_code == 400 and bad.json()["field"] == "assignee"
    ok = post(client, f"/api/v1/supervision/findings/{finding.pk}/assign", {"assignee": "ly_operator"})
    assert ok.json()["status"] == "assigned"
    client.force_login(cz.user("ly_operator"))
    assert post(client, f"/api/v1/supervision/findings/{finding.pk}/answer", {"answer": "已处理"}).json()[
        "status"
    ] == ("answered")
    denied = post(
        client, f"/api/v1/supervision/findings/{finding.pk}/close", {"outcome": "dismissed", "note": "x"}
    )
    assert denied.status_code == 403
    client.force_login(cz.user("cz_justice_reviewer"))
    closed = post(
        client, f"/api/v1/supervision/findings/{finding.pk}/close", {"outcome": "confirmed", "note": "已整改"}
    )
    assert closed.json()["status"] == "closed"
    assert [e["action"] for e in closed.json()["events"]] == ["found", "assigned", "answered", "closed"]


def test_findings_api_scope(client, cz, finding):
    for username in ("cz_operator", "hf_hrss"):
        client.force_login(cz.user(username))
        assert client.get("/api/v1/supervision/findings").json()["count"] == 0
        assert client.get(f"/api/v1/supervision/findings/{finding.pk}").status_code == 404
        response = post(
            client, f"/api/v1/supervision/findings/{finding.pk}/close", {"outcome": "dismissed", "note": "x"}
        )
        assert response.status_code == 404
    finding.refresh_from_db()
    assert finding.status == "open"


def test_scan_api_queues_and_reports(client, cz, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(cz.user("cz_hrss_reviewer"))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "/api/v1/supervision/scans", {})
    assert response.status_code == 202
    scan = client.get(f"/api/v1/supervision/scans/{response.json()['id']}").json()
    assert scan["status"] == "done"
    client.force_login(cz.user("hf_hrss"))
    assert client.get(f"/api/v1/supervision/scans/{scan['id']}").status_code == 404


def test_inspection_and_notice_api(client, cz):
    client.force_login(cz.user("cz_justice_reviewer"))
    created = post(
        client, "/api/v1/supervision/inspections",
        {"target_id": cz.orgs["溧阳监狱"].pk, "title": "督查", "planned_on": "2026-09-28"},
    )  # fmt: skip
    assert created.status_code == 201
    pk = created.json()["id"]
    visited = post(
        client, f"/api/v1/supervision/inspections/{pk}/visit",
        {"visited_on": "2026-09-30", "inspectors": "张三", "visit_record": "查台账", "issues": ["考勤未签认"],
         "rectification_required": "补签"},
    ).json()  # fmt: skip
    assert visited["status"] == "rectifying" and visited["issues"][0]["description"] == "考勤未签认"
    # Anhui's HRSS cannot inspect a Changzhou prison, nor see this inspection.
    client.force_login(cz.user("hf_hrss"))
    refused = post(
        client, "/api/v1/supervision/inspections",
        {"target_id": cz.orgs["溧阳监狱"].pk, "title": "x", "planned_on": "2026-09-28"},
    )  # fmt: skip
    assert refused.status_code == 404
    assert client.get(f"/api/v1/supervision/inspections/{pk}").status_code == 404
    assert Inspection.objects.count() == 1
    client.force_login(cz.user("cz_justice_reviewer"))
    notice = post(
        client, "/api/v1/supervision/notices",
        {"target_id": cz.orgs["溧阳监狱"].pk, "kind": "praise", "title": "表扬", "content": "工作实",
         "issued_on": "2026-10-10", "inspection_id": pk},
    )  # fmt: skip
    assert notice.status_code == 201
    client.force_login(cz.user("ly_operator"))
    assert client.get("/api/v1/supervision/notices").json()["count"] == 1


def test_rating_api(client, cz):
    client.force_login(cz.user("cz_hrss_reviewer"))
    created = post(
        client, "/api/v1/supervision/ratings", {"institution_id": cz.orgs["常州技师学院"].pk, "year": 2026}
    )
    assert created.status_code == 201
    body = created.json()
    assert body["grade"] in "ABCD" and body["facts"]["completed"] == 0
    assert [r["factor"] for r in body["reasons"]["items"]][:2] == ["pass_rate", "certification_rate"]
    client.force_login(cz.user("czjs_operator"))
    assert client.get(f"/api/v1/supervision/ratings/{body['id']}").status_code == 200
    refused = post(
        client, "/api/v1/supervision/ratings", {"institution_id": cz.orgs["常州技师学院"].pk, "year": 2026}
    )
    assert refused.status_code == 404
    client.force_login(cz.user("tn_operator"))
    assert client.get(f"/api/v1/supervision/ratings/{body['id']}").status_code == 404
    assert CreditRating.objects.count() == 1
