"""Findings workflow (assign → answer → close, with history and audit) and inspections (督查) with
rectification deadlines in working days and notices (通报)."""

import datetime as dt

import pytest

from skillbridge.audit.models import AuditEvent
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.supervision import services
from skillbridge.supervision.models import Finding, FindingEvent, Inspection, InspectionStatus, Notice

from .conftest import enrol, make_class, person

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def finding(cz):
    first = make_class(cz, date_from=D(2026, 3, 1), date_to=D(2026, 3, 20))
    second = make_class(cz, date_from=D(2026, 3, 10), date_to=D(2026, 3, 30))
    who = person(cz, name="重叠甲")
    enrol(cz, first, who)
    enrol(cz, second, who)
    run = services.scan_request(actor=cz.user("cz_justice_reviewer"))
    services.scan_execute(run.pk)
    return Finding.objects.get(rule="overlapping_classes")


def test_assign_answer_close_with_history(cz, finding):
    boss = cz.user("cz_justice_reviewer")
    services.finding_assign(actor=boss, finding=finding, assignee=cz.user("ly_operator"), note="请核实")
    services.finding_answer(actor=cz.user("ly_operator"), finding=finding, answer="录入错误，已退出第二个班")
    services.finding_return(actor=boss, finding=finding, note="请附退班记录")
    services.finding_answer(actor=cz.user("ly_reviewer"), finding=finding, answer="已附退班记录")
    services.finding_close(actor=boss, finding=finding, outcome="confirmed", note="情况属实，已整改")
    finding.refresh_from_db()
    assert (finding.status, finding.outcome, finding.answer) == ("closed", "confirmed", "已附退班记录")
    assert list(finding.events.values_list("action", flat=True)) == [
        "found", "assigned", "answered", "returned", "answered", "closed",
    ]  # fmt: skip
    assert list(
        AuditEvent.objects.filter(action__startswith="supervision.finding").order_by("id").values_list("action", flat=True)
    ) == [
        "supervision.finding.assign", "supervision.finding.answer", "supervision.finding.return",
        "supervision.finding.answer", "supervision.finding.close",
    ]  # fmt: skip


def test_assignee_must_belong_to_the_responsible_organisation(cz, finding):
    with pytest.raises(ServiceError, match="承办人须为责任单位"):
        services.finding_assign(
            actor=cz.user("cz_justice_reviewer"), finding=finding, assignee=cz.user("cz_operator")
        )
    finding.refresh_from_db()
    assert finding.status == "open" and finding.assigned_to is None


def test_unit_cannot_assign_or_close_and_outsider_cannot_answer(cz, finding):
    with pytest.raises(Forbidden):
        services.finding_assign(
            actor=cz.user("ly_reviewer"), finding=finding, assignee=cz.user("ly_operator")
        )
    with pytest.raises(Forbidden):
        services.finding_close(actor=cz.user("ly_reviewer"), finding=finding, outcome="dismissed", note="x")
    # Anhui's HRSS does not supervise 溧阳监狱.
    with pytest.raises(Forbidden):
        services.finding_close(actor=cz.user("hf_hrss"), finding=finding, outcome="dismissed", note="x")
    services.finding_assign(
        actor=cz.user("cz_hrss_reviewer"), finding=finding, assignee=cz.user("ly_operator")
    )
    with pytest.raises(Forbidden):
        services.finding_answer(actor=cz.user("cz_operator"), finding=finding, answer="不是我的")
    finding.refresh_from_db()
    assert finding.status == "assigned" and finding.answer == ""
    assert FindingEvent.objects.filter(finding=finding).count() == 2


def test_close_needs_outcome_and_note(cz, finding):
    with pytest.raises(ServiceError, match="办结意见"):
        services.finding_close(
            actor=cz.user("cz_justice_reviewer"), finding=finding, outcome="dismissed", note=" "
        )
    with pytest.raises(ServiceError, match="办结结论"):
        services.finding_close(
            actor=cz.user("cz_justice_reviewer"), finding=finding, outcome="maybe", note="x"
        )
    services.finding_close(
        actor=cz.user("cz_justice_reviewer"), finding=finding, outcome="dismissed", note="误报"
    )
    with pytest.raises(Conflict):
        services.finding_close(
            actor=cz.user("cz_justice_reviewer"), finding=finding, outcome="dismissed", note="再次"
        )


def test_findings_scope(cz, finding):
    def visible(username):
        return list(Finding.objects.for_user(cz.user(username)).filter(rule="overlapping_classes"))

    assert visible("ly_operator") == [finding]
    assert visible("cz_justice_reviewer") == [finding]
    assert visible("js_bureau_reviewer") == [finding]
    assert visible("czjs_operator") == [finding]  # the institution of the class
    assert visible("cz_operator") == []
    assert visible("hf_hrss") == []
    assert visible("tn_operator") == []


