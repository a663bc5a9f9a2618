import io
from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from skillbridge.audit.models import AuditEvent
from skillbridge.registry.models import Episode, Person, ReleaseDateChange

from .conftest import make_person

pytestmark = pytest.mark.django_db


def xlsx_rows(response):
    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


@pytest.fixture
def two_prisons(demo):
    ly = make_person(demo.orgs["溧阳监狱"], name="赵溧阳", release=date(2027, 6, 30))
    xk = make_person(demo.orgs["新康监狱"], name="钱新康", release=date(2027, 6, 30))
    return ly, xk


def test_list_masks_and_searches(client, demo, two_prisons):
    ly, _ = two_prisons
    client.force_login(demo.user("ly_operator"))
    html = client.get("/registry/").content.decode()
    assert "赵溧阳" in html and ly.masked_id_number in html
    assert ly.id_number not in html
    assert "钱新康" not in html
    assert "赵溧阳" in client.get("/registry/", {"q": "赵"}).content.decode()
    assert "赵溧阳" not in client.get("/registry/", {"q": "钱"}).content.decode()
    assert "赵溧阳" in client.get("/registry/", {"q": ly.id_number.lower()}).content.decode()


def test_export_masks_ids(client, demo, two_prisons):
    ly, _ = two_prisons
    client.force_login(demo.user("ly_operator"))
    rows = xlsx_rows(client.get("/registry/", {"export": "xlsx"}))
    assert rows[0][:3] == ["姓名", "性别", "身份证号码"]
    assert [r[:3] for r in rows[1:]] == [["赵溧阳", "男", ly.masked_id_number]]


def test_export_with_full_ids_needs_role_and_is_audited(client, demo, two_prisons):
    ly, _ = two_prisons
    client.force_login(demo.user("ly_operator"))
    assert client.get("/registry/", {"export": "xlsx", "reveal_reason": "报送"}).status_code == 403
    client.force_login(demo.user("ly_reviewer"))
    rows = xlsx_rows(client.get("/registry/", {"export": "xlsx", "reveal_reason": "报送省局"}))
    assert rows[1][2] == ly.id_number
    event = AuditEvent.objects.get(action="person.export_id_numbers")
    assert (event.changes["reason"], event.changes["count"]) == ("报送省局", 1)


def test_detail_page_shows_eligibility_and_history(client, demo, two_prisons):
    ly, _ = two_prisons
    client.force_login(demo.user("ly_operator"))
    html = client.get(f"/registry/{ly.pk}/").content.decode()
    assert ly.masked_id_number in html and ly.id_number not in html
    assert "是否为培训对象" in html
    assert "溧阳监狱" in html
    assert "查看完整身份证号码" not in html  # operators may not reveal


def test_reveal_through_the_page(client, demo, two_prisons):
    ly, _ = two_prisons
    client.force_login(demo.user("ly_reviewer"))
    page = client.post(f"/registry/{ly.pk}/reveal/", {"reason": ""})
    assert "请填写查看完整身份证号码的事由" in page.content.decode()
    assert ly.id_number not in page.content.decode()
    page = client.post(f"/registry/{ly.pk}/reveal/", {"reason": "核对身份"})
    assert ly.id_number in page.content.decode()
    assert AuditEvent.objects.filter(action="person.reveal_id_number").count() == 1


def test_operator_reveal_is_403(client, demo, two_prisons):
    ly, _ = two_prisons
    client.force_login(demo.user("ly_operator"))
    response = client.post(f"/registry/{ly.pk}/reveal/", {"reason": "核对身份"})
    assert response.status_code == 403
    assert ly.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action="person.reveal_id_number").exists()


