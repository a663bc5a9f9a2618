from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from skillbridge.accounts.models import Role
from skillbridge.accounts.scope import get_in_scope
from skillbridge.errors import ServiceError
from skillbridge.policy.loader import get_pack
from skillbridge.web.decorators import role_required
from skillbridge.web.exports import xlsx_response
from skillbridge.web.forms import form_error

from . import selectors, services
from .forms import (
    DuplicateClearForm,
    EpisodeFilterForm,
    EpisodeForm,
    PersonFilterForm,
    PersonForm,
    ReleaseChangeForm,
    RevealForm,
    StatusChangeForm,
    SurveyForm,
    UnitEpisodeForm,
)
from .models import DuplicateReview, Episode, Person
from .tables import (
    EPISODE_HEADERS,
    PERSON_HEADERS,
    SURVEY_HEADERS,
    episode_rows,
    export_reveal,
    person_rows,
    survey_rows,
    term_text,
)

WRITERS = (Role.OPERATOR, Role.UNIT_HEAD)


class CappedPaginator(Paginator):
    """A Paginator whose count comes from ``counter(object_list) -> (count, capped)``, e.g. a count that
    stops at a cap (``capped`` is then true; web/pagination.html shows "1000+ 条"). The pages reach the
    first ``count`` matches, enough for a search to be narrowed."""

    def __init__(self, object_list, per_page, *, counter, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.counter = counter

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        return self.counter(self.object_list)

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def capped(self) -> bool:
        return self._counted[1]


# ---- people --------------------------------------------------------------------------------------------


@login_required
def person_list(request):
    units = selectors.units_for_user(request.user)
    form = PersonFilterForm(request.GET or None, units=units)
    people = selectors.people_search(request.user)
    if form.is_valid():
        data = form.cleaned_data
        people = selectors.people_search(
            request.user,
            q=data["q"],
            unit_id=data["unit"].pk if data["unit"] else None,
            category=data["category"] or None,
        )
    people = people.prefetch_related(Prefetch("episodes", queryset=selectors.visible_episodes(request.user)))
    if request.GET.get("export") == "xlsx":
        reveal = export_reveal(request, "人员名单导出", people.count())
        rows = person_rows(people.iterator(chunk_size=2000), reveal=reveal)
        return xlsx_response("人员名单.xlsx", "人员名单", PERSON_HEADERS, rows)
    page = CappedPaginator(people, 20, counter=selectors.people_count).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/person_list.html",
        {
            "form": form,
            "page": page,
            "can_write": request.user.has_role(*WRITERS),
            "can_reveal": request.user.has_role(*services.REVEAL_ROLES),
            "page_title": "人员信息",
        },
    )


@role_required(*WRITERS)
def person_create(request):
    units = selectors.units_for_user(request.user)
    person_form = PersonForm(request.POST or None, prefix="p")
    episode_form = UnitEpisodeForm(request.POST or None, prefix="e", units=units)
    if request.method == "POST" and person_form.is_valid() and episode_form.is_valid():
        episode = dict(episode_form.cleaned_data)
        unit = episode.pop("unit")
        try:
            person = services.person_create(
                actor=request.user, unit=unit, person=person_form.cleaned_data, episode=episode
            )
        except ServiceError as exc:
            form_error(person_form if exc.field in person_form.fields else episode_form, exc)
        else:
            messages.success(request, f"已登记人员“{person.name}”。")
            return redirect("registry:person_detail", pk=person.pk)
    return render(
        request,
        "registry/person_form.html",
        {"forms": [person_form, episode_form], "person": None, "page_title": "登记人员"},
    )


@login_required
def person_detail(request, pk: int):
    return _render_detail(request, selectors.person_detail(request.user, pk))


def _judgement_date(request, today: date) -> tuple[date, str]:
    """The date to judge eligibility on (?at=YYYY-MM-DD, default today) and, if it was unreadable, why."""
    raw = request.GET.get("at", "").strip()
    if not raw:
        return today, ""
    try:
        return date.fromisoformat(raw), ""
    except ValueError:
        return today, f"判断日期“{raw[:20]}”格式不正确，应为 YYYY-MM-DD；以下按今日判断"


