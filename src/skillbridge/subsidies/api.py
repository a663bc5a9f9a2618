"""Claims, lines with their checks, review, public notice and objections, disbursement and payment.

Every read goes through ``for_user`` (another unit's claim is a 404, audited); every write through the same
services as the web pages. The public notice list needs no login and masks names and ID numbers.
"""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from skillbridge.accounts.scope import get_in_scope
from skillbridge.api.pagination import PageNumber
from skillbridge.registry.idnumbers import mask_id_number
from skillbridge.training.models import TrainingClass

from . import selectors, services
from .models import Claim, ClaimLine, NoticeObjection

router = Router(tags=["补贴申领"])


class CheckOut(Schema):
    code: str
    label: str
    outcome: str = Field(description="ok 通过 / flag 提示（审核人员决定） / block 不符合")
    message: str
    source: str


class LineOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    id_number_masked: str
    certificate_id: int
    certificate_number: str = Field(alias="certificate.official_number")
    certificate_type: str = Field(alias="certificate_type.name")
    occupation_id: int | None
    special_item_id: int | None
    level: int | None = Field(alias="level_id")
    year: int
    standard_amount: Decimal | None
    amount: Decimal
    outcome: str
    checks: list[CheckOut]
    decision: str
    decision_reason: str
    is_active: bool

    @staticmethod
    def resolve_id_number_masked(obj):
        return mask_id_number(obj.person.id_number)


class ClaimOut(Schema):
    id: int
    kind: str
    claimant_id: int
    claimant_name: str
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    year: int
    training_class_id: int | None
    subject_name: str
    level_name: str
    date_from: date
    date_to: date
    status: str
    line_count: int
    claimed_total: Decimal
    accepted_count: int
    accepted_total: Decimal
    review_id: int | None
    notice_start: date | None
    notice_end: date | None
    voucher_no: str
    disbursed_on: date | None
    disbursed_amount: Decimal | None
    paid_on: date | None
    paid_amount: Decimal | None


class ClaimDetailOut(ClaimOut):
    credit_code: str
    legal_representative: str
    bank_name: str
    bank_account: str
    contact_person: str
    contact_phone: str
    current_stage: str | None

    @staticmethod
    def resolve_current_stage(obj):
        stage = obj.review.current_stage if obj.review_id and obj.status == "in_review" else None
        return f"{stage.name}（{stage.org.name}）" if stage else None


class ObjectionOut(Schema):
    id: int
    line_id: int | None
    raised_by: str
    received_on: date
    content: str
    status: str
    resolution: str
    resolved_at: datetime | None


class CreateIn(Schema):
    kind: str = Field(description="training 培训补贴（培训机构）/ assessment 鉴定补贴（评价机构）")
    training_class_id: int


class ReviewIn(Schema):
    action: str = Field(description="approve 同意 / return 退回修改 / reject 不同意")
    opinion: str = ""
    stage_id: int | None = Field(None, description="看到的环节编号（防止重复办理）")


class DecideIn(Schema):
    decision: str = Field(description="accepted 通过 / rejected 不予补贴")
    reason: str = ""


class AmountIn(Schema):
    amount: Decimal


class ObjectionIn(Schema):
    raised_by: str
    content: str
    received_on: date
    line_id: int | None = None


class ResolveIn(Schema):
    upheld: bool
    resolution: str


class DisburseIn(Schema):
    voucher_no: str
    disbursed_on: date
    amount: Decimal


class PayIn(Schema):
    paid_on: date
    amount: Decimal


class ClaimFilter(Schema):
    kind: str | None = None
    status: str | None = None
    year: int | None = None


class NoticeLineOut(Schema):
    name: str
    id_number: str
    subject: str
    level: str
    certificate_type: str
    amount: Decimal


class NoticeOut(Schema):
    claim_id: int
    claimant_name: str
    unit_name: str
    kind: str
    subject_name: str
    notice_start: date
    notice_end: date
    total: Decimal
    lines: list[NoticeLineOut]


def _claim(user, pk: int) -> Claim:
    return selectors.claim_get(user, pk)


@router.get("/claims", response=list[ClaimOut], summary="补贴申领（按数据权限；机构看到自己的申领）")
@paginate(PageNumber)
def claim_list(request, filters: Query[ClaimFilter]):
    return selectors.claims_for(
        request.user, kind=filters.kind or "", status=filters.status or "", year=filters.year
    )


@router.post("/claims", response={201: ClaimDetailOut}, summary="按培训班的证书生成申领并逐条核查")
def claim_create(request, payload: CreateIn):
    training_class = get_in_scope(TrainingClass, request.user, pk=payload.training_class_id)
    claim = services.claim_create(actor=request.user, kind=payload.kind, training_class=training_class)
    return Status(201, _claim(request.user, claim.pk))


@router.get("/claims/{claim_id}", response=ClaimDetailOut, summary="申领详情")
def claim_get(request, claim_id: int):
    return _claim(request.user, claim_id)


@router.get("/claims/{claim_id}/lines", response=list[LineOut], summary="申领明细与核查结果")
def line_list(request, claim_id: int):
    return list(selectors.claim_lines(_claim(request.user, claim_id)))


