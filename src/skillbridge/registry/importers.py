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
from itertools import chain

from django.db import connection
from django.utils import timezone

from skillbridge.accounts.models import Organisation
from skillbridge.errors import Forbidden
from skillbridge.imports.base import FALSE_WORDS, TRUE_WORDS, Column, Importer, Row, RowErrors
from skillbridge.policy.schema import POPULATION_CATEGORIES

from .idnumbers import SHAPE as ID_SHAPE
from .idnumbers import InvalidIdNumber, check_char, make_id_number, mask_id_number, parse_id_number
from .models import INITIAL_STATUS, Education, Episode, EpisodeKind, Person, ReleaseDateChange, Sex
from .services import WRITE_ROLES, flag_duplicates_of

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


class _Decline(Exception):
    """fast_path: a cell it leaves to the generic way."""


BAD = object()  # fast_path: a choice or yes/no cell that is not exactly one of its labels


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

PERSON_COLUMNS = ("id", "id_number", "birth_date", "sex", *PERSON_UPDATE_FIELDS, "created_at", "updated_at")
EPISODE_COLUMNS = (
    "person_id",
    "unit_id",
    "inmate_number",
    *EPISODE_UPDATE_FIELDS,
    "status",
    "created_at",
    "updated_at",
)

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
FIRST_STATUS = {kind.value: status.value for kind, status in INITIAL_STATUS.items()}  # a new episode: by kind


def template_row(values: dict) -> list:
    """A row in the template's column order (for the generator's roster files)."""
    return [values.get(c.key) for c in COLUMNS]


