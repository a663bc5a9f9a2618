import pytest

from skillbridge.audit.models import AuditEvent
from skillbridge.employment import selectors, services
from skillbridge.employment.models import (
    AssistanceAgreement,
    EmploymentProfile,
    EventAttendance,
    FollowUp,
    Handover,
    HandoverStatus,
    ServiceEvent,
)
from skillbridge.errors import Conflict, Forbidden, ServiceError

from .conftest import (
    CZ_PES,
    HF_PES,
    D,
    episode_of,
    follow,
    handed,
    new_person,
    profile_for,
    released_and_received,
)

pytestmark = pytest.mark.django_db


# ---- profiles ------------------------------------------------------------------------------------------


def test_profile_create_writes_intention_to_the_episode(cz):
    person = new_person(cz)
    profile = profile_for(
        cz, person, employment_intention="设备电工", needs=["job_referral", "career_guidance"]
    )
    episode = episode_of(person)
    assert (episode.employment_intention, profile.needs_display) == ("设备电工", "岗位推荐、职业指导")
    assert (profile.unit.name, profile.person_id, profile.destination_region) == (
        "溧阳监狱",
        person.pk,
        "320481",
    )
    assert (
        AuditEvent.objects.filter(action="employment.profile.create", object_id=str(profile.pk)).count() == 1
    )
    again = profile_for(cz, person, employment_intention="餐饮", needs=["housing"])
    assert again.pk == profile.pk and EmploymentProfile.objects.count() == 1
    episode.refresh_from_db()
    assert (episode.employment_intention, again.needs) == ("餐饮", ["housing"])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"destination_region": "3204"}, "destination_region", "释放后去向须为6位行政区划代码"),
        ({"needs": ["job_referral", "money"]}, "needs", "未知的就业需求：money"),
        ({"employment_intention": "电" * 101}, "employment_intention", "就业意向不能超过100字"),
    ],
)
def test_profile_bad_input_changes_nothing(cz, data, field, message):
    person = new_person(cz)
    with pytest.raises(ServiceError) as info:
        profile_for(cz, person, **data)
    assert (info.value.field, info.value.message) == (field, message)
    assert not EmploymentProfile.objects.exists()
    assert episode_of(person).employment_intention == ""


def test_profile_only_by_the_unit(cz):
    person = new_person(cz)
    for username in ("xk_operator", "cz_hrss_operator", "cz_pes_operator", "ly_reviewer"):
        with pytest.raises(Forbidden):
            profile_for(cz, person, username=username)
    assert not EmploymentProfile.objects.exists()


# ---- handovers -----------------------------------------------------------------------------------------


def test_handover_window_day_before_and_day_of(cz):
    person = new_person(cz, release=D(2027, 3, 31))
    profile = profile_for(cz, person)
    args = {"actor": cz.user("ly_operator"), "profile": profile, "recipient": cz.orgs[CZ_PES]}
    with pytest.raises(ServiceError) as info:
        services.handover_create(**args, handed_over_on=D(2026, 9, 29))
    assert info.value.field == "handed_over_on"
    assert info.value.message.startswith(
        "刑释前6个月起方可移交（预计释放2027年3月31日，最早2026年9月30日；平台默认"
    )
    assert not Handover.objects.exists()
    handover = services.handover_create(**args, handed_over_on=D(2026, 9, 30))
    assert (handover.status, handover.recipient.name, handover.steps.count()) == ("handed_over", CZ_PES, 1)
    with pytest.raises(Conflict) as info:
        services.handover_create(**args, handed_over_on=D(2026, 10, 1))
    assert info.value.message == "该人员已有未结束的移交"
    assert Handover.objects.count() == 1


def test_handover_recipient_must_be_the_destination_citys_service(cz):
    profile = profile_for(cz, new_person(cz))
    actor = cz.user("ly_operator")
    with pytest.raises(ServiceError) as info:
        services.handover_create(
            actor=actor, profile=profile, recipient=cz.orgs[HF_PES], handed_over_on=D(2026, 12, 1)
        )
    assert info.value.message == "接收机构“合肥市公共就业服务中心”不在释放后去向地（320481）所在的市"
    with pytest.raises(ServiceError) as info:
        services.handover_create(
            actor=actor,
            profile=profile,
            recipient=cz.orgs["常州市人力资源和社会保障局"],
            handed_over_on=D(2026, 12, 1),
        )
    assert info.value.message.startswith("接收机构须为公共就业服务机构（常司发〔2022〕42号 五(五)")
    assert not Handover.objects.exists()