def test_scope_isolation_on_pages(client, demo, two_prisons):
    _, xk = two_prisons
    xk_episode = xk.episodes.get()
    client.force_login(demo.user("ly_operator"))
    assert client.get(f"/registry/{xk.pk}/").status_code == 404
    assert client.get(f"/registry/{xk.pk}/edit/").status_code == 404
    assert client.post(f"/registry/{xk.pk}/edit/", {"p-name": "改名"}).status_code == 404
    assert client.post(f"/registry/{xk.pk}/reveal/", {"reason": "核对"}).status_code == 404
    assert (
        client.post(
            f"/registry/episodes/{xk_episode.pk}/release/",
            {
                "kind": "commutation",
                "decided_on": "2026-01-01",
                "new_release_date": "2027-01-01",
                "reason": "x",
            },
        ).status_code
        == 404
    )
    assert "钱新康" not in str(xlsx_rows(client.get("/registry/", {"export": "xlsx", "q": "钱"})))
    assert (
        client.get("/registry/survey/", {"unit": demo.orgs["新康监狱"].pk, "year": 2027}).status_code == 200
    )
    assert (
        "钱新康"
        not in client.get(
            "/registry/survey/", {"unit": demo.orgs["新康监狱"].pk, "year": 2027}
        ).content.decode()
    )
    xk.refresh_from_db()
    assert xk.name == "钱新康"
    assert Episode.objects.get(pk=xk_episode.pk).expected_release_date == date(2027, 6, 30)
    assert not ReleaseDateChange.objects.exists()
    assert AuditEvent.objects.filter(action="scope.denied", object_id=str(xk.pk)).exists()


def test_create_person_through_the_page(client, demo):
    from skillbridge.registry.idnumbers import make_id_number

    number = make_id_number("320481", date(1992, 8, 8), 551)
    client.force_login(demo.user("ly_operator"))
    assert client.get("/registry/new/").status_code == 200
    data = {
        "p-name": "孙立",
        "p-id_number": number,
        "p-birth_date": "1992-08-09",
        "p-population_category": "inmate",
        "e-unit": demo.orgs["溧阳监狱"].pk,
        "e-kind": "custody",
        "e-inmate_number": "LY100",
        "e-term_start": "2024-01-01",
        "e-expected_release_date": "2027-01-01",
    }
    html = client.post("/registry/new/", data).content.decode()
    assert "与身份证号码不符" in html
    assert not Person.objects.exists()
    data["p-birth_date"] = "1992-08-08"
    response = client.post("/registry/new/", data)
    person = Person.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/registry/{person.pk}/"
    client.force_login(demo.user("ly_reviewer"))
    assert client.get("/registry/new/").status_code == 403


