"""``PeopleImporter.fast_path`` takes the common row whole; whatever it accepts must be staged exactly as the
generic way (convert every cell, ``validate``, ``stage``) stages it, and it must decline every row that the
generic way rejects on its own cells (which then reports it with the exact message)."""

import datetime as dt
from datetime import date

import pytest

from skillbridge.imports.base import CellError, Row, RowErrors, convert
from skillbridge.imports.services import SheetReader
from skillbridge.registry import generator
from skillbridge.registry.idnumbers import make_id_number
from skillbridge.registry.importers import COLUMNS, PeopleImporter

pytestmark = pytest.mark.django_db

ID_A = make_id_number("320481", date(1990, 1, 15), 111)  # a man
ID_F = make_id_number("320402", date(1985, 6, 1), 222)  # a woman


def generic(importer, cells) -> tuple | None:
    """The staged tuple the generic way makes of one row, or None if it reports any error."""
    errors, values = RowErrors(), {}
    for column, raw in zip(COLUMNS, cells, strict=True):
        try:
            values[column.key] = convert(column, raw)
        except CellError:
            return None
    importer.seen_ids.clear()
    importer.seen_numbers.clear()
    rows = [Row(2, values)]
    importer.validate(rows, errors)
    return None if errors else importer.stage(rows)[0]


def base_cells() -> list:
    cells = {
        "name": "李甲",
        "id_number": ID_A,
        "sex": "男",
        "birth_date": date(1990, 1, 15),
        "ethnicity": "汉族",
        "education": "初中",
        "household_registration": "江苏省溧阳市",
        "population_category": "服刑人员",
        "is_disabled": "否",
        "is_low_income": "",
        "phone": "",
        "unit": "溧阳监狱",
        "kind": "服刑",
        "inmate_number": "LY0001",
        "term_start": date(2022, 1, 1),
        "term_end": date(2027, 12, 31),
        "expected_release_date": date(2027, 6, 30),
        "labour_capacity": "有",
        "has_skill": "无",
        "skill": "",
        "can_study": "是",
        "employment_intention": "烹饪",
    }
    return [cells[c.key] for c in COLUMNS]


def changed(**values) -> list:
    cells = base_cells()
    index = {c.key: i for i, c in enumerate(COLUMNS)}
    for key, value in values.items():
        cells[index[key]] = value
    return cells


@pytest.fixture
def importer(demo):
    importer = PeopleImporter(demo.user("ly_operator"))
    importer.prepare()
    return importer


@pytest.fixture
def fast(importer):
    return importer.fast_path(list(enumerate(COLUMNS)))


def test_generated_roster_rows_are_all_taken_and_staged_as_the_generic_way(demo, importer, fast, tmp_path):
    path = tmp_path / "roster.xlsx"
    unit = demo.orgs["溧阳监狱"]
    generator.write_roster(path, generator.generate([unit], 300, 5, date(2026, 11, 1)))
    reader = SheetReader(str(path), COLUMNS)
    reader.read_header(RowErrors())
    rows = list(reader._rows)
    assert len(rows) == 300
    for _, cells in rows:
        staged = fast(cells)
        assert staged is not None
        assert staged == generic(importer, cells)


CLEAN = [
    {},
    {"sex": "", "birth_date": None, "term_end": None, "ethnicity": None, "education": None},
    {"is_disabled": "是", "is_low_income": "否", "labour_capacity": "", "has_skill": None, "can_study": "否"},
    {
        "id_number": ID_F,
        "sex": "女",
        "birth_date": date(1985, 6, 1),
        "name": " 王乙 ",
        "phone": " 13800000000 ",
    },
    {"skill": "电工", "household_registration": "  ", "term_end": date(2022, 1, 1)},
    {"expected_release_date": date(2022, 1, 1)},  # released the day the term starts
]


@pytest.mark.parametrize("values", CLEAN)
def test_clean_rows_match_the_generic_way(importer, fast, values):
    cells = changed(**values)
    assert generic(importer, cells) is not None
    assert fast(cells) == generic(importer, cells)


DECLINED = [
    # rejected by the generic way (its message names row and column)
    {"id_number": ID_A[:17] + ("0" if ID_A[17] != "0" else "1")},
    {"id_number": ID_A[:15]},
    {"birth_date": date(1990, 1, 16)},
    {"sex": "女"},
    {"expected_release_date": date(2021, 12, 31)},
    {"term_end": date(2021, 12, 31)},
    {"unit": "新康监狱"},
    {"unit": "不存在监狱"},
    {"name": ""},
    {"name": "名" * 51},
    {"population_category": "犯人"},
    {"education": "博士"},
    {"kind": ""},
    {"inmate_number": None},
    {"term_start": "去年"},
    {"expected_release_date": None},
    {"is_disabled": "也许"},
    {"skill": "技" * 101},
    # accepted by the generic way, but left to it
    {"id_number": ID_A.lower() if ID_A.endswith("X") else " " + ID_A},
    {"inmate_number": 12345.0},
    {"phone": 13800000000.0},
    {"sex": " 男 "},
    {"birth_date": dt.datetime(1990, 1, 15)},
    {"term_start": "2022-01-01"},
    {"can_study": True},
]


@pytest.mark.parametrize("values", DECLINED)
def test_other_rows_are_left_to_the_generic_way(importer, fast, values):
    assert fast(changed(**values)) is None


def test_no_fast_path_without_every_column(importer):
    assert importer.fast_path(list(enumerate(COLUMNS[:-1]))) is None
