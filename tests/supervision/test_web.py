"""Pages: the scan → finding → assign → answer → close flow, list filters and export, scope (another unit and
another city get a 404 and change nothing), inspections and the rating page that explains a grade."""

import datetime as dt
import io

import pytest
from python_calamine import CalamineWorkbook

from skillbridge.supervision import services
from skillbridge.supervision.models import CreditRating, Finding, Inspection, Notice, ScanRun

from .conftest import certificate, enrol, make_class, person

pytestmark = pytest.mark.django_db
D = dt.date


def sheet_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


@pytest.fixture
def overlap(cz):
    first = make_class(cz, date_from=D(2026, 3, 1), date_to=D(2026, 3, 20))
    second = make_class(cz, date_from=D(2026, 3, 10), date_to=D(2026, 3, 30))
    who = person(cz, name="重叠甲")
    enrol(cz, first, who)
    enrol(cz, second, who)
    return second


def test_scan_assign_answer_close_through_the_pages(
    client, cz, overlap, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(cz.user("cz_justice_reviewer"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/supervision/scans/new/")
    run = ScanRun.objects.get()
    assert response.url == f"/supervision/scans/{run.pk}/"
    page = client.get(response.url).content.decode()
    assert "已完成" in page and "重叠甲同时在两个培训班" in page
    finding = Finding.objects.get(rule="overlapping_classes")
    page = client.get(f"/supervision/findings/{finding.pk}/").content.decode()
    assert "涉及培训班" in page and "2026-03-10 至 2026-03-20" in page
    assert f'href="/training/classes/{overlap.pk}/"' in page
    client.post(
        f"/supervision/findings/{finding.pk}/",
        {"action": "assign", "assign-assignee": cz.user("ly_operator").pk, "assign-note": "请核实"},
    )
    finding.refresh_from_db()
    assert finding.status == "assigned"
    client.force_login(cz.user("ly_operator"))
    page = client.get(f"/supervision/findings/{finding.pk}/").content.decode()
    assert "提交答复" in page and "分派" not in page.split("处理记录")[0].split("办理")[1][:20]
    client.post(
        f"/supervision/findings/{finding.pk}/", {"action": "answer", "answer-answer": "已让其退出第二个班"}
    )
    # The unit cannot close its own finding.
    client.post(
        f"/supervision/findings/{finding.pk}/",
        {"action": "close", "close-outcome": "dismissed", "close-note": "x"},
    )
    finding.refresh_from_db()
    assert finding.status == "answered"
    client.force_login(cz.user("cz_justice_reviewer"))
    client.post(
        f"/supervision/findings/{finding.pk}/",
        {"action": "close", "close-outcome": "confirmed", "close-note": "属实，已整改"},
    )
    finding.refresh_from_db()
    assert (finding.status, finding.outcome) == ("closed", "confirmed")
    page = client.get(f"/supervision/findings/{finding.pk}/").content.decode()
    assert "属实（已整改/已处理）" in page and "扫描发现" in page and "答复" in page


def test_list_filters_and_export(client, cz, overlap):
    run = services.scan_request(actor=cz.user("cz_justice_reviewer"))
    services.scan_execute(run.pk)
    client.force_login(cz.user("cz_justice_reviewer"))
    page = client.get("/supervision/?rule=overlapping_classes").content.decode()
    assert "重叠甲" in page
    assert "重叠甲" not in client.get("/supervision/?rule=late_data_entry").content.decode()
    rows = sheet_rows(client.get("/supervision/?rule=overlapping_classes&export=xlsx"))
    assert rows[0][:4] == ["编号", "规则", "风险等级", "问题摘要"]
    assert [r[1] for r in rows[1:]] == ["同一人员同时参加时间重叠的培训班"]
    assert rows[1][4] == "溧阳监狱"


def test_another_unit_or_city_gets_404_and_changes_nothing(client, cz, overlap):
    run = services.scan_request(actor=cz.user("cz_justice_reviewer"))
    services.scan_execute(run.pk)
    finding = Finding.objects.get(rule="overlapping_classes")
    for username in ("cz_operator", "hf_hrss"):
        client.force_login(cz.user(username))
        assert client.get(f"/supervision/findings/{finding.pk}/").status_code == 404
        response = client.post(
            f"/supervision/findings/{finding.pk}/",
            {"action": "close", "close-outcome": "dismissed", "close-note": "x"},
        )
        assert response.status_code == 404
        assert "重叠甲" not in client.get("/supervision/").content.decode()
    finding.refresh_from_db()
    assert finding.status == "open"


def test_inspection_pages(client, cz):
    client.force_login(cz.user("cz_justice_reviewer"))
    response = client.post(
        "/supervision/inspections/",
        {"target": cz.orgs["溧阳监狱"].pk, "title": "2026年度培训督查", "planned_on": "2026-09-28"},
    )
    inspection = Inspection.objects.get()
    assert response.url == f"/supervision/inspections/{inspection.pk}/"
    client.post(
        response.url,
        {
            "action": "visit", "visited_on": "2026-09-30", "inspectors": "张三", "visit_record": "查阅台账",
            "issues": "考勤未签认\n教材未登记", "rectification_required": "补签、登记",
        },
    )  # fmt: skip
    inspection.refresh_from_db()
    assert inspection.status == "rectifying" and inspection.issues.count() == 2
    page = client.get(response.url).content.decode()
    assert "整改期限" in page and "15个工作日" in page
    client.force_login(cz.user("ly_operator"))
    client.post(response.url, {"action": "report", "report": "已整改", "reported_on": "2026-10-20"})
    inspection.refresh_from_db()
    assert inspection.status == "reported"
    client.force_login(cz.user("cz_operator"))
    assert client.get(response.url).status_code == 404
    client.force_login(cz.user("cz_justice_reviewer"))
    client.post(
        "/supervision/notices/new/",
        {"target": cz.orgs["溧阳监狱"].pk, "kind": "criticism", "title": "关于溧阳监狱的通报", "content": "整改不及时",
         "issued_on": "2026-10-30"},
    )  # fmt: skip
    assert Notice.objects.get().kind == "criticism"
    assert "关于溧阳监狱的通报" in client.get("/supervision/inspections/").content.decode()


def test_rating_page_explains_the_grade(client, cz):
    tc = make_class(cz, date_from=D(2026, 5, 4), date_to=D(2026, 5, 29), ended_on=D(2026, 5, 29))
    people = [person(cz) for _ in range(4)]
    for p in people:
        enrol(cz, tc, p, status="completed", exit_on=D(2026, 5, 29))
    certificate(cz, tc, people[0], D(2026, 6, 10))
    client.force_login(cz.user("cz_hrss_reviewer"))
    response = client.post("/supervision/ratings/", {"institution": cz.orgs["常州技师学院"].pk, "year": 2026})
    rating = CreditRating.objects.get()
    assert response.url == f"/supervision/ratings/{rating.pk}/"
    page = client.get(response.url).content.decode()
    assert f"{rating.grade}级" in page
    assert "结业4人中1人取得证书，获证率25.0%" in page
    assert "无应录入的结业班级" in page
    client.force_login(cz.user("czjs_operator"))
    assert client.get(response.url).status_code == 200
    client.force_login(cz.user("tn_operator"))
    assert client.get(response.url).status_code == 404


def test_home_panel_shows_what_waits(client, cz, overlap):
    run = services.scan_request(actor=cz.user("cz_justice_reviewer"))
    services.scan_execute(run.pk)
    client.force_login(cz.user("cz_justice_reviewer"))
    page = client.get("/").content.decode()
    assert "待分派的风险问题" in page
    finding = Finding.objects.get(rule="overlapping_classes")
    services.finding_assign(
        actor=cz.user("cz_justice_reviewer"), finding=finding, assignee=cz.user("ly_operator")
    )
    client.force_login(cz.user("ly_operator"))
    assert "待本单位答复的风险问题" in client.get("/").content.decode()
    client.force_login(cz.user("cz_operator"))
    assert "待本单位答复的风险问题" not in client.get("/").content.decode()
