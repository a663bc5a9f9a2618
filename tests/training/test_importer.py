import pytest

from skillbridge.errors import Forbidden
from skillbridge.imports.base import CellError, Row, RowErrors, convert
from skillbridge.imports.registry import get_importer
from skillbridge.training.importers import OnlineMinutesImporter
from skillbridge.training.models import OnlineLearning

pytestmark = pytest.mark.django_db


def run(user, rows):
    """What the imports machinery does: convert, validate all, write only if everything is valid."""
    from django.db import transaction

    importer = OnlineMinutesImporter(user)
    importer.check_permission()
    importer.prepare()
    errors, converted = RowErrors(), []
    for number, raw in enumerate(rows, start=2):
        values = {}
        for column in importer.columns:
            try:
                values[column.key] = convert(column, raw.get(column.header))
            except CellError as exc:
                errors.add(number, column.header, str(exc))
        converted.append(Row(number, values))
    importer.validate(converted, errors)
    if errors:
        return errors.items, None
    with transaction.atomic():
        return [], importer.write(converted)


def test_registered_under_its_key():
    assert get_importer("training.online_minutes") is OnlineMinutesImporter
    assert [c.header for c in OnlineMinutesImporter.columns] == [
        "姓名",
        "身份证号码",
        "学习分钟数",
        "平台名称",
    ]


def test_import_then_reimport_updates(cz, running_class):
    a, b, _ = (e.person for e in running_class.enrolments.order_by("id"))
    rows = [
        {
            "姓名": a.name,
            "身份证号码": a.id_number,
            "学习分钟数": 240,
            "平台名称": "江苏职业培训网络学习平台",
        },
        {"姓名": b.name, "身份证号码": b.id_number, "学习分钟数": 90, "平台名称": "江苏职业培训网络学习平台"},
    ]
    assert run(cz.user("ly_operator"), rows) == ([], (2, 0))
    rows[0]["学习分钟数"] = 300
    assert run(cz.user("ly_operator"), rows) == ([], (0, 2))
    assert dict(OnlineLearning.objects.values_list("enrolment__person__name", "minutes")) == {
        "赵一": 300,
        "钱二": 90,
    }
    assert set(OnlineLearning.objects.values_list("source", flat=True)) == {"import"}


def test_bad_rows_write_nothing(cz, running_class):
    from tests.registry.conftest import make_person

    from .conftest import D

    a = running_class.enrolments.order_by("id").first().person
    outsider = make_person(cz.orgs["溧阳监狱"], name="陈未报", release=D(2027, 9, 30), number="LY9100")
    rows = [
        {"姓名": "赵二", "身份证号码": a.id_number, "学习分钟数": 240, "平台名称": "平台甲"},
        {"姓名": outsider.name, "身份证号码": outsider.id_number, "学习分钟数": 60, "平台名称": "平台甲"},
        {"姓名": a.name, "身份证号码": a.id_number, "学习分钟数": 100001, "平台名称": "平台乙"},
    ]
    errors, written = run(cz.user("ly_operator"), rows)
    assert written is None
    assert errors == [
        (2, "姓名", "与身份证号码登记的姓名“赵一”不一致"),
        (3, "身份证号码", "不是本单位开班中培训班的在训学员"),
        (4, "学习分钟数", "学习分钟数须为0至100000的整数"),
    ]
    assert not OnlineLearning.objects.exists()


def test_only_unit_operators_may_import(cz):
    with pytest.raises(Forbidden):
        OnlineMinutesImporter(cz.user("czjs_operator")).check_permission()
