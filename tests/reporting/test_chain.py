"""The lead unit's group scope (牵头单位汇总) and reports going up the chain: unit → lead unit → provincial bureau,
received or sent back, with the 报送情况 of the organisations below."""

import pytest

from skillbridge.audit.models import AuditEvent
from skillbridge.errors import Conflict, Forbidden, NotFound, ServiceError
from skillbridge.reporting import selectors, services
from skillbridge.reporting.chain import report_recipient, reporters_to
from skillbridge.reporting.models import PeriodicReport, ReportStatus
from skillbridge.reporting.periods import parse_period
from skillbridge.reporting.scopes import scope_for

from .conftest import TODAY

YEAR = parse_period("2026", today=TODAY)
Q3 = parse_period("2026Q3", today=TODAY)


def totals(data):
    keys = ("due", "due_certified", "enrolled", "completed", "assessed", "certified", "classes")
    return tuple(data["totals"][k] for k in keys)


def test_lead_unit_sees_its_group_figures_not_other_units_people(world):
    lead = world.demo.user("cz_operator")
    scope = scope_for(lead)
    assert (scope.level, scope.name, scope.figures_only) == ("lead", "常州市各监狱（常州监狱牵头）", True)
    assert [u.name for u in scope.units] == ["常州监狱", "新康监狱", "溧阳监狱"]
    data = selectors.dashboard(scope, YEAR, today=TODAY, live=True)
    assert totals(data) == (6, 3, 6, 4, 3, 5, 2)
    assert [(r["name"], r["due"], r["due_certified"]) for r in data["rows"]] == [
        ("常州监狱", 1, 1), ("新康监狱", 1, 1), ("溧阳监狱", 4, 1),
    ]  # fmt: skip
    city = selectors.dashboard(scope_for(world.demo.user("cz_hrss_reviewer")), YEAR, today=TODAY, live=True)
    assert data["totals"] == city["totals"]  # Changzhou's units are all prisons: the same total
    other = scope_for(lead, unit=world.ly.pk)
    assert (other.level, other.figures_only, other.trail[0][0]) == ("unit", True, "lead")
    assert selectors.dashboard(other, YEAR, today=TODAY, live=True)["totals"]["due"] == 4
    own = scope_for(lead, unit=world.cz.pk)
    assert (own.level, own.figures_only) == ("unit", False)
    denied = AuditEvent.objects.filter(action="scope.denied").count()
    with pytest.raises(NotFound):
        scope_for(lead, unit=world.nj.pk)  # a prison of another city
    with pytest.raises(NotFound):
        scope_for(world.demo.user("ly_operator"), unit=world.cz.pk)  # not a lead unit: itself only
    assert AuditEvent.objects.filter(action="scope.denied").count() == denied + 2
    assert scope_for(world.demo.user("ly_operator")).level == "unit"


