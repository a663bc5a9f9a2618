"""``registry.people``: people with their custody / supervision episodes from an xlsx roster.

Matching on re-import: a person by ID number, an episode by (unit, 罪犯编号/案件编号) — the same file
imported twice updates the same rows. A changed release date is kept as a release-date change (更正,
"批量导入更新"). Every lookup is one query per batch.

Pass 1 keeps each validated row as one flat tuple (``stage``: the person's columns, then the episode's,
see ``P_*``/``E_*``), so pass 2 neither re-reads the file nor builds model instances: existing rows are
read as tuples and compared, new rows go in with ``COPY`` (PostgreSQL) or one ``executemany`` (SQLite),
changed rows with one ``executemany`` UPDATE.
"""

import sys
from datetime import date

from django.db import connection
from django.utils import timezone

from skillbridge.accounts.models import Organisation
from skillbridge.errors import Forbidden
from skillbridge.imports.base import Column, Importer, Row, RowErrors
from skillbridge.policy.schema import POPULATION_CATEGORIES

from .idnumbers import InvalidIdNumber, make_id_number, mask_id_number, parse_id_number
from .models import INITIAL_STATUS, Education, Episode, EpisodeKind, Person, ReleaseDateChange, Sex
from .services import WRITE_ROLES, flag_duplicate_keys

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

# The staged row (``PeopleImporter.stage``): the person's columns, then the episode's.
STAGED = (
    "id_number",
    "birth_date",
    "sex",
    *PERSON_UPDATE_FIELDS,
    "unit_id",
    "inmate_number",
    *EPISODE_UPDATE_FIELDS,
)
P_ID, P_BIRTH, P_NAME = 0, 1, 3
P_END = P_NAME + len(PERSON_UPDATE_FIELDS)  # person columns: [0, P_END)
E_UNIT, E_NUMBER, E_KIND = P_END, P_END + 1, P_END + 2  # episode update columns: [E_KIND, end)
E_RELEASE = E_KIND + EPISODE_UPDATE_FIELDS.index("expected_release_date")


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
        """Two queries on unique indexes (ID numbers; unit + number), a third only for a conflict."""
        if not checked:
            return
        people = {
            number: (pk, name)
            for pk, number, name in _people_by_id_number(
                ("id", "id_number", "name"), [n for _, n, _ in checked]
            )
        }
        holders = {
            (unit_id, number): person_id
            for unit_id, number, person_id in _episodes_by_number(
                ("unit_id", "inmate_number", "person_id"),
                [(u, r.values["inmate_number"]) for r, _, u in checked],
            )
        }
        taken: list[tuple[Row, int]] = []
        for row, number, unit_id in checked:
            v = row.values
            pk, known = people.get(number, (None, None))
            if known is not None and v.get("name") and known != v["name"]:
                errors.add(
                    row.number,
                    HEADER["name"],
                    f"该身份证号码已登记，姓名为“{known}”，与本行“{v['name']}”不一致",
                )
            holder = holders.get((unit_id, v["inmate_number"]))
            if holder is not None and holder != pk:
                taken.append((row, holder))
        if taken:
            numbers = dict(Person.objects.filter(pk__in={h for _, h in taken}).values_list("pk", "id_number"))
            for row, holder in taken:
                v = row.values
                errors.add(
                    row.number,
                    HEADER["inmate_number"],
                    f"“{v['unit']}”的编号{v['inmate_number']}已登记给另一人员（{mask_id_number(numbers[holder])}）",
                )

    # ---- staging (end of pass 1) ----------------------------------------------------------------------

    def stage(self, rows: list[Row]) -> list[tuple]:
        """One flat tuple per validated row, in the order of ``STAGED``, with the stored defaults applied.
        Repeated short texts are interned, so staging 100,000 rows stays small."""
        intern = sys.intern
        units = self.units
        staged = []
        for row in rows:
            v = row.values
            number = str(v["id_number"]).strip().upper().replace(" ", "")  # parse_id_number's normalise
            staged.append(
                (
                    number,
                    date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                    "M" if int(number[16]) % 2 else "F",
                    v["name"],
                    intern(v.get("ethnicity") or "汉族"),
                    v.get("education") or "",
                    intern(v.get("household_registration") or ""),
                    v["population_category"],
                    bool(v.get("is_disabled")),
                    bool(v.get("is_low_income")),
                    v.get("phone") or "",
                    units[v["unit"]].pk,
                    v["inmate_number"],
                    v["kind"],
                    v["term_start"],
                    v.get("term_end"),
                    v["expected_release_date"],
                    v.get("labour_capacity"),
                    v.get("has_skill"),
                    intern(v.get("skill") or ""),
                    v.get("can_study"),
                    intern(v.get("employment_intention") or ""),
                )
            )
        return staged

    # ---- pass 2 -------------------------------------------------------------------------------------

    def write(self, rows: list) -> tuple[int, int]:
        if not self.units:
            self.prepare()
        if rows and isinstance(rows[0], Row):
            rows = self.stage(rows)
        now = timezone.now()
        stamp = now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
        existing = {
            number: (pk, fields)
            for pk, number, *fields in _people_by_id_number(
                ("id", "id_number", *PERSON_UPDATE_FIELDS), [r[P_ID] for r in rows]
            )
        }
        person_ids: dict[str, int] = {}
        new_people, changed_people, flag = [], [], []
        for r in rows:
            found = existing.get(r[P_ID])
            if found is None:
                new_people.append(r)
            else:
                pk, fields = found
                person_ids[r[P_ID]] = pk
                if tuple(fields) != r[P_NAME:P_END]:
                    changed_people.append((*r[P_NAME:P_END], stamp, pk))
                    flag.append((pk, r[P_NAME], r[P_BIRTH]))
        if new_people:
            ids = _reserve_ids(Person, len(new_people))
            _insert(
                Person,
                ("id", "id_number", "birth_date", "sex", *PERSON_UPDATE_FIELDS, "created_at", "updated_at"),
                [(pk, *r[:P_END], stamp, stamp) for pk, r in zip(ids, new_people, strict=True)],
            )
            for pk, r in zip(ids, new_people, strict=True):
                person_ids[r[P_ID]] = pk
                flag.append((pk, r[P_NAME], r[P_BIRTH]))
        _update(Person, [*PERSON_UPDATE_FIELDS, "updated_at"], changed_people)
        self._write_episodes(rows, person_ids, stamp)
        self.counts["duplicates_flagged"] += flag_duplicate_keys(flag)
        self.counts["people_created"] += len(new_people)
        updated = len(rows) - len(new_people)
        self.counts["people_updated"] += updated
        return len(new_people), updated

    def _write_episodes(self, rows: list[tuple], person_ids: dict[str, int], stamp) -> None:
        columns = ("id", "unit_id", "inmate_number", *EPISODE_UPDATE_FIELDS)
        existing = {
            (unit_id, number): (pk, fields)
            for pk, unit_id, number, *fields in _episodes_by_number(
                columns, [(r[E_UNIT], r[E_NUMBER]) for r in rows]
            )
        }
        new, changed, release_changes = [], [], []
        today = timezone.localdate()
        release = E_RELEASE - E_KIND
        for r in rows:
            found = existing.get((r[E_UNIT], r[E_NUMBER]))
            if found is None:
                new.append(
                    (
                        person_ids[r[P_ID]],
                        r[E_UNIT],
                        r[E_NUMBER],
                        *r[E_KIND:],
                        INITIAL_STATUS[EpisodeKind(r[E_KIND])].value,
                        stamp,
                        stamp,
                    )
                )
                continue
            pk, fields = found
            values = r[E_KIND:]
            if tuple(fields) == values:
                continue
            if fields[release] != values[release]:
                release_changes.append(
                    ReleaseDateChange(
                        episode_id=pk,
                        kind=ReleaseDateChange.Kind.CORRECTION,
                        decided_on=today,
                        old_release_date=fields[release],
                        new_release_date=values[release],
                        reason="批量导入更新",
                        created_by=self.user,
                    )
                )
            changed.append((*values, stamp, pk))
        _insert(
            Episode,
            (
                "person_id",
                "unit_id",
                "inmate_number",
                *EPISODE_UPDATE_FIELDS,
                "status",
                "created_at",
                "updated_at",
            ),
            new,
        )
        _update(Episode, [*EPISODE_UPDATE_FIELDS, "updated_at"], changed)
        ReleaseDateChange.objects.bulk_create(release_changes, batch_size=1000)
        self.counts["episodes_created"] += len(new)
        self.counts["episodes_updated"] += len(changed)
        self.counts["release_date_changes"] += len(release_changes)

    def audit_summary(self) -> dict:
        return dict(self.counts)


