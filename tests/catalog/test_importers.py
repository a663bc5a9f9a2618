from decimal import Decimal

import pytest

from skillbridge.catalog.importers import InstitutionsImporter, StandardsImporter
from skillbridge.catalog.models import InstitutionProfile, SubsidyStandard
from skillbridge.errors import Forbidden
from skillbridge.imports.base import Row, RowErrors
from skillbridge.imports.registry import IMPORTERS

from .conftest import D

pytestmark = pytest.mark.django_db


def std_row(number, **values):
    base = {
        "year": 2026,
        "occupation_code": "6-18-02-04",
        "item_code": None,
        "level": "3",
        "certificate_type": "skill_level",
        "amount": Decimal("2000"),
        "valid_from": None,
        "note": None,
    }
    return Row(number, {**base, **values})


def run(importer_cls, user, rows):
    importer = importer_cls(user)
    importer.check_permission()
    importer.prepare()
    errors = RowErrors()
    importer.validate(rows, errors)
    if errors:
        return importer, errors.items, None
    return importer, [], importer.write(rows)


def test_registered_with_exact_columns():
    assert IMPORTERS["catalog.standards"] is StandardsImporter
    assert IMPORTERS["catalog.institutions"] is InstitutionsImporter
    assert [c.header for c in StandardsImporter.columns] == [
        "年度",
        "职业编码",
        "专项职业能力编码",
        "等级",
        "证书类型",
        "补贴标准（元）",
        "生效日期",
        "备注",
    ]
    assert [c.header for c in InstitutionsImporter.columns] == [
        "机构名称",
        "统一社会信用代码",
        "法定代表人",
        "地址",
        "联系人",
        "联系电话",
        "开户银行",
        "银行账号",
        "资质",
        "年培训（鉴定）能力（人次）",
    ]
    assert all(
        c.sample or not c.required for c in (*StandardsImporter.columns, *InstitutionsImporter.columns)
    )


def test_only_a_city_hrss_may_import(demo):
    for username in ("ly_operator", "cz_justice_reviewer", "czjs_operator"):
        with pytest.raises(Forbidden):
            StandardsImporter(demo.user(username)).check_permission()
        with pytest.raises(Forbidden):
            InstitutionsImporter(demo.user(username)).check_permission()


def test_standard_validation_messages(demo):
    rows = [
        std_row(2),
        std_row(3, occupation_code="9-99-99-99"),
        std_row(4),
        std_row(5, occupation_code="6-31-01-00"),
        std_row(6, level=None),
        std_row(7, occupation_code=None),
        std_row(8, occupation_code=None, item_code="ZX-001", certificate_type="special_ability", level=None),
        std_row(9, valid_from=D(2025, 12, 31), occupation_code="6-31-01-03"),
        std_row(10, amount=Decimal("-1"), occupation_code="4-03-02-01"),
    ]
    _, errors, written = run(StandardsImporter, demo.user("cz_hrss_operator"), rows)
    assert written is None
    assert errors == [
        (3, "职业编码", "职业编码“9-99-99-99”不在国家职业分类大典（2022）中"),
        (4, "职业编码", "与第2行重复（同一年度、职业、等级、证书类型）"),
        (5, "职业编码", "“6-31-01-00”是小类编码，补贴标准须对应职业（细类）"),
        (6, "等级", "职业技能等级证书须填写等级"),
        (7, "职业编码", "职业编码与专项职业能力编码须填写其一"),
        (8, "专项职业能力编码", "本市没有编码为“ZX-001”的专项职业能力项目"),
        (9, "生效日期", "生效日期须在2026年度内"),
        (10, "补贴标准（元）", "补贴标准不能为负数"),
    ]
    assert SubsidyStandard.objects.count() == 0


