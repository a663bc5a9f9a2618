"""Periodic and special reports: frozen figures, submission up the chain, receipt, scope, exports."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from skillbridge.audit.models import AuditEvent
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.reporting import services
from skillbridge.reporting.models import PeriodicReport, ReportStatus
from skillbridge.reporting.periods import parse_period
from skillbridge.reporting.scopes import scope_for

from .conftest import TODAY, make_certificate

Q3 = parse_period("2026Q3", today=TODAY)


def generate(world, username="ly_operator", kind="quarterly", period=Q3, **kw):
    user = world.demo.user(username)
    return services.report_generate(
        actor=user, scope=scope_for(user, **kw.pop("drill", {})), period=period, kind=kind, today=TODAY, **kw
    )


def test_quarterly_report_is_frozen_and_goes_up_the_chain(world):
    report = generate(world)
    assert report.title == "溧阳监狱2026年第三季度职业技能培训季报"
    assert (report.figures["totals"]["due"], report.figures["totals"]["due_certified"]) == (1, 0)
    make_certificate(
        world.people["sun"], world.ly, dt.date(2026, 9, 1), issuer=world.school, user=world.ly_user
    )
    report.refresh_from_db()
    assert report.figures["totals"]["due_certified"] == 0
    submitted = services.report_submit(actor=world.demo.user("ly_operator"), report=report)
    assert (submitted.status, submitted.submitted_to.name) == (
        ReportStatus.SUBMITTED,
        "常州监狱",
    )  # lead unit
    with pytest.raises(Conflict):
        services.report_submit(actor=world.demo.user("ly_operator"), report=report)
    with pytest.raises(Conflict):
        services.report_update_body(actor=world.demo.user("ly_operator"), report=report, title="改", body="")
    for other in ("cz_hrss_reviewer", "js_bureau_reviewer"):
        with pytest.raises(Forbidden):
            services.report_receive(actor=world.demo.user(other), report=report)
    received = services.report_receive(actor=world.demo.user("cz_reviewer"), report=report, note="已阅")
    assert (received.status, received.receipt_note) == (ReportStatus.RECEIVED, "已阅")
    assert list(
        AuditEvent.objects.filter(action__startswith="reporting.report")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["reporting.report.generate", "reporting.report.submit", "reporting.report.receive"]


def test_kind_and_period_must_match(world):
    with pytest.raises(ServiceError) as exc:
        generate(world, kind="quarterly", period=parse_period("2026", today=TODAY))
    assert exc.value.field == "period"
    with pytest.raises(ServiceError) as exc:
        generate(world, kind="annual", period=Q3)
    assert exc.value.field == "period"
    with pytest.raises(ServiceError) as exc:
        generate(world, kind="special", body="  ")
    assert exc.value.field == "body"
    assert PeriodicReport.objects.count() == 0
    special = generate(world, kind="special", body="9月28日实训车间发生设备故障，一名学员轻伤，已送医。")
    assert special.get_kind_display() == "重大情况专报"
    with pytest.raises(Forbidden):
        generate(world, username="czjs_operator")


def test_city_report_goes_to_the_provincial_department(world):
    from skillbridge.accounts import services as accounts

    province = accounts.organisation_create(
        actor=world.demo.user("sysadmin"), name="江苏省人力资源和社会保障厅", org_type="provincial_hrss",
        region_code="320000", policy_pack="jiangsu-special",
    )  # fmt: skip
    report = generate(
        world, username="cz_hrss_reviewer", kind="annual", period=parse_period("2026", today=TODAY)
    )
    assert report.scope_name == "常州市" and report.figures["totals"]["due"] == 6
    assert (
        services.report_submit(actor=world.demo.user("cz_hrss_reviewer"), report=report).submitted_to
        == province
    )
    bureau = generate(
        world, username="js_bureau_reviewer", kind="annual", period=parse_period("2026", today=TODAY)
    )
    with pytest.raises(Conflict):
        services.report_submit(actor=world.demo.user("js_bureau_reviewer"), report=bureau)
    assert PeriodicReport.objects.get(pk=bureau.pk).status == ReportStatus.DRAFT


def test_report_scope_and_pages(client, world):
    report = generate(world, body="第三季度应释放1人。")
    client.force_login(world.demo.user("xk_operator"))
    assert client.get(f"/reporting/reports/{report.pk}/").status_code == 404
    assert client.get(f"/api/v1/reporting/reports/{report.pk}").status_code == 404
    assert client.post(f"/reporting/reports/{report.pk}/submit/").status_code == 404
    assert PeriodicReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    client.force_login(world.demo.user("js_bureau_reviewer"))
    assert client.get(f"/reporting/reports/{report.pk}/").status_code == 200  # 溧阳 is in the bureau's scope
    client.force_login(world.demo.user("ly_operator"))
    page = client.get(f"/reporting/reports/{report.pk}/")
    assert "报送至常州监狱" in page.content.decode()
    book = load_workbook(io.BytesIO(client.get(f"/reporting/reports/{report.pk}/report.xlsx").content))
    assert book["培训与取证"]["A1"].value == report.title
    pdf = client.get(f"/reporting/reports/{report.pk}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    api = client.post(f"/api/v1/reporting/reports/{report.pk}/submit", content_type="application/json")
    assert api.status_code == 200 and api.json()["status"] == "submitted"
    created = client.post(
        "/api/v1/reporting/reports",
        {"kind": "annual", "period": "2026"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["figures"]["totals"]["due"] == 4
    listed = client.get("/api/v1/reporting/reports").json()
    assert [r["id"] for r in listed["items"]] == [created.json()["id"], report.pk]


def test_report_created_from_the_page(client, world):
    client.force_login(world.demo.user("ly_operator"))
    response = client.post(
        "/reporting/reports/new/", {"kind": "quarterly", "period": "2026Q3", "title": "", "body": ""}
    )
    report = PeriodicReport.objects.get()
    assert response.status_code == 302 and response.url == f"/reporting/reports/{report.pk}/"
    bad = client.post(
        "/reporting/reports/new/", {"kind": "quarterly", "period": "2026"}, HTTP_REFERER="/reporting/"
    )
    assert bad.status_code == 302 and PeriodicReport.objects.count() == 1


def test_demo_generates_one_report(world):
    from skillbridge.reporting.demo import load_demo

    first = load_demo()
    assert load_demo() == first
    assert first.author_org == world.ly and first.kind == "quarterly"
