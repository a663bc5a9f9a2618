import datetime as dt
import io

import pytest
from python_calamine import CalamineWorkbook

from skillbridge.audit.models import AuditEvent
from skillbridge.training import services
from skillbridge.training.models import Attendance, ClassApplication, Enrolment, TrainingClass

from .conftest import ELECTRICIAN, D, approve_application

pytestmark = pytest.mark.django_db


def form_post(demo, **overrides):
    from skillbridge.catalog.models import Occupation

    data = {
        "institution": demo.orgs["常州技师学院"].pk,
        "plan_year": 2026,
        "category": "employment",
        "occupation": Occupation.objects.get(code=ELECTRICIAN).pk,
        "level": 5,
        "trainees": 20,
        "period_number": 1,
        "period_total": 2,
        "date_from": "2026-12-01",
        "date_to": "2026-12-20",
        "days": 18,
        "theory_hours": 48,
        "practice_hours": 72,
        "teachers": "王建国",
        "textbooks": "《电工（初级）》",
        "venue": "实训楼",
        "filled_on": "2026-11-20",
    }
    data.update(overrides)
    return data


def sheet_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_create_check_and_submit_through_the_pages(client, cz):
    client.force_login(cz.user("ly_operator"))
    assert "新建办班申报" in client.get("/training/applications/new/").content.decode()
    response = client.post("/training/applications/new/", form_post(cz))
    application = ClassApplication.objects.get()
    assert response.url == f"/training/applications/{application.pk}/"
    page = client.get(response.url).content.decode()
    assert "报送前检查已全部通过。" in page
    assert "培训机构名称" in page and "常州技师学院" in page
    client.post(f"/training/applications/{application.pk}/submit/")
    application.refresh_from_db()
    assert application.status == "in_review"
    again = client.post(
        f"/training/applications/{application.pk}/submit/",
        HTTP_REFERER=f"/training/applications/{application.pk}/",
        follow=True,
    )
    assert "该办班申报当前状态为“审核中”，不能重复报送" in again.content.decode()
    assert application.review.stages.count() == 2


def test_problems_are_listed_on_the_detail_page_and_the_form_shows_field_errors(client, cz):
    client.force_login(cz.user("ly_operator"))
    response = client.post("/training/applications/new/", form_post(cz, days=30))
    assert "共计天数须在1至20天之间（培训时间共20个日历日）" in response.content.decode()
    assert not ClassApplication.objects.exists()
    client.post("/training/applications/new/", form_post(cz, trainees=31))
    application = ClassApplication.objects.get()
    page = client.get(f"/training/applications/{application.pk}/").content.decode()
    assert "培训人数：31人超过计划剩余名额30人" in page


def test_another_unit_gets_404_and_changes_nothing(client, cz, running_class):
    application = running_class.application
    session = services.session_create(
        actor=cz.user("ly_operator"),
        training_class=running_class,
        data={
            "date": D(2026, 12, 1),
            "start_time": dt.time(8, 30),
            "minutes": 90,
            "kind": "theory",
            "topic": "安全",
            "teacher": "王",
        },
    )
    client.force_login(cz.user("xk_operator"))
    person = running_class.enrolments.first().person
    for url in (
        f"/training/applications/{application.pk}/",
        f"/training/applications/{application.pk}/form.pdf",
        f"/training/classes/{running_class.pk}/",
        f"/training/classes/{running_class.pk}/roster.xlsx",
        f"/training/sessions/{session.pk}/",
        f"/training/sessions/{session.pk}/sign-in.pdf",
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (f"/training/sessions/{session.pk}/all-present/", {}),
        (f"/training/sessions/{session.pk}/attendance/", {f"m_{person.pk}": "90"}),
        (f"/training/classes/{running_class.pk}/complete/", {"on": "2026-12-20"}),
        (f"/training/applications/{application.pk}/delete/", {}),
    ):
        assert client.post(url, data).status_code == 404, url
    assert not Attendance.objects.exists()
    assert TrainingClass.objects.get().status == "open"
    assert AuditEvent.objects.filter(action="scope.denied").count() == 10
    assert "暂无培训班" in client.get("/training/").content.decode()


def test_the_institution_sees_its_classes_and_the_bureau_its_province(client, cz, running_class):
    for username in ("czjs_operator", "js_bureau_reviewer", "cz_hrss_reviewer"):
        client.force_login(cz.user(username))
        assert "电工（五级/初级工）" in client.get("/training/").content.decode(), username
        assert client.get(f"/training/classes/{running_class.pk}/").status_code == 200
    client.force_login(cz.user("tn_operator"))
    assert client.get(f"/training/classes/{running_class.pk}/").status_code == 404