def test_standard_reimport_updates_with_history(demo):
    user = demo.user("cz_hrss_operator")
    rows = [std_row(2), std_row(3, occupation_code="6-31-01-03", level="5", amount=Decimal("1200"))]
    assert run(StandardsImporter, user, rows)[2] == (2, 0)
    # Same file again: nothing new.
    importer, errors, written = run(StandardsImporter, user, rows)
    assert (errors, written, importer.unchanged) == ([], (0, 0), 2)
    assert SubsidyStandard.objects.count() == 2
    # A changed amount needs an effective date after the current one…
    changed = [std_row(2, amount=Decimal("2300"))]
    _, errors, _ = run(StandardsImporter, user, changed)
    assert errors == [(2, "生效日期", "已有2026-01-01起执行的标准2000.00元，调整的生效日期须晚于该日期")]
    # …and then closes the old row and adds the new one.
    changed = [std_row(2, amount=Decimal("2300"), valid_from=D(2026, 7, 1))]
    assert run(StandardsImporter, user, changed)[2] == (0, 1)
    welder = SubsidyStandard.objects.filter(occupation__code="6-18-02-04").order_by("valid_from")
    assert [(s.amount, s.valid_from, s.valid_to) for s in welder] == [
        (Decimal("2000.00"), D(2026, 1, 1), D(2026, 6, 30)),
        (Decimal("2300.00"), D(2026, 7, 1), None),
    ]
    assert welder[1].previous_id == welder[0].pk
    assert {s.region_code for s in welder} == {"320400"}


def inst_row(number, **values):
    base = {
        "name": "常州技师学院",
        "credit_code": "123204004662870540",
        "legal_representative": "周建华",
        "address": "常州市武进区滆湖中路28号",
        "contact_person": "王老师",
        "contact_phone": "0519-86331234",
        "bank_name": "中国工商银行",
        "bank_account": "1105020109000123456",
        "qualifications": None,
        "capacity": 3000,
    }
    return Row(number, {**base, **values})


def test_institution_validation_messages(demo):
    rows = [
        inst_row(2),
        inst_row(3, name="合肥某培训学校"),
        inst_row(4, name="常州市天宁区职业培训学校", credit_code="123204004662870541"),
        inst_row(5, name="常州市职业技能鉴定指导中心"),
        inst_row(6, credit_code="52320402MJ5123456B"),
        inst_row(7, name="常州监狱", credit_code="12320400466001234T"),
    ]
    _, errors, written = run(InstitutionsImporter, demo.user("cz_hrss_operator"), rows)
    assert written is None
    assert errors == [
        (3, "机构名称", "“合肥某培训学校”不是本市已建档的培训机构或评价机构"),
        (3, "统一社会信用代码", "与第2行的统一社会信用代码重复"),
        (4, "统一社会信用代码", "统一社会信用代码校验位不正确"),
        (5, "统一社会信用代码", "与第2行的统一社会信用代码重复"),
        (6, "机构名称", "与第2行重复"),
        (7, "机构名称", "“常州监狱”不是本市已建档的培训机构或评价机构"),
    ]
    assert InstitutionProfile.objects.count() == 0


def test_institution_import_then_reimport_updates(demo):
    user = demo.user("cz_hrss_operator")
    rows = [
        inst_row(2),
        inst_row(3, name="常州市天宁区职业培训学校", credit_code="52320402MJ5123456B", capacity=None),
    ]
    assert run(InstitutionsImporter, user, rows)[2] == (2, 0)
    rows[0] = inst_row(2, capacity=3500, contact_person="孙老师")
    assert run(InstitutionsImporter, user, rows)[2] == (0, 2)
    assert InstitutionProfile.objects.count() == 2
    profile = InstitutionProfile.objects.get(organisation__name="常州技师学院")
    assert (profile.capacity, profile.contact_person) == (3500, "孙老师")
    assert InstitutionProfile.objects.get(organisation__name="常州市天宁区职业培训学校").capacity == 0


def test_institution_code_taken_in_the_database(demo):
    user = demo.user("cz_hrss_operator")
    run(InstitutionsImporter, user, [inst_row(2)])
    _, errors, _ = run(InstitutionsImporter, user, [inst_row(2, name="常州市天宁区职业培训学校")])
    assert errors == [(2, "统一社会信用代码", "已被“常州技师学院”使用")]
