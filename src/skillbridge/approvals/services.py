"""Review actions: create, submit, approve, return for revision, reject.

Order is enforced: only the organisation of the current stage can act, on the stage it saw
(`stage_id`), and the case row is locked for the decision, so two reviewers pressing 同意 at once
record exactly one approval and the second gets a clear conflict.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from skillbridge.accounts.models import REVIEW_ROLES, Organisation, Role
from skillbridge.audit.services import audit_record
from skillbridge.errors import Conflict, Forbidden, NotFound, ServiceError
from skillbridge.policy.errors import PolicyError
from skillbridge.policy.loader import get_pack

from .documents import on_approved, stage_deadline
from .models import Decision, DocType, ReviewCase, ReviewStage, ReviewStatus

SYSTEM_BUREAU = {"prison": "provincial_prison_bureau", "rehab_centre": "provincial_rehab_bureau"}


def _find_one(queryset, stage_name: str) -> Organisation:
    orgs = list(queryset.filter(is_active=True)[:2])
    if len(orgs) != 1:
        problem = "未找到" if not orgs else "找到多个"
        raise ServiceError(
            f"{problem}“{stage_name}”环节的办理单位，请联系系统管理员核对组织机构配置", field="chain"
        )
    return orgs[0]


def resolve_stage_org(stage, unit: Organisation, parties: dict[str, Organisation]) -> Organisation:
    """Find the organisation that acts on `stage` for documents of `unit`, from the pack's actor rule.

    `parties` are the organisations the document itself names, by type (e.g. its evaluation institution).
    """
    if stage.actor == "unit":
        return unit
    if stage.actor == "named_party":
        party = parties.get(stage.org_type)
        if party is None:
            raise ServiceError(f"材料未指定“{stage.name}”环节的办理单位", field=stage.org_type)
        return party
    if stage.actor == "lead_unit":
        return _find_one(
            Organisation.objects.filter(
                is_lead_unit=True, org_type=unit.org_type, region_code__startswith=unit.city_prefix
            ),
            stage.name,
        )
    if stage.actor == "system_bureau":
        bureau_type = SYSTEM_BUREAU.get(unit.org_type)
        if bureau_type is None:
            raise ServiceError(f"{unit.get_org_type_display()}没有对应的省级管理局", field="chain")
        return _find_one(
            Organisation.objects.filter(org_type=bureau_type, region_code__startswith=unit.province_prefix),
            stage.name,
        )
    prefix = unit.city_prefix if stage.level == "city" else unit.province_prefix
    return _find_one(
        Organisation.objects.filter(org_type=stage.org_type, region_code__startswith=prefix), stage.name
    )


def resolve_chain(
    unit: Organisation,
    author_org: Organisation,
    doc_type: str,
    parties: dict[str, Organisation] | None = None,
) -> list[tuple[object, Organisation]]:
    """The pack's stages for `doc_type` with their acting organisations.

    A stage that falls to the organisation that just handled the document (e.g. 常州监狱's own plan at
    the lead-prison stage, or a unit's own review of its own plan) is skipped: it would only approve
    its own submission.
    """
    try:
        stages = get_pack(unit.policy_pack).chain(doc_type)
    except PolicyError as exc:
        raise ServiceError(str(exc), field="doc_type") from None
    resolved, previous = [], author_org
    for stage in stages:
        org = resolve_stage_org(stage, unit, parties or {})
        if org.pk != previous.pk:
            resolved.append((stage, org))
        previous = org
    return resolved


@transaction.atomic
def review_create(
    *, actor, doc_type: str, title: str, unit: Organisation, due_date: date | None = None
) -> ReviewCase:
    """A draft case for a document of `unit`, authored by the actor's organisation."""
    if doc_type not in DocType.values:
        raise ServiceError(f"未知的材料类型：{doc_type}", field="doc_type")
    if not title.strip():
        raise ServiceError("标题不能为空", field="title")
    if not actor.has_role(Role.OPERATOR, Role.UNIT_HEAD):
        raise Forbidden("需要经办或负责人角色才能起草材料")
    case = ReviewCase.objects.create(
        doc_type=doc_type,
        title=title.strip(),
        unit=unit,
        author_org=actor.organisation,
        created_by=actor,
        due_date=due_date,
    )
    audit_record(
        action="review.create", actor=actor, obj=case, changes={"doc_type": doc_type, "unit": unit.pk}
    )
    return case


def _lock(case: ReviewCase) -> ReviewCase:
    try:
        return ReviewCase.objects.select_for_update().get(pk=case.pk)
    except ReviewCase.DoesNotExist:
        raise NotFound("审核事项不存在") from None


@transaction.atomic
def review_submit(*, actor, case: ReviewCase, parties: dict[str, Organisation] | None = None) -> ReviewCase:
    """Submit (or resubmit after 退回修改) — a new round starting at the first stage."""
    case = _lock(case)
    if actor.organisation_id != case.author_org_id or not actor.has_role(Role.OPERATOR, Role.UNIT_HEAD):
        raise Forbidden("只有报送单位的经办人或负责人可以报送")
    if case.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise Conflict(f"该事项当前状态为“{case.get_status_display()}”，不能重复报送", field="status")
    chain = resolve_chain(case.unit, case.author_org, case.doc_type, parties)
    case.round += 1
    stages = ReviewStage.objects.bulk_create(
        [
            ReviewStage(case=case, round=case.round, index=i, key=stage.key, name=stage.name, org=org)
            for i, (stage, org) in enumerate(chain)
        ]
    )
    first = ReviewStage.objects.get(case=case, round=case.round, index=0) if stages else None
    case.current_stage = first
    case.status = ReviewStatus.IN_REVIEW if first else ReviewStatus.APPROVED
    case.submitted_at = timezone.now()
    case.first_submitted_at = case.first_submitted_at or case.submitted_at
    case.due_date = (first and stage_deadline(case, first)) or case.due_date
    case.save(
        update_fields=["round", "current_stage", "status", "submitted_at", "first_submitted_at", "due_date"]
    )
    audit_record(
        action="review.submit",
        actor=actor,
        obj=case,
        changes={"round": case.round, "chain": [f"{s.name}:{o.name}" for s, o in chain]},
    )
    return case


@transaction.atomic
def document_submit(
    *, actor, document, name: str, doc_type: str, title, problems, parties=None
) -> ReviewCase:
    """Submit (or resubmit after 退回修改) a document that keeps its case in `review`, locked by the caller.

    The case is created here, already submitted, so a draft cannot reach a reviewer unchecked: the
    pre-submission checks `problems(document)` must find nothing. `title(document)` names the case.
    """
    if not document.is_editable:
        raise Conflict(f"该{name}当前状态为“{document.status_display}”，不能重复报送", field="status")
    found = problems(document)
    if found:
        raise ServiceError(
            found[0].message,
            field=found[0].field,
            code="application_check",
            details=[{"field": p.field, "message": p.message} for p in found],
        )
    case = document.review
    if case is None:
        case = review_create(actor=actor, doc_type=doc_type, title=title(document), unit=document.unit)
        document.review = case
        document.save(update_fields=["review", "updated_at"])
    else:
        case.title = title(document)
        case.save(update_fields=["title"])
    case = review_submit(actor=actor, case=case, parties=parties)
    document.review.refresh_from_db()
    return case


def _decide(*, actor, case: ReviewCase, stage_id: int, decision: str, opinion: str) -> ReviewCase:
    case = _lock(case)
    if case.status != ReviewStatus.IN_REVIEW or case.current_stage_id is None:
        raise Conflict(f"该事项当前状态为“{case.get_status_display()}”，无需审核", field="status")
    stage = ReviewStage.objects.select_related("org").get(pk=case.current_stage_id)
    if stage.pk != stage_id:
        # The stage the reviewer saw has been decided meanwhile (a double click, a colleague).
        raise Conflict("该环节已由他人办理，请刷新后查看最新状态", field="stage_id")
    if actor.organisation_id != stage.org_id:
        raise Forbidden(f"当前环节为“{stage.name}”，应由{stage.org.name}办理")
    if not actor.has_role(*REVIEW_ROLES):
        raise Forbidden("需要审核或负责人角色才能办理审核")
    opinion = opinion.strip()
    if decision != Decision.APPROVE and not opinion:
        raise ServiceError("退回或不同意时必须填写意见", field="opinion")
    stage.decision = decision
    stage.opinion = opinion or "同意"
    stage.reviewer = actor
    stage.decided_at = timezone.now()
    stage.save(update_fields=["decision", "opinion", "reviewer", "decided_at"])
    next_stage = None
    if decision == Decision.APPROVE:
        next_stage = ReviewStage.objects.filter(case=case, round=case.round, index=stage.index + 1).first()
        case.status = ReviewStatus.IN_REVIEW if next_stage else ReviewStatus.APPROVED
    else:
        case.status = ReviewStatus.RETURNED if decision == Decision.RETURN else ReviewStatus.REJECTED
    case.current_stage = next_stage
    case.decided_at = None if next_stage else stage.decided_at
    case.due_date = (next_stage and stage_deadline(case, next_stage)) or case.due_date
    case.save(update_fields=["status", "current_stage", "decided_at", "due_date"])
    if case.status == ReviewStatus.APPROVED:
        on_approved(case, actor)
    audit_record(
        action=f"review.{decision}",
        actor=actor,
        obj=case,
        changes={"stage": stage.name, "round": case.round, "opinion": stage.opinion, "status": case.status},
    )
    return case


@transaction.atomic
def review_approve(*, actor, case: ReviewCase, stage_id: int, opinion: str = "") -> ReviewCase:
    return _decide(actor=actor, case=case, stage_id=stage_id, decision=Decision.APPROVE, opinion=opinion)


@transaction.atomic
def review_return(*, actor, case: ReviewCase, stage_id: int, opinion: str) -> ReviewCase:
    return _decide(actor=actor, case=case, stage_id=stage_id, decision=Decision.RETURN, opinion=opinion)


@transaction.atomic
def review_reject(*, actor, case: ReviewCase, stage_id: int, opinion: str) -> ReviewCase:
    return _decide(actor=actor, case=case, stage_id=stage_id, decision=Decision.REJECT, opinion=opinion)


ACTIONS = {"approve": review_approve, "return": review_return, "reject": review_reject}
