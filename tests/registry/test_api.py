from datetime import date

import pytest

from skillbridge.audit.models import AuditEvent
from skillbridge.registry.models import Person

from .conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(demo):
    return (
        make_person(demo.orgs["溧阳监狱"], name="赵溧阳", release=date(2027, 6, 30)),
        make_person(demo.orgs["新康监狱"], name="钱新康", release=date(2027, 6, 30)),
    )


def test_people_list_is_masked_and_scoped(client, demo, people):
    ly, _ = people
    client.force_login(demo.user("ly_operator"))
    body = client.get("/api/v1/registry/people").json()
    assert body["count"] == 1
    assert body["items"][0]["id_number_masked"] == ly.masked_id_number
    assert ly.id_number not in str(body)
    assert client.get("/api/v1/registry/people", {"q": ly.id_number}).json()["count"] == 1
    assert client.get("/api/v1/registry/people", {"q": "钱"}).json()["count"] == 0


def test_detail_episodes_and_eligibility(client, demo, people):
    ly, _ = people
    client.force_login(demo.user("ly_operator"))
    body = client.get(f"/api/v1/registry/people/{ly.pk}").json()
    assert body["episodes"][0]["unit_name"] == "溧阳监狱"
    assert ly.id_number not in str(body)
    at_far = client.get(f"/api/v1/registry/people/{ly.pk}/eligibility", {"at": "2025-01-01"}).json()
    assert at_far["decision"]["eligible"] is False
    assert at_far["decision"]["reasons"][0]["code"] == "remaining_term"
    near = client.get(f"/api/v1/registry/people/{ly.pk}/eligibility", {"at": "2026-01-01"}).json()
    assert (near["decision"]["eligible"], near["decision"]["remaining_months"]) == (True, 17)
    assert len(client.get(f"/api/v1/registry/people/{ly.pk}/episodes").json()) == 1


def test_out_of_scope_is_404_everywhere(client, demo, people):
    _, xk = people
    client.force_login(demo.user("ly_reviewer"))
    for url in (
        f"/api/v1/registry/people/{xk.pk}",
        f"/api/v1/registry/people/{xk.pk}/episodes",
        f"/api/v1/registry/people/{xk.pk}/eligibility",
        f"/api/v1/registry/episodes/{xk.episodes.get().pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    response = client.post(
        f"/api/v1/registry/people/{xk.pk}/reveal", {"reason": "核对"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert xk.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action="person.reveal_id_number").exists()
    assert (
        client.get("/api/v1/registry/survey", {"unit_id": demo.orgs["新康监狱"].pk, "year": 2027}).status_code
        == 404
    )


def test_reveal_api(client, demo, people):
    ly, _ = people
    client.force_login(demo.user("ly_operator"))
    response = client.post(
        f"/api/v1/registry/people/{ly.pk}/reveal", {"reason": "核对"}, content_type="application/json"
    )
    assert response.status_code == 403
    client.force_login(demo.user("ly_reviewer"))
    response = client.post(
        f"/api/v1/registry/people/{ly.pk}/reveal", {"reason": ""}, content_type="application/json"
    )
    assert response.status_code == 422
    response = client.post(
        f"/api/v1/registry/people/{ly.pk}/reveal", {"reason": "核对申领人"}, content_type="application/json"
    )
    assert response.json() == {"person_id": ly.pk, "id_number": ly.id_number}
    assert AuditEvent.objects.filter(action="person.reveal_id_number", outcome="success").count() == 1


def test_survey_roster_and_duplicates(client, demo, people):
    make_person(demo.orgs["溧阳监狱"], name="赵溧阳", birth=date(1988, 5, 17))
    client.force_login(demo.user("ly_operator"))
    survey = client.get("/api/v1/registry/survey", {"unit_id": demo.orgs["溧阳监狱"].pk, "year": 2027}).json()
    assert {r["person"]["name"] for r in survey["eligible"]} == {"赵溧阳"}
    assert len(survey["eligible"]) == 2
    roster = client.get(
        "/api/v1/registry/eligibility", {"unit_id": demo.orgs["溧阳监狱"].pk, "at": "2026-01-01"}
    )
    assert roster.json()["count"] == 2
    assert roster.json()["items"][0]["decision"]["eligible"] is True
    dups = client.get("/api/v1/registry/duplicates").json()
    assert dups["count"] == 1 and "*" in dups["items"][0]["person"]["id_number_masked"]
    assert Person.objects.count() == 3


def test_episode_list_api_is_scoped_masked_and_filtered(client, demo, episodes):
    zhao = episodes["zhao"]
    client.force_login(demo.user("ly_operator"))
    body = client.get("/api/v1/registry/episodes").json()
    assert (body["count"], body["page"]) == (4, 1)
    assert [(e["person_name"], e["unit_name"], e["inmate_number"]) for e in body["items"]] == [
        ("孙丙", "溧阳监狱", "LY1003"),
        ("赵甲", "溧阳监狱", "LY1001"),
        ("李丁", "溧阳监狱", "LY1004"),
        ("钱乙", "溧阳监狱", "LY1002"),
    ]
    item = body["items"][1]
    assert {k: item[k] for k in ("person_id", "person_id_number_masked", "kind", "kind_display", "term_start",
                                 "term_end", "expected_release_date", "status", "status_display",
                                 "labour_capacity", "has_skill", "can_study")} == {
        "person_id": zhao.pk, "person_id_number_masked": zhao.masked_id_number, "kind": "custody",
        "kind_display": "服刑", "term_start": "2021-03-01", "term_end": "2026-09-30",
        "expected_release_date": "2026-09-30", "status": "in_custody", "status_display": "在押（在所）",
        "labour_capacity": True, "has_skill": False, "can_study": True,
    }  # fmt: skip
    for person in episodes.values():
        assert person.id_number not in str(body)

    def names(**query):
        response = client.get("/api/v1/registry/episodes", query)
        assert response.status_code == 200
        return [e["person_name"] for e in response.json()["items"]]

    assert names(status="released") == ["孙丙"]
    assert names(kind="custody", status="transferred") == ["李丁"]
    assert names(kind="community") == []
    assert names(release_from="2026-06-01", release_to="2026-12-31") == ["赵甲", "李丁"]
    assert names(q="LY1002") == ["钱乙"]
    assert names(q="赵") == ["赵甲"]
    assert names(q=episodes["qian"].id_number) == ["钱乙"]
    assert names(unit_id=demo.orgs["溧阳监狱"].pk, page_size=2, page=2) == ["李丁", "钱乙"]
    # Never another unit's episodes: not by unit, name, number or ID number.
    assert names(unit_id=demo.orgs["新康监狱"].pk) == []
    assert names(q="吴") == names(q="XK") == names(q=episodes["wu"].id_number) == []
    bad = client.get("/api/v1/registry/episodes", {"status": "escaped"})
    assert (bad.status_code, bad.json()["field"]) == (422, "status")
    client.force_login(demo.user("xk_operator"))
    items = client.get("/api/v1/registry/episodes").json()["items"]
    assert [(e["person_name"], e["inmate_number"]) for e in items] == [("吴戊", "XK2002"), ("李丁", "XK2001")]
    client.force_login(demo.user("js_bureau_reviewer"))
    assert names() == ["孙丙", "赵甲", "吴戊", "李丁", "李丁", "钱乙"]
    assert names(unit_id=demo.orgs["新康监狱"].pk, status="in_custody") == ["吴戊", "李丁"]
    client.force_login(demo.user("czjs_operator"))
    assert client.get("/api/v1/registry/episodes").json()["count"] == 0
