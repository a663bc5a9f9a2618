"""Dashboard page, drill-down, people list, exports and API: same numbers, same scope."""

import io
import json

from openpyxl import load_workbook

from skillbridge.audit.models import AuditEvent
from skillbridge.reporting.views import BREAKDOWNS  # noqa: F401  (imported: the page module loads)


def as_json(data):
    return json.loads(json.dumps(data))


def test_province_page_drills_down_to_people(client, world):
    client.force_login(world.demo.user("js_bureau_reviewer"))
    page = client.get("/reporting/?period=2026")
    assert page.status_code == 200
    html = page.content.decode()
    assert "江苏省职业技能培训统计（2026年度）" in html
    assert 'href="?period=2026&city=3204">常州市</a>' in html
    assert page.context["data"]["totals"]["due"] == 7
    city = client.get("/reporting/?period=2026&city=3204")
    assert f'href="?period=2026&unit={world.ly.pk}">溧阳监狱</a>' in city.content.decode()
    unit = client.get(f"/reporting/?period=2026&unit={world.ly.pk}")
    assert unit.context["scope"].trail == [
        ("province", "32", "江苏省"),
        ("city", "3204", "常州市"),
        ("unit", str(world.ly.pk), "溧阳监狱"),
    ]
    people = client.get(f"/reporting/people/?period=2026&unit={world.ly.pk}&which=missing_certificate")
    text = people.content.decode()
    assert [e.person.name for e, _ in people.context["rows"]] == ["钱二", "孙三", "吴六"]
    assert "释放后取证（2026-08-01），不计入刑释前获证" in text
    assert world.people["qian"].id_number not in text
    assert world.people["qian"].masked_id_number in text


def test_dashboard_export_has_every_table(client, world, pages_on_today):
    client.force_login(world.demo.user("js_bureau_reviewer"))
    response = client.get("/reporting/?period=2026&city=3204&export=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "培训与取证", "补贴申领与拨付", "目标进度", "开班-按职业", "开班-按等级", "开班-按机构",
        "计划与完成-按单位", "计划与完成-按职业", "逾期事项",
    ]  # fmt: skip
    rows = [list(r) for r in book["培训与取证"].iter_rows(min_row=5, values_only=True)]
    assert rows == [
        ["常州监狱", 1, 1, "100.0%", 0, 1, 0, 1, 0, 0],
        ["新康监狱", 1, 1, "100.0%", 0, 0, 0, 0, 0, 0],
        ["溧阳监狱", 4, 1, "25.0%", 6, 3, 3, 4, 2, 0],
        ["合计", 6, 3, "50.0%", 6, 4, 3, 5, 2, 0],
    ]
    assert AuditEvent.objects.filter(action="reporting.export").count() == 1
    people = client.get(
        f"/reporting/people/?period=2026&unit={world.ly.pk}&which=missing_certificate&export=xlsx"
    )
    sheet = load_workbook(io.BytesIO(b"".join(people.streaming_content))).active
    names = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["钱二", "孙三", "吴六"]
    assert sheet.cell(row=2, column=2).value == world.people["qian"].masked_id_number


def test_api_returns_the_page_numbers(client, world):
    for username, query in (
        ("js_bureau_reviewer", "period=2026"),
        ("js_bureau_reviewer", "period=2026Q2&city=3204"),
        ("cz_hrss_reviewer", "period=2026"),
        ("ly_operator", "period=2026Q1"),
        ("ah_prison_bureau", "period=2026"),
    ):
        client.force_login(world.demo.user(username))
        page = client.get(f"/reporting/?{query}")
        api = client.get(f"/api/v1/reporting/dashboard?{query}")
        assert api.status_code == 200
        assert api.json() == as_json(page.context["data"])
    client.force_login(world.demo.user("js_bureau_reviewer"))
    listed = client.get(f"/api/v1/reporting/people?period=2026&unit={world.ly.pk}").json()
    assert [p["name"] for p in listed["items"]] == ["钱二", "孙三", "吴六"]
    assert listed["items"][0]["masked_id_number"] == world.people["qian"].masked_id_number