class PeopleImporter(Importer):
    key = "registry.people"
    title = "人员及羁押（矫正）信息"
    result_url_name = "registry:person_list"
    columns = COLUMNS
    # Each batch is looked up in the database in two queries (``_check_against_database``). Against a table
    # of 100,000 people PostgreSQL answers 2,000 ID numbers with a scan of the whole table (cheaper to it
    # than 2,000 index probes), so larger batches mean fewer scans: a re-import of 100,000 rows took 3.3 s
    # with batches of 2,000, 2.75 s with 5,000.
    batch_size = 5000

    def __init__(self, user):
        super().__init__(user)
        self.units: dict[str, Organisation] = {}
        self._unit_names: dict[int, str] = {}
        self.seen_ids: dict[str, int] = {}
        self.seen_numbers: dict[tuple[int, str], int] = {}
        self._found: tuple[dict, dict] | None = None  # the current batch's rows in the database (validate)
        self._flag: list[int] = []  # people created or changed: probed for duplicates by ``finish``
        self._next_person_id: int | None = None  # SQLite: the next primary key to give a new person
        self._new_people: list[list[tuple]] = []  # per batch, PERSON_COLUMNS rows (``_insert_new``)
        self._new_episodes: list[list[tuple]] = []  # per batch, rows of EPISODE_COLUMNS
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
        self._unit_names = {u.pk: name for name, u in self.units.items()}

    # ---- pass 1 -------------------------------------------------------------------------------------

    def fast_path(self, mapping):
        """The common row of a roster written from the template, converted, checked on its own and staged in
        one go (``Importer.fast_path``): every text cell a string within its length, every date cell a date,
        every choice and yes/no cell exactly one of its labels, a valid ID number that agrees with the sex
        and birth date given, a unit in scope, dates in order. Anything else (numbers in text columns,
        surrounding spaces in labels, a lower-case x, any problem) returns None and goes the generic way.
        Only when every template column is present."""
        at = {column.key: i for i, column in mapping}
        if set(at) != {c.key for c in COLUMNS}:
            return None
        columns = {c.key: c for c in COLUMNS}
        (i_name, i_id, i_sex, i_birth, i_eth, i_edu, i_home, i_cat, i_dis, i_low, i_phone, i_unit, i_kind,
         i_inmate, i_start, i_end, i_release, i_labour, i_has, i_skill, i_study, i_intent) = (
            at[c.key] for c in COLUMNS
        )  # fmt: skip
        # Choice and yes/no cells are looked up in one dict each (a C call rather than a Python one per cell;
        # the roster import runs this for every row): an empty cell is its blank value, a label its code,
        # anything else ``BAD``, which declines the row.
        sexes, educations, categories, kinds = (
            dict(columns[k].choices) for k in ("sex", "education", "population_category", "kind")
        )
        blank = dict.fromkeys((None, ""), "")
        sex_of, education_of = {**blank, **sexes}.get, {**blank, **educations}.get
        category_of, kind_of = categories.get, kinds.get  # required: blank is BAD
        words = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS - {""}, False)}
        flag_of = {None: None, "": None, **words}.get  # 有/无 etc.: None when empty
        is_of = {None: False, "": False, **words}.get  # 是否残疾/低收入: stored as False when empty
        units = {name: unit.pk for name, unit in self.units.items()}
        shape, intern, date_type = ID_SHAPE.match, sys.intern, date
        (l_name, l_eth, l_home, l_phone, l_unit, l_inmate, l_skill, l_intent) = (
            columns[k].max_length
            for k in (
                "name",
                "ethnicity",
                "household_registration",
                "phone",
                "unit",
                "inmate_number",
                "skill",
                "employment_intention",
            )
        )

        def text(value, most):  # an optional text cell: "" when blank
            if value is None:
                return ""
            if type(value) is not str:
                raise _Decline
            value = value.strip()
            if len(value) > most:
                raise _Decline
            return value

        def required(value, most):  # a required text cell: a plain, non-blank string
            if type(value) is str:
                value = value.strip()
                if value and len(value) <= most:
                    return value
            raise _Decline

        def row(cells):
            try:
                name = required(cells[i_name], l_name)
                number = cells[i_id]
                if type(number) is not str or len(number) != 18 or not shape(number):
                    return None
                birth = date_type(int(number[6:10]), int(number[10:12]), int(number[12:14]))
                if birth.year < 1900 or check_char(number[:17]) != number[17]:
                    return None
                sex = "M" if int(number[16]) % 2 else "F"
                given = cells[i_birth]
                if sex_of(cells[i_sex], BAD) not in ("", sex) or (
                    given is not None and given != "" and (type(given) is not date_type or given != birth)
                ):
                    return None
                unit_pk = units.get(required(cells[i_unit], l_unit))
                start, end, release = cells[i_start], cells[i_end], cells[i_release]
                if (
                    unit_pk is None
                    or type(start) is not date_type
                    or type(release) is not date_type
                    or release < start
                ):
                    return None
                if end is None or end == "":
                    end = None
                elif type(end) is not date_type or end < start:
                    return None
                education, category, kind = (
                    education_of(cells[i_edu], BAD),
                    category_of(cells[i_cat], BAD),
                    kind_of(cells[i_kind], BAD),
                )
                disabled, low_income = is_of(cells[i_dis], BAD), is_of(cells[i_low], BAD)
                labour, has_skill, can_study = (
                    flag_of(cells[i_labour], BAD),
                    flag_of(cells[i_has], BAD),
                    flag_of(cells[i_study], BAD),
                )
                if BAD in (education, category, kind, disabled, low_income, labour, has_skill, can_study):
                    return None
                return (
                    number,
                    birth,
                    sex,
                    name,
                    intern(text(cells[i_eth], l_eth) or "汉族"),
                    education,
                    intern(text(cells[i_home], l_home)),
                    category,
                    disabled,
                    low_income,
                    text(cells[i_phone], l_phone),
                    unit_pk,
                    required(cells[i_inmate], l_inmate),
                    kind,
                    start,
                    end,
                    release,
                    labour,
                    has_skill,
                    intern(text(cells[i_skill], l_skill)),
                    can_study,
                    intern(text(cells[i_intent], l_intent)),
                )
            except (_Decline, TypeError, ValueError, IndexError):
                return None

        return row

    def validate(self, rows: list[Row], errors: RowErrors) -> None:
        # Rows whose own cells are fine: (row number, id, unit pk, name, number, unit name).
        checked: list[tuple[int, str, int, str, str, str]] = []
        for row in rows:
            if row.staged is not None:  # taken whole by fast_path: its own cells are fine
                r = row.staged
                number, unit_pk, inmate_number, ok = r[P_ID], r[E_UNIT], r[E_NUMBER], True
                name, unit_name = r[P_NAME], self._unit_names[unit_pk]
            else:
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
                        row.number,
                        HEADER["term_end"],
                        f"刑期止日 {end:%Y-%m-%d} 早于刑期起日 {start:%Y-%m-%d}",
                    )
                unit_pk = unit.pk if unit else None
                inmate_number, name, unit_name = v.get("inmate_number"), v.get("name"), v.get("unit")
            if number:
                if (first := self.seen_ids.get(number)) is not None:
                    errors.add(row.number, HEADER["id_number"], f"与第{first}行的身份证号码重复")
                    ok = False
                else:
                    self.seen_ids[number] = row.number
            if unit_pk and inmate_number:
                key = (unit_pk, inmate_number)
                if (first := self.seen_numbers.get(key)) is not None:
                    errors.add(
                        row.number, HEADER["inmate_number"], f"与第{first}行的单位和罪犯编号/案件编号重复"
                    )
                    ok = False
                else:
                    self.seen_numbers[key] = row.number
            if ok and unit_pk and inmate_number:
                checked.append((row.number, number, unit_pk, name, inmate_number, unit_name))
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

    def _check_against_database(self, checked: list[tuple], errors: RowErrors) -> None:
        """Two queries on unique indexes (ID numbers; unit + number), a third only for a conflict."""
        self._found = None
        if not checked:
            return
        # Every column pass 2 compares: ``stage`` plans the batch's writes from these same rows.
        people = {
            number: (pk, fields)
            for pk, number, *fields in _people_by_id_number(
                ("id", "id_number", *PERSON_UPDATE_FIELDS), [c[1] for c in checked]
            )
        }
        episodes = {
            (unit_id, number): (pk, person_id, fields)
            for pk, unit_id, number, person_id, *fields in _episodes_by_number(
                ("id", "unit_id", "inmate_number", "person_id", *EPISODE_UPDATE_FIELDS),
                [(c[2], c[4]) for c in checked],
            )
        }
        self._found = (people, episodes)
        taken: list[tuple[tuple, int]] = []
        for entry in checked:
            row_number, number, unit_id, name, inmate_number, _ = entry
            pk, fields = people.get(number, (None, None))
            known = fields[0] if fields else None  # PERSON_UPDATE_FIELDS[0] is the name
            if known is not None and name and known != name:
                errors.add(
                    row_number,
                    HEADER["name"],
                    f"该身份证号码已登记，姓名为“{known}”，与本行“{name}”不一致",
                )
            episode = episodes.get((unit_id, inmate_number))
            holder = episode[1] if episode else None
            if holder is not None and holder != pk:
                taken.append((entry, holder))
        if taken:
            numbers = dict(Person.objects.filter(pk__in={h for _, h in taken}).values_list("pk", "id_number"))
            for (row_number, _, _, _, inmate_number, unit_name), holder in taken:
                errors.add(
                    row_number,
                    HEADER["inmate_number"],
                    f"“{unit_name}”的编号{inmate_number}已登记给另一人员（{mask_id_number(numbers[holder])}）",
                )

    # ---- staging (end of pass 1) ----------------------------------------------------------------------

    def stage(self, rows: list[Row]) -> list[tuple]:
        """One flat tuple per validated row, in the order of ``STAGED``, with the stored defaults applied.
        Repeated short texts are interned, so staging 100,000 rows stays small."""
        intern = sys.intern
        units = self.units
        staged = _Batch()
        for row in rows:
            if row.staged is not None:
                staged.append(row.staged)
                continue
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
        if self._found is not None:  # what validate just read for this batch
            staged.plan = _plan(staged, *self._found)
            self._found = None
            if connection.vendor == "postgresql":
                # Keys from the sequence may be drawn before the write transaction: the rows to insert are
                # built here, in pass 1, so that the writer running alongside (``imports.services._Writer``)
                # has only to send them, and the server is not kept waiting for Python in between.
                staged.new = self._new_rows(staged, staged.plan, timezone.now())
        return staged

    # ---- pass 2 -------------------------------------------------------------------------------------

    def write(self, rows: list) -> tuple[int, int]:
        """A staged batch comes with its plan (``_plan``, from the rows pass 1 read to check it), so pass 2
        looks nothing up again. A row another user wrote in between makes an insert break a unique
        constraint: the import then fails as a whole (``imports.services`` turns it into a conflict).
        Updates are written here; new rows are collected and inserted by ``flush`` or ``finish``."""
        if not self.units:
            self.prepare()
        if rows and isinstance(rows[0], Row):
            self._found = None
            rows = self.stage(rows)
        plan = getattr(rows, "plan", None)
        if plan is None:
            plan = _plan(rows, *self._lookup(rows))
        now = timezone.now()
        stamp = now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
        new = getattr(rows, "new", None)
        if new is None:  # not built at staging (SQLite: ids are drawn only under the write lock)
            new = self._new_rows(rows, plan, stamp)
        new_people, new_episodes = new
        self._new_people.append(new_people)
        self._new_episodes.append(new_episodes)
        self._flag += [r[0] for r in new_people]
        if any(p is not _NEW for p in plan):  # some rows are registered already
            self._write_changes(rows, plan, stamp)
        self.counts["people_created"] += len(new_people)
        self.counts["episodes_created"] += len(new_episodes)
        updated = len(rows) - len(new_people)
        self.counts["people_updated"] += updated
        return len(new_people), updated

    def _new_rows(self, rows: list[tuple], plan: list[tuple], stamp) -> tuple[list[tuple], list[tuple]]:
        """The rows to insert (``_insert_new``) for a staged batch: its new people (``PERSON_COLUMNS``, with
        primary keys drawn for them) and its new episodes (``EPISODE_COLUMNS``)."""
        count = sum(p[0] is None for p in plan)
        drawn = iter(self._reserve_person_ids(count) if count else ())
        person_ids = [p[0] if p[0] is not None else next(drawn) for p in plan]
        people = [
            (pk, *r[:P_END], stamp, stamp)
            for pk, r, p in zip(person_ids, rows, plan, strict=True)
            if p[0] is None
        ]
        episodes = [
            (pk, r[E_UNIT], r[E_NUMBER], *r[E_KIND:], FIRST_STATUS[r[E_KIND]], stamp, stamp)
            for pk, r, p in zip(person_ids, rows, plan, strict=True)
            if p[2] is None
        ]
        return people, episodes

    def _reserve_person_ids(self, count: int) -> list[int]:
        """``_reserve_ids``, on SQLite counted on from the first batch's: the rows wait for ``finish``."""
        if connection.vendor == "postgresql":
            return _reserve_ids(Person, count)
        if self._next_person_id is None:
            self._next_person_id = _reserve_ids(Person, 1)[0]
        first = self._next_person_id
        self._next_person_id += count
        return list(range(first, first + count))

    def flush(self) -> None:
        """Pass 2 alongside pass 1 (PostgreSQL): the new rows collected so far, now (``_insert_new``)."""
        self._insert_new()

    def finish(self) -> None:
        """The new rows not inserted yet (``_insert_new``), then possible duplicates of every person created
        or changed: one set-based probe."""
        self._insert_new()
        self.counts["duplicates_flagged"] += flag_duplicates_of(self._flag)
        self._flag = []

    def _insert_new(self) -> None:
        """The new people, then their new episodes, collected by ``write`` since the last time: each in one
        ``COPY`` (PostgreSQL; SQLite: one ``executemany``) over all those batches, so the client streams
        rows while the server inserts them, rather than the two taking turns per batch."""
        _insert(Person, PERSON_COLUMNS, self._new_people)
        self._new_people = []
        _insert(Episode, EPISODE_COLUMNS, self._new_episodes)
        self._new_episodes = []

    def _lookup(self, rows: list[tuple]) -> tuple[dict, dict]:
        """What ``_check_against_database`` reads, for a batch that comes without its plan."""
        people = {
            number: (pk, fields)
            for pk, number, *fields in _people_by_id_number(
                ("id", "id_number", *PERSON_UPDATE_FIELDS), [r[P_ID] for r in rows]
            )
        }
        episodes = {
            (unit_id, number): (pk, person_id, fields)
            for pk, unit_id, number, person_id, *fields in _episodes_by_number(
                ("id", "unit_id", "inmate_number", "person_id", *EPISODE_UPDATE_FIELDS),
                [(r[E_UNIT], r[E_NUMBER]) for r in rows],
            )
        }
        return people, episodes

    def _write_changes(self, rows: list[tuple], plan: list[tuple], stamp) -> None:
        """The people and episodes of a batch that are registered already and differ from the file: updated,
        and a changed release date kept as a correction (更正)."""
        changed_people, changed_episodes, release_changes = [], [], []
        today = timezone.localdate()
        release = E_RELEASE - E_KIND
        for r, (person_pk, person_changed, pk, episode_changed, old_release) in zip(rows, plan, strict=True):
            if person_changed:
                changed_people.append((*r[P_NAME:P_END], stamp, person_pk))
                self._flag.append(person_pk)
            if not episode_changed:
                continue
            values = r[E_KIND:]
            if old_release != values[release]:
                release_changes.append(
                    ReleaseDateChange(
                        episode_id=pk,
                        kind=ReleaseDateChange.Kind.CORRECTION,
                        decided_on=today,
                        old_release_date=old_release,
                        new_release_date=values[release],
                        reason="批量导入更新",
                        created_by=self.user,
                    )
                )
            changed_episodes.append((*values, stamp, pk))
        _update(Person, [*PERSON_UPDATE_FIELDS, "updated_at"], changed_people)
        _update(Episode, [*EPISODE_UPDATE_FIELDS, "updated_at"], changed_episodes)
        ReleaseDateChange.objects.bulk_create(release_changes, batch_size=1000)
        self.counts["episodes_updated"] += len(changed_episodes)
        self.counts["release_date_changes"] += len(release_changes)

    def audit_summary(self) -> dict:
        return dict(self.counts)