def test_handover_lifecycle_and_who_may_move_it(cz):
    handover = handed(cz, new_person(cz))
    with pytest.raises(Forbidden):
        services.handover_receive(actor=cz.user("ly_operator"), handover=handover, on=D(2026, 12, 2))
    with pytest.raises(ServiceError) as info:
        services.handover_receive(actor=cz.user("cz_pes_operator"), handover=handover, on=D(2026, 11, 30))
    assert info.value.message == "日期不能早于移交日期2026年12月1日"
    handover = services.handover_receive(
        actor=cz.user("cz_pes_operator"), handover=handover, on=D(2026, 12, 2)
    )
    assert (handover.status, handover.received_on) == ("received", D(2026, 12, 2))
    with pytest.raises(Conflict) as info:
        services.handover_close(
            actor=cz.user("ly_operator"), handover=handover, on=D(2026, 12, 3), reason="撤回"
        )
    assert info.value.message == "接收机构已接收，移交单位不能再撤回"
    with pytest.raises(Conflict):
        services.handover_receive(actor=cz.user("cz_pes_operator"), handover=handover, on=D(2026, 12, 3))
    handover = services.handover_start_service(
        actor=cz.user("cz_pes_operator"), handover=handover, on=D(2026, 12, 5)
    )
    handover = services.handover_close(
        actor=cz.user("cz_pes_operator"), handover=handover, on=D(2027, 1, 5), reason="迁居外省"
    )
    assert (handover.status, handover.closed_on, handover.close_reason) == (
        "closed",
        D(2027, 1, 5),
        "迁居外省",
    )
    assert [s.to_status for s in handover.steps.all()] == ["handed_over", "received", "in_service", "closed"]


def test_unit_may_withdraw_before_receipt_and_hand_over_again(cz):
    handover = handed(cz, new_person(cz))
    with pytest.raises(ServiceError) as info:
        services.handover_close(
            actor=cz.user("ly_operator"), handover=handover, on=D(2026, 12, 2), reason=" "
        )
    assert (info.value.field, info.value.message) == ("reason", "请填写结束原因")
    services.handover_close(
        actor=cz.user("ly_operator"), handover=handover, on=D(2026, 12, 2), reason="去向变更"
    )
    again = services.handover_create(
        actor=cz.user("ly_operator"),
        profile=handover.profile,
        recipient=cz.orgs[CZ_PES],
        handed_over_on=D(2026, 12, 3),
    )
    assert Handover.objects.filter(profile=handover.profile).count() == 2 and again.status == "handed_over"


# ---- scope ---------------------------------------------------------------------------------------------


def test_public_employment_service_sees_only_people_handed_to_it(cz):
    handed_person = new_person(cz, name="甲")
    handover = handed(cz, handed_person)
    other = profile_for(cz, new_person(cz, name="乙"))
    xk = profile_for(cz, new_person(cz, unit="新康监狱", name="丙"), username="xk_operator")
    pes = cz.user("cz_pes_operator")
    assert list(EmploymentProfile.objects.for_user(pes)) == [handover.profile]
    assert list(Handover.objects.for_user(pes)) == [handover]
    assert selectors.units_for_user(pes).count() == 0
    assert selectors.people_rows(pes, today=D(2026, 12, 1)) == []
    assert EmploymentProfile.objects.for_user(cz.user("hf_pes_operator")).count() == 0
    assert Handover.objects.for_user(cz.user("hf_pes_operator")).count() == 0
    assert set(EmploymentProfile.objects.for_user(cz.user("cz_hrss_operator"))) == {
        handover.profile,
        other,
        xk,
    }
    assert set(EmploymentProfile.objects.for_user(cz.user("xk_operator"))) == {xk}
    assert Handover.objects.for_user(cz.user("xk_operator")).count() == 0
    assert Handover.objects.for_user(cz.user("ah_prison_operator")).count() == 0


def test_people_rows_window_and_status(cz):
    today = D(2026, 10, 1)
    inside = new_person(cz, name="窗口内", release=D(2027, 4, 1))  # window opens 2026-10-01
    outside = new_person(cz, name="窗口外", release=D(2027, 4, 2))  # opens 2026-10-02
    handed(cz, inside, on=today)
    released = new_person(cz, name="已释放", release=D(2026, 6, 30), released_on=D(2026, 6, 30))
    rows = selectors.people_rows(cz.user("ly_operator"), today=today)
    assert [(r.episode.person.name, r.status_display) for r in rows] == [("窗口内", "已移交")]
    rows = selectors.people_rows(cz.user("cz_hrss_operator"), today=D(2026, 10, 2))
    assert {r.episode.person.name for r in rows} == {"窗口内", "窗口外"}
    released_rows = selectors.people_rows(cz.user("ly_operator"), today=today, phase="released")
    assert [(r.episode.person_id, r.released_on, r.status) for r in released_rows] == [
        (released.pk, D(2026, 6, 30), "none")
    ]
    assert selectors.people_rows(cz.user("ly_operator"), today=D(2026, 10, 2), status="none")[
        0
    ].episode.person_id == (outside.pk)
    assert selectors.people_rows(cz.user("xk_operator"), today=today) == []