def _render_detail(request, person, *, reveal_form=None, revealed: str = "", status=200):
    episodes = list(person.episodes.all())
    current = selectors.current_episode(episodes)
    today = timezone.localdate()
    at, at_error = _judgement_date(request, today)
    can_reveal = services.can_reveal_id_number(request.user, person)
    duplicates = selectors.duplicate_queue(request.user, status="").filter(Q(person=person) | Q(other=person))
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "episodes": episodes,
            "current": current,
            "today": today,
            "at": at,
            "at_error": at_error,
            "decision": selectors.eligibility_at(person, at, current),
            "pack_name": get_pack(current.unit.policy_pack).name if current else "",
            "can_write": request.user.has_role(*WRITERS),
            "can_reveal": can_reveal,
            "reveal_form": reveal_form or (RevealForm() if can_reveal else None),
            "revealed": revealed,
            "duplicates": duplicates,
            "page_title": person.name,
        },
        status=status,
    )


@login_required
@require_POST
def person_reveal(request, pk: int):
    get_in_scope(Person, request.user, pk=pk)
    person = selectors.person_detail(request.user, pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, person, reveal_form=form)
    number = services.person_reveal_id_number(
        actor=request.user, person=person, reason=form.cleaned_data["reason"]
    )
    return _render_detail(request, person, reveal_form=RevealForm(), revealed=number)


@login_required
def person_edit(request, pk: int):
    person = get_in_scope(Person, request.user, pk=pk)
    return _person_edit(request, person)


@role_required(*WRITERS)
def _person_edit(request, person):
    initial = {f: getattr(person, f) for f in services.PERSON_FIELDS}
    form = PersonForm(request.POST or None, prefix="p", initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person, changes=form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("registry:person_detail", pk=person.pk)
    return render(
        request,
        "registry/person_form.html",
        {"forms": [form], "person": person, "page_title": f"编辑人员：{person.name}"},
    )


# ---- episodes ------------------------------------------------------------------------------------------


@login_required
def episode_list(request):
    """羁押（矫正）记录 of the user's units, filtered as ``selectors.episode_search``; xlsx export of the whole
    filtered list (ID numbers masked unless revealed with a reason)."""
    units = selectors.units_for_user(request.user)
    form = EpisodeFilterForm(request.GET or None, units=units)
    filters = form.filters() if form.is_valid() else {}
    episodes = selectors.episode_search(request.user, **filters)
    if request.GET.get("export") == "xlsx":
        reveal = export_reveal(request, "羁押（矫正）记录导出", episodes.count())
        rows = episode_rows(episodes.iterator(chunk_size=2000), reveal=reveal)
        return xlsx_response("羁押（矫正）记录.xlsx", "羁押（矫正）记录", EPISODE_HEADERS, rows)
    page = CappedPaginator(episodes, 20, counter=selectors.episodes_count).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/episode_list.html",
        {
            "form": form,
            "page": page,
            "rows": [(e, term_text(e)) for e in page],
            "can_reveal": request.user.has_role(*services.REVEAL_ROLES),
            "page_title": "羁押（矫正）记录",
        },
    )


@login_required
def episode_create(request, pk: int):
    person = get_in_scope(Person, request.user, pk=pk)
    return _episode_create(request, person)