def test_spike_finding_without_unit_is_visible_to_the_city_authorities_only(cz):
    f = Finding.objects.create(
        rule="institution_spike", key="spike:x", region_code="320400", year=2026, summary="突增",
        object_type="accounts.organisation", object_id="1", object_label="常州技师学院",
        institution=cz.orgs["常州技师学院"], last_seen_at="2026-07-31T00:00:00Z",
    )  # fmt: skip
    assert list(Finding.objects.for_user(cz.user("cz_hrss_reviewer"))) == [f]
    assert list(Finding.objects.for_user(cz.user("czjs_operator"))) == [f]
    assert list(Finding.objects.for_user(cz.user("ly_operator"))) == []
    assert list(Finding.objects.for_user(cz.user("hf_hrss"))) == []


# ---- inspections ---------------------------------------------------------------------------------------


def test_inspection_plan_visit_rectify_follow_up(cz):
    boss = cz.user("cz_justice_reviewer")
    insp = services.inspection_plan(
        actor=boss, target=cz.orgs["溧阳监狱"], title="2026年度培训工作督查", planned_on=D(2026, 9, 28)
    )
    # Visit on Wed 2026-09-30: 15 working days skip the National Day holiday (Oct 1–7) → 2026-10-28.
    insp = services.inspection_visit(
        actor=boss, inspection=insp, visited_on=D(2026, 9, 30), inspectors="张三、李四",
        visit_record="查阅台账、实地查看实训楼", issues=["考勤表未签认", "教材未登记"],
        rectification_required="补签考勤，登记教材",
    )  # fmt: skip
    assert insp.status == InspectionStatus.RECTIFYING
    assert insp.issues.count() == 2
    from skillbridge.policy.workdays import add_working_days

    assert insp.rectification_deadline == add_working_days(D(2026, 9, 30), 15)
    assert "15个工作日" in insp.rectification_source
    with pytest.raises(Forbidden):
        services.inspection_report(
            actor=cz.user("cz_operator"), inspection=insp, report="x", reported_on=D(2026, 10, 9)
        )
    insp = services.inspection_report(
        actor=cz.user("ly_operator"), inspection=insp, report="已补签并登记", reported_on=D(2026, 10, 20)
    )
    assert insp.status == InspectionStatus.REPORTED
    insp = services.inspection_follow_up(
        actor=boss, inspection=insp, follow_up_on=D(2026, 10, 29), result="教材登记仍不完整", passed=False
    )
    assert insp.status == InspectionStatus.RECTIFYING
    assert insp.rectification_deadline == add_working_days(D(2026, 10, 29), 15)
    insp = services.inspection_follow_up(
        actor=boss, inspection=insp, follow_up_on=D(2026, 11, 20), result="整改到位", passed=True
    )
    assert insp.status == InspectionStatus.CLOSED


def test_inspection_only_by_a_supervisor_of_the_target(cz):
    with pytest.raises(Forbidden):
        services.inspection_plan(
            actor=cz.user("ly_operator"), target=cz.orgs["溧阳监狱"], title="x", planned_on=D(2026, 9, 1)
        )
    with pytest.raises(Forbidden):
        services.inspection_plan(
            actor=cz.user("hf_hrss"), target=cz.orgs["溧阳监狱"], title="x", planned_on=D(2026, 9, 1)
        )
    assert Inspection.objects.count() == 0


def test_inspection_without_issues_closes_and_notices(cz):
    boss = cz.user("cz_justice_reviewer")
    insp = services.inspection_plan(
        actor=boss, target=cz.orgs["常州监狱"], title="督查", planned_on=D(2026, 9, 1)
    )
    insp = services.inspection_visit(
        actor=boss,
        inspection=insp,
        visited_on=D(2026, 9, 2),
        inspectors="张三",
        visit_record="资料齐全",
        issues=[],
    )
    assert insp.status == InspectionStatus.CLOSED and insp.rectification_deadline is None
    notice = services.notice_issue(
        actor=boss, target=cz.orgs["常州监狱"], kind="praise", title="关于表扬常州监狱的通报",
        content="培训行动快、工作实、质量高、效果好", issued_on=D(2026, 9, 10), inspection=insp,
    )  # fmt: skip
    assert notice.get_kind_display() == "通报表扬"
    with pytest.raises(ServiceError, match="不一致"):
        services.notice_issue(
            actor=boss, target=cz.orgs["溧阳监狱"], kind="criticism", title="x", content="y",
            issued_on=D(2026, 9, 10), inspection=insp,
        )  # fmt: skip
    assert list(Notice.objects.for_user(cz.user("cz_operator"))) == [notice]
    assert list(Notice.objects.for_user(cz.user("ly_operator"))) == []
