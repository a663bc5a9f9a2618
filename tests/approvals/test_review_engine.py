from datetime import date

import pytest

from skillbridge.approvals import services
from skillbridge.approvals.models import ReviewCase, ReviewStage, ReviewStatus
from skillbridge.approvals.selectors import inbox
from skillbridge.audit.models import AuditEvent
from skillbridge.errors import Conflict, Forbidden, ServiceError

pytestmark = pytest.mark.django_db


def draft(demo, username="ly_operator", doc_type="annual_plan", title="2027年度培训计划", **kw):
    actor = demo.user(username)
    return services.review_create(actor=actor, doc_type=doc_type, title=title, unit=actor.organisation, **kw)


def chain_of(case):
    return [(s.key, s.name, s.org.name) for s in case.stages.filter(round=case.round).select_related("org")]


def test_changzhou_plan_goes_lead_prison_then_bureau_then_city_hrss(demo):
    case = services.review_submit(actor=demo.user("ly_operator"), case=draft(demo))
    assert chain_of(case) == [
        ("lead_aggregate", "牵头监狱汇总", "常州监狱"),
        ("bureau_confirm", "省监狱管理局审核确认备案", "江苏省监狱管理局"),
        ("city_hrss_approve", "市人社局核准", "常州市人力资源和社会保障局"),
    ]
    assert case.status == ReviewStatus.IN_REVIEW
    assert case.current_stage.key == "lead_aggregate"
    assert case.round == 1


def test_lead_prison_own_plan_skips_the_lead_stage(demo):
    case = services.review_submit(actor=demo.user("cz_operator"), case=draft(demo, "cz_operator"))
    assert [name for _, _, name in chain_of(case)] == ["江苏省监狱管理局", "常州市人力资源和社会保障局"]


def test_anhui_plan_goes_to_the_bureau_of_the_units_system(demo):
    prison = services.review_submit(
        actor=demo.user("ah_prison_operator"), case=draft(demo, "ah_prison_operator")
    )
    rehab = services.review_submit(
        actor=demo.user("ah_rehab_operator"), case=draft(demo, "ah_rehab_operator")
    )
    assert [o for _, _, o in chain_of(prison)] == ["安徽省监狱管理局", "安徽省人力资源和社会保障厅"]
    assert [o for _, _, o in chain_of(rehab)] == ["安徽省戒毒管理局", "安徽省人力资源和社会保障厅"]


