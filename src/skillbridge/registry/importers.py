"""``registry.people``: people with their custody / supervision episodes from an xlsx roster.

Matching on re-import: a person by ID number, an episode by (unit, 罪犯编号/案件编号) — the same file
imported twice updates the same rows. A changed release date is kept as a release-date change (更正,
"批量导入更新"). Every lookup is one query per batch.
"""

from datetime import date

from django.db.models import Q
from django.utils import timezone

from skillbridge.accounts.models import Organisation
from skillbridge.errors import Forbidden
from skillbridge.imports.base import Column, Importer, Row, RowErrors
from skillbridge.policy.schema import POPULATION_CATEGORIES

from .idnumbers import InvalidIdNumber, make_id_number, mask_id_number, parse_id_number
from .models import INITIAL_STATUS, Education, Episode, EpisodeKind, Person, ReleaseDateChange, Sex
from .services import WRITE_ROLES, flag_duplicates

SAMPLE_ID = make_id_number("320402", date(1988, 5, 17), 131)

COLUMNS = (
    Column("name", "姓名", required=True, max_length=50, sample="张伟"),
    Column("id_number", "身份证号码", required=True, max_length=18, sample=SAMPLE_ID, help="18位，末位可为X"),
    Column("sex", "性别", kind="choice", choices={label: code for code, label in Sex.choices}, sample="男"),
    Column(
        "birth_date", "出生日期", kind="date", sample="1988-05-17", help="可不填；填写时须与身份证号码一致"
    ),
    Column("ethnicity", "民族", max_length=20, sample="汉族"),
    Column(
        "education",
        "文化程度",
        kind="choice",
        choices={label: code for code, label in Education.choices},
        sample="初中",
    ),
    Column("household_registration", "户籍地", max_length=200, sample="江苏省常州市天宁区"),
    Column(
        "population_category",
        "人员类别",
        required=True,
        kind="choice",
        choices={label: code for code, label in POPULATION_CATEGORIES.items()},
        sample="服刑人员",
    ),
    Column("is_disabled", "是否残疾", kind="bool", sample="否"),
    Column("is_low_income", "是否低收入", kind="bool", sample="否"),
    Column("phone", "联系电话", max_length=30, sample=""),
    Column(
        "unit",
        "所在单位",
        required=True,
        max_length=100,
        sample="溧阳监狱",
        help="须为您权限范围内的单位全称",
    ),
    Column(
        "kind",
        "类型",
        required=True,
        kind="choice",
        choices={label: code for code, label in EpisodeKind.choices},
        sample="服刑",
    ),
    Column("inmate_number", "罪犯编号/案件编号", required=True, max_length=30, sample="3204810012345"),
    Column("term_start", "刑期起日", required=True, kind="date", sample="2021-03-01"),
    Column("term_end", "刑期止日", kind="date", sample="2027-02-28"),
    Column("expected_release_date", "预计释放日期", required=True, kind="date", sample="2026-08-31"),
    Column("labour_capacity", "有无劳动能力", kind="bool", sample="有"),
    Column("has_skill", "有无一技之长", kind="bool", sample="无"),
    Column("skill", "一技之长", max_length=100, sample=""),
    Column("can_study", "能否正常学习", kind="bool", sample="是"),
    Column("employment_intention", "就业意向", max_length=100, sample="烹饪"),
)
HEADER = {c.key: c.header for c in COLUMNS}
PERSON_UPDATE_FIELDS = [
    "name",
    "ethnicity",
    "education",
    "household_registration",
    "population_category",
    "is_disabled",
    "is_low_income",
    "phone",
]
EPISODE_UPDATE_FIELDS = [
    "kind",
    "term_start",
    "term_end",
    "expected_release_date",
    "labour_capacity",
    "has_skill",
    "skill",
    "can_study",
    "employment_intention",
]


def template_row(values: dict) -> list:
    """A row in the template's column order (for the generator's roster files)."""
    return [values.get(c.key) for c in COLUMNS]


