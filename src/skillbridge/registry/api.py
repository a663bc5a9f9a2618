"""People, episodes, eligibility, survey and duplicates; ID numbers are always masked except through
``POST /people/{id}/reveal`` (reviewer or unit head in scope, with a reason; audited)."""

from datetime import date

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import get_in_scope
from skillbridge.api.pagination import CappedPageNumber, PageNumber
from skillbridge.errors import NotFound
from skillbridge.policy.schema import POPULATION_CATEGORIES

from . import selectors, services
from .models import DuplicateReview, Episode, EpisodeKind, EpisodeStatus, Person

router = Router(tags=["实名制人员"])


class ReasonOut(Schema):
    code: str
    message: str
    source: str
    severity: str


class DecisionOut(Schema):
    eligible: bool
    remaining_months: int | None
    reasons: list[ReasonOut]


def decision_out(decision) -> dict:
    return {
        "eligible": decision.allowed,
        "remaining_months": decision.value,
        "reasons": [
            {"code": r.code, "message": r.message, "source": r.source, "severity": r.severity}
            for r in decision.reasons
        ],
    }


class ReleaseChangeOut(Schema):
    id: int
    kind: str
    decided_on: date
    old_release_date: date
    new_release_date: date
    reason: str


class StatusChangeOut(Schema):
    id: int
    from_status: str
    to_status: str
    changed_on: date
    to_unit_id: int | None
    note: str


class EpisodeOut(Schema):
    id: int
    person_id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    kind: str
    kind_display: str = Field(alias="get_kind_display")
    inmate_number: str
    term_start: date
    term_end: date | None
    expected_release_date: date
    labour_capacity: bool | None
    has_skill: bool | None
    skill: str
    can_study: bool | None
    employment_intention: str
    status: str
    status_display: str = Field(alias="get_status_display")


class EpisodeListOut(EpisodeOut):
    person_name: str = Field(alias="person.name")
    person_id_number_masked: str = Field(alias="person.masked_id_number", description="脱敏身份证号码")


class EpisodeDetailOut(EpisodeOut):
    release_changes: list[ReleaseChangeOut]
    status_changes: list[StatusChangeOut]

    @staticmethod
    def resolve_release_changes(obj):
        return list(obj.release_changes.all())

    @staticmethod
    def resolve_status_changes(obj):
        return list(obj.status_changes.all())


class PersonOut(Schema):
    id: int
    name: str
    id_number_masked: str = Field(alias="masked_id_number", description="脱敏身份证号码")
    birth_date: date
    sex: str
    ethnicity: str
    education: str
    household_registration: str
    population_category: str
    population_category_display: str = Field(alias="get_population_category_display")
    is_disabled: bool
    is_low_income: bool
    phone: str


class PersonDetailOut(PersonOut):
    episodes: list[EpisodeDetailOut]
    eligibility_today: DecisionOut

    @staticmethod
    def resolve_episodes(obj):
        return list(obj.episodes.all())

    @staticmethod
    def resolve_eligibility_today(obj):
        return decision_out(selectors.eligibility_at(obj, timezone.localdate()))


class PeopleFilter(Schema):
    q: str = Field("", description="姓名前缀，或18位身份证号码（精确匹配）")
    unit_id: int | None = None
    category: str | None = Field(None, description="人员类别代码：" + "、".join(POPULATION_CATEGORIES))


class EpisodeFilter(Schema):
    q: str = Field("", description="姓名或罪犯编号/案件编号前缀，或18位身份证号码（精确匹配）")
    unit_id: int | None = None
    kind: EpisodeKind | None = Field(None, description="类型")
    status: EpisodeStatus | None = Field(None, description="状态")
    release_from: date | None = Field(None, description="预计释放日期不早于")
    release_to: date | None = Field(None, description="预计释放日期不晚于")


class EligibilityOut(Schema):
    person_id: int
    episode_id: int | None
    at: date
    decision: DecisionOut


class RosterRowOut(Schema):
    person: PersonOut
    episode_id: int
    inmate_number: str
    expected_release_date: date
    decision: DecisionOut


class SurveyRowOut(Schema):
    person: PersonOut
    episode: EpisodeOut
    first_eligible_on: date
    remaining_months_at_year_start: int
    decision: DecisionOut


class SurveyOut(Schema):
    unit_id: int
    unit_name: str
    year: int
    policy_pack: str
    release_from: date
    release_until: date | None
    eligible: list[SurveyRowOut]
    ineligible: list[SurveyRowOut]


class RevealIn(Schema):
    reason: str = Field(..., min_length=2, max_length=500, description="查看事由（记入审计日志）")


class RevealOut(Schema):
    person_id: int
    id_number: str


class DuplicateOut(Schema):
    id: int
    status: str
    note: str
    person: PersonOut
    other: PersonOut
    reviewed_at: str | None = None

    @staticmethod
    def resolve_reviewed_at(obj):
        return obj.reviewed_at.isoformat() if obj.reviewed_at else None


class ClearIn(Schema):
    note: str = Field(..., min_length=1, max_length=500)


class PeoplePage(CappedPageNumber):
    """``count`` stops at ``selectors.PEOPLE_COUNT_CAP``, ``count_capped`` beyond it."""

    def count(self, queryset) -> tuple[int, bool]:
        return selectors.people_count(queryset)