def test_full_approval_records_every_step(demo):
    case = services.review_submit(actor=demo.user("ly_operator"), case=draft(demo))
    for username in ("cz_reviewer", "js_bureau_head", "cz_hrss_reviewer"):
        case = services.review_approve(actor=demo.user(username), case=case, stage_id=case.current_stage_id)
    case.refresh_from_db()
    assert case.status == ReviewStatus.APPROVED
    assert case.current_stage is None
    assert case.decided_at is not None
    steps = list(case.stages.order_by("index").values_list("decision", "opinion", "reviewer__username"))
    assert steps == [
        ("approve", "同意", "cz_reviewer"),
        ("approve", "同意", "js_bureau_head"),
        ("approve", "同意", "cz_hrss_reviewer"),
    ]
    actions = list(
        AuditEvent.objects.filter(object_type="approvals.reviewcase", object_id=str(case.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["review.create", "review.submit", "review.approve", "review.approve", "review.approve"]


def test_later_stage_cannot_act_out_of_turn(demo):
    case = services.review_submit(actor=demo.user("ly_operator"), case=draft(demo))
    with pytest.raises(Forbidden, match="当前环节为“牵头监狱汇总”，应由常州监狱办理"):
        services.review_approve(
            actor=demo.user("cz_hrss_reviewer"), case=case, stage_id=case.current_stage_id
        )
    case.refresh_from_db()
    assert case.current_stage.key == "lead_aggregate"
    assert not ReviewStage.objects.filter(case=case).exclude(decision="").exists()


def test_operator_without_review_role_cannot_approve(demo):
    case = services.review_submit(actor=demo.user("ly_operator"), case=draft(demo))
    with pytest.raises(Forbidden, match="需要审核或负责人角色"):
        services.review_approve(actor=demo.user("cz_operator"), case=case, stage_id=case.current_stage_id)
    assert ReviewStage.objects.get(pk=case.current_stage_id).decision == ""


def test_second_approval_of_the_same_stage_is_a_conflict(demo):
    case = services.review_submit(actor=demo.user("ly_operator"), case=draft(demo))
    seen = case.current_stage_id
    services.review_approve(actor=demo.user("cz_reviewer"), case=case, stage_id=seen)
    with pytest.raises(Conflict, match="该环节已由他人办理"):
        services.review_approve(actor=demo.user("cz_head"), case=case, stage_id=seen)
    assert ReviewStage.objects.filter(case=case, decision="approve").count() == 1


def test_return_goes_back_to_the_author_and_resubmission_starts_a_new_round(demo):
    case = services.review_submit(actor=demo.user("ly_operator"), case=draft(demo))
    case = services.review_approve(actor=demo.user("cz_reviewer"), case=case, stage_id=case.current_stage_id)
    case = services.review_return(
        actor=demo.user("js_bureau_reviewer"),
        case=case,
        stage_id=case.current_stage_id,
        opinion="计划人数与摸排不符",
    )
    assert case.status == ReviewStatus.RETURNED
    assert case.current_stage is None
    [item] = inbox(demo.user("ly_operator"), today=date(2026, 11, 22))
    assert (item.case.pk, item.kind) == (case.pk, "revise")
    assert inbox(demo.user("js_bureau_reviewer"), today=date(2026, 11, 22)) == []

    case = services.review_submit(actor=demo.user("ly_operator"), case=case)
    assert case.round == 2
    assert case.current_stage.key == "lead_aggregate"
    assert case.stages.count() == 6
    first_round = list(case.stages.filter(round=1).order_by("index").values_list("decision", "opinion"))
    assert first_round == [("approve", "同意"), ("return", "计划人数与摸排不符"), ("", "")]


def test_return_and_reject_need_an_opinion(demo):
    case = services.review_submit(actor=demo.user("ly_operator"), case=draft(demo))
    for action in (services.review_return, services.review_reject):
        with pytest.raises(ServiceError, match="必须填写意见") as exc:
            action(actor=demo.user("cz_reviewer"), case=case, stage_id=case.current_stage_id, opinion="  ")
        assert exc.value.field == "opinion"
    case.refresh_from_db()
    assert case.status == ReviewStatus.IN_REVIEW


def test_rejected_case_is_final(demo):
    case = services.review_submit(actor=demo.user("ly_operator"), case=draft(demo))
    case = services.review_reject(
        actor=demo.user("cz_reviewer"), case=case, stage_id=case.current_stage_id, opinion="不符合条件"
    )
    assert case.status == ReviewStatus.REJECTED
    with pytest.raises(Conflict, match="不能重复报送"):
        services.review_submit(actor=demo.user("ly_operator"), case=case)
    assert case.stages.count() == 3


def test_double_submit_creates_one_round(demo):
    case = draft(demo)
    services.review_submit(actor=demo.user("ly_operator"), case=case)
    with pytest.raises(Conflict, match="“审核中”，不能重复报送"):
        services.review_submit(actor=demo.user("ly_operator"), case=case)
    assert ReviewStage.objects.filter(case=case).count() == 3
    assert ReviewCase.objects.get(pk=case.pk).round == 1


def test_only_the_authoring_unit_submits(demo):
    case = draft(demo)
    with pytest.raises(Forbidden, match="只有报送单位"):
        services.review_submit(actor=demo.user("xk_operator"), case=case)
    assert ReviewCase.objects.get(pk=case.pk).status == ReviewStatus.DRAFT


def test_missing_organisation_in_chain_is_a_clear_error(demo):
    from skillbridge.accounts.models import Organisation

    Organisation.objects.filter(name="常州市人力资源和社会保障局").update(is_active=False)
    case = draft(demo)
    with pytest.raises(ServiceError, match="未找到“市人社局核准”环节的办理单位"):
        services.review_submit(actor=demo.user("ly_operator"), case=case)
    assert ReviewStage.objects.filter(case=case).count() == 0
    assert ReviewCase.objects.get(pk=case.pk).status == ReviewStatus.DRAFT


def test_named_party_stage_uses_the_organisation_the_document_names(demo):
    case = draft(demo, doc_type="assessment_application", title="电工鉴定申报")
    with pytest.raises(ServiceError, match="材料未指定“职业技能鉴定机构意见”环节的办理单位"):
        services.review_submit(actor=demo.user("ly_operator"), case=case)
    evaluator = demo.orgs["常州市职业技能鉴定指导中心"]
    case = services.review_submit(
        actor=demo.user("ly_operator"), case=case, parties={"evaluation_institution": evaluator}
    )
    assert [o for _, _, o in chain_of(case)] == [
        "常州市职业技能鉴定指导中心",
        "常州监狱",
        "江苏省监狱管理局",
        "常州市人力资源和社会保障局",
    ]


def test_inbox_is_oldest_first_with_overdue_working_days(demo):
    # National Day 2025: Oct 1–8 are holidays, so Oct 9 is the first working day after a Sep 30 due date.
    older = services.review_submit(
        actor=demo.user("ly_operator"), case=draft(demo, due_date=date(2025, 9, 30))
    )
    newer = services.review_submit(
        actor=demo.user("xk_operator"), case=draft(demo, "xk_operator", due_date=date(2025, 10, 10))
    )
    items = inbox(demo.user("cz_reviewer"), today=date(2025, 10, 9))
    assert [(i.case.pk, i.kind, i.overdue, i.overdue_days) for i in items] == [
        (older.pk, "review", True, 1),
        (newer.pk, "review", False, None),
    ]
    assert inbox(demo.user("ly_operator"), today=date(2025, 10, 9)) == []
