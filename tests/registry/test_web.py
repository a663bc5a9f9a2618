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


# ---- the episode list (/registry/episodes/) ------------------------------------------------------------------


def listed(response) -> list[tuple[str, str, str]]:
    assert response.status_code == 200
    return [(e.person.name, e.unit.name, e.inmate_number) for e, _ in response.context["rows"]]


def test_episode_list_shows_the_units_episodes_masked_in_release_order(client, demo, episodes):
    client.force_login(demo.user("ly_operator"))
    response = client.get("/registry/episodes/")
    assert listed(response) == [
        ("孙丙", "溧阳监狱", "LY1003"),
        ("赵甲", "溧阳监狱", "LY1001"),
        ("李丁", "溧阳监狱", "LY1004"),
        ("钱乙", "溧阳监狱", "LY1002"),
    ]
    html = response.content.decode()
    zhao = episodes["zhao"]
    row = html[html.index(f'href="/registry/{zhao.pk}/">赵甲</a>') :].split("</tr>")[0]
    cells = [c.split(">", 1)[1].split("<")[0] for c in row.split("<td")[1:]]
    assert cells == [
        zhao.masked_id_number,
        "溧阳监狱",
        "服刑",
        "LY1001",
        "2021-03-01至2026-09-30",
        "2026-09-30",
        "在押（在所）",
        "有",
        "无",
        "能",
    ]
    sun_row = html[html.index(">孙丙</a>") :].split("</tr>")[0]
    assert "已释放（解除）" in sun_row and sun_row.endswith("<td>—</td><td>无</td><td>不能</td>")
    for person in episodes.values():
        assert person.id_number not in html
    assert "吴戊" not in html and "XK2001" not in html and "XK2002" not in html  # 新康's episodes
    assert 'href="/registry/episodes/">羁押（矫正）记录</a>' in html  # the registry's tab, active
    assert "导出（含完整身份证号码，留痕）" not in html  # operators may not reveal


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"status": "released"}, ["孙丙"]),
        ({"status": "in_custody"}, ["赵甲", "钱乙"]),
        ({"kind": "community"}, []),
        ({"kind": "custody", "status": "transferred"}, ["李丁"]),
        ({"release_from": "2026-06-01", "release_to": "2026-12-31"}, ["赵甲", "李丁"]),
        ({"release_from": "2026-12-31"}, ["李丁", "钱乙"]),
        ({"release_to": "2026-09-30"}, ["孙丙", "赵甲"]),
        ({"q": "LY100"}, ["孙丙", "赵甲", "李丁", "钱乙"]),
        ({"q": "LY1002"}, ["钱乙"]),
        ({"q": "ly1002"}, []),  # numbers are a literal, case-sensitive prefix
        ({"q": "赵"}, ["赵甲"]),
        ({"q": "甲"}, []),  # a prefix, not a substring
        ({"q": "%"}, []),
    ],
)
def test_episode_list_filters(client, demo, episodes, query, names):
    client.force_login(demo.user("ly_operator"))
    assert [name for name, _, _ in listed(client.get("/registry/episodes/", query))] == names


def test_episode_list_finds_an_id_number_and_pages(client, demo, episodes):
    client.force_login(demo.user("ly_operator"))
    qian = episodes["qian"]
    assert listed(client.get("/registry/episodes/", {"q": qian.id_number.lower()})) == [
        ("钱乙", "溧阳监狱", "LY1002")
    ]
    assert listed(client.get("/registry/episodes/", {"q": episodes["wu"].id_number})) == []  # 新康's
    for n in range(21):
        make_person(demo.orgs["溧阳监狱"], name=f"周{n:02d}", number=f"LY3{n:03d}", release=date(2030, 1, 1))
    first = client.get("/registry/episodes/", {"q": "周"})
    assert len(first.context["rows"]) == 20
    assert "共 21 条，第 1/2 页" in first.content.decode()
    second = client.get("/registry/episodes/", {"q": "周", "page": 2})
    assert listed(second) == [("周20", "溧阳监狱", "LY3020")]


def test_episode_list_never_shows_another_units_episodes(client, demo, episodes):
    xk = demo.orgs["新康监狱"]
    client.force_login(demo.user("ly_operator"))
    # Another unit is not a choice: the filter is refused and the list stays the user's own.
    response = client.get("/registry/episodes/", {"unit": xk.pk})
    assert [unit for _, unit, _ in listed(response)] == ["溧阳监狱"] * 4
    assert "查询条件有误" in response.content.decode()
    for query in ({"q": "吴"}, {"q": "XK"}, {"q": episodes["wu"].id_number}, {"unit": xk.pk}):
        assert "吴戊" not in str(xlsx_rows(client.get("/registry/episodes/", {**query, "export": "xlsx"})))
        assert "吴戊" not in client.get("/registry/episodes/", query).content.decode()
    client.force_login(demo.user("xk_operator"))
    assert listed(client.get("/registry/episodes/")) == [
        ("吴戊", "新康监狱", "XK2002"),
        ("李丁", "新康监狱", "XK2001"),
    ]
    client.force_login(demo.user("czjs_operator"))  # a training institution: no custody records
    assert listed(client.get("/registry/episodes/")) == []
    client.logout()
    assert client.get("/registry/episodes/").status_code == 302