def test_out_of_scope_drill_down_is_404_and_audited(client, world):
    client.force_login(world.demo.user("ly_operator"))
    before = AuditEvent.objects.filter(outcome="denied").count()
    assert client.get(f"/reporting/?unit={world.cz.pk}").status_code == 404
    assert client.get(f"/api/v1/reporting/dashboard?unit={world.cz.pk}").status_code == 404
    assert client.get(f"/reporting/people/?unit={world.nj.pk}").status_code == 404
    assert AuditEvent.objects.filter(outcome="denied").count() == before + 3
    client.force_login(world.demo.user("cz_hrss_reviewer"))
    assert client.get("/reporting/?city=3201").status_code == 404
    assert client.get(f"/api/v1/reporting/dashboard?unit={world.nj.pk}").status_code == 404
    assert client.get("/api/v1/reporting/dashboard").json()["totals"]["due"] == 6
    client.force_login(world.demo.user("ah_prison_bureau"))
    assert client.get(f"/reporting/?unit={world.ly.pk}").status_code == 404
    client.force_login(world.demo.user("czjs_operator"))
    assert client.get("/reporting/").status_code == 403


def test_bad_period_is_a_field_error(client, world):
    client.force_login(world.demo.user("ly_operator"))
    response = client.get("/api/v1/reporting/dashboard?period=2026Q5")
    assert response.status_code == 400
    assert response.json()["field"] == "period"
    page = client.get("/reporting/?period=abc", follow=True)
    assert page.status_code == 200
    assert "统计期间格式应为" in page.content.decode()


