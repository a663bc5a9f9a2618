import datetime as dt
from decimal import Decimal

import pytest
from tests.registry.conftest import make_person

from skillbridge.audit.models import AuditEvent
from skillbridge.errors import Conflict, ServiceError
from skillbridge.training import services
from skillbridge.training.models import Attendance, ClassApplication, Enrolment, OnlineLearning, TrainingClass
from skillbridge.training.selectors import attendance_summary, data_entry_status, roster_candidates

from .conftest import TODAY, D, application_data, approve_application

pytestmark = pytest.mark.django_db


def op(demo):
    return demo.user("ly_operator")


def add(demo, training_class, people):
    return services.enrolments_add(actor=op(demo), training_class=training_class, people=people, today=TODAY)


FIRST_DAY = D(2026, 12, 1)


def session(demo, training_class, day=FIRST_DAY, minutes=90, kind="theory", topic="安全用电基础"):
    return services.session_create(
        actor=op(demo),
        training_class=training_class,
        data={
            "date": day,
            "start_time": dt.time(8, 30),
            "minutes": minutes,
            "kind": kind,
            "topic": topic,
            "teacher": "王建国",
        },
    )


# ---- roster --------------------------------------------------------------------------------------------


def test_roster_candidates_show_eligible_people_and_the_reasons_of_the_others(cz, training_class, trainees):
    unit = cz.orgs["溧阳监狱"]
    make_person(unit, name="周有技", release=D(2027, 9, 30), has_skill=True, number="LY9001")
    make_person(unit, name="吴将释", release=D(2026, 12, 15), number="LY9002")
    rows = {c.person.name: c for c in roster_candidates(op(cz), training_class, today=TODAY)}
    assert rows["赵一"].decision.allowed
    assert not rows["周有技"].decision.allowed
    assert (
        rows["周有技"].blocks[0].message
        == "2026年12月1日不符合培训条件：已有一技之长（常司发〔2022〕42号 三：没有一技之长）"
    )
    assert [r.code for r in rows["吴将释"].blocks] == ["release_before_end"]


def test_enrolment_blocks_leave_the_roster_unchanged(cz, training_class, trainees):
    unit = cz.orgs["溧阳监狱"]
    skilled = make_person(unit, name="周有技", release=D(2027, 9, 30), has_skill=True, number="LY9001")
    leaving = make_person(unit, name="吴将释", release=D(2026, 12, 20), number="LY9002")
    elsewhere = make_person(cz.orgs["新康监狱"], name="郑新康", release=D(2027, 9, 30), number="XK9001")
    with pytest.raises(ServiceError) as caught:
        add(cz, training_class, [trainees[0], skilled, leaving, elsewhere])
    messages = [d["message"] for d in caught.value.details]
    assert messages == [
        "周有技：2026年12月1日不符合培训条件：已有一技之长（常司发〔2022〕42号 三：没有一技之长）",
        "吴将释：预计释放日期2026年12月20日不晚于结业日期2026年12月20日，无法完成培训",
        "郑新康：不是溧阳监狱在押（在所）人员",
    ]
    assert not Enrolment.objects.exists()


def test_warnings_are_kept_and_an_overlapping_class_blocks(cz, training_class, trainees):
    soon = make_person(cz.orgs["溧阳监狱"], name="冯较快", release=D(2027, 2, 1), number="LY9003")
    (enrolment,) = add(cz, training_class, [soon])
    assert enrolment.warnings[0]["code"] == "release_soon"
    assert (
        enrolment.warnings[0]["message"] == "预计释放日期2027年2月1日距结业不足90天，可能来不及参加鉴定取证"
    )
    second = services.application_create(
        actor=op(cz),
        data=application_data(
            cz, trainees=5, period_number=2, date_from=D(2026, 12, 15), date_to=D(2026, 12, 30), days=16
        ),
    )
    other = services.class_open(actor=op(cz), application=approve_application(cz, second))
    with pytest.raises(ServiceError) as caught:
        add(cz, other, [soon])
    assert caught.value.message.startswith(
        "冯较快：已在培训时间重叠的培训班“溧阳监狱就业技能培训：电工（五级/初级工）第1期”（2026年12月1日至2026年12月20日）中"
    )
    assert other.enrolments.count() == 0


def test_exit_states(cz, running_class):
    first, second, _third = running_class.enrolments.order_by("id")
    services.enrolment_exit(
        actor=op(cz), enrolment=first, status="transferred", on=D(2026, 12, 5), reason="调往新康监狱"
    )
    with pytest.raises(ServiceError) as caught:
        services.enrolment_exit(
            actor=op(cz), enrolment=second, status="completed", on=D(2026, 12, 5), reason="x"
        )
    assert (
        caught.value.message == "离班类型须为刑满释放（中途）、调出、退训之一（结业、未结业由结业办理确定）"
    )
    with pytest.raises(Conflict):
        services.enrolment_exit(
            actor=op(cz), enrolment=first, status="withdrawn", on=D(2026, 12, 6), reason="x"
        )
    first.refresh_from_db()
    assert (first.status, first.exit_on, first.exit_reason) == ("transferred", D(2026, 12, 5), "调往新康监狱")