@router.post("/claims/{claim_id}/recheck", response=ClaimDetailOut, summary="重新核查（草稿或退回修改）")
def claim_recheck(request, claim_id: int):
    services.claim_recheck(actor=request.user, claim=_claim(request.user, claim_id))
    return _claim(request.user, claim_id)


@router.post("/claims/{claim_id}/submit", response=ClaimDetailOut, summary="报送审核")
def claim_submit(request, claim_id: int):
    services.claim_submit(actor=request.user, claim=_claim(request.user, claim_id))
    return _claim(request.user, claim_id)


@router.post("/claims/{claim_id}/withdraw", response=ClaimDetailOut, summary="撤回（草稿或退回修改）")
def claim_withdraw(request, claim_id: int):
    services.claim_withdraw(actor=request.user, claim=_claim(request.user, claim_id))
    return _claim(request.user, claim_id)


@router.post("/claims/{claim_id}/review", response=ClaimDetailOut, summary="审核当前环节")
def claim_review(request, claim_id: int, payload: ReviewIn):
    services.claim_review(
        actor=request.user,
        claim=_claim(request.user, claim_id),
        action=payload.action,
        opinion=payload.opinion,
        stage_id=payload.stage_id,
    )
    return _claim(request.user, claim_id)


@router.post("/lines/{line_id}/decide", response=LineOut, summary="明细审核结论（通过 / 不予补贴，附理由）")
def line_decide(request, line_id: int, payload: DecideIn):
    line = get_in_scope(ClaimLine, request.user, pk=line_id)
    services.claim_line_decide(
        actor=request.user, line=line, decision=payload.decision, reason=payload.reason
    )
    return selectors.claim_lines(line.claim).get(pk=line_id)


@router.post("/lines/{line_id}/amount", response=LineOut, summary="修改明细金额（草稿）并重新核查")
def line_amount(request, line_id: int, payload: AmountIn):
    line = get_in_scope(ClaimLine, request.user, pk=line_id)
    services.claim_line_amount_set(actor=request.user, line=line, amount=payload.amount)
    return selectors.claim_lines(line.claim).get(pk=line_id)


@router.get("/claims/{claim_id}/objections", response=list[ObjectionOut], summary="公示异议")
def objection_list(request, claim_id: int):
    return list(_claim(request.user, claim_id).objections.order_by("id"))


@router.post(
    "/claims/{claim_id}/objections", response={201: ObjectionOut}, summary="登记公示异议（市人社局）"
)
def objection_create(request, claim_id: int, payload: ObjectionIn):
    claim = _claim(request.user, claim_id)
    line = ClaimLine.objects.filter(claim=claim, pk=payload.line_id).first() if payload.line_id else None
    objection = services.objection_record(
        actor=request.user,
        claim=claim,
        raised_by=payload.raised_by,
        content=payload.content,
        received_on=payload.received_on,
        line=line,
    )
    return Status(201, objection)


@router.post("/objections/{objection_id}/resolve", response=ObjectionOut, summary="处理公示异议")
def objection_resolve(request, objection_id: int, payload: ResolveIn):
    objection = get_in_scope(NoticeObjection, request.user, pk=objection_id)
    return services.objection_resolve(
        actor=request.user, objection=objection, upheld=payload.upheld, resolution=payload.resolution
    )


@router.post(
    "/claims/{claim_id}/close-notice", response=ClaimDetailOut, summary="公示期满，结束公示（市人社局）"
)
def claim_close_notice(request, claim_id: int):
    services.claim_notice_close(actor=request.user, claim=_claim(request.user, claim_id))
    return _claim(request.user, claim_id)


@router.post("/claims/{claim_id}/disburse", response=ClaimDetailOut, summary="拨付至单位专账（市财政局）")
def claim_disburse(request, claim_id: int, payload: DisburseIn):
    services.claim_disburse(
        actor=request.user,
        claim=_claim(request.user, claim_id),
        voucher_no=payload.voucher_no,
        disbursed_on=payload.disbursed_on,
        amount=payload.amount,
    )
    return _claim(request.user, claim_id)


@router.post("/claims/{claim_id}/pay", response=ClaimDetailOut, summary="单位从专账支付培训（鉴定）机构")
def claim_pay(request, claim_id: int, payload: PayIn):
    services.claim_pay_institution(
        actor=request.user,
        claim=_claim(request.user, claim_id),
        paid_on=payload.paid_on,
        amount=payload.amount,
    )
    return _claim(request.user, claim_id)


@router.get(
    "/notice", response=list[NoticeOut], auth=None, summary="公示名单（无需登录；姓名、身份证号码已隐去）"
)
def public_notice(request):
    return [
        {
            "claim_id": claim.pk,
            "claimant_name": claim.claimant_name,
            "unit_name": claim.unit.name,
            "kind": claim.kind,
            "subject_name": claim.subject_name,
            "notice_start": claim.notice_start,
            "notice_end": claim.notice_end,
            "total": claim.accepted_total,
            "lines": selectors.public_notice_rows(claim),
        }
        for claim in selectors.public_notice_claims()
    ]
