"""Claims from a class's certificates: lines, amounts from the standards, checks, review, notice, money."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from skillbridge.approvals.models import ReviewStage
from skillbridge.audit.models import AuditEvent
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.funds.models import FundAccount, FundEntry
from skillbridge.subsidies import services
from skillbridge.subsidies.models import Claim, ClaimLine

from .conftest import CHAIN, ELECTRICIAN, approve_all, history_line, line_of, make_certificate

D = dt.date


def codes(line, outcome):
    return [c["code"] for c in line.checks if c["outcome"] == outcome]


def test_claim_built_from_class_certificates(cz, claim):
    assert claim.kind == "training" and claim.status == "draft"
    assert claim.claimant_name == "常州技师学院"
    assert claim.unit.name == "溧阳监狱"
    assert claim.subject_name == "电工"
    assert claim.year == 2026
    lines = list(claim.lines.order_by("person__name"))
    assert [line.person.name for line in lines] == ["孙三", "赵一", "钱二"]
    assert {line.amount for line in lines} == {Decimal("1200.00")}
    assert {line.standard_amount for line in lines} == {Decimal("1200.00")}
    assert all(line.outcome == "ok" and line.is_active for line in lines)
    assert claim.line_count == 3 and claim.claimed_total == Decimal("3600.00")
    assert claim.accepted_total == Decimal("3600.00")
    assert AuditEvent.objects.filter(action="subsidies.claim.create", object_id=str(claim.pk)).count() == 1


def test_fourth_subsidy_in_a_year_is_flagged(cz, certified_class, trainees):
    for occupation, on in (
        ("6-18-02-04", D(2026, 2, 1)),
        ("4-04-05-01", D(2026, 5, 1)),
        ("4-01-06-01", D(2026, 8, 1)),
    ):
        history_line(cz, trainees[0], occupation=occupation, on=on)
    claim = services.claim_create(
        actor=cz.user("czjs_operator"), kind="training", training_class=certified_class
    )
    line = line_of(claim, "赵一")
    assert line.outcome == "flag" and line.is_active and line.decision == "pending"
    assert codes(line, "flag") == ["yearly_cap"]
    message = next(c["message"] for c in line.checks if c["code"] == "yearly_cap")
    assert message.startswith("本年度已享受 3 次职业培训补贴，每人每年不超过 3 次")
    assert line_of(claim, "钱二").outcome == "ok"


def test_same_occupation_and_level_within_a_year_is_blocked(cz, certified_class, trainees):
    history_line(cz, trainees[1], occupation=ELECTRICIAN, level=5, on=D(2026, 1, 10))
    claim = services.claim_create(
        actor=cz.user("czjs_operator"), kind="training", training_class=certified_class
    )
    line = line_of(claim, "钱二")
    assert line.outcome == "block" and line.decision == "rejected" and line.is_active is False
    assert codes(line, "block") == ["same_occupation_level"]
    assert "同一职业同一等级已于 2026-01-10 享受补贴" in line.decision_reason
    assert claim.line_count == 2 and claim.accepted_total == Decimal("2400.00")


def test_revoked_certificate_is_blocked(cz, running_class, trainees):
    make_certificate(cz, trainees[0], in_class=running_class, status="revoked")
    make_certificate(cz, trainees[1], in_class=running_class)
    claim = services.claim_create(
        actor=cz.user("czjs_operator"), kind="training", training_class=running_class
    )
    line = line_of(claim, "赵一")
    assert line.outcome == "block" and codes(line, "block") == ["certificate_valid"]
    assert "证书已撤销" in line.decision_reason
    assert claim.accepted_count == 1


def test_amount_above_standard_is_blocked(cz, claim):
    line = line_of(claim, "赵一")
    line = services.claim_line_amount_set(actor=cz.user("czjs_operator"), line=line, amount="1500")
    assert line.outcome == "block" and codes(line, "block") == ["amount_standard"]
    assert "申领金额 1500.00 元高于补贴标准 1200.00 元" in line.decision_reason
    claim.refresh_from_db()
    assert claim.accepted_total == Decimal("2400.00")
    line = services.claim_line_amount_set(actor=cz.user("czjs_operator"), line=line, amount="1200")
    assert line.outcome == "ok" and line.is_active
    claim.refresh_from_db()
    assert claim.accepted_total == Decimal("3600.00")


def test_institution_cannot_claim_for_a_class_it_did_not_run(cz, certified_class):
    with pytest.raises(Forbidden, match="该培训班由常州技师学院承办"):
        services.claim_create(actor=cz.user("tn_operator"), kind="training", training_class=certified_class)
    assert Claim.objects.count() == 0
    with pytest.raises(Forbidden):
        services.claim_create(actor=cz.user("ly_operator"), kind="training", training_class=certified_class)


def test_out_of_scope_person_line_is_blocked(cz, certified_class):
    from tests.registry.conftest import make_person

    outsider = make_person(cz.orgs["新康监狱"], name="周外", release=D(2027, 9, 30))
    cert = make_certificate(cz, outsider, in_class=certified_class)
    cert.unit = cz.orgs["新康监狱"]
    cert.save()
    claim = services.claim_create(
        actor=cz.user("czjs_operator"), kind="training", training_class=certified_class
    )
    line = line_of(claim, "周外")
    assert line.outcome == "block" and codes(line, "block") == ["person_scope"]
    assert "该人员不在本单位中" in line.decision_reason


def test_double_create_makes_one_claim(cz, claim, certified_class):
    with pytest.raises(Conflict, match="该班已有培训补贴申领"):
        services.claim_create(actor=cz.user("czjs_operator"), kind="training", training_class=certified_class)
    assert Claim.objects.filter(training_class=certified_class).count() == 1


def test_certificate_already_claimed_elsewhere_is_blocked(cz, claim, certified_class):
    services.claim_withdraw(actor=cz.user("czjs_operator"), claim=claim)
    again = services.claim_create(
        actor=cz.user("czjs_operator"), kind="training", training_class=certified_class
    )
    assert again.accepted_count == 3  # a withdrawn claim no longer holds its certificates
    # An assessment claim by the evaluation institution for the same certificates is a different subsidy.
    assessment = services.claim_create(
        actor=cz.user("cz_eval_operator"), kind="assessment", training_class=certified_class
    )
    assert assessment.accepted_count == 3
    assert assessment.claimant_name == "常州市职业技能鉴定指导中心"


def test_full_flow_review_notice_disbursement_payment(cz, certified_class, trainees):
    for occupation, on in (
        ("6-18-02-04", D(2026, 2, 1)),
        ("4-04-05-01", D(2026, 5, 1)),
        ("4-01-06-01", D(2026, 8, 1)),
    ):
        history_line(cz, trainees[0], occupation=occupation, on=on)
    claim = services.claim_create(
        actor=cz.user("czjs_operator"), kind="training", training_class=certified_class
    )
    claim = services.claim_submit(actor=cz.user("czjs_operator"), claim=claim)
    assert claim.status == "in_review"
    stages = list(ReviewStage.objects.filter(case=claim.review).values_list("key", "org__name"))
    assert stages == [
        ("unit_review", "溧阳监狱"),
        ("lead_aggregate", "常州监狱"),
        ("bureau_review", "江苏省监狱管理局"),
        ("city_hrss_review", "常州市人力资源和社会保障局"),
    ]
    flagged = line_of(claim, "赵一")
    # Only the current stage decides lines; rejecting needs a reason.
    with pytest.raises(Forbidden):
        services.claim_line_decide(
            actor=cz.user("cz_hrss_reviewer"), line=flagged, decision="rejected", reason="x"
        )
    with pytest.raises(ServiceError, match="必须填写理由"):
        services.claim_line_decide(
            actor=cz.user("ly_reviewer"), line=flagged, decision="rejected", reason=" "
        )
    services.claim_line_decide(
        actor=cz.user("ly_reviewer"),
        line=flagged,
        decision="rejected",
        reason="本年度已享受3次补贴，不予补贴",
    )
    claim.refresh_from_db()
    assert claim.accepted_count == 2 and claim.accepted_total == Decimal("2400.00")
    claim = approve_all(cz, claim)
    assert claim.status == "notice"
    today = timezone.localdate()
    assert claim.notice_start == today and claim.notice_working_days == 5
    assert all(line.decision == "accepted" for line in claim.lines.filter(is_active=True))
    # During the notice nothing moves on.
    with pytest.raises(Conflict, match="公示期内"):
        services.claim_notice_close(actor=cz.user("cz_hrss_reviewer"), claim=claim, today=claim.notice_end)
    with pytest.raises(Conflict, match="公示期内"):
        services.claim_disburse(
            actor=cz.user("cz_finance_reviewer"),
            claim=claim,
            voucher_no="CZ-1",
            disbursed_on=today,
            amount="2400",
        )
    objection = services.objection_record(
        actor=cz.user("cz_hrss_reviewer"),
        claim=claim,
        raised_by="来电（匿名）",
        content="孙三培训期间未到课",
        received_on=today,
        line=line_of(claim, "孙三"),
    )
    with pytest.raises(Conflict, match="未处理的公示异议"):
        services.claim_notice_close(
            actor=cz.user("cz_hrss_reviewer"), claim=claim, today=claim.notice_end + dt.timedelta(days=1)
        )
    services.objection_resolve(
        actor=cz.user("cz_hrss_reviewer"),
        objection=objection,
        upheld=False,
        resolution="经核考勤记录，出勤率100%，异议不成立",
    )
    claim = services.claim_notice_close(
        actor=cz.user("cz_hrss_reviewer"), claim=claim, today=claim.notice_end + dt.timedelta(days=1)
    )
    assert claim.status == "approved"
    # Disbursement above the approved total is refused, nothing written.
    with pytest.raises(ServiceError, match=r"超过核定金额 2400\.00 元"):
        services.claim_disburse(
            actor=cz.user("cz_finance_reviewer"),
            claim=claim,
            voucher_no="CZ-1",
            disbursed_on=today,
            amount="2400.01",
        )
    assert not FundEntry.objects.exists()
    with pytest.raises(Forbidden):
        services.claim_disburse(
            actor=cz.user("cz_hrss_reviewer"),
            claim=claim,
            voucher_no="CZ-1",
            disbursed_on=today,
            amount="2400",
        )
    claim = services.claim_disburse(
        actor=cz.user("cz_finance_reviewer"),
        claim=claim,
        voucher_no="CZCZ-2026-118",
        disbursed_on=today,
        amount="2400",
    )
    assert claim.status == "disbursed" and claim.disbursed_amount == Decimal("2400.00")
    account = FundAccount.objects.get(unit=cz.orgs["溧阳监狱"])
    assert account.balance == Decimal("2400.00")
    with pytest.raises(ServiceError, match="超过到账金额"):
        services.claim_pay_institution(
            actor=cz.user("ly_operator"), claim=claim, paid_on=today, amount="2400.01"
        )
    claim = services.claim_pay_institution(
        actor=cz.user("ly_operator"), claim=claim, paid_on=today, amount="2400"
    )
    assert claim.status == "paid"
    account.refresh_from_db()
    assert account.balance == Decimal("0.00")
    entries = list(
        FundEntry.objects.filter(account=account).order_by("id").values_list("kind", "delta", "source_id")
    )
    assert entries == [
        ("receipt", Decimal("2400.00"), str(claim.pk)),
        ("payment", Decimal("-2400.00"), str(claim.pk)),
    ]


def test_last_stage_needs_decisions_on_flagged_lines(cz, certified_class, trainees):
    for occupation, on in (
        ("6-18-02-04", D(2026, 2, 1)),
        ("4-04-05-01", D(2026, 5, 1)),
        ("4-01-06-01", D(2026, 8, 1)),
    ):
        history_line(cz, trainees[0], occupation=occupation, on=on)
    claim = services.claim_create(
        actor=cz.user("czjs_operator"), kind="training", training_class=certified_class
    )
    claim = services.claim_submit(actor=cz.user("czjs_operator"), claim=claim)
    claim = approve_all(cz, claim, CHAIN[:3])
    with pytest.raises(Conflict, match="还有 1 条有提示的明细未作审核结论"):
        services.claim_review(actor=cz.user("cz_hrss_reviewer"), claim=claim, action="approve")
    claim.refresh_from_db()
    assert claim.status == "in_review"
    line = line_of(claim, "赵一")
    with pytest.raises(ServiceError, match="通过有提示的明细时必须填写理由"):
        services.claim_line_decide(actor=cz.user("cz_hrss_reviewer"), line=line, decision="accepted")
    services.claim_line_decide(
        actor=cz.user("cz_hrss_reviewer"),
        line=line,
        decision="accepted",
        reason="经核实第4次为政策允许的例外",
    )
    claim = services.claim_review(actor=cz.user("cz_hrss_reviewer"), claim=claim, action="approve")
    assert claim.status == "notice" and claim.accepted_total == Decimal("3600.00")


def test_return_and_reject_follow_the_review(cz, claim):
    claim = services.claim_submit(actor=cz.user("czjs_operator"), claim=claim)
    claim = services.claim_review(
        actor=cz.user("ly_reviewer"), claim=claim, action="return", opinion="请补充考勤"
    )
    assert claim.status == "returned"
    claim = services.claim_submit(actor=cz.user("czjs_operator"), claim=claim)
    claim = services.claim_review(
        actor=cz.user("ly_reviewer"), claim=claim, action="reject", opinion="材料不实"
    )
    assert claim.status == "rejected"
    assert not ClaimLine.objects.filter(claim=claim, is_active=True).exists()


def test_approval_cannot_be_recorded_twice(cz, claim):
    claim = services.claim_submit(actor=cz.user("czjs_operator"), claim=claim)
    stage_id = claim.review.current_stage_id
    services.claim_review(actor=cz.user("ly_reviewer"), claim=claim, action="approve", stage_id=stage_id)
    with pytest.raises((Conflict, Forbidden)):
        services.claim_review(actor=cz.user("ly_reviewer"), claim=claim, action="approve", stage_id=stage_id)
    assert ReviewStage.objects.filter(case=claim.review, decision="approve").count() == 1


def test_final_approval_from_the_review_engine_needs_decisions_on_flagged_lines(
    cz, certified_class, trainees
):
    """Approving the last stage through the generic review pages (approvals services) is refused too."""
    from skillbridge.approvals import services as approvals

    for occupation, on in (
        ("6-18-02-04", D(2026, 2, 1)),
        ("4-04-05-01", D(2026, 5, 1)),
        ("4-01-06-01", D(2026, 8, 1)),
    ):
        history_line(cz, trainees[0], occupation=occupation, on=on)
    claim = services.claim_create(
        actor=cz.user("czjs_operator"), kind="training", training_class=certified_class
    )
    claim = services.claim_submit(actor=cz.user("czjs_operator"), claim=claim)
    claim = approve_all(cz, claim, CHAIN[:3])
    case = claim.review
    case.refresh_from_db()
    with pytest.raises(Conflict, match="还有 1 条有提示的申领明细未作审核结论"):
        approvals.review_approve(actor=cz.user("cz_hrss_reviewer"), case=case, stage_id=case.current_stage_id)
    case.refresh_from_db()
    claim.refresh_from_db()
    assert case.status == "in_review" and claim.status == "in_review"
    assert ReviewStage.objects.filter(case=case, decision="approve").count() == 3


def test_assessment_claim_form_fields(cz, certified_class):
    from skillbridge.subsidies import documents

    claim = services.claim_create(
        actor=cz.user("cz_eval_operator"), kind="assessment", training_class=certified_class
    )
    assert claim.form_number == "附件9" and claim.detail_form_number == "附件10"
    labels = [label for label, _ in documents.form_fields(claim)]
    assert labels == [
        "鉴定机构名称", "组织机构代码", "法定代表人姓名", "开户银行名称", "银行账号", "联系人姓名", "联系电话",
        "鉴定时间", "鉴定工种", "鉴定人数", "鉴定费用",
    ]  # fmt: skip
    assert dict(documents.form_fields(claim))["鉴定人数"] == "3"
