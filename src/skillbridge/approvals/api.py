from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from skillbridge.accounts.scope import get_in_scope
from skillbridge.api.pagination import PageNumber

from . import services
from .models import ReviewCase
from .selectors import case_detail, inbox

router = Router(tags=["审核流程"])


class StageOut(Schema):
    id: int
    round: int
    index: int
    key: str
    name: str
    org_id: int
    org_name: str = Field(alias="org.name")
    decision: str
    opinion: str
    reviewer_name: str | None = Field(None, alias="reviewer.full_name")
    decided_at: datetime | None


class CaseOut(Schema):
    id: int
    doc_type: str
    doc_type_display: str = Field(alias="get_doc_type_display")
    title: str
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    author_org_id: int
    status: str
    status_display: str = Field(alias="get_status_display")
    round: int
    current_stage_id: int | None
    due_date: date | None
    submitted_at: datetime | None
    decided_at: datetime | None


class CaseDetailOut(CaseOut):
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj):
        return list(obj.stages.all())


class InboxItemOut(Schema):
    kind: str = Field(description="review=待审核, revise=退回待修改")
    overdue: bool
    overdue_days: int | None = Field(description="逾期的法定工作日数")
    case: CaseOut


class CaseFilter(Schema):
    doc_type: str | None = None
    status: str | None = None


class DecisionIn(Schema):
    stage_id: int = Field(description="办理的环节ID（页面上看到的当前环节），防止重复或越序办理")
    opinion: str = Field("", max_length=2000)


@router.get("/inbox", response=list[InboxItemOut], summary="本单位待办（最早报送在前）")
def review_inbox(request):
    return inbox(request.user, today=timezone.localdate())


@router.get("", response=list[CaseOut], summary="审核事项（按数据权限）")
@paginate(PageNumber)
def case_list(request, filters: Query[CaseFilter]):
    cases = ReviewCase.objects.for_user(request.user).select_related("unit")
    if filters.doc_type:
        cases = cases.filter(doc_type=filters.doc_type)
    if filters.status:
        cases = cases.filter(status=filters.status)
    return cases.order_by("-id")


@router.get("/{case_id}", response=CaseDetailOut, summary="审核事项详情与流程")
def case_get(request, case_id: int):
    get_in_scope(ReviewCase, request.user, pk=case_id)
    return case_detail(request.user, case_id)


@router.post("/{case_id}/submit", response=CaseDetailOut, summary="报送（或退回后重新报送）")
def case_submit(request, case_id: int):
    case = get_in_scope(ReviewCase, request.user, pk=case_id)
    services.review_submit(actor=request.user, case=case)
    return case_detail(request.user, case_id)


def _decide(request, case_id: int, action: str, payload: DecisionIn):
    case = get_in_scope(ReviewCase, request.user, pk=case_id)
    services.ACTIONS[action](
        actor=request.user, case=case, stage_id=payload.stage_id, opinion=payload.opinion
    )
    return case_detail(request.user, case_id)


@router.post("/{case_id}/approve", response=CaseDetailOut, summary="同意")
def case_approve(request, case_id: int, payload: DecisionIn):
    return _decide(request, case_id, "approve", payload)


@router.post("/{case_id}/return", response=CaseDetailOut, summary="退回修改（须填写意见）")
def case_return(request, case_id: int, payload: DecisionIn):
    return _decide(request, case_id, "return", payload)


@router.post("/{case_id}/reject", response=CaseDetailOut, summary="不同意（须填写意见）")
def case_reject(request, case_id: int, payload: DecisionIn):
    return _decide(request, case_id, "reject", payload)
