"""Rows for the registry's xlsx exports: the person list, the episode list and 附件3 of 常司发〔2022〕42号.

附件3《江苏省特殊人群职业技能培训人员信息表》: the seed names the form but does not print its columns.
Its columns here are what the later steps need from each surveyed person — the annual plan (附件1/2:
people per occupation), class rosters (附件4), and the subsidy claim lines (附件8/10: name, ID number,
occupation, level) — plus the facts the eligibility rule (三 培训对象) rests on, so a reviewer at the bureau
can check each row:

序号, 姓名, 性别, 身份证号码 (masked unless the exporting user is permitted and gives a reason), 出生日期,
民族, 文化程度, 户籍地, 人员类别, 监狱（戒毒所）, 罪犯编号, 刑期起止, 预计释放日期, 剩余刑期（月）(whole
months on 1 January of the survey year), 符合条件起始日期 (first day of the year the remaining term is within
the limit), 有无一技之长, 能否正常学习, 有无劳动能力, 就业意向, 拟培训职业（工种） (left blank for the unit to fill
in when it makes its plan) and 备注 (已释放 for a person released during the year).
"""

from collections.abc import Callable, Iterable

from skillbridge.policy.schema import POPULATION_CATEGORIES

from .idnumbers import mask_id_number
from .models import Episode, Person
from .services import person_export_reveal

PERSON_HEADERS = [
    "姓名",
    "性别",
    "身份证号码",
    "出生日期",
    "民族",
    "文化程度",
    "户籍地",
    "人员类别",
    "残疾人",
    "低收入",
    "联系电话",
    "所在单位",
    "罪犯编号/案件编号",
    "预计释放日期",
    "状态",
]

EPISODE_HEADERS = [
    "姓名",
    "身份证号码",
    "单位",
    "类型",
    "罪犯编号/案件编号",
    "刑期起止",
    "预计释放日期",
    "状态",
    "有无劳动能力",
    "有无一技之长",
    "能否正常学习",
]

SURVEY_HEADERS = [
    "序号",
    "姓名",
    "性别",
    "身份证号码",
    "出生日期",
    "民族",
    "文化程度",
    "户籍地",
    "人员类别",
    "监狱（戒毒所）",
    "罪犯编号",
    "刑期起止",
    "预计释放日期",
    "剩余刑期（月）",
    "符合条件起始日期",
    "有无一技之长",
    "能否正常学习",
    "有无劳动能力",
    "就业意向",
    "拟培训职业（工种）",
    "备注",
]


def yes_no(value) -> str:
    return "" if value is None else ("是" if value else "否")


def has_none(value) -> str:
    return "" if value is None else ("有" if value else "无")


def id_shown(reveal: bool) -> Callable[[str], str]:
    return (lambda n: n) if reveal else mask_id_number


def term_text(e: Episode) -> str:
    """刑期起止: ``2020-01-01至2027-06-30``, or ``2020-01-01起`` with no end date registered."""
    return f"{e.term_start:%Y-%m-%d}至{e.term_end:%Y-%m-%d}" if e.term_end else f"{e.term_start:%Y-%m-%d}起"


def person_rows(people: Iterable[Person], *, reveal: bool = False):
    show = id_shown(reveal)
    for p in people:
        episodes = sorted(p.episodes.all(), key=lambda e: (e.term_start, e.pk), reverse=True)
        e = episodes[0] if episodes else None
        yield (
            p.name,
            p.get_sex_display(),
            show(p.id_number),
            p.birth_date.isoformat(),
            p.ethnicity,
            p.get_education_display(),
            p.household_registration,
            POPULATION_CATEGORIES.get(p.population_category, p.population_category),
            yes_no(p.is_disabled),
            yes_no(p.is_low_income),
            p.phone,
            e.unit.name if e else "",
            e.inmate_number if e else "",
            e.expected_release_date.isoformat() if e else "",
            e.get_status_display() if e else "",
        )


def episode_rows(episodes: Iterable[Episode], *, reveal: bool = False):
    show = id_shown(reveal)
    for e in episodes:
        yield (
            e.person.name,
            show(e.person.id_number),
            e.unit.name,
            e.get_kind_display(),
            e.inmate_number,
            term_text(e),
            e.expected_release_date.isoformat(),
            e.get_status_display(),
            has_none(e.labour_capacity),
            has_none(e.has_skill),
            yes_no(e.can_study),
        )


def survey_rows(rows, *, reveal: bool = False):
    show = id_shown(reveal)
    for index, row in enumerate(rows, start=1):
        p, e = row.person, row.episode
        yield (
            index,
            p.name,
            p.get_sex_display(),
            show(p.id_number),
            p.birth_date.isoformat(),
            p.ethnicity,
            p.get_education_display(),
            p.household_registration,
            POPULATION_CATEGORIES.get(p.population_category, p.population_category),
            e.unit.name,
            e.inmate_number,
            term_text(e),
            e.expected_release_date.isoformat(),
            row.remaining_months_at_year_start,
            row.first_eligible_on.isoformat(),
            has_none(e.has_skill),
            yes_no(e.can_study),
            has_none(e.labour_capacity),
            e.employment_intention,
            "",
            "" if e.is_active else e.get_status_display(),  # 已释放: eligible in the year before release
        )


def export_reveal(request, what: str, count: int) -> bool:
    """Full ID numbers in an export only with ``reveal_reason`` from a permitted user (audited once, as
    ``person.export_id_numbers``); without a reason the export is masked, and a user without the permission
    who gives one is refused (``Forbidden``: 403, nothing exported). Also used by the reporting exports."""
    reason = request.GET.get("reveal_reason", "").strip()
    if not reason:
        return False
    person_export_reveal(actor=request.user, what=what, count=count, reason=reason)
    return True