def test_class_page_roster_attendance_grid_and_exports(client, cz, running_class):
    client.force_login(cz.user("ly_operator"))
    page = client.get(f"/training/classes/{running_class.pk}/").content.decode()
    assert "赵一" in page and "本地政策未规定结业后学员信息录入时限" in page
    client.post(
        f"/training/classes/{running_class.pk}/sessions/new/",
        {
            "date": "2026-12-01",
            "start_time": "08:30",
            "minutes": 90,
            "kind": "theory",
            "topic": "安全用电",
            "teacher": "王建国",
        },
    )
    session = running_class.sessions.get()
    client.post(f"/training/sessions/{session.pk}/all-present/")
    first = running_class.enrolments.order_by("id").first()
    grid = client.post(
        f"/training/sessions/{session.pk}/attendance/",
        {f"m_{first.person_id}": "120"},
        HTTP_HX_REQUEST="true",
    )
    assert "赵一：出勤120分钟超过本课次时长90分钟" in grid.content.decode()
    assert 'id="attendance-grid"' in grid.content.decode()
    client.post(
        f"/training/sessions/{session.pk}/attendance/",
        {f"m_{first.person_id}": "60", f"n_{first.person_id}": "就医"},
    )
    assert Attendance.objects.get(enrolment=first).minutes == 60
    rows = sheet_rows(client.get(f"/training/sessions/{session.pk}/?export=xlsx"))
    assert rows[0][:4] == ["姓名", "罪犯编号", "学员状态", "出勤（分钟，满90）"]
    assert {r[0]: r[3] for r in rows[1:]} == {"孙三": 90, "赵一": 60, "钱二": 90}
    assert sheet_rows(client.get("/training/?export=xlsx"))[1][3] == "就业技能培训：电工（五级/初级工）"
    assert (
        sheet_rows(client.get("/training/applications/?export=xlsx"))[1][4]
        == "就业技能培训：电工（五级/初级工）"
    )
    assert [
        r[0] for r in sheet_rows(client.get(f"/training/classes/{running_class.pk}/roster.xlsx"))[1:]
    ] == ["孙三", "赵一", "钱二"]
    assert sheet_rows(client.get(f"/training/classes/{running_class.pk}/sessions.xlsx"))[1][4] == "安全用电"


def test_roster_add_page_shows_warnings_and_adds(client, cz, training_class, trainees):
    client.force_login(cz.user("ly_operator"))
    page = client.get(f"/training/classes/{training_class.pk}/roster/add/").content.decode()
    assert "赵一" in page and "可加入" in page
    client.post(
        f"/training/classes/{training_class.pk}/roster/add/", {"person": [trainees[0].pk, trainees[1].pk]}
    )
    assert Enrolment.objects.count() == 2
    response = client.post(
        f"/training/classes/{training_class.pk}/roster/add/", {"person": [trainees[0].pk]}, follow=True
    )
    assert "赵一：已在本班学员名单中" in response.content.decode()
    assert Enrolment.objects.count() == 2


def test_online_manual_entry_page(client, cz, running_class):
    client.force_login(cz.user("ly_operator"))
    enrolment = running_class.enrolments.first()
    page = client.get(f"/training/classes/{running_class.pk}/online/").content.decode()
    assert "按 50% 的比例计入培训总课时" in page
    client.post(
        f"/training/classes/{running_class.pk}/online/",
        {"enrolment": enrolment.pk, "platform": "江苏职业培训网络学习平台", "minutes": 120},
    )
    assert enrolment.online_learning.get().minutes == 120
    rows = sheet_rows(client.get(f"/training/classes/{running_class.pk}/online/?export=xlsx"))
    assert rows[1][2:4] == ["江苏职业培训网络学习平台", 120]


def test_form_exports_xlsx_and_pdf(client, cz, application):
    approve_application(cz, application)
    client.force_login(cz.user("ly_operator"))
    rows = sheet_rows(client.get(f"/training/applications/{application.pk}/form.xlsx"))
    assert rows[0][0] == "江苏省特殊人群职业技能培训办班申报表"
    fields = {r[0]: r[1] for r in rows[2:]}
    assert fields["培训班期"] == "第1期 共2班"
    assert fields["培训时间"] == "从2026年12月1日至2026年12月20日共18天120课时（理论48课时、实操72课时）"
    assert fields["省监狱管理局（省戒毒管理局）意见"].startswith("同意。")
    response = client.get(f"/training/applications/{application.pk}/form.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_sign_in_sheet_pdf(client, cz, running_class):
    session = services.session_create(
        actor=cz.user("czjs_operator"),
        training_class=running_class,
        data={
            "date": D(2026, 12, 1),
            "start_time": dt.time(8, 30),
            "minutes": 90,
            "kind": "theory",
            "topic": "安全用电",
            "teacher": "王建国",
        },
    )
    client.force_login(cz.user("ly_operator"))
    response = client.get(f"/training/sessions/{session.pk}/sign-in.pdf")
    assert response.content.startswith(b"%PDF")