# ---- bulk SQL for pass 2 (inside the import's transaction) ------------------------------------------------


def _reserve_ids(model, count: int) -> list[int]:
    """``count`` primary keys no one else will be given. PostgreSQL: drawn from the table's sequence (no
    lock). SQLite: after the largest ever given (AUTOINCREMENT's ``sqlite_sequence`` included), which is
    safe because the import's IMMEDIATE transaction already holds the database's write lock."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [pk for (pk,) in cursor.fetchall()]
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0))",
            [table],
        )
        first = cursor.fetchone()[0] + 1
        return list(range(first, first + count))


def _in(values: list) -> tuple[str, list]:
    """``IN`` a list: one array parameter on PostgreSQL, one parameter per value on SQLite."""
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [values]
    return f"IN ({', '.join(['%s'] * len(values))})", values


def _select(sql: str, params: list) -> list[tuple]:
    """Rows as tuples of Python values (SQLite too: Django's connection converts by declared type)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _people_by_id_number(columns: tuple[str, ...], numbers: list[str]) -> list[tuple]:
    """``columns`` of the people with these ID numbers (the unique index; no model instances)."""
    if not numbers:
        return []
    clause, params = _in(numbers)
    return _select(
        f"SELECT {', '.join(columns)} FROM {Person._meta.db_table} WHERE id_number {clause}", params
    )


def _episodes_by_number(columns: tuple[str, ...], keys: list[tuple[int, str]]) -> list[tuple]:
    """``columns`` of the episodes with these (unit, number) keys: per unit, on the unique index."""
    by_unit: dict[int, list[str]] = {}
    for unit_id, number in keys:
        by_unit.setdefault(unit_id, []).append(number)
    found: list[tuple] = []
    for unit_id, numbers in by_unit.items():
        clause, params = _in(numbers)
        found += _select(
            f"SELECT {', '.join(columns)} FROM {Episode._meta.db_table} "
            f"WHERE unit_id = %s AND inmate_number {clause}",
            [unit_id, *params],
        )
    return found


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """New rows as they are (SQLite: dates through the sqlite3 adapters Django registers, timestamps
    passed in already adapted)."""
    if not rows:
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})", rows
        )


def _update(model, columns: list[str], rows: list[tuple]) -> None:
    """``rows``: the new values of ``columns``, then the primary key."""
    if not rows:
        return
    sets = ", ".join(f"{c} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {model._meta.db_table} SET {sets} WHERE id = %s", rows)