# ---- sessions and attendance ---------------------------------------------------------------------------


def test_session_outside_the_class_dates(cz, training_class):
    with pytest.raises(ServiceError) as caught:
        session(cz, training_class, day=D(2026, 12, 21))
    assert caught.value.message == "日期：2026年12月21日不在培训时间（2026年12月1日至2026年12月20日）内"


def test_everyone_present_then_exceptions_then_sign_off(cz, running_class):
    s = session(cz, running_class)
    _a, b, c = (e.person for e in running_class.enrolments.order_by("id"))
    services.attendance_set(
        actor=op(cz), session=s, entries=[{"person_id": b.pk, "minutes": 45, "note": "就医"}]
    )
    assert services.attendance_mark_all_present(actor=op(cz), session=s) == 2
    assert dict(Attendance.objects.filter(session=s).values_list("enrolment__person__name", "minutes")) == {
        "赵一": 90,
        "钱二": 45,
        "孙三": 90,
    }
    services.attendance_set(actor=op(cz), session=s, entries=[{"person_id": c.pk, "minutes": 0}])
    services.session_sign_off(actor=op(cz), session=s)
    s.refresh_from_db()
    assert s.is_locked


def test_more_minutes_than_the_session_has(cz, running_class):
    s = session(cz, running_class)
    a, b, _ = (e.person for e in running_class.enrolments.order_by("id"))
    with pytest.raises(ServiceError) as caught:
        services.attendance_set(
            actor=op(cz),
            session=s,
            entries=[{"person_id": a.pk, "minutes": 60}, {"person_id": b.pk, "minutes": 91}],
        )
    assert (caught.value.field, caught.value.message) == ("minutes", "钱二：出勤91分钟超过本课次时长90分钟")
    assert not Attendance.objects.exists()


def test_attendance_for_someone_not_enrolled(cz, running_class):
    s = session(cz, running_class)
    outsider = make_person(cz.orgs["溧阳监狱"], name="陈未报", release=D(2027, 9, 30), number="LY9100")
    with pytest.raises(ServiceError) as caught:
        services.attendance_set(actor=op(cz), session=s, entries=[{"person_id": outsider.pk, "minutes": 90}])
    assert (caught.value.field, caught.value.message) == ("person_id", "陈未报不是本班在训学员，不能登记考勤")
    assert not Attendance.objects.exists()


def test_locked_attendance_cannot_be_edited(cz, running_class):
    s = session(cz, running_class)
    services.attendance_mark_all_present(actor=op(cz), session=s)
    services.session_sign_off(actor=op(cz), session=s)
    person = running_class.enrolments.first().person
    before = list(Attendance.objects.values_list("pk", "minutes"))
    for call in (
        lambda: services.attendance_set(
            actor=op(cz), session=s, entries=[{"person_id": person.pk, "minutes": 10}]
        ),
        lambda: services.attendance_mark_all_present(actor=op(cz), session=s),
        lambda: services.session_update(
            actor=op(cz),
            session=s,
            data={
                "date": s.date,
                "start_time": s.start_time,
                "minutes": 60,
                "kind": "theory",
                "topic": "x",
                "teacher": "y",
            },
        ),
    ):
        with pytest.raises(Conflict) as caught:
            call()
        assert "签认锁定" in caught.value.message
    assert list(Attendance.objects.values_list("pk", "minutes")) == before


def test_sign_off_needs_every_trainee(cz, running_class):
    s = session(cz, running_class)
    person = running_class.enrolments.order_by("id").first().person
    services.attendance_set(actor=op(cz), session=s, entries=[{"person_id": person.pk, "minutes": 90}])
    with pytest.raises(ServiceError) as caught:
        services.session_sign_off(actor=op(cz), session=s)
    assert caught.value.message == "以下学员尚未登记考勤：钱二、孙三"


# ---- online minutes, completion, deadline --------------------------------------------------------------


def test_online_minutes_are_kept_apart_and_credited_by_the_packs_ratio(cz, running_class):
    theory = session(cz, running_class, minutes=400, kind="theory")
    practice = session(
        cz, running_class, day=D(2026, 12, 2), minutes=600, kind="practice", topic="照明电路安装"
    )
    for s in (theory, practice):
        services.attendance_mark_all_present(actor=op(cz), session=s)
    a, b, _c = running_class.enrolments.order_by("id")
    services.attendance_set(
        actor=op(cz), session=practice, entries=[{"person_id": b.person_id, "minutes": 300}]
    )
    services.online_minutes_set(actor=op(cz), enrolment=b, platform="江苏职业培训网络学习平台", minutes=201)
    services.online_minutes_set(actor=op(cz), enrolment=b, platform="江苏职业培训网络学习平台", minutes=201)
    assert OnlineLearning.objects.count() == 1
    rows = attendance_summary(running_class)
    row = rows[b.pk]
    # 700 classroom minutes + floor(201 × 0.50) = 100 credited, of 1000 planned.
    assert (row.classroom_minutes, row.platform_minutes, row.online_credited, row.planned_minutes) == (
        700,
        201,
        100,
        1000,
    )
    assert row.ratio == Decimal("0.8000")
    assert rows[a.pk].ratio == Decimal("1.0000")