# ---- events --------------------------------------------------------------------------------------------


def event_data(cz, **overrides):
    return {
        "kind": "job_introduction",
        "title": "岗位推介会",
        "held_on": D(2026, 12, 10),
        "venue": "教育中心",
        "content": "推介岗位42个",
        "organiser": cz.orgs[CZ_PES],
        **overrides,
    }


def test_event_and_attendance_all_or_nothing(cz):
    a, b = new_person(cz, name="甲"), new_person(cz, name="乙")
    foreign = new_person(cz, unit="新康监狱", name="丙")
    event = services.event_create(actor=cz.user("ly_operator"), data=event_data(cz))
    assert (event.unit.name, event.get_kind_display()) == ("溧阳监狱", "岗位推介")
    with pytest.raises(ServiceError) as info:
        services.attendance_add(actor=cz.user("ly_operator"), event=event, people=[a, foreign])
    assert [d["message"] for d in info.value.details] == ["丙在活动日期不在溧阳监狱"]
    assert not EventAttendance.objects.exists()
    services.attendance_add(actor=cz.user("ly_operator"), event=event, people=[a, b])
    with pytest.raises(ServiceError) as info:
        services.attendance_add(actor=cz.user("ly_operator"), event=event, people=[b])
    assert info.value.message == "乙已登记参加本次活动"
    assert event.attendances.count() == 2
    # The service that organised it sees the event, but only the attendees handed over to it.
    pes = cz.user("cz_pes_operator")
    assert list(ServiceEvent.objects.for_user(pes)) == [event]
    assert list(selectors.event_attendees(pes, event)) == []
    handed(cz, a)
    assert [r.person.name for r in selectors.event_attendees(pes, event)] == ["甲"]
    assert ServiceEvent.objects.for_user(cz.user("hf_pes_operator")).count() == 0
    assert ServiceEvent.objects.for_user(cz.user("xk_operator")).count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"kind": "party"}, "kind"), ({"title": " "}, "title"), ({"organiser": "czjs"}, "organiser")],
)
def test_event_bad_input(cz, overrides, field):
    if overrides.get("organiser") == "czjs":
        overrides = {"organiser": cz.orgs["常州技师学院"]}
    with pytest.raises(ServiceError) as info:
        services.event_create(actor=cz.user("ly_operator"), data=event_data(cz, **overrides))
    assert info.value.field == field
    assert not ServiceEvent.objects.exists()


def test_event_only_by_a_unit(cz):
    with pytest.raises(Forbidden):
        services.event_create(actor=cz.user("cz_pes_operator"), data=event_data(cz))
    assert not ServiceEvent.objects.exists()


# ---- agreements ----------------------------------------------------------------------------------------


def agreement_data(**overrides):
    return {
        "number": "CZJY-2026-0001",
        "signed_on": D(2026, 12, 5),
        "valid_until": D(2027, 12, 4),
        "goals": "稳定就业",
        "measures": "推荐岗位3个",
        "contact": "陈老师",
        **overrides,
    }


def test_agreement_needs_a_handover_and_is_signed_by_the_recipient(cz):
    person = new_person(cz)
    profile = profile_for(cz, person)
    with pytest.raises(Conflict) as info:
        services.agreement_create(actor=cz.user("cz_pes_operator"), profile=profile, data=agreement_data())
    assert info.value.message == "须先将该人员移交公共就业服务机构，再签订帮扶协议"
    handed(cz, person, receive_on=D(2026, 12, 2))
    with pytest.raises(Forbidden):
        services.agreement_create(actor=cz.user("ly_operator"), profile=profile, data=agreement_data())
    with pytest.raises(ServiceError) as info:
        services.agreement_create(
            actor=cz.user("cz_pes_operator"), profile=profile, data=agreement_data(valid_until=D(2026, 12, 4))
        )
    assert (info.value.field, info.value.message) == ("valid_until", "帮扶期限须不早于签订日期")
    assert not AssistanceAgreement.objects.exists()
    agreement = services.agreement_create(
        actor=cz.user("cz_pes_operator"), profile=profile, data=agreement_data()
    )
    assert (agreement.provider.name, agreement.unit.name, agreement.status) == (
        CZ_PES,
        "溧阳监狱",
        "in_force",
    )
    with pytest.raises(Conflict):
        services.agreement_create(actor=cz.user("cz_pes_operator"), profile=profile, data=agreement_data())
    services.agreement_set_status(actor=cz.user("cz_pes_operator"), agreement=agreement, status="completed")
    agreement.refresh_from_db()
    assert agreement.status == "completed"
    assert AssistanceAgreement.objects.for_user(cz.user("hf_pes_operator")).count() == 0
    assert AssistanceAgreement.objects.for_user(cz.user("ly_operator")).count() == 1