@router.get(
    "/people",
    response=list[PersonOut],
    summary="人员列表（按数据权限，身份证号码脱敏；匹配超过1000条时 count 为1000、count_capped 为 true）",
)
@paginate(PeoplePage)
def people_list(request, filters: Query[PeopleFilter]):
    return selectors.people_search(
        request.user, q=filters.q, unit_id=filters.unit_id, category=filters.category
    )


@router.get("/people/{person_id}", response=PersonDetailOut, summary="人员详情、羁押记录与今日培训资格")
def person_get(request, person_id: int):
    return selectors.person_detail(request.user, person_id)


@router.get("/people/{person_id}/episodes", response=list[EpisodeDetailOut], summary="人员的羁押（矫正）记录")
def person_episodes(request, person_id: int):
    return list(selectors.person_detail(request.user, person_id).episodes.all())


@router.get(
    "/people/{person_id}/eligibility", response=EligibilityOut, summary="某日是否为培训对象（含原因）"
)
def person_eligibility(request, person_id: int, at: date | None = None):
    person = selectors.person_detail(request.user, person_id)
    at = at or timezone.localdate()
    episode = selectors.current_episode(list(person.episodes.all()))
    return {
        "person_id": person.pk,
        "episode_id": episode.pk if episode else None,
        "at": at,
        "decision": decision_out(selectors.eligibility_at(person, at, episode)),
    }


@router.post(
    "/people/{person_id}/reveal", response=RevealOut, summary="查看完整身份证号码（须权限与事由，留痕）"
)
def person_reveal(request, person_id: int, payload: RevealIn):
    person = get_in_scope(Person, request.user, pk=person_id)
    number = services.person_reveal_id_number(actor=request.user, person=person, reason=payload.reason)
    return {"person_id": person.pk, "id_number": number}


@router.get(
    "/episodes",
    response=list[EpisodeListOut],
    summary="羁押（矫正）记录列表（按单位数据权限，身份证号码脱敏；按预计释放日期排列）",
)
@paginate(PageNumber)
def episode_list(request, filters: Query[EpisodeFilter]):
    return selectors.episode_search(request.user, **filters.dict())


@router.get("/episodes/{episode_id}", response=EpisodeDetailOut, summary="羁押记录详情、减刑与状态变动历史")
def episode_get(request, episode_id: int):
    get_in_scope(Episode, request.user, pk=episode_id)
    return (
        Episode.objects.select_related("unit")
        .prefetch_related("release_changes", "status_changes")
        .get(pk=episode_id)
    )


def _unit(request, unit_id: int) -> Organisation:
    unit = Organisation.objects.visible_units(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("单位不存在或不在您的数据权限范围内")
    return unit


@router.get("/eligibility", response=list[RosterRowOut], summary="某单位在押（在所）人员某日的培训资格")
@paginate(PageNumber)
def eligibility_roster(request, unit_id: int, at: date | None = None):
    at = at or timezone.localdate()
    unit = _unit(request, unit_id)
    episodes = selectors.eligibility_roster(request.user, unit=unit, at=at)
    return _LazyRoster(episodes, at)


class _LazyRoster:
    """Paginated by the PageNumber paginator: only the page's rows have the rule applied."""

    def __init__(self, episodes, at: date):
        self.episodes, self.at = episodes, at

    def count(self) -> int:
        return self.episodes.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return [
            {
                "person": row.person,
                "episode_id": row.episode.pk,
                "inmate_number": row.episode.inmate_number,
                "expected_release_date": row.episode.expected_release_date,
                "decision": decision_out(row.decision),
            }
            for row in selectors.eligibility_rows(self.episodes[item], self.at)
        ]


def _survey_row(row) -> dict:
    return {
        "person": row.person,
        "episode": row.episode,
        "first_eligible_on": row.first_eligible_on,
        "remaining_months_at_year_start": row.remaining_months_at_year_start,
        "decision": decision_out(row.decision),
    }


@router.get("/survey", response=SurveyOut, summary="年度培训对象摸排（某单位某年度）")
def survey(request, unit_id: int, year: int = Query(..., ge=2000, le=2100)):
    result = selectors.survey(request.user, unit=_unit(request, unit_id), year=year)
    return {
        "unit_id": result.unit.pk,
        "unit_name": result.unit.name,
        "year": result.year,
        "policy_pack": result.pack.code,
        "release_from": result.release_from,
        "release_until": result.release_until,
        "eligible": [_survey_row(r) for r in result.eligible],
        "ineligible": [_survey_row(r) for r in result.ineligible],
    }


@router.get("/duplicates", response=list[DuplicateOut], summary="疑似重复人员（同名同出生日期）")
@paginate(PageNumber)
def duplicate_list(request, status: str = "open"):
    return selectors.duplicate_queue(request.user, status="" if status == "all" else status)


@router.post("/duplicates/{review_id}/clear", response=DuplicateOut, summary="核查确认非同一人（留痕）")
def duplicate_clear(request, review_id: int, payload: ClearIn):
    review = get_in_scope(DuplicateReview, request.user, pk=review_id)
    return services.duplicate_clear(actor=request.user, review=review, note=payload.note)