def test_completion_by_attendance_threshold_and_share(cz, running_class, settings):
    theory = session(cz, running_class, minutes=400, kind="theory")
    practice = session(
        cz, running_class, day=D(2026, 12, 2), minutes=600, kind="practice", topic="照明电路安装"
    )
    _a, b, _c = running_class.enrolments.order_by("id")
    for s in (theory, practice):
        services.attendance_mark_all_present(actor=op(cz), session=s)
    services.attendance_set(
        actor=op(cz), session=practice, entries=[{"person_id": b.person_id, "minutes": 300}]
    )
    with pytest.raises(ServiceError) as caught:
        services.class_complete(actor=op(cz), training_class=running_class, ended_on=D(2026, 12, 20))
    assert caught.value.message.startswith("以下课次考勤尚未签认")
    for s in (theory, practice):
        services.session_sign_off(actor=op(cz), session=s)
    services.class_complete(actor=op(cz), training_class=running_class, ended_on=D(2026, 12, 20))
    statuses = dict(running_class.enrolments.values_list("person__name", "status"))
    assert statuses == {"赵一": "completed", "钱二": "failed", "孙三": "completed"}
    b.refresh_from_db()
    assert b.exit_reason == "出勤率70.00%，未达到结业要求80%"
    running_class.refresh_from_db()
    assert (running_class.status, running_class.ended_on, running_class.completion_ratio) == (
        "completed",
        D(2026, 12, 20),
        Decimal("0.8000"),
    )
    with pytest.raises(Conflict):
        session(cz, running_class)


def test_completion_threshold_is_a_setting(cz, running_class, settings):
    settings.TRAINING_COMPLETION_RATIO = "0.6"
    theory = session(cz, running_class, minutes=400, kind="theory")
    practice = session(cz, running_class, day=D(2026, 12, 2), minutes=600, kind="practice")
    for s in (theory, practice):
        services.attendance_mark_all_present(actor=op(cz), session=s)
    b = running_class.enrolments.order_by("id")[1]
    services.attendance_set(
        actor=op(cz), session=practice, entries=[{"person_id": b.person_id, "minutes": 300}]
    )
    for s in (theory, practice):
        services.session_sign_off(actor=op(cz), session=s)
    services.class_complete(actor=op(cz), training_class=running_class, ended_on=D(2026, 12, 20))
    b.refresh_from_db()
    assert b.status == "completed"


def test_share_is_checked_at_completion(cz, running_class):
    s = session(cz, running_class, minutes=600, kind="theory")
    services.attendance_mark_all_present(actor=op(cz), session=s)
    services.session_sign_off(actor=op(cz), session=s)
    with pytest.raises(ServiceError) as caught:
        services.class_complete(actor=op(cz), training_class=running_class, ended_on=D(2026, 12, 20))
    assert caught.value.message.startswith("已上课时：理论课时占 100.00%、实操占 0.00%")
    running_class.refresh_from_db()
    assert running_class.status == "open"
    assert set(running_class.enrolments.values_list("status", flat=True)) == {"active"}


def test_anhui_data_entry_deadline_is_ten_working_days_and_flagged_overdue():
    from skillbridge.accounts.models import Organisation

    unit = Organisation(name="安徽省蜀山监狱", org_type="prison", region_code="340104", policy_pack="anhui")
    # Ended Friday 2026-09-25: the 10 working days skip the National Day / Mid-Autumn holiday by the
    # official calendar (a Monday–Friday count would end on 10-09) → 2026-10-15.
    training_class = TrainingClass(
        unit=unit,
        date_from=D(2026, 9, 1),
        date_to=D(2026, 9, 25),
        ended_on=D(2026, 9, 25),
        status="completed",
    )
    on_time = data_entry_status(training_class, D(2026, 10, 15))
    assert (on_time.deadline, on_time.overdue, on_time.projected) == (D(2026, 10, 15), False, False)
    assert on_time.source.startswith("皖司通〔2019〕45号 二(四)")
    late = data_entry_status(training_class, D(2026, 10, 20))
    assert (late.overdue, late.overdue_working_days) == (True, 3)
    training_class.data_entered_on = D(2026, 10, 14)
    assert data_entry_status(training_class, D(2026, 11, 1)).overdue is False


def test_changzhou_has_no_data_entry_deadline(cz, training_class):
    status = data_entry_status(training_class, TODAY)
    assert (status.deadline, status.note) == (None, "本地政策未规定结业后学员信息录入时限")


def test_nothing_is_audited_for_refusals(cz, running_class):
    before = AuditEvent.objects.count()
    with pytest.raises(ServiceError):
        services.class_complete(actor=op(cz), training_class=running_class, ended_on=D(2026, 12, 20))
    assert AuditEvent.objects.count() == before
    assert ClassApplication.objects.count() == 1
