"""Claims: build from a class's certificates, check, submit through the pack chain, line decisions,
public notice with objections, disbursement by city finance to the unit's special account, payment on to
the institution. Every function is one transaction and audited.

Concurrency: building or re-checking a claim locks the rows of the people in it (in id order), so two
claims checking the same person run one after the other and the second sees the first one's lines; the
partial unique index `subsidies_certificate_paid_once` is the last line of defence for a certificate.
"""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from skillbridge.accounts.models import REVIEW_ROLES, Organisation, OrgType, Role
from skillbridge.approvals import services as approvals
from skillbridge.approvals.models import ReviewCase, ReviewStatus
from skillbridge.audit.services import audit_record
from skillbridge.catalog.models import InstitutionProfile
from skillbridge.catalog.selectors import standard_for
from skillbridge.certificates.models import Certificate, CertificateStatus
from skillbridge.errors import Conflict, Forbidden, NotFound, ServiceError
from skillbridge.policy import rules
from skillbridge.policy.errors import PolicyError
from skillbridge.policy.loader import get_pack
from skillbridge.registry.models import Person
from skillbridge.training.models import Enrolment, TrainingClass

from . import checks
from .models import (
    CheckOutcome,
    Claim,
    ClaimKind,
    ClaimLine,
    ClaimStatus,
    LineDecision,
    NoticeObjection,
    ObjectionStatus,
)

WRITERS = (Role.OPERATOR, Role.UNIT_HEAD)
CLAIMANT_TYPES = {
    ClaimKind.TRAINING: OrgType.TRAINING_INSTITUTION,
    ClaimKind.ASSESSMENT: OrgType.EVALUATION_INSTITUTION,
}
DOC_TYPES = {ClaimKind.TRAINING: "training_claim", ClaimKind.ASSESSMENT: "assessment_claim"}


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _lock(claim: Claim) -> Claim:
    try:
        return Claim.objects.select_for_update().get(pk=claim.pk)
    except Claim.DoesNotExist:
        raise NotFound("申领不存在") from None


def _city_org(unit: Organisation, org_type: str) -> Organisation | None:
    return Organisation.objects.filter(
        org_type=org_type, region_code__startswith=unit.city_prefix, is_active=True
    ).first()


def _require_city(actor, claim: Claim, org_type: str, roles, what: str) -> None:
    org = _city_org(claim.unit, org_type)
    if org is None or actor.organisation_id != org.pk or not actor.has_role(*roles):
        name = org.name if org else OrgType(org_type).label
        raise Forbidden(f"只有{name}可以{what}")


def _require_claimant(actor, claim: Claim) -> None:
    if actor.organisation_id != claim.claimant_id or not actor.has_role(*WRITERS):
        raise Forbidden(f"只有{claim.claimant_name}的经办人或负责人可以办理")


def _notice_guard(claim: Claim, today: date, what: str) -> None:
    if (
        claim.status == ClaimStatus.NOTICE
        and claim.notice_end
        and rules.notice_running(claim.notice_end, today)
    ):
        raise Conflict(
            f"公示期内（{claim.notice_start:%Y-%m-%d} 至 {claim.notice_end:%Y-%m-%d}）不能{what}",
            field="status",
        )


def pack_of(claim: Claim):
    return get_pack(claim.unit.policy_pack)


# ---- building and checking -----------------------------------------------------------------------------


def _class_certificates(claim: Claim):
    qs = Certificate.objects.filter(training_class=claim.training_class).exclude(
        status=CertificateStatus.SUPERSEDED
    )
    if claim.kind == ClaimKind.ASSESSMENT:
        qs = qs.filter(issuer=claim.claimant)
    return qs.select_related("person").order_by("person_id", "id")


def _standard(claim: Claim, certificate: Certificate):
    subject = certificate.occupation or certificate.special_item
    if subject is None:
        return None
    return standard_for(
        claim.unit.region_code,
        certificate.issue_date,
        subject,
        certificate.level_id,
        certificate.certificate_type_id,
    )