def test_commutation_and_status_pages(client, demo, two_prisons):
    ly, _ = two_prisons
    episode = ly.episodes.get()
    client.force_login(demo.user("ly_operator"))
    response = client.post(
        f"/registry/episodes/{episode.pk}/release/",
        {
            "kind": "commutation",
            "decided_on": "2026-01-10",
            "new_release_date": "2027-03-31",
            "reason": "(2026)苏04刑更5号",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"/registry/episodes/{episode.pk}/status/", {"to_status": "released", "changed_on": "2027-03-31"}
    )
    assert response.status_code == 302
    html = client.get(f"/registry/{ly.pk}/").content.decode()
    assert "(2026)苏04刑更5号" in html and "已释放（解除）" in html


def test_episode_add_and_edit_pages(client, demo, two_prisons):
    ly, _ = two_prisons
    first = ly.episodes.get()
    unit = demo.orgs["溧阳监狱"]
    client.force_login(demo.user("ly_operator"))
    assert "添加羁押（矫正）记录" in client.get(f"/registry/{ly.pk}/episodes/new/").content.decode()
    data = {
        "unit": unit.pk,
        "kind": "custody",
        "inmate_number": first.inmate_number,
        "term_start": "2026-02-01",
        "expected_release_date": "2029-02-01",
    }
    html = client.post(f"/registry/{ly.pk}/episodes/new/", data).content.decode()
    assert f"“溧阳监狱”已有编号为{first.inmate_number}的记录" in html
    assert ly.episodes.count() == 1
    response = client.post(f"/registry/{ly.pk}/episodes/new/", {**data, "inmate_number": "LY2026"})
    assert response.status_code == 302 and response["Location"] == f"/registry/{ly.pk}/"
    added = ly.episodes.get(inmate_number="LY2026")
    assert (added.unit_id, added.term_start) == (unit.pk, date(2026, 2, 1))

    edit = f"/registry/episodes/{added.pk}/edit/"
    assert f"编辑记录：{added}" in client.get(edit).content.decode()
    html = client.post(edit, {**data, "inmate_number": first.inmate_number}).content.decode()
    assert f"本单位已有编号为{first.inmate_number}的记录" in html
    assert Episode.objects.get(pk=added.pk).inmate_number == "LY2026"
    response = client.post(edit, {**data, "inmate_number": "LY2026", "skill": "电工"})
    assert response.status_code == 302 and response["Location"] == f"/registry/{ly.pk}/"
    assert Episode.objects.get(pk=added.pk).skill == "电工"


def test_survey_page_and_annex3_export(client, demo):
    person = make_person(demo.orgs["溧阳监狱"], name="周调查", release=date(2028, 6, 30))
    client.force_login(demo.user("ly_operator"))
    html = client.get("/registry/survey/", {"year": 2027}).content.decode()
    assert "周调查" in html and "1</strong> 人符合培训条件" in html
    rows = xlsx_rows(client.get("/registry/survey/", {"year": 2027, "export": "xlsx"}))
    assert rows[0][:4] == ["序号", "姓名", "性别", "身份证号码"]
    assert rows[1][1] == "周调查" and rows[1][3] == person.masked_id_number


def test_duplicate_queue_page(client, demo):
    make_person(demo.orgs["溧阳监狱"], name="吴同", birth=date(1980, 1, 1))
    make_person(demo.orgs["新康监狱"], name="吴同", birth=date(1980, 1, 1))
    client.force_login(demo.user("ly_reviewer"))
    html = client.get("/registry/duplicates/").content.decode()
    assert "吴同" in html and "确认非同一人" in html
    from skillbridge.registry.models import DuplicateReview

    review = DuplicateReview.objects.get()
    response = client.post(f"/registry/duplicates/{review.pk}/clear/", {"note": "不同人"})
    assert response.status_code == 302
    assert DuplicateReview.objects.get().status == "cleared"
    rows = xlsx_rows(client.get("/registry/duplicates/", {"status": "all", "export": "xlsx"}))
    assert rows[1][0] == "吴同" and "*" in rows[1][2]
    client.force_login(demo.user("ah_prison_operator"))
    assert client.post(f"/registry/duplicates/{review.pk}/clear/", {"note": "x"}).status_code == 404


def test_detail_page_judges_eligibility_at_a_chosen_date(client, demo, two_prisons):
    ly, _ = two_prisons  # released 2027-06-30; Changzhou: fewer than 24 months left
    client.force_login(demo.user("ly_operator"))

    def verdict(at):
        response = client.get(f"/registry/{ly.pk}/", {"at": at})
        assert response.status_code == 200
        return response.context["at"], response.context["decision"].allowed

    before = client.get(f"/registry/{ly.pk}/", {"at": "2019-12-31"})  # the term starts 2020-01-01
    assert [r.code for r in before.context["decision"].reasons] == ["not_started"]
    assert verdict("2025-06-30") == (date(2025, 6, 30), False)  # exactly 24 months left
    assert verdict("2025-07-01") == (date(2025, 7, 1), True)
    assert verdict("2027-06-29") == (date(2027, 6, 29), True)
    assert verdict("2027-06-30") == (date(2027, 6, 30), False)  # released that day
    assert (
        "2025-07-01是否为培训对象" in client.get(f"/registry/{ly.pk}/", {"at": "2025-07-01"}).content.decode()
    )
    bad = client.get(f"/registry/{ly.pk}/", {"at": "2025-13-01"})
    assert bad.context["at"] == bad.context["today"]
    assert "判断日期“2025-13-01”格式不正确，应为 YYYY-MM-DD；以下按今日判断" in bad.content.decode()
