import datetime as dt

import pytest

from skillbridge.employment.models import AssistanceAgreement, FollowUp, Handover, ServiceEvent
from skillbridge.policy.rules import add_months

from .conftest import CZ_PES, D, certify, episode_of, handed, new_person, profile_for

pytestmark = pytest.mark.django_db


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_profile_and_handover_through_the_api(client, cz):
    person = new_person(cz, release=D(2027, 3, 31))
    client.force_login(cz.user("ly_operator"))
    episode = episode_of(person)
    bad = client.put(
        f"/api/v1/employment/episodes/{episode.pk}/profile",
        {"destination_region": "3204"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json() == {
        "code": "invalid",
        "message": "释放后去向须为6位行政区划代码",
        "field": "destination_region",
        "details": [],
    }
    profile = client.put(
        f"/api/v1/employment/episodes/{episode.pk}/profile",
        {"employment_intention": "电工", "destination_region": "320481", "needs": ["job_referral"]},
        content_type="application/json",
    ).json()
    assert (profile["employment_intention"], profile["needs_display"]) == ("电工", "岗位推荐")
    assert "********" in profile["id_number"]
    early = post(
        client,
        "/api/v1/employment/handovers",
        {"profile_id": profile["id"], "recipient_id": cz.orgs[CZ_PES].pk, "handed_over_on": "2026-09-29"},
    )
    assert (early.status_code, early.json()["field"]) == (400, "handed_over_on")
    created = post(
        client,
        "/api/v1/employment/handovers",
        {"profile_id": profile["id"], "recipient_id": cz.orgs[CZ_PES].pk, "handed_over_on": "2026-10-01"},
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["recipient_name"], body["released_on"]) == ("handed_over", CZ_PES, None)
    refused = post(client, f"/api/v1/employment/handovers/{body['id']}/receive", {"on": "2026-10-02"})
    assert refused.status_code == 403
    client.force_login(cz.user("cz_pes_operator"))
    received = post(client, f"/api/v1/employment/handovers/{body['id']}/receive", {"on": "2026-10-02"})
    assert received.json()["status"] == "received"
    again = post(client, f"/api/v1/employment/handovers/{body['id']}/receive", {"on": "2026-10-03"})
    assert again.status_code == 409


def test_scope_of_the_api(client, cz):
    handover = handed(cz, new_person(cz, name="甲"))
    other = profile_for(cz, new_person(cz, name="乙"))
    client.force_login(cz.user("cz_pes_operator"))
    assert [h["person_name"] for h in client.get("/api/v1/employment/handovers").json()["items"]] == ["甲"]
    assert [p["person_name"] for p in client.get("/api/v1/employment/profiles").json()["items"]] == ["甲"]
    assert client.get(f"/api/v1/employment/profiles/{other.pk}").status_code == 404
    denied = client.put(
        f"/api/v1/employment/episodes/{other.episode_id}/profile",
        {"destination_region": "320481"},
        content_type="application/json",
    )
    assert denied.status_code == 404
    for username in ("hf_pes_operator", "xk_operator", "ah_prison_operator"):
        client.force_login(cz.user(username))
        assert client.get("/api/v1/employment/handovers").json()["count"] == 0
        assert client.get(f"/api/v1/employment/handovers/{handover.pk}").status_code == 404
        closed = post(
            client, f"/api/v1/employment/handovers/{handover.pk}/close", {"on": "2026-12-05", "note": "x"}
        )
        assert closed.status_code == 404
    handover.refresh_from_db()
    assert handover.status == "handed_over"
    client.force_login(cz.user("cz_hrss_operator"))
    assert client.get("/api/v1/employment/profiles").json()["count"] == 2


def test_events_agreements_follow_ups_and_rate(client, cz):
    released_on = D(2026, 5, 31)
    person = new_person(cz, name="王立新", release=released_on, released_on=released_on)
    certify(cz, person, D(2026, 4, 1))
    handover = handed(cz, person, on=released_on, receive_on=released_on + dt.timedelta(days=1))
    inside = new_person(cz, name="在押甲", release=D(2027, 3, 31))
    client.force_login(cz.user("ly_operator"))
    event = post(
        client,
        "/api/v1/employment/events",
        {
            "kind": "career_guidance",
            "title": "职业指导",
            "held_on": "2026-12-10",
            "organiser_id": cz.orgs[CZ_PES].pk,
        },
    )
    assert event.status_code == 201 and event.json()["kind_display"] == "职业指导"
    event_id = event.json()["id"]
    bad = post(client, f"/api/v1/employment/events/{event_id}/attendees", {"person_ids": [inside.pk, 999999]})
    assert bad.status_code == 400 and bad.json()["field"] == "person_ids"
    ok = post(client, f"/api/v1/employment/events/{event_id}/attendees", {"person_ids": [inside.pk]})
    assert [a["person_name"] for a in ok.json()] == ["在押甲"]
    client.force_login(cz.user("cz_pes_operator"))
    assert client.get(f"/api/v1/employment/events/{event_id}/attendees").json() == []
    assert (
        post(
            client,
            "/api/v1/employment/events",
            {"kind": "career_guidance", "title": "x", "held_on": "2026-12-10"},
        ).status_code
        == 403
    )
    agreement = post(
        client,
        "/api/v1/employment/agreements",
        {
            "profile_id": handover.profile_id,
            "number": "CZJY-API-1",
            "signed_on": "2026-06-05",
            "valid_until": "2027-06-04",
            "goals": "稳定就业",
            "measures": "推荐岗位",
        },
    )
    assert agreement.status_code == 201 and agreement.json()["provider_name"] == CZ_PES
    done = post(
        client, f"/api/v1/employment/agreements/{agreement.json()['id']}/status", {"status": "completed"}
    )
    assert done.json()["status"] == "completed"
    due = client.get("/api/v1/employment/follow-ups/due", {"on": "2026-09-01"}).json()
    assert due == [
        {
            "handover_id": handover.pk,
            "person_id": person.pk,
            "person_name": "王立新",
            "released_on": "2026-05-31",
            "milestone_months": 3,
            "due_on": "2026-08-31",
            "state": "due",
        }
    ]
    payload = {
        "handover_id": handover.pk,
        "milestone_months": 3,
        "done_on": "2026-08-31",
        "employment_form": "employed",
        "employer_name": "某机电公司",
        "employer_sector": "C",
        "uses_trained_occupation": True,
    }
    created = post(client, "/api/v1/employment/follow-ups", payload)
    assert created.status_code == 201 and created.json()["employed"] is True
    assert post(client, "/api/v1/employment/follow-ups", payload).status_code == 409
    rate = client.get("/api/v1/employment/rate", {"date_from": "2026-05-01", "date_to": "2026-05-31"}).json()
    assert [(g["key"], g["persons"], g["employed"], g["rate"]) for g in rate["groups"]] == [
        ("certified", 1, 1, "100.0"),
        ("uncertified", 0, 0, None),
        ("total", 1, 1, "100.0"),
    ]
    client.force_login(cz.user("hf_pes_operator"))
    assert client.get("/api/v1/employment/follow-ups").json()["count"] == 0
    assert client.get("/api/v1/employment/agreements").json()["count"] == 0
    assert client.get("/api/v1/employment/events").json()["count"] == 0
    refused = post(
        client, "/api/v1/employment/follow-ups", {**payload, "milestone_months": 6, "done_on": "2026-11-30"}
    )
    assert refused.status_code == 404
    assert FollowUp.objects.count() == 1 and AssistanceAgreement.objects.count() == 1
    assert ServiceEvent.objects.count() == 1 and Handover.objects.count() == 1
    rate = client.get("/api/v1/employment/rate", {"date_from": "2026-05-01", "date_to": "2026-05-31"}).json()
    assert rate["groups"][2]["persons"] == 0
    bad_period = client.get("/api/v1/employment/rate", {"date_from": "2026-05-31", "date_to": "2026-05-01"})
    assert bad_period.json()["field"] == "date_to"
    assert add_months(released_on, 3) == D(2026, 8, 31)