def test_anhui_qualified_list_and_year_statement(client, world, monkeypatch):
    client.force_login(world.demo.user("ah_prison_operator"))
    page = client.get("/reporting/?period=2026")
    assert [c.pk for c in page.context["ended_classes"]] == [world.ah_class.pk]
    assert page.context["ended_more"] is False
    assert "仅列出最早结业的" not in page.content.decode()
    monkeypatch.setattr(
        "skillbridge.reporting.views.ENDED_CLASSES_SHOWN", 0
    )  # more classes than shown: said so
    page = client.get("/reporting/?period=2026")
    assert (page.context["ended_classes"], page.context["ended_more"]) == ([], True)
    assert "仅列出最早结业的 0 个" in page.content.decode()
    monkeypatch.undo()
    response = client.get(f"/reporting/classes/{world.ah_class.pk}/qualified.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "安徽省蜀山监狱培训合格人员名单"
    assert "合肥市人力资源和社会保障局" in sheet["A5"].value
    rows = [r for r in sheet.iter_rows(min_row=8, values_only=True) if isinstance(r[0], int)]
    assert [(r[1], r[3]) for r in rows] == [("褚一", world.people["chu"].masked_id_number)]
    statement = client.get("/reporting/statement/?year=2026")
    assert dict(statement.context["rows"])["结业（人次）"] == 1
    assert dict(statement.context["rows"])["计划培训人数（人）"] == 0
    pdf = client.get("/reporting/statement/?year=2026&export=pdf")
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get("/reporting/statement/?year=2026&export=xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).active["A1"].value.startswith("安徽省蜀山监狱2026年度")
    client.force_login(world.demo.user("ly_operator"))
    assert client.get(f"/reporting/classes/{world.ah_class.pk}/qualified.xlsx").status_code == 404
    assert client.get(f"/reporting/statement/?unit={world.ah.pk}").status_code == 404


def test_api_ended_classes_qualified_list_and_year_statement(client, world):
    client.force_login(world.demo.user("ah_prison_operator"))
    body = client.get("/api/v1/reporting/classes-ended", {"period": "2026"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["unit_name"], item["ended_on"], item["qualified"]) == (
        world.ah_class.pk,
        "安徽省蜀山监狱",
        "2026-06-30",
        1,
    )
    rows = client.get(f"/api/v1/reporting/classes/{world.ah_class.pk}/qualified").json()
    assert [(r["name"], r["masked_id_number"], r["exit_on"]) for r in rows] == [
        ("褚一", world.people["chu"].masked_id_number, "2026-06-30")
    ]
    statement = client.get("/api/v1/reporting/statement", {"year": 2026}).json()
    assert statement == as_json(client.get("/reporting/statement/?year=2026").context["data"])  # as the page
    assert (statement["unit"], statement["completed"], statement["planned"]) == ("安徽省蜀山监狱", 1, 0)
    # Another unit's class and statement are out of scope; a city bureau must name a unit.
    client.force_login(world.demo.user("ly_operator"))
    assert client.get(f"/api/v1/reporting/classes/{world.ah_class.pk}/qualified").status_code == 404
    assert client.get("/api/v1/reporting/statement", {"unit": world.ah.pk}).status_code == 404
    assert [
        c["unit_name"]
        for c in client.get("/api/v1/reporting/classes-ended", {"period": "2026"}).json()["items"]
    ] == ["溧阳监狱"]
    client.force_login(world.demo.user("cz_hrss_reviewer"))
    response = client.get("/api/v1/reporting/statement", {"year": 2026})
    assert (response.status_code, response.json()["field"]) == (400, "unit")


def test_people_export_with_full_ids_needs_the_role_and_a_reason(client, world):
    url = f"/reporting/people/?period=2026&unit={world.ly.pk}&which=missing_certificate&export=xlsx"
    qian = world.people["qian"]
    client.force_login(world.demo.user("ly_operator"))  # an operator may not
    assert client.get(url + "&reveal_reason=核对名单").status_code == 403
    assert not AuditEvent.objects.filter(action__in=["person.export_id_numbers", "reporting.export"]).exists()
    client.force_login(world.demo.user("js_bureau_reviewer"))
    page = client.get(f"/reporting/people/?period=2026&unit={world.ly.pk}").content.decode()
    assert "导出（含完整身份证号码，留痕）" in page
    response = client.get(url + "&reveal_reason=核对刑释前取证情况")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(row=2, column=1).value == "钱二"
    assert sheet.cell(row=2, column=2).value == qian.id_number
    event = AuditEvent.objects.get(action="person.export_id_numbers")
    assert (event.changes["reason"], event.changes["count"]) == ("核对刑释前取证情况", 3)
    assert AuditEvent.objects.filter(action="reporting.export").count() == 1


def test_qualified_list_export_with_full_ids_needs_the_role_and_a_reason(client, world):
    url = f"/reporting/classes/{world.ah_class.pk}/qualified.xlsx"
    chu = world.people["chu"]
    exports = ["person.export_id_numbers", "reporting.export"]

    def id_numbers(response) -> list[tuple[str, str]]:
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [(r[1], r[3]) for r in sheet.iter_rows(min_row=8, values_only=True) if isinstance(r[0], int)]

    client.force_login(world.demo.user("ah_prison_operator"))  # an operator may not
    page = client.get(f"/reporting/?period=2026&unit={world.ah.pk}").content.decode()
    assert "合格人员名单（Excel）" in page and "导出（含完整身份证号码，留痕）" not in page
    before = list(AuditEvent.objects.values_list("pk", flat=True))
    response = client.get(url, {"reveal_reason": "报送合肥市人社局"})
    assert response.status_code == 403
    assert chu.id_number not in response.content.decode()
    assert [(e.action, e.outcome) for e in AuditEvent.objects.exclude(pk__in=before)] == [
        ("request.denied", "denied")
    ]  # the refusal only: no export, no reveal
    client.force_login(world.demo.user("ah_prison_bureau"))
    page = client.get(f"/reporting/?period=2026&unit={world.ah.pk}").content.decode()
    assert f'form="qualified-reveal" formaction="{url}">导出（含完整身份证号码，留痕）</button>' in page
    assert id_numbers(client.get(url)) == [("褚一", chu.masked_id_number)]  # no reason: masked
    assert id_numbers(client.get(url, {"reveal_reason": " "})) == [("褚一", chu.masked_id_number)]
    assert client.get(url, {"reveal_reason": "x"}).status_code == 302  # too short: refused with a message
    assert not AuditEvent.objects.filter(action="person.export_id_numbers").exists()
    assert AuditEvent.objects.filter(action="reporting.export").count() == 2  # the two masked lists
    response = client.get(url, {"reveal_reason": "报送合肥市人社局"})
    assert id_numbers(response) == [("褚一", chu.id_number)]
    event = AuditEvent.objects.get(action="person.export_id_numbers")
    period = world.ah_class.application.period_number
    assert (event.actor.username, event.object_repr, event.changes) == (
        "ah_prison_bureau",
        f"安徽省蜀山监狱培训合格人员名单（第{period}期）",
        {"reason": "报送合肥市人社局", "count": 1},
    )
    assert AuditEvent.objects.filter(action__in=exports).count() == 4  # + this export and its reveal
