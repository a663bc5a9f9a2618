from datetime import date

import pytest

from skillbridge.errors import Forbidden
from skillbridge.imports.registry import IMPORTERS
from skillbridge.registry.idnumbers import make_id_number
from skillbridge.registry.importers import COLUMNS, PeopleImporter
from skillbridge.registry.models import Episode, Person, ReleaseDateChange

from .conftest import make_person, run_import

pytestmark = pytest.mark.django_db

ID_A = make_id_number("320481", date(1990, 1, 15), 111)
ID_B = make_id_number("320402", date(1985, 6, 1), 222)


def row(**overrides):
    base = {
        "姓名": "李甲",
        "身份证号码": ID_A,
        "性别": "男",
        "出生日期": "1990-01-15",
        "民族": "汉族",
        "文化程度": "初中",
        "户籍地": "江苏省溧阳市",
        "人员类别": "服刑人员",
        "所在单位": "溧阳监狱",
        "类型": "服刑",
        "罪犯编号/案件编号": "LY0001",
        "刑期起日": "2022-01-01",
        "刑期止日": "2027-12-31",
        "预计释放日期": "2027-06-30",
        "有无劳动能力": "有",
        "有无一技之长": "无",
        "能否正常学习": "是",
        "就业意向": "烹饪",
    }
    base.update(overrides)
    return base


def second(**overrides):
    return row(
        **{
            "姓名": "王乙",
            "身份证号码": ID_B,
            "性别": "女",
            "出生日期": "1985-06-01",
            "罪犯编号/案件编号": "LY0002",
            **overrides,
        }
    )


def test_registered_with_template_columns():
    assert IMPORTERS["registry.people"] is PeopleImporter
    headers = [c.header for c in COLUMNS]
    assert headers[:3] == ["姓名", "身份证号码", "性别"]
    assert "罪犯编号/案件编号" in headers and "预计释放日期" in headers
    sample = {c.key: c.sample for c in COLUMNS}
    assert sample["id_number"] == make_id_number("320402", date(1988, 5, 17), 131)


def test_import_then_reimport_updates(demo):
    user = demo.user("ly_operator")
    errors, totals = run_import(
        user,
        [
            row(),
            second(),
            row(
                **{
                    "身份证号码": make_id_number("320481", date(1990, 1, 15), 113),
                    "罪犯编号/案件编号": "LY0003",
                    "姓名": "李甲",
                }
            ),
        ],
    )
    assert errors == [] and totals == (3, 0)
    assert Person.objects.count() == 3 and Episode.objects.count() == 3
    person = Person.objects.get(id_number=ID_A)
    assert (person.birth_date, person.sex, person.education, person.population_category) == (
        date(1990, 1, 15),
        "M",
        "junior",
        "inmate",
    )
    episode = Episode.objects.get(inmate_number="LY0001")
    assert (episode.has_skill, episode.can_study, episode.labour_capacity) == (False, True, True)
    from skillbridge.registry.models import DuplicateReview

    assert DuplicateReview.objects.count() == 1  # 李甲 twice with the same birth date
    errors, totals = run_import(
        user, [row(**{"预计释放日期": "2027-03-31", "联系电话": "13800000000"}), second()]
    )
    assert errors == [] and totals == (0, 2)
    assert Person.objects.count() == 3 and Episode.objects.count() == 3
    assert Person.objects.get(id_number=ID_A).phone == "13800000000"
    change = ReleaseDateChange.objects.get()
    assert (change.old_release_date, change.new_release_date, change.kind) == (
        date(2027, 6, 30),
        date(2027, 3, 31),
        "correction",
    )
    assert DuplicateReview.objects.count() == 1