def test_episode_list_of_a_bureau_spans_its_units(client, demo, episodes):
    client.force_login(demo.user("js_bureau_reviewer"))
    assert listed(client.get("/registry/episodes/")) == [
        ("孙丙", "溧阳监狱", "LY1003"),
        ("赵甲", "溧阳监狱", "LY1001"),
        ("吴戊", "新康监狱", "XK2002"),
        ("李丁", "溧阳监狱", "LY1004"),
        ("李丁", "新康监狱", "XK2001"),
        ("钱乙", "溧阳监狱", "LY1002"),
    ]
    xk = demo.orgs["新康监狱"].pk
    assert listed(client.get("/registry/episodes/", {"unit": xk, "status": "in_custody"})) == [
        ("吴戊", "新康监狱", "XK2002"),
        ("李丁", "新康监狱", "XK2001"),
    ]
    bad = client.get("/registry/episodes/", {"release_from": "2027-01-01", "release_to": "2026-01-01"})
    assert "预计释放日期的截止日期不能早于起始日期" in bad.content.decode()


def test_episode_export_is_the_filtered_list_masked(client, demo, episodes):
    client.force_login(demo.user("ly_operator"))
    zhao, qian = episodes["zhao"], episodes["qian"]
    rows = xlsx_rows(client.get("/registry/episodes/", {"status": "in_custody", "export": "xlsx"}))
    assert rows == [
        ["姓名", "身份证号码", "单位", "类型", "罪犯编号/案件编号", "刑期起止", "预计释放日期", "状态",
         "有无劳动能力", "有无一技之长", "能否正常学习"],
        ["赵甲", zhao.masked_id_number, "溧阳监狱", "服刑", "LY1001", "2021-03-01至2026-09-30", "2026-09-30",
         "在押（在所）", "有", "无", "是"],
        ["钱乙", qian.masked_id_number, "溧阳监狱", "服刑", "LY1002", "2020-01-01至2027-06-30", "2027-06-30",
         "在押（在所）", "有", "有", "是"],
    ]  # fmt: skip
    assert len(xlsx_rows(client.get("/registry/episodes/", {"export": "xlsx"}))) == 5
    assert not AuditEvent.objects.filter(action="person.export_id_numbers").exists()


def test_episode_export_with_full_ids_needs_the_role_and_a_reason(client, demo, episodes):
    query = {"status": "in_custody", "export": "xlsx"}
    zhao, qian = episodes["zhao"], episodes["qian"]
    client.force_login(demo.user("ly_operator"))
    before = list(AuditEvent.objects.values_list("pk", flat=True))
    response = client.get("/registry/episodes/", {**query, "reveal_reason": "报送省局"})
    assert response.status_code == 403
    assert zhao.id_number not in response.content.decode()
    new = AuditEvent.objects.exclude(pk__in=before)
    assert [(e.action, e.outcome) for e in new] == [("request.denied", "denied")]  # the refusal only
    client.force_login(demo.user("ly_reviewer"))
    page = client.get("/registry/episodes/", {"status": "in_custody"}).content.decode()
    assert "导出（含完整身份证号码，留痕）" in page
    assert '<input type="hidden" name="status" value="in_custody">' in page  # the reveal keeps the filters
    masked = xlsx_rows(client.get("/registry/episodes/", {**query, "reveal_reason": "  "}))
    assert [r[1] for r in masked[1:]] == [zhao.masked_id_number, qian.masked_id_number]
    short = client.get("/registry/episodes/", {**query, "reveal_reason": "x"})
    assert short.status_code == 302  # refused with a message: the reason is too short
    assert not AuditEvent.objects.filter(action="person.export_id_numbers").exists()
    rows = xlsx_rows(client.get("/registry/episodes/", {**query, "reveal_reason": "核对在押人员名单"}))
    assert [r[:2] for r in rows[1:]] == [["赵甲", zhao.id_number], ["钱乙", qian.id_number]]
    event = AuditEvent.objects.get(action="person.export_id_numbers")
    assert (event.actor.username, event.object_repr, event.changes) == (
        "ly_reviewer",
        "羁押（矫正）记录导出",
        {"reason": "核对在押人员名单", "count": 2},
    )