# ---- follow-ups ----------------------------------------------------------------------------------------


def test_follow_up_only_after_release_and_receipt(cz):
    handover = handed(cz, new_person(cz))
    with pytest.raises(Conflict) as info:
        follow(cz, handover, 3, done_on=D(2027, 6, 30))
    assert info.value.message == "移交状态为“已移交”，不能登记回访"
    handover = services.handover_receive(
        actor=cz.user("cz_pes_operator"), handover=handover, on=D(2026, 12, 2)
    )
    with pytest.raises(Conflict) as info:
        follow(cz, handover, 3, done_on=D(2027, 6, 30))
    assert info.value.message == "该人员尚未释放，释放后方可回访"
    assert not FollowUp.objects.exists()


def test_follow_up_window_and_fields(cz):
    handover = released_and_received(cz, released_on=D(2026, 5, 31))  # 3 months due 2026-08-31
    with pytest.raises(ServiceError) as info:
        follow(cz, handover, 4, done_on=D(2026, 9, 30))
    assert info.value.message == "回访节点须为释放后3、6、12个月"
    with pytest.raises(ServiceError) as info:
        follow(cz, handover, 3, done_on=D(2026, 7, 31))  # due − 31 days
    assert info.value.message == (
        "释放后3个月回访应于2026年8月31日前后进行，最多提前30日（平台默认（政策未规定）：回访节点前后30日内完成为按时）"
    )
    with pytest.raises(ServiceError) as info:
        follow(cz, handover, 3, done_on=D(2026, 8, 1), sector="")
    assert info.value.field == "employer_sector"
    with pytest.raises(ServiceError) as info:
        follow(cz, handover, 3, done_on=D(2026, 8, 1), today=D(2026, 7, 31))
    assert info.value.message == "回访日期不能晚于今天"
    assert not FollowUp.objects.exists()
    follow_up = follow(cz, handover, 3, done_on=D(2026, 8, 1))  # due − 30 days: allowed
    assert (follow_up.due_on, follow_up.employed, follow_up.get_employer_sector_display()) == (
        D(2026, 8, 31),
        True,
        "制造业",
    )
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.IN_SERVICE
    with pytest.raises(Conflict):
        follow(cz, handover, 3, done_on=D(2026, 8, 2))
    with pytest.raises(ServiceError) as info:
        services.follow_up_record(
            actor=cz.user("cz_pes_operator"),
            handover=handover,
            milestone_months=6,
            data={"done_on": D(2026, 11, 30), "employment_form": "unemployed", "employer_name": "某公司"},
            today=D(2026, 12, 31),
        )
    assert info.value.message == "未就业的不填写就业单位、行业和是否从事所培训职业"
    with pytest.raises(Forbidden):
        services.follow_up_record(
            actor=cz.user("hf_pes_operator"),
            handover=handover,
            milestone_months=6,
            data={"done_on": D(2026, 11, 30), "employment_form": "unemployed"},
            today=D(2026, 12, 31),
        )
    assert FollowUp.objects.count() == 1


def test_due_follow_ups_with_due_dates_and_states(cz):
    handover = released_and_received(cz, released_on=D(2026, 5, 31))
    pes = cz.user("cz_pes_operator")
    rows = selectors.due_follow_ups(pes, today=D(2026, 8, 1), states=("not_due", "due", "overdue", "done"))
    assert [(r.months, r.due_on, r.state_display) for r in rows] == [
        (3, D(2026, 8, 31), "应回访"),
        (6, D(2026, 11, 30), "未到期"),
        (12, D(2027, 5, 31), "未到期"),
    ]
    assert selectors.due_follow_ups(pes, today=D(2026, 7, 31)) == []
    assert [(r.months, r.state) for r in selectors.due_follow_ups(pes, today=D(2026, 10, 1))] == [
        (3, "overdue")
    ]
    follow(cz, handover, 3, done_on=D(2026, 9, 30))
    assert selectors.due_follow_ups(pes, today=D(2026, 10, 1)) == []
    assert [
        (r.months, r.state) for r in selectors.due_follow_ups(cz.user("ly_operator"), today=D(2026, 11, 1))
    ] == [(6, "due")]
    assert selectors.due_follow_ups(cz.user("hf_pes_operator"), today=D(2026, 11, 1)) == []


def test_handover_audit_labels(cz):
    handed(cz, new_person(cz), receive_on=D(2026, 12, 2))
    from skillbridge.audit.models import ACTION_LABELS

    actions = set(
        AuditEvent.objects.filter(action__startswith="employment.").values_list("action", flat=True)
    )
    assert actions == {
        "employment.profile.create",
        "employment.handover.create",
        "employment.handover.received",
    }
    assert all(ACTION_LABELS[a] for a in actions)