BAD_CASES = [
    (
        {"身份证号码": ID_A[:17] + ("0" if ID_A[17] != "0" else "1")},
        "身份证号码",
        "身份证号码校验位错误（第18位与前17位不符），请核对",
    ),
    ({"身份证号码": ID_A[:6] + ID_A[8:17]}, "身份证号码", "不支持15位旧身份证号码，请填写18位身份证号码"),
    (
        {"出生日期": "1990-01-16"},
        "出生日期",
        "出生日期 1990-01-16 与身份证号码不符（身份证号码中为 1990-01-15）",
    ),
    ({"性别": "女"}, "性别", "性别“女”与身份证号码不符（身份证号码表示“男”）"),
    ({"预计释放日期": "2021-12-31"}, "预计释放日期", "预计释放日期 2021-12-31 早于刑期起日 2022-01-01"),
    ({"所在单位": "新康监狱"}, "所在单位", "单位“新康监狱”不存在或不在您的数据权限范围内"),
    ({"所在单位": "不存在监狱"}, "所在单位", "单位“不存在监狱”不存在或不在您的数据权限范围内"),
    ({"姓名": ""}, "姓名", "必填项为空"),
    ({"预计释放日期": None}, "预计释放日期", "必填项为空"),
]


@pytest.mark.parametrize(("change", "header", "message"), BAD_CASES)
def test_bad_rows_are_reported_and_nothing_is_written(demo, change, header, message):
    errors, totals = run_import(demo.user("ly_operator"), [second(), row(**change)])
    assert (3, header, message) in errors
    assert totals is None
    assert Person.objects.count() == 0


def test_unknown_labels(demo):
    errors, _ = run_import(demo.user("ly_operator"), [row(**{"人员类别": "犯人", "文化程度": "博士"})])
    assert {(h, m.split("（")[0]) for _, h, m in errors} == {
        ("人员类别", "“犯人”不在可选值中"),
        ("文化程度", "“博士”不在可选值中"),
    }


def test_duplicates_within_the_file_across_batches(demo):
    rows = [
        row(),
        second(),
        row(**{"罪犯编号/案件编号": "LY0009"}),
        second(**{"身份证号码": make_id_number("320402", date(1985, 6, 1), 224)}),
    ]
    errors, _ = run_import(demo.user("ly_operator"), rows, batch_size=2)
    assert (4, "身份证号码", "与第2行的身份证号码重复") in errors
    assert (5, "罪犯编号/案件编号", "与第3行的单位和罪犯编号/案件编号重复") in errors
    assert Person.objects.count() == 0


def test_conflicts_with_the_database(demo):
    existing = make_person(
        demo.orgs["溧阳监狱"], name="张三", id_number=ID_B, number="LY0001", birth=date(1985, 6, 1)
    )
    errors, _ = run_import(demo.user("ly_operator"), [row(), second()])
    assert (
        2,
        "罪犯编号/案件编号",
        f"“溧阳监狱”的编号LY0001已登记给另一人员（{existing.masked_id_number}）",
    ) in errors
    assert (3, "姓名", "该身份证号码已登记，姓名为“张三”，与本行“王乙”不一致") in errors
    assert Person.objects.count() == 1


def test_permission(demo):
    with pytest.raises(Forbidden):
        run_import(demo.user("ly_reviewer"), [row()])
    errors, _ = run_import(demo.user("ah_prison_operator"), [row()])
    assert errors == [(2, "所在单位", "单位“溧阳监狱”不存在或不在您的数据权限范围内")]


def test_validate_issues_a_fixed_number_of_queries_per_batch(demo, django_assert_max_num_queries):
    from skillbridge.imports.base import Row, RowErrors, convert

    importer = PeopleImporter(demo.user("ly_operator"))
    importer.prepare()
    rows = []
    for i in range(200):
        number = make_id_number("320481", date(1990, 1, 1), i * 2 + 1)
        raw = row(**{"姓名": f"李{i}", "身份证号码": number, "出生日期": None, "罪犯编号/案件编号": f"N{i}"})
        rows.append(Row(i + 2, {c.key: convert(c, raw.get(c.header)) for c in COLUMNS}))
    errors = RowErrors()
    with django_assert_max_num_queries(2):
        importer.validate(rows, errors)
    assert not errors
    with django_assert_max_num_queries(12):
        importer.write(rows)
        importer.finish()
    assert Person.objects.count() == 200