class PeopleImporter(Importer):
    key = "registry.people"
    title = "人员及羁押（矫正）信息"
    result_url_name = "registry:person_list"
    columns = COLUMNS

    def __init__(self, user):
        super().__init__(user)
        self.units: dict[str, Organisation] = {}
        self.seen_ids: dict[str, int] = {}
        self.seen_numbers: dict[tuple[int, str], int] = {}
        self.counts = dict.fromkeys(
            (
                "people_created",
                "people_updated",
                "episodes_created",
                "episodes_updated",
                "release_date_changes",
                "duplicates_flagged",
            ),
            0,
        )

    def check_permission(self) -> None:
        if not self.user.has_role(*WRITE_ROLES):
            raise Forbidden("需要经办或负责人角色才能导入人员信息")

    def prepare(self) -> None:
        self.units = {u.name: u for u in Organisation.objects.visible_units(self.user)}
        if not self.units:
            raise Forbidden("您没有可登记人员的单位")

    # ---- pass 1 -------------------------------------------------------------------------------------

    def validate(self, rows: list[Row], errors: RowErrors) -> None:
        checked: list[tuple[Row, str, int]] = []  # rows whose own cells are fine: (row, id, unit pk)
        for row in rows:
            v = row.values
            number = self._check_id(row, errors)
            ok = number is not None
            unit = self.units.get(v.get("unit") or "")
            if v.get("unit") and unit is None:
                errors.add(row.number, HEADER["unit"], f"单位“{v['unit']}”不存在或不在您的数据权限范围内")
                ok = False
            start, end, release = v.get("term_start"), v.get("term_end"), v.get("expected_release_date")
            if start and release and release < start:
                errors.add(
                    row.number,
                    HEADER["expected_release_date"],
                    f"预计释放日期 {release:%Y-%m-%d} 早于刑期起日 {start:%Y-%m-%d}",
                )
            if start and end and end < start:
                errors.add(
                    row.number, HEADER["term_end"], f"刑期止日 {end:%Y-%m-%d} 早于刑期起日 {start:%Y-%m-%d}"
                )
            if number:
                if (first := self.seen_ids.get(number)) is not None:
                    errors.add(row.number, HEADER["id_number"], f"与第{first}行的身份证号码重复")
                    ok = False
                else:
                    self.seen_ids[number] = row.number
            inmate_number = v.get("inmate_number")
            if unit and inmate_number:
                key = (unit.pk, inmate_number)
                if (first := self.seen_numbers.get(key)) is not None:
                    errors.add(
                        row.number, HEADER["inmate_number"], f"与第{first}行的单位和罪犯编号/案件编号重复"
                    )
                    ok = False
                else:
                    self.seen_numbers[key] = row.number
            if ok and unit and inmate_number:
                checked.append((row, number, unit.pk))
        self._check_against_database(checked, errors)

    def _check_id(self, row: Row, errors: RowErrors) -> str | None:
        v = row.values
        if not v.get("id_number"):
            return None  # reported by the machinery as an empty required cell
        try:
            info = parse_id_number(str(v["id_number"]))
        except InvalidIdNumber as exc:
            errors.add(row.number, HEADER["id_number"], str(exc))
            return None
        if v.get("birth_date") and v["birth_date"] != info.birth_date:
            errors.add(
                row.number,
                HEADER["birth_date"],
                f"出生日期 {v['birth_date']:%Y-%m-%d} 与身份证号码不符（身份证号码中为 {info.birth_date:%Y-%m-%d}）",
            )
        if v.get("sex") and v["sex"] != info.sex:
            errors.add(
                row.number,
                HEADER["sex"],
                f"性别“{Sex(v['sex']).label}”与身份证号码不符（身份证号码表示“{Sex(info.sex).label}”）",
            )
        return info.number

    def _check_against_database(self, checked: list[tuple[Row, str, int]], errors: RowErrors) -> None:
        if not checked:
            return
        names = dict(
            Person.objects.filter(id_number__in=[n for _, n, _ in checked]).values_list("id_number", "name")
        )
        holders = {
            (unit_id, number): id_number
            for unit_id, number, id_number in Episode.objects.filter(
                unit_id__in={u for _, _, u in checked},
                inmate_number__in={r.values["inmate_number"] for r, _, _ in checked},
            ).values_list("unit_id", "inmate_number", "person__id_number")
        }
        for row, number, unit_id in checked:
            v = row.values
            known = names.get(number)
            if known is not None and v.get("name") and known != v["name"]:
                errors.add(
                    row.number,
                    HEADER["name"],
                    f"该身份证号码已登记，姓名为“{known}”，与本行“{v['name']}”不一致",
                )
            holder = holders.get((unit_id, v["inmate_number"]))
            if holder is not None and holder != number:
                errors.add(
                    row.number,
                    HEADER["inmate_number"],
                    f"“{v['unit']}”的编号{v['inmate_number']}已登记给另一人员（{mask_id_number(holder)}）",
                )

    # ---- pass 2 -------------------------------------------------------------------------------------

    def write(self, rows: list[Row]) -> tuple[int, int]:
        if not self.units:
            self.prepare()
        parsed = []
        for row in rows:
            info = parse_id_number(str(row.values["id_number"]))
            parsed.append((row.values, info))
        existing = {
            p.id_number: p for p in Person.objects.filter(id_number__in=[i.number for _, i in parsed])
        }
        new_people, changed_people = [], []
        for v, info in parsed:
            fields = {
                "name": v["name"],
                "ethnicity": v.get("ethnicity") or "汉族",
                "education": v.get("education") or "",
                "household_registration": v.get("household_registration") or "",
                "population_category": v["population_category"],
                "is_disabled": bool(v.get("is_disabled")),
                "is_low_income": bool(v.get("is_low_income")),
                "phone": v.get("phone") or "",
            }
            person = existing.get(info.number)
            if person is None:
                person = Person(id_number=info.number, birth_date=info.birth_date, sex=info.sex, **fields)
                existing[info.number] = person
                new_people.append(person)
            elif any(getattr(person, k) != val for k, val in fields.items()):
                for k, val in fields.items():
                    setattr(person, k, val)
                person.updated_at = timezone.now()
                changed_people.append(person)
        Person.objects.bulk_create(new_people, batch_size=1000)
        if changed_people:
            Person.objects.bulk_update(changed_people, [*PERSON_UPDATE_FIELDS, "updated_at"], batch_size=1000)
        self._write_episodes(parsed, existing)
        self.counts["duplicates_flagged"] += flag_duplicates(new_people + [p for p in changed_people if p.pk])
        self.counts["people_created"] += len(new_people)
        updated = len(parsed) - len(new_people)
        self.counts["people_updated"] += updated
        return len(new_people), updated

    def _write_episodes(self, parsed, people: dict[str, Person]) -> None:
        keys = {(self.units[v["unit"]].pk, v["inmate_number"]) for v, _ in parsed}
        lookup = Q(unit_id__in={u for u, _ in keys}, inmate_number__in={n for _, n in keys})
        existing = {(e.unit_id, e.inmate_number): e for e in Episode.objects.filter(lookup)}
        new, changed, release_changes = [], [], []
        today = timezone.localdate()
        for v, info in parsed:
            unit = self.units[v["unit"]]
            fields = {
                "kind": v["kind"],
                "term_start": v["term_start"],
                "term_end": v.get("term_end"),
                "expected_release_date": v["expected_release_date"],
                "labour_capacity": v.get("labour_capacity"),
                "has_skill": v.get("has_skill"),
                "skill": v.get("skill") or "",
                "can_study": v.get("can_study"),
                "employment_intention": v.get("employment_intention") or "",
            }
            episode = existing.get((unit.pk, v["inmate_number"]))
            if episode is None:
                new.append(
                    Episode(
                        person=people[info.number],
                        unit=unit,
                        inmate_number=v["inmate_number"],
                        status=INITIAL_STATUS[EpisodeKind(v["kind"])],
                        **fields,
                    )
                )
                continue
            if all(getattr(episode, k) == val for k, val in fields.items()):
                continue
            if episode.expected_release_date != fields["expected_release_date"]:
                release_changes.append(
                    ReleaseDateChange(
                        episode=episode,
                        kind=ReleaseDateChange.Kind.CORRECTION,
                        decided_on=today,
                        old_release_date=episode.expected_release_date,
                        new_release_date=fields["expected_release_date"],
                        reason="批量导入更新",
                        created_by=self.user,
                    )
                )
            for k, val in fields.items():
                setattr(episode, k, val)
            episode.updated_at = timezone.now()
            changed.append(episode)
        Episode.objects.bulk_create(new, batch_size=1000)
        if changed:
            Episode.objects.bulk_update(changed, [*EPISODE_UPDATE_FIELDS, "updated_at"], batch_size=1000)
        ReleaseDateChange.objects.bulk_create(release_changes, batch_size=1000)
        self.counts["episodes_created"] += len(new)
        self.counts["episodes_updated"] += len(changed)
        self.counts["release_date_changes"] += len(release_changes)

    def audit_summary(self) -> dict:
        return dict(self.counts)