def _episode_page(request, form, person, save, done: str, title: str, page_title: str):
    """The flow of every episode form: a valid form goes to `save(cleaned_data)`, a refusal shows on the form,
    success returns to the person."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("registry:person_detail", pk=person.pk)
    return render(
        request,
        "registry/episode_form.html",
        {"form": form, "person": person, "title": title, "page_title": page_title},
    )


@role_required(*WRITERS)
def _episode_create(request, person):
    units = selectors.units_for_user(request.user)

    def save(data):
        data = dict(data)
        unit = data.pop("unit")
        services.episode_create(actor=request.user, person=person, unit=unit, fields=data)

    return _episode_page(
        request,
        UnitEpisodeForm(request.POST or None, units=units),
        person,
        save,
        "已添加羁押（矫正）记录。",
        "添加羁押（矫正）记录",
        "添加羁押记录",
    )


@login_required
def episode_edit(request, pk: int):
    episode = get_in_scope(Episode, request.user, pk=pk)
    return _episode_edit(request, episode)


@role_required(*WRITERS)
def _episode_edit(request, episode):
    initial = {f: getattr(episode, f) for f in services.EPISODE_FIELDS}
    for key in ("labour_capacity", "has_skill", "can_study"):
        initial[key] = "" if initial[key] is None else ("1" if initial[key] else "0")
    form = EpisodeForm(request.POST or None, initial=initial)
    form.fields["expected_release_date"].disabled = True
    form.fields["expected_release_date"].help_text = "释放日期请通过“记录减刑/释放日期变更”修改"
    return _episode_page(
        request,
        form,
        episode.person,
        lambda data: services.episode_update(actor=request.user, episode=episode, fields=data),
        "已保存。",
        f"编辑记录：{episode}",
        "编辑羁押记录",
    )


@login_required
def release_change(request, pk: int):
    episode = get_in_scope(Episode, request.user, pk=pk)
    return _release_change(request, episode)


@role_required(*WRITERS)
def _release_change(request, episode):
    return _episode_page(
        request,
        ReleaseChangeForm(request.POST or None),
        episode.person,
        lambda data: services.release_date_change(actor=request.user, episode=episode, **data),
        "已记录释放日期变更。",
        f"记录减刑/释放日期变更（原预计释放日期 {episode.expected_release_date:%Y-%m-%d}）",
        "释放日期变更",
    )


@login_required
def status_change(request, pk: int):
    episode = get_in_scope(Episode, request.user, pk=pk)
    return _status_change(request, episode)


@role_required(*WRITERS)
def _status_change(request, episode):
    return _episode_page(
        request,
        StatusChangeForm(request.POST or None),
        episode.person,
        lambda data: services.episode_status_change(actor=request.user, episode=episode, **data),
        "已记录状态变动。",
        f"状态变动（当前：{episode.get_status_display()}）",
        "状态变动",
    )


# ---- duplicates and survey -----------------------------------------------------------------------------

DUPLICATE_HEADERS = [
    "姓名",
    "出生日期",
    "身份证号码（甲）",
    "身份证号码（乙）",
    "状态",
    "核查说明",
    "核查人",
    "核查时间",
]


@login_required
def duplicate_list(request):
    status = request.GET.get("status", DuplicateReview.Status.OPEN)
    if status not in DuplicateReview.Status.values:
        status = ""
    reviews = selectors.duplicate_queue(request.user, status=status)
    if request.GET.get("export") == "xlsx":
        rows = (
            (
                r.person.name,
                r.person.birth_date.isoformat(),
                r.person.masked_id_number,
                r.other.masked_id_number,
                r.get_status_display(),
                r.note,
                r.reviewed_by.full_name if r.reviewed_by else "",
                r.reviewed_at and timezone.localtime(r.reviewed_at).strftime("%Y-%m-%d %H:%M"),
            )
            for r in reviews.iterator(chunk_size=1000)
        )
        return xlsx_response("疑似重复人员.xlsx", "疑似重复人员", DUPLICATE_HEADERS, rows)
    visible = set(
        Person.objects.for_user(request.user)
        .filter(pk__in=[pk for r in reviews[:500] for pk in (r.person_id, r.other_id)])
        .values_list("pk", flat=True)
    )
    page = Paginator(reviews, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/duplicate_list.html",
        {
            "page": page,
            "status": status,
            "visible": visible,
            "form": DuplicateClearForm(),
            "can_clear": request.user.has_role(*services.REVEAL_ROLES),
            "page_title": "疑似重复人员",
        },
    )


@login_required
@require_POST
def duplicate_clear(request, pk: int):
    review = get_in_scope(DuplicateReview, request.user, pk=pk)
    form = DuplicateClearForm(request.POST)
    if not form.is_valid():
        raise ServiceError("请填写核查说明", field="note")
    services.duplicate_clear(actor=request.user, review=review, note=form.cleaned_data["note"])
    messages.success(request, "已核查：确认非同一人。")
    return redirect("registry:duplicate_list")


@login_required
def survey(request):
    units = selectors.units_for_user(request.user)
    data = request.GET.copy()
    if "year" not in data:
        data["year"] = str(timezone.localdate().year + 1)
    if "unit" not in data and len(units) == 1:
        data["unit"] = str(units[0].pk)
    form = SurveyForm(data, units=units)
    result = None
    if form.is_valid():
        result = selectors.survey(
            request.user, unit=form.cleaned_data["unit"], year=form.cleaned_data["year"]
        )
        if request.GET.get("export") == "xlsx":
            what = f"附件3 {result.unit.name} {result.year}年"
            reveal = export_reveal(request, what, len(result.eligible))
            return xlsx_response(
                f"江苏省特殊人群职业技能培训人员信息表-{result.unit.name}-{result.year}.xlsx",
                "培训人员信息表",
                SURVEY_HEADERS,
                survey_rows(result.eligible, reveal=reveal),
            )
    return render(
        request,
        "registry/survey.html",
        {
            "form": form,
            "result": result,
            "can_reveal": request.user.has_role(*services.REVEAL_ROLES),
            "page_title": "培训对象摸排",
        },
    )
