import datetime as dt
import io

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from skillbridge.audit.models import AuditEvent
from skillbridge.employment.models import EmploymentProfile, FollowUp, Handover, ServiceEvent
from skillbridge.policy.rules import add_months

from .conftest import CZ_PES, certify, episode_of, handed, new_person, profile_for

pytestmark = pytest.mark.django_db


def sheet_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def today():
    return timezone.localdate()


def test_people_page_profile_and_handover_through_the_pages(client, cz):
    person = new_person(cz, name="周建军", release=add_months(today(), 2))
    new_person(cz, name="远期", release=add_months(today(), 8))
    client.force_login(cz.user("ly_operator"))
    page = client.get("/employment/people/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "周建军" in body and "远期" not in body and "未建档" in body
    assert "刑释前6个月（平台默认（政策未规定）" in body
    rows = sheet_rows(client.get("/employment/people/?export=xlsx"))
    assert rows[0][:3] == ["单位", "姓名", "身份证号码"]
    assert rows[1][1] == "周建军" and "********" in rows[1][2] and rows[1][2] != person.id_number
    episode = episode_of(person)
    bad = client.post(f"/employment/episodes/{episode.pk}/profile/", {"destination_region": "32"})
    assert "须为6位行政区划代码" in bad.content.decode() and not EmploymentProfile.objects.exists()
    response = client.post(
        f"/employment/episodes/{episode.pk}/profile/",
        {
            "employment_intention": "设备电工",
            "destination_region": "320481",
            "needs": ["job_referral", "career_guidance"],
        },
    )
    profile = EmploymentProfile.objects.get()
    assert response.status_code == 302 and response.url == f"/employment/profiles/{profile.pk}/"
    detail = client.get(response.url).content.decode()
    assert "设备电工" in detail and "岗位推荐、职业指导" in detail and CZ_PES in detail
    response = client.post(
        f"/employment/profiles/{profile.pk}/handover/",
        {"recipient": cz.orgs[CZ_PES].pk, "handed_over_on": today().isoformat(), "note": "刑释前移交"},
    )
    handover = Handover.objects.get()
    assert response.url == f"/employment/handovers/{handover.pk}/"
    assert "已移交" in client.get("/employment/people/").content.decode()


def test_public_employment_service_reaches_only_what_was_handed_to_it(client, cz):
    handed_person = new_person(cz, name="已移交人", release=add_months(today(), 2))
    handover = handed(cz, handed_person, on=today())
    other = profile_for(cz, new_person(cz, name="未移交人", release=add_months(today(), 2)))
    client.force_login(cz.user("cz_pes_operator"))
    assert client.get("/employment/").url == "/employment/handovers/"
    assert client.get("/employment/people/").url == "/employment/handovers/"
    listing = client.get("/employment/handovers/").content.decode()
    assert "已移交人" in listing and "未移交人" not in listing
    assert client.get(f"/employment/profiles/{handover.profile_id}/").status_code == 200
    assert client.get(f"/employment/profiles/{other.pk}/").status_code == 404
    assert client.get(f"/employment/episodes/{other.episode_id}/profile/").status_code == 404
    assert AuditEvent.objects.filter(action="scope.denied", object_id=str(other.pk)).count() == 1
    # receive through the page
    response = client.post(f"/employment/handovers/{handover.pk}/receive/", {"on": today().isoformat()})
    assert response.status_code == 302
    handover.refresh_from_db()
    assert handover.status == "received"
    # 合肥 sees nothing and cannot act
    client.force_login(cz.user("hf_pes_operator"))
    assert client.get(f"/employment/handovers/{handover.pk}/").status_code == 404
    assert (
        client.post(
            f"/employment/handovers/{handover.pk}/close/", {"on": today().isoformat(), "note": "x"}
        ).status_code
        == 404
    )
    handover.refresh_from_db()
    assert handover.status == "received"
    client.force_login(cz.user("xk_operator"))
    assert client.get(f"/employment/profiles/{handover.profile_id}/").status_code == 404


def test_registry_person_page_not_reachable_for_people_not_handed_over(client, cz):
    person = new_person(cz, name="未移交人", release=add_months(today(), 2))
    client.force_login(cz.user("cz_pes_operator"))
    assert client.get(f"/registry/{person.pk}/").status_code == 404


def test_follow_up_through_the_page_and_the_rate_figure(client, cz):
    released_on = add_months(today(), -3)
    person = new_person(cz, name="王立新", release=released_on, released_on=released_on)
    certify(cz, person, released_on - dt.timedelta(days=30))
    handover = handed(cz, person, on=released_on, receive_on=released_on)
    client.force_login(cz.user("cz_pes_operator"))
    detail = client.get(f"/employment/handovers/{handover.pk}/").content.decode()
    assert "释放后3个月" in detail and "应回访" in detail and "职业技能等级证书" in detail
    due = client.get("/employment/follow-ups/").content.decode()
    assert "王立新" in due and add_months(released_on, 3).isoformat() in due
    bad = client.post(
        f"/employment/handovers/{handover.pk}/follow-up/",
        {"milestone_months": 3, "done_on": today().isoformat(), "employment_form": "employed"},
    )
    assert bad.status_code == 302 and not FollowUp.objects.exists()
    client.post(
        f"/employment/handovers/{handover.pk}/follow-up/",
        {
            "milestone_months": 3,
            "done_on": today().isoformat(),
            "employment_form": "employed",
            "employer_name": "某机电公司",
            "employer_sector": "C",
            "uses_trained_occupation": "yes",
        },
    )
    follow_up = FollowUp.objects.get()
    assert (follow_up.employer_sector, follow_up.uses_trained_occupation) == ("C", True)
    rate = client.get(
        "/employment/rate/",
        {"date_from": released_on.isoformat(), "date_to": released_on.isoformat()},
    ).content.decode()
    assert '<tr data-group="certified"><td>持证人员</td><td>1</td><td>1</td><td>100.0%</td>' in rate
    assert '<tr data-group="uncertified"><td>未持证人员</td><td>0</td><td>0</td><td>—</td>' in rate
    client.force_login(cz.user("hf_pes_operator"))
    rate = client.get(
        "/employment/rate/", {"date_from": released_on.isoformat(), "date_to": released_on.isoformat()}
    ).content.decode()
    assert "<td>合计</td><td>0</td>" in rate


def test_events_pages(client, cz):
    a = new_person(cz, name="甲", release=add_months(today(), 2))
    client.force_login(cz.user("ly_operator"))
    response = client.post(
        "/employment/events/new/",
        {
            "kind": "policy_consultation",
            "title": "刑释人员政策咨询会",
            "held_on": today().isoformat(),
            "organiser": cz.orgs[CZ_PES].pk,
        },
    )
    event = ServiceEvent.objects.get()
    assert response.url == f"/employment/events/{event.pk}/"
    assert "甲（" in client.get(response.url).content.decode()
    client.post(f"/employment/events/{event.pk}/attendance/", {"people": [a.pk]})
    assert event.attendances.count() == 1
    rows = sheet_rows(client.get("/employment/events/?export=xlsx"))
    assert rows[1][2:4] == ["政策咨询", "刑释人员政策咨询会"]
    assert rows[1][-1] == 1
    client.force_login(cz.user("xk_operator"))
    assert client.get(f"/employment/events/{event.pk}/").status_code == 404
    assert client.post(f"/employment/events/{event.pk}/attendance/", {"people": [a.pk]}).status_code == 404
    client.force_login(cz.user("cz_pes_operator"))
    page = client.get(f"/employment/events/{event.pk}/").content.decode()
    assert "参加人员（1人）" in page and "仅列出已移交本机构的人员" in page and "甲</td>" not in page


def test_agreement_pages_and_export(client, cz):
    person = new_person(cz, release=add_months(today(), 2))
    handover = handed(cz, person, on=today(), receive_on=today())
    client.force_login(cz.user("cz_pes_operator"))
    client.post(
        f"/employment/profiles/{handover.profile_id}/agreement/",
        {
            "number": "CZJY-T-1",
            "signed_on": today().isoformat(),
            "valid_until": add_months(today(), 12).isoformat(),
            "goals": "稳定就业",
            "measures": "推荐岗位",
        },
    )
    rows = sheet_rows(client.get("/employment/agreements/?export=xlsx"))
    assert rows[1][0] == "CZJY-T-1" and "********" in rows[1][2]
    assert rows[1][-1] == "履行中"
    client.force_login(cz.user("ly_operator"))
    assert "CZJY-T-1" in client.get("/employment/agreements/").content.decode()
    client.force_login(cz.user("hf_pes_operator"))
    assert "CZJY-T-1" not in client.get("/employment/agreements/").content.decode()


def test_registry_closed_to_the_employment_service_while_handovers_stay_reachable(client, cz):
    """A public employment service has no unit scope: registry pages are closed to it, even for the people
    handed to it, while everything handed to it stays reachable through the employment app."""
    handover = handed(cz, new_person(cz, name="已移交人", release=add_months(today(), 2)), on=today())
    other = new_person(cz, name="未移交人", release=add_months(today(), 2))
    client.force_login(cz.user("cz_pes_operator"))
    assert client.get(f"/registry/{other.pk}/").status_code == 404
    assert client.get(f"/registry/{handover.person_id}/").status_code == 404
    assert client.get(f"/employment/handovers/{handover.pk}/").status_code == 200
    assert client.get(f"/employment/profiles/{handover.profile_id}/").status_code == 200
    assert client.get("/api/v1/employment/handovers").json()["count"] == 1