def _lock_people(person_ids) -> None:
    list(
        Person.objects.select_for_update()
        .filter(pk__in=set(person_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _claim_facts(claim: Claim) -> checks.ClaimFacts:
    tc = claim.training_class
    approved = bool(tc and tc.application.review_id and tc.application.review.status == ReviewStatus.APPROVED)
    return checks.ClaimFacts(
        kind=claim.kind,
        unit_id=claim.unit_id,
        claim_id=claim.pk,
        training_class_id=claim.training_class_id,
        class_approved=approved,
        class_ended_on=tc.ended_on if tc else None,
        data_entered_on=tc.data_entered_on if tc else None,
    )


def _line_facts(line: ClaimLine, certificate: Certificate, enrolments: dict) -> checks.LineFacts:
    enrolment = enrolments.get(line.person_id)
    return checks.LineFacts(
        person_id=line.person_id,
        certificate_id=certificate.pk,
        certificate_person_id=certificate.person_id,
        certificate_status=certificate.status,
        certificate_unit_id=certificate.unit_id,
        certificate_class_id=certificate.training_class_id,
        certificate_date=certificate.issue_date,
        occupation_id=line.occupation_id,
        special_item_id=line.special_item_id,
        level_id=line.level_id,
        amount=line.amount,
        standard_amount=line.standard_amount,
        year=line.year,
        enrolled=enrolment is not None if line.claim.training_class_id else True,
        enrolment_warnings=(enrolment.warnings if enrolment else []) or [],
    )


def _apply_checks(claim: Claim, lines: list[ClaimLine], actor) -> None:
    """Run the checks on `lines` (unsaved or saved) and set outcome, checks and the automatic block."""
    pack = pack_of(claim)
    certificates = {
        c.pk: c for c in Certificate.objects.filter(pk__in=[line.certificate_id for line in lines])
    }
    enrolments = {}
    if claim.training_class_id:
        enrolments = {
            e.person_id: e for e in Enrolment.objects.filter(training_class_id=claim.training_class_id)
        }
    facts = [_line_facts(line, certificates[line.certificate_id], enrolments) for line in lines]
    now = timezone.now()
    for line, (outcome, results) in zip(
        lines, checks.check_lines(facts, _claim_facts(claim), pack), strict=True
    ):
        line.outcome, line.checks, line.checked_at = outcome, results, now
        if outcome == CheckOutcome.BLOCK:
            line.decision = LineDecision.REJECTED
            line.decision_reason = f"系统核查不符合：{checks.summary(results)}"[:300]
            line.decided_by, line.decided_at, line.is_active = None, now, False
        elif line.decided_by_id is None:
            line.decision, line.decision_reason, line.decided_at, line.is_active = (
                LineDecision.PENDING,
                "",
                None,
                True,
            )


def recompute_totals(claim: Claim) -> Claim:
    lines = ClaimLine.objects.filter(claim=claim)
    claimed = lines.exclude(outcome=CheckOutcome.BLOCK).aggregate(n=Count("id"), total=Sum("amount"))
    accepted = lines.filter(is_active=True).aggregate(n=Count("id"), total=Sum("amount"))
    claim.line_count, claim.claimed_total = claimed["n"], claimed["total"] or Decimal(0)
    claim.accepted_count, claim.accepted_total = accepted["n"], accepted["total"] or Decimal(0)
    claim.save(
        update_fields=["line_count", "claimed_total", "accepted_count", "accepted_total", "updated_at"]
    )
    return claim


def _save_lines(claim: Claim, lines: list[ClaimLine], *, create: bool) -> None:
    try:
        with transaction.atomic():
            if create:
                ClaimLine.objects.bulk_create(lines)
            else:
                ClaimLine.objects.bulk_update(
                    lines,
                    [
                        "outcome",
                        "checks",
                        "checked_at",
                        "decision",
                        "decision_reason",
                        "decided_by",
                        "decided_at",
                        "is_active",
                    ],
                )
    except IntegrityError:
        raise Conflict("有证书刚被其他申领占用，请刷新后重试", field="lines") from None


def _claimant_snapshot(institution: Organisation) -> dict:
    profile = InstitutionProfile.objects.filter(organisation=institution).first()
    if profile is None:
        return {"claimant_name": institution.name}
    return {
        "claimant_name": institution.name,
        "credit_code": profile.credit_code,
        "legal_representative": profile.legal_representative,
        "bank_name": profile.bank_name,
        "bank_account": profile.bank_account,
        "contact_person": profile.contact_person,
        "contact_phone": profile.contact_phone,
    }


@transaction.atomic
def claim_create(*, actor, kind: str, training_class: TrainingClass, filled_on: date | None = None) -> Claim:
    """A draft claim of the actor's institution for a class, one line per certificate of the class (for an
    assessment claim: the certificates the evaluation institution issued), checked at once."""
    if kind not in ClaimKind.values:
        raise ServiceError(f"未知的申领类型：{kind}", field="kind")
    institution = actor.organisation
    if institution.org_type != CLAIMANT_TYPES[kind] or not actor.has_role(*WRITERS):
        raise Forbidden(f"{ClaimKind(kind).label}由{OrgType(CLAIMANT_TYPES[kind]).label}的经办人申领")
    training_class = TrainingClass.objects.select_related("application", "unit").get(pk=training_class.pk)
    application = training_class.application
    if kind == ClaimKind.TRAINING and training_class.institution_id != institution.pk:
        raise Forbidden(
            f"该培训班由{training_class.institution.name}承办，{institution.name}不能申领",
            field="training_class",
        )
    pack = get_pack(training_class.unit.policy_pack)
    try:
        pack.chain(DOC_TYPES[kind])
    except PolicyError as exc:
        raise ServiceError(str(exc), field="kind") from None
    claim = Claim(
        kind=kind,
        claimant=institution,
        unit=training_class.unit,
        year=training_class.date_to.year,
        training_class=training_class,
        subject_name=application.subject_name,
        level_name=str(application.level) if application.level_id else "",
        date_from=training_class.date_from,
        date_to=training_class.ended_on or training_class.date_to,
        filled_on=filled_on or timezone.localdate(),
        created_by=actor,
        **_claimant_snapshot(institution),
    )
    if kind == ClaimKind.ASSESSMENT:
        from skillbridge.assessment.models import AssessmentApplication

        claim.assessment = (
            AssessmentApplication.objects.filter(training_class=training_class).order_by("-id").first()
        )
    certificates = list(_class_certificates(claim))
    if kind == ClaimKind.ASSESSMENT and not certificates:
        raise Forbidden(f"{institution.name}没有为该班颁发证书，不能申领鉴定补贴", field="training_class")
    if not certificates:
        raise ServiceError("该班还没有颁发证书，无法生成申领明细", field="training_class")
    _lock_people(c.person_id for c in certificates)
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise Conflict(f"该班已有{ClaimKind(kind).label}申领，不能重复创建", field="training_class") from None
    lines = []
    for certificate in certificates:
        standard = _standard(claim, certificate)
        amount = standard.amount if standard else Decimal(0)
        lines.append(
            ClaimLine(
                claim=claim,
                kind=kind,
                person_id=certificate.person_id,
                certificate=certificate,
                occupation_id=certificate.occupation_id,
                special_item_id=certificate.special_item_id,
                level_id=certificate.level_id,
                certificate_type_id=certificate.certificate_type_id,
                certificate_date=certificate.issue_date,
                standard=standard,
                standard_amount=standard.amount if standard else None,
                amount=amount,
                year=certificate.issue_date.year,
            )
        )
    _apply_checks(claim, lines, actor)
    _save_lines(claim, lines, create=True)
    recompute_totals(claim)
    audit_record(
        action="subsidies.claim.create",
        actor=actor,
        obj=claim,
        changes={
            "kind": kind,
            "class": training_class.pk,
            "lines": len(lines),
            "blocked": sum(line.outcome == CheckOutcome.BLOCK for line in lines),
            "flagged": sum(line.outcome == CheckOutcome.FLAG for line in lines),
            "claimed_total": str(claim.claimed_total),
        },
    )
    return claim


@transaction.atomic
def claim_recheck(*, actor, claim: Claim) -> Claim:
    """Run the checks again on a draft or returned claim (reviewer decisions on flagged lines are kept)."""
    claim = _lock(claim)
    _require_claimant(actor, claim)
    if not claim.is_editable:
        raise Conflict(f"申领当前状态为“{claim.get_status_display()}”，不能重新核查", field="status")
    lines = list(ClaimLine.objects.filter(claim=claim).select_related("claim").order_by("id"))
    _lock_people(line.person_id for line in lines)
    for line in lines:
        if line.decided_by_id is None:
            line.is_active = True
    _apply_checks(claim, lines, actor)
    _save_lines(claim, lines, create=False)
    recompute_totals(claim)
    audit_record(action="subsidies.claim.recheck", actor=actor, obj=claim, changes={"lines": len(lines)})
    return claim


@transaction.atomic
def claim_line_amount_set(*, actor, line: ClaimLine, amount) -> ClaimLine:
    """The claimant corrects a line's amount (a draft only); the amount check runs again."""
    claim = _lock(line.claim)
    _require_claimant(actor, claim)
    if not claim.is_editable:
        raise Conflict("只有草稿或退回修改的申领可以修改金额", field="status")
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except Exception:
        raise ServiceError("申领金额须为数字", field="amount") from None
    if amount < 0:
        raise ServiceError("申领金额不能为负数", field="amount")
    line = ClaimLine.objects.select_related("claim").get(pk=line.pk)
    before = line.amount
    line.amount = amount
    line.decided_by = None
    line.is_active = True
    _apply_checks(claim, [line], actor)
    line.save()
    recompute_totals(claim)
    audit_record(
        action="subsidies.line.amount", actor=actor, obj=line, changes={"amount": [str(before), str(amount)]}
    )
    return line


# Follow-ups of later apps (the supervision app's claim scan), run inside the submitting transaction.
_ON_SUBMITTED: list = []


def register_on_claim_submitted(follow_up) -> None:
    """`follow_up(actor=, claim=)` runs inside `claim_submit`'s transaction, after its audit event."""
    if follow_up not in _ON_SUBMITTED:
        _ON_SUBMITTED.append(follow_up)


@transaction.atomic
def claim_submit(*, actor, claim: Claim) -> Claim:
    """Submit (or resubmit after 退回修改) through the unit's claim chain (unit → lead prison → bureau → HRSS)."""
    claim = _lock(claim)
    _require_claimant(actor, claim)
    if not claim.is_editable:
        raise Conflict(f"申领当前状态为“{claim.get_status_display()}”，不能重复报送", field="status")
    if not ClaimLine.objects.filter(claim=claim, is_active=True).exists():
        raise ServiceError("没有可申领的明细（全部明细均未通过核查）", field="lines")
    if claim.review_id is None:
        case = approvals.review_create(
            actor=actor, doc_type=DOC_TYPES[claim.kind], title=str(claim)[:200], unit=claim.unit
        )
        claim.review = case
    approvals.review_submit(actor=actor, case=claim.review)
    claim.status = ClaimStatus.IN_REVIEW
    claim.save(update_fields=["review", "status", "updated_at"])
    audit_record(
        action="subsidies.claim.submit", actor=actor, obj=claim, changes={"total": str(claim.accepted_total)}
    )
    for follow_up in _ON_SUBMITTED:
        follow_up(actor=actor, claim=claim)
    return claim


@transaction.atomic
def claim_withdraw(*, actor, claim: Claim) -> Claim:
    claim = _lock(claim)
    _require_claimant(actor, claim)
    if not claim.is_editable:
        raise Conflict(f"申领当前状态为“{claim.get_status_display()}”，不能撤回", field="status")
    claim.status = ClaimStatus.WITHDRAWN
    claim.save(update_fields=["status", "updated_at"])
    ClaimLine.objects.filter(claim=claim).update(is_active=False)
    audit_record(action="subsidies.claim.withdraw", actor=actor, obj=claim, changes={})
    return claim


# ---- review ---------------------------------------------------------------------------------------------


def _require_current_reviewer(actor, claim: Claim):
    case = claim.review
    if claim.status != ClaimStatus.IN_REVIEW or case is None or case.current_stage_id is None:
        raise Conflict(f"申领当前状态为“{claim.get_status_display()}”，不能审核", field="status")
    stage = case.current_stage
    if actor.organisation_id != stage.org_id or not actor.has_role(*REVIEW_ROLES):
        raise Forbidden(f"当前环节为“{stage.name}”，应由{stage.org.name}审核")
    return stage


@transaction.atomic
def claim_line_decide(*, actor, line: ClaimLine, decision: str, reason: str = "") -> ClaimLine:
    """A reviewer at the current stage accepts or rejects a line, with a reason (required to reject, and to
    accept a flagged line). A line blocked by the checks cannot be accepted."""
    claim = _lock(line.claim)
    ReviewCase.objects.select_for_update().filter(pk=claim.review_id).first()
    stage = _require_current_reviewer(actor, claim)
    line = ClaimLine.objects.select_for_update().get(pk=line.pk)
    reason = (reason or "").strip()
    if decision not in (LineDecision.ACCEPTED, LineDecision.REJECTED):
        raise ServiceError("审核结论须为通过或不予补贴", field="decision")
    if decision == LineDecision.ACCEPTED and line.outcome == CheckOutcome.BLOCK:
        raise Conflict(f"该明细未通过系统核查，不能通过：{checks.summary(line.checks)}", field="decision")
    if not reason and (decision == LineDecision.REJECTED or line.outcome == CheckOutcome.FLAG):
        what = "不予补贴" if decision == LineDecision.REJECTED else "通过有提示的明细"
        raise ServiceError(f"{what}时必须填写理由", field="reason")
    before = line.decision
    line.decision, line.decision_reason = decision, reason[:300]
    line.decided_by, line.decided_at = actor, timezone.now()
    line.is_active = decision == LineDecision.ACCEPTED
    try:
        with transaction.atomic():
            line.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at", "is_active"])
    except IntegrityError:
        raise Conflict("该证书已在其他有效申领中，不能通过", field="decision") from None
    recompute_totals(claim)
    audit_record(
        action="subsidies.line.decide",
        actor=actor,
        obj=line,
        changes={"decision": [before, decision], "reason": reason, "stage": stage.name, "claim": claim.pk},
    )
    return line


def _sync_from_review(claim: Claim) -> Claim:
    """Follow a return / rejection recorded by the review engine (e.g. from the review inbox)."""
    case = claim.review
    if claim.status != ClaimStatus.IN_REVIEW or case is None:
        return claim
    if case.status == ReviewStatus.RETURNED:
        claim.status = ClaimStatus.RETURNED
    elif case.status == ReviewStatus.REJECTED:
        claim.status = ClaimStatus.REJECTED
        ClaimLine.objects.filter(claim=claim).update(is_active=False)
    else:
        return claim
    claim.save(update_fields=["status", "updated_at"])
    return claim


@transaction.atomic
def claim_sync(*, claim: Claim) -> Claim:
    """Bring the claim's status in line with its review case (idempotent; no-op when nothing changed)."""
    claim = _lock(claim)
    return _sync_from_review(claim)


@transaction.atomic
def claim_review(
    *, actor, claim: Claim, action: str, opinion: str = "", stage_id: int | None = None
) -> Claim:
    """Decide the current stage (同意 / 退回修改 / 不同意). The last stage (市人社局) can only approve once
    every flagged line has a decision; its approval opens the public notice (engine on-approved hook)."""
    claim = _lock(claim)
    stage = _require_current_reviewer(actor, claim)
    if action not in approvals.ACTIONS:
        raise ServiceError("未知的审核操作", field="action")
    if action == "approve":
        is_last = not claim.review.stages.filter(round=claim.review.round, index=stage.index + 1).exists()
        pending = ClaimLine.objects.filter(
            claim=claim, outcome=CheckOutcome.FLAG, decision=LineDecision.PENDING
        )
        if is_last and pending.exists():
            raise Conflict(f"还有 {pending.count()} 条有提示的明细未作审核结论", field="lines")
    approvals.ACTIONS[action](actor=actor, case=claim.review, stage_id=stage_id or stage.pk, opinion=opinion)
    claim.refresh_from_db()
    claim.review.refresh_from_db()
    return _sync_from_review(claim)


def claim_notice_open_on_approval(case: ReviewCase, actor) -> None:
    """Engine hook, inside the final approval: undecided lines are accepted, totals frozen, the public notice
    starts the same day for the pack's number of working days."""
    claim = Claim.objects.select_for_update().get(review=case)
    pending = ClaimLine.objects.filter(claim=claim, outcome=CheckOutcome.FLAG, decision=LineDecision.PENDING)
    if pending.exists():
        # Also when the last stage is approved from the generic review pages: the approval is rolled back.
        raise Conflict(
            f"还有 {pending.count()} 条有提示的申领明细未作审核结论，请在申领页面逐条审核", field="lines"
        )
    today = timezone.localdate()
    pack = pack_of(claim)
    now = timezone.now()
    ClaimLine.objects.filter(claim=claim, is_active=True, decision=LineDecision.PENDING).update(
        decision=LineDecision.ACCEPTED, decided_by=actor, decided_at=now, decision_reason="随申领审核通过"
    )
    recompute_totals(claim)
    claim.status = ClaimStatus.NOTICE
    claim.notice_start = today
    claim.notice_end = rules.notice_end(today, pack)
    claim.notice_working_days = pack.subsidy.public_notice_working_days.value
    claim.save(update_fields=["status", "notice_start", "notice_end", "notice_working_days", "updated_at"])
    audit_record(
        action="subsidies.notice.open",
        actor=actor,
        obj=claim,
        changes={
            "from": str(today),
            "to": str(claim.notice_end),
            "accepted_total": str(claim.accepted_total),
        },
    )


@transaction.atomic
def notice_dates_set(*, actor, claim: Claim, start: date) -> Claim:
    """市人社局 sets the publication day (e.g. published later than the approval); the end follows the pack."""
    claim = _lock(claim)
    _require_city(actor, claim, OrgType.CITY_HRSS, WRITERS + tuple(REVIEW_ROLES), "调整公示")
    if claim.status != ClaimStatus.NOTICE:
        raise Conflict("申领不在公示阶段", field="status")
    before = (claim.notice_start, claim.notice_end)
    claim.notice_start, claim.notice_end = start, rules.notice_end(start, pack_of(claim))
    claim.save(update_fields=["notice_start", "notice_end", "updated_at"])
    audit_record(
        action="subsidies.notice.dates",
        actor=actor,
        obj=claim,
        changes={"before": [str(d) for d in before], "start": str(start)},
    )
    return claim


@transaction.atomic
def objection_record(
    *, actor, claim: Claim, raised_by: str, content: str, received_on: date, line: ClaimLine | None = None
) -> NoticeObjection:
    claim = _lock(claim)
    _require_city(actor, claim, OrgType.CITY_HRSS, WRITERS + tuple(REVIEW_ROLES), "登记公示异议")
    if claim.status != ClaimStatus.NOTICE:
        raise Conflict("只有公示中的申领可以登记异议", field="status")
    if not (raised_by or "").strip():
        raise ServiceError("异议人（来源）不能为空", field="raised_by")
    if not (content or "").strip():
        raise ServiceError("异议内容不能为空", field="content")
    if line is not None and line.claim_id != claim.pk:
        raise ServiceError("所涉明细不属于该申领", field="line")
    objection = NoticeObjection.objects.create(
        claim=claim,
        line=line,
        raised_by=raised_by.strip(),
        content=content.strip(),
        received_on=received_on,
        recorded_by=actor,
    )
    audit_record(
        action="subsidies.objection.record",
        actor=actor,
        obj=objection,
        changes={"claim": claim.pk, "line": line and line.pk},
    )
    return objection


@transaction.atomic
def objection_resolve(*, actor, objection: NoticeObjection, upheld: bool, resolution: str) -> NoticeObjection:
    """Resolve an objection; an upheld objection about a line removes that line from the claim."""
    claim = _lock(objection.claim)
    _require_city(actor, claim, OrgType.CITY_HRSS, WRITERS + tuple(REVIEW_ROLES), "处理公示异议")
    objection = NoticeObjection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != ObjectionStatus.OPEN:
        raise Conflict("该异议已处理", field="status")
    if not (resolution or "").strip():
        raise ServiceError("处理结果不能为空", field="resolution")
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.resolution, objection.resolved_by, objection.resolved_at = (
        resolution.strip(),
        actor,
        timezone.now(),
    )
    objection.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    if upheld and objection.line_id:
        ClaimLine.objects.filter(pk=objection.line_id).update(
            decision=LineDecision.REJECTED,
            decision_reason=f"公示异议成立：{resolution.strip()}"[:300],
            decided_by=actor,
            decided_at=timezone.now(),
            is_active=False,
        )
        recompute_totals(claim)
    audit_record(
        action="subsidies.objection.resolve",
        actor=actor,
        obj=objection,
        changes={"upheld": upheld, "resolution": resolution.strip()},
    )
    return objection


@transaction.atomic
def claim_notice_close(*, actor, claim: Claim, today: date | None = None) -> Claim:
    """After the last notice day, with every objection resolved, the claim goes to finance for payment."""
    claim = _lock(claim)
    _require_city(actor, claim, OrgType.CITY_HRSS, WRITERS + tuple(REVIEW_ROLES), "结束公示")
    today = _today(today)
    if claim.status != ClaimStatus.NOTICE:
        raise Conflict("申领不在公示阶段", field="status")
    _notice_guard(claim, today, "结束公示")
    if claim.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise Conflict("还有未处理的公示异议", field="objections")
    claim.status = ClaimStatus.APPROVED
    claim.notice_closed_at = timezone.now()
    claim.save(update_fields=["status", "notice_closed_at", "updated_at"])
    audit_record(
        action="subsidies.notice.close",
        actor=actor,
        obj=claim,
        changes={"accepted_total": str(claim.accepted_total)},
    )
    return claim


# ---- money ----------------------------------------------------------------------------------------------


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except Exception:
        raise ServiceError("金额须为数字", field=field) from None
    if amount <= 0:
        raise ServiceError("金额须大于 0", field=field)
    return amount


@transaction.atomic
def claim_disburse(
    *, actor, claim: Claim, voucher_no: str, disbursed_on: date, amount, today: date | None = None
) -> Claim:
    """市财政局 pays the approved claim into the unit's special account (a receipt in the unit's ledger)."""
    claim = _lock(claim)
    _require_city(actor, claim, OrgType.CITY_FINANCE, WRITERS + tuple(REVIEW_ROLES), "拨付补贴资金")
    _notice_guard(claim, _today(today), "拨付")
    if claim.status != ClaimStatus.APPROVED:
        raise Conflict(
            f"申领当前状态为“{claim.get_status_display()}”，不能拨付（须公示期满）", field="status"
        )
    amount = _money(amount, "amount")
    if amount > claim.accepted_total:
        raise ServiceError(
            f"拨付金额 {amount:.2f} 元超过核定金额 {claim.accepted_total:.2f} 元", field="amount"
        )
    voucher_no = (voucher_no or "").strip()
    if not voucher_no:
        raise ServiceError("拨付凭证号不能为空", field="voucher_no")
    if disbursed_on is None:
        raise ServiceError("拨付日期不能为空", field="disbursed_on")
    claim.voucher_no, claim.disbursed_on, claim.disbursed_amount = voucher_no, disbursed_on, amount
    claim.disbursed_by, claim.status = actor, ClaimStatus.DISBURSED
    claim.save(
        update_fields=[
            "voucher_no",
            "disbursed_on",
            "disbursed_amount",
            "disbursed_by",
            "status",
            "updated_at",
        ]
    )
    from . import ledger

    ledger.receipt(actor=actor, claim=claim)
    audit_record(
        action="subsidies.claim.disburse",
        actor=actor,
        obj=claim,
        changes={"voucher_no": voucher_no, "on": str(disbursed_on), "amount": str(amount)},
    )
    return claim


@transaction.atomic
def claim_pay_institution(*, actor, claim: Claim, paid_on: date, amount) -> Claim:
    """The unit pays the institution from its special account (专项核算), at most what it received."""
    claim = _lock(claim)
    if actor.organisation_id != claim.unit_id or not actor.has_role(*WRITERS):
        raise Forbidden(f"只有{claim.unit.name}的经办人或负责人可以支付")
    if claim.status != ClaimStatus.DISBURSED:
        raise Conflict(f"申领当前状态为“{claim.get_status_display()}”，不能支付机构", field="status")
    amount = _money(amount, "amount")
    if amount > claim.disbursed_amount:
        raise ServiceError(
            f"支付金额 {amount:.2f} 元超过到账金额 {claim.disbursed_amount:.2f} 元", field="amount"
        )
    if paid_on is None:
        raise ServiceError("支付日期不能为空", field="paid_on")
    claim.paid_on, claim.paid_amount, claim.paid_by, claim.status = paid_on, amount, actor, ClaimStatus.PAID
    claim.save(update_fields=["paid_on", "paid_amount", "paid_by", "status", "updated_at"])
    from . import ledger

    ledger.payment(actor=actor, claim=claim)
    audit_record(
        action="subsidies.claim.pay",
        actor=actor,
        obj=claim,
        changes={"on": str(paid_on), "amount": str(amount)},
    )
    return claim


def active_lines_for_certificate(certificate_id: int) -> int:
    return ClaimLine.objects.filter(certificate_id=certificate_id, is_active=True).count()