# ---- the plan of a staged batch -----------------------------------------------------------------------------


class _Batch(list):
    """A staged batch: the rows (``STAGED`` tuples), ``plan`` once known (``_plan``), and on PostgreSQL the
    rows to insert (``PeopleImporter._new_rows``)."""

    plan: list[tuple] | None = None
    new: tuple[list[tuple], list[tuple]] | None = None


_NEW = (None, False, None, False, None)


def _plan(rows: list[tuple], people: dict, episodes: dict) -> list[tuple]:
    """Per staged row: (person pk or None if new, person changed, episode pk or None if new, episode changed,
    the episode's stored release date), from the rows read for the batch (``people``: ID number → (pk,
    ``PERSON_UPDATE_FIELDS``); ``episodes``: (unit, number) → (pk, person pk, ``EPISODE_UPDATE_FIELDS``)).
    Small: a new row shares one constant, so only the rows already registered take room."""
    if not people and not episodes:
        return [_NEW] * len(rows)
    release = E_RELEASE - E_KIND
    plan = []
    for r in rows:
        person = people.get(r[P_ID])
        episode = episodes.get((r[E_UNIT], r[E_NUMBER]))
        if person is None and episode is None:
            plan.append(_NEW)
            continue
        person_pk = person_changed = None
        if person is not None:
            person_pk, fields = person
            person_changed = tuple(fields) != r[P_NAME:P_END]
        if episode is None:
            plan.append((person_pk, person_changed, None, False, None))
        else:
            pk, _, fields = episode
            plan.append((person_pk, person_changed, pk, tuple(fields) != r[E_KIND:], fields[release]))
    return plan


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


def _insert(model, columns: tuple[str, ...], batches: list[list[tuple]]) -> None:
    """New rows as they are, all ``batches`` in one statement (SQLite: dates through the sqlite3 adapters
    Django registers, timestamps passed in already adapted)."""
    if not any(batches):
        return
    rows = chain.from_iterable(batches)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Binary COPY: each value goes over as its column's type, with no text to format or parse.
            # (Django's error wrapping, so a unique violation is an IntegrityError as with execute.)
            with (
                connection.wrap_database_errors,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy,
            ):
                copy.set_types(_column_types(model, columns))
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})", rows
        )


def _column_types(model, columns: tuple[str, ...]) -> list[str]:
    """PostgreSQL type names of ``columns`` (``varchar(50)`` → ``varchar``), for a binary COPY."""
    fields = {f.column: f for f in model._meta.concrete_fields}
    return [fields[c].db_type(connection).split("(")[0] for c in columns]


def _update(model, columns: list[str], rows: list[tuple]) -> None:
    """``rows``: the new values of ``columns``, then the primary key."""
    if not rows:
        return
    sets = ", ".join(f"{c} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {model._meta.db_table} SET {sets} WHERE id = %s", rows)