def test_lead_unit_pages_and_api_withhold_other_units_people(client, world):
    client.force_login(world.demo.user("cz_operator"))
    page = client.get("/reporting/?period=2026")
    html = page.content.decode()
    assert page.status_code == 200 and "常州市各监狱（常州监狱牵头）职业技能培训统计（2026年度）" in html
    assert f'href="?period=2026&unit={world.ly.pk}">溧阳监狱</a>' in html
    assert html.count("which=missing_certificate") == 1  # only the lead unit's own row
    assert f"unit={world.cz.pk}&which=missing_certificate" in html
    api = client.get("/api/v1/reporting/dashboard?period=2026").json()
    assert api["scope"] == {"level": "lead", "code": str(world.cz.pk), "name": "常州市各监狱（常州监狱牵头）"}
    assert api["totals"]["due"] == 6
    denied = AuditEvent.objects.filter(action="scope.denied").count()
    for url in (
        f"/reporting/people/?period=2026&unit={world.ly.pk}",
        "/reporting/people/?period=2026",
        f"/api/v1/reporting/people?period=2026&unit={world.ly.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert world.people["sun"].name not in response.content.decode()
    assert AuditEvent.objects.filter(action="scope.denied").count() == denied + 3
    own = client.get(f"/api/v1/reporting/people?period=2026&unit={world.cz.pk}&which=due").json()
    assert [r["name"] for r in own["items"]] == ["郑七"]


def test_who_reports_to_whom(world):
    bureau = world.demo.orgs["江苏省监狱管理局"]
    assert report_recipient(world.ly) == world.cz
    assert report_recipient(world.xk) == world.cz
    assert report_recipient(world.cz) == bureau  # the lead unit goes on up
    assert report_recipient(world.nj) == bureau  # Nanjing has no lead prison
    assert report_recipient(world.ah) == world.demo.orgs["安徽省监狱管理局"]
    assert reporters_to(world.cz) == [world.xk, world.ly]
    assert reporters_to(bureau) == [world.nj, world.cz]
    assert reporters_to(world.ly) == []


def generate(world, username, period=Q3, kind="quarterly", **drill):
    user = world.demo.user(username)
    return services.report_generate(
        actor=user, scope=scope_for(user, **drill), period=period, kind=kind, today=TODAY
    )


def test_unit_report_goes_to_lead_unit_which_returns_then_receives(world):
    report = services.report_submit(
        actor=world.demo.user("ly_operator"), report=generate(world, "ly_operator")
    )
    assert (report.status, report.submitted_to) == (ReportStatus.SUBMITTED, world.cz)
    lead = world.demo.user("cz_reviewer")
    with pytest.raises(ServiceError) as exc:
        services.report_return(actor=lead, report=report, reason="  ")
    assert exc.value.field == "note"
    with pytest.raises(Forbidden):
        services.report_return(actor=world.demo.user("js_bureau_reviewer"), report=report, reason="数据不全")
    assert PeriodicReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    returned = services.report_return(actor=lead, report=report, reason="请补充未取证人员的补训安排")
    assert (returned.status, returned.receipt_note, returned.received_by) == (
        ReportStatus.RETURNED, "请补充未取证人员的补训安排", lead,
    )  # fmt: skip
    with pytest.raises(Conflict):
        services.report_receive(actor=lead, report=report)
    author = world.demo.user("ly_operator")
    services.report_update_body(actor=author, report=report, title=report.title, body="孙三已安排10月补训。")
    again = services.report_submit(actor=author, report=report)
    assert (again.status, again.received_by, again.received_at, again.receipt_note) == (
        ReportStatus.SUBMITTED, None, None, "",
    )  # fmt: skip
    received = services.report_receive(actor=lead, report=report, note="已阅")
    assert (received.status, received.body) == (ReportStatus.RECEIVED, "孙三已安排10月补训。")
    assert list(
        AuditEvent.objects.filter(object_id=str(report.pk), action__startswith="reporting.report")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "reporting.report.generate", "reporting.report.submit", "reporting.report.return",
        "reporting.report.edit", "reporting.report.submit", "reporting.report.receive",
    ]  # fmt: skip


def test_lead_group_report_goes_to_the_bureau(world):
    group = generate(world, "cz_operator", period=YEAR, kind="annual")
    assert (group.scope_level, group.scope_name, group.scope_unit) == (
        "lead",
        "常州市各监狱（常州监狱牵头）",
        world.cz,
    )
    assert group.figures["totals"]["due"] == 6
    submitted = services.report_submit(actor=world.demo.user("cz_operator"), report=group)
    assert submitted.submitted_to == world.demo.orgs["江苏省监狱管理局"]
    bureau = world.demo.user("js_bureau_reviewer")
    assert list(PeriodicReport.objects.for_user(bureau).values_list("pk", flat=True)) == [group.pk]
    assert list(PeriodicReport.objects.for_user(world.demo.user("ly_operator"))) == []
    services.report_receive(actor=bureau, report=group)
    assert PeriodicReport.objects.get(pk=group.pk).status == ReportStatus.RECEIVED


def test_reporters_status_page_and_api(client, world):
    ly = services.report_submit(actor=world.demo.user("ly_operator"), report=generate(world, "ly_operator"))
    generate(world, "xk_operator")  # a draft: not sent yet
    client.force_login(world.demo.user("cz_reviewer"))
    page = client.get("/reporting/reports/?status_period=2026Q3")
    rows = page.context["reporters"]
    assert [(org.name, report.pk if report else None) for org, report in rows] == [
        ("新康监狱", None), ("溧阳监狱", ly.pk),
    ]  # fmt: skip
    html = page.content.decode()
    assert "2026年第三季度季报：已报送 1 / 2 个单位" in html and "未报送" in html
    api = client.get("/api/v1/reporting/reporters?period=2026Q3").json()
    assert [(r["org_name"], r["report_id"], r["status"]) for r in api] == [
        ("新康监狱", None, None), ("溧阳监狱", ly.pk, "submitted"),
    ]  # fmt: skip
    assert client.get("/api/v1/reporting/reporters?period=2026").json()[1]["report_id"] is None  # no 年报
    client.force_login(world.demo.user("ly_operator"))
    assert client.get("/reporting/reports/").context["reporters"] is None
    assert client.get("/api/v1/reporting/reporters").json() == []


def test_return_from_the_page(client, world):
    report = services.report_submit(
        actor=world.demo.user("ly_operator"), report=generate(world, "ly_operator")
    )
    client.force_login(world.demo.user("xk_operator"))
    assert client.post(f"/reporting/reports/{report.pk}/return/", {"note": "x"}).status_code == 404
    client.force_login(world.demo.user("cz_reviewer"))
    detail = client.get(f"/reporting/reports/{report.pk}/").content.decode()
    assert "退回</button>" in detail and "签收</button>" in detail
    empty = client.post(f"/reporting/reports/{report.pk}/return/", {"note": ""})
    assert (
        empty.status_code == 302 and PeriodicReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    )
    client.post(f"/reporting/reports/{report.pk}/return/", {"note": "期间填写有误"})
    assert PeriodicReport.objects.get(pk=report.pk).status == ReportStatus.RETURNED
    client.force_login(world.demo.user("ly_operator"))
    page = client.get(f"/reporting/reports/{report.pk}/").content.decode()
    assert "退回原因：期间填写有误" in page and "重新报送至常州监狱" in page


def test_submitting_without_a_recipient_says_why(world):
    city = generate(world, "cz_hrss_reviewer", period=YEAR, kind="annual")  # no 江苏省人社厅 in the demo
    with pytest.raises(Conflict) as exc:
        services.report_submit(actor=world.demo.user("cz_hrss_reviewer"), report=city)
    assert (
        exc.value.message == "平台中尚未登记本单位的上级报送单位（省人力资源和社会保障厅），请联系系统管理员"
    )
    assert PeriodicReport.objects.get(pk=city.pk).status == ReportStatus.DRAFT
