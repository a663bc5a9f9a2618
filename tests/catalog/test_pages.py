import io

import pytest
from python_calamine import CalamineWorkbook

pytestmark = pytest.mark.django_db


def sheet_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return book.get_sheet_by_index(0).to_python()


LIST_PAGES = [
    ("/catalog/", "目录与机构"),
    ("/catalog/occupations/", "国家职业分类（2022）"),
    ("/catalog/levels/", "职业技能等级证书"),
    ("/catalog/items/", "专项职业能力"),
    ("/catalog/standards/", "补贴职业目录与补贴标准（320400）"),
    ("/catalog/shortage/", "紧缺职业目录（320400）"),
    ("/catalog/institutions/", "常州技师学院"),
    ("/catalog/dishonesty/", "暂无失信记录"),
    ("/catalog/designation/calls/", "关于征集2026—2027年度常州市特殊人群职业技能定点培训机构的公告"),
    ("/catalog/designations/", "常州市天宁区职业培训学校"),
]


@pytest.mark.parametrize(("url", "text"), LIST_PAGES)
def test_list_pages_render_for_a_prison_user(client, cz, url, text):
    client.force_login(cz.user("ly_operator"))
    response = client.get(url)
    assert response.status_code == 200
    assert text in response.content.decode()


def test_hrss_sees_management_links(client, cz):
    client.force_login(cz.user("cz_hrss_operator"))
    assert "新增补贴标准" in client.get("/catalog/standards/").content.decode()
    assert "加入紧缺职业目录" in client.get("/catalog/shortage/").content.decode()
    client.force_login(cz.user("ly_operator"))
    assert "新增补贴标准" not in client.get("/catalog/standards/").content.decode()


def test_standards_export(client, cz):
    client.force_login(cz.user("ly_operator"))
    rows = sheet_rows(client.get("/catalog/standards/", {"q": "电工", "export": "xlsx"}))
    assert rows[0] == [
        "地区",
        "年度",
        "职业/项目编码",
        "名称",
        "等级",
        "证书类型",
        "补贴标准（元）",
        "生效日期",
        "失效日期",
        "备注",
    ]
    assert [r[2:7] for r in rows[1:]] == [
        ["6-31-01-03", "电工", "五级/初级工", "职业技能等级证书", 1200.0],
        ["6-31-01-03", "电工", "四级/中级工", "职业技能等级证书", 1600.0],
        ["6-31-01-03", "电工", "", "特种作业操作证书", 600.0],
    ]


@pytest.mark.parametrize(
    ("url", "params", "header", "rows"),
    [
        ("/catalog/occupations/", {"q": "焊工"}, "职业编码", 2),
        ("/catalog/items/", {}, "项目编码", 0),
        ("/catalog/shortage/", {}, "地区", 0),
        ("/catalog/institutions/", {}, "机构名称", 3),
        ("/catalog/dishonesty/", {}, "机构", 0),
        ("/catalog/designation/calls/", {}, "标题", 1),
        ("/catalog/designations/", {}, "机构", 2),
    ],
)
def test_every_list_exports(client, cz, url, params, header, rows):
    client.force_login(cz.user("ly_operator"))
    data = sheet_rows(client.get(url, {**params, "export": "xlsx"}))
    assert data[0][0] == header
    assert len(data) == rows + 1


def test_reference_exports(client, cz):
    client.force_login(cz.user("ly_operator"))
    levels = sheet_rows(client.get("/catalog/levels/", {"export": "levels"}))
    assert levels[1] == [5.0, "五级", "初级工"]
    certs = sheet_rows(client.get("/catalog/levels/", {"export": "certificate_types"}))
    assert certs[6] == ["training", "培训合格证书", "培训机构颁发", "否"]


def test_institution_export_hides_bank_accounts_from_other_units(client, cz):
    client.force_login(cz.user("ly_operator"))
    rows = sheet_rows(client.get("/catalog/institutions/", {"export": "xlsx", "q": "技师"}))
    assert rows[1][0] == "常州技师学院" and rows[1][9] == ""
    client.force_login(cz.user("cz_finance_reviewer"))
    rows = sheet_rows(client.get("/catalog/institutions/", {"export": "xlsx", "q": "技师"}))
    assert rows[1][9] == "1105020109000123456"


def test_demo_is_idempotent(cz):
    from skillbridge.catalog.demo import load_demo
    from skillbridge.catalog.models import Designation, DesignationCall, InstitutionProfile, SubsidyStandard

    counts = [m.objects.count() for m in (SubsidyStandard, InstitutionProfile, DesignationCall, Designation)]
    load_demo()
    assert [
        m.objects.count() for m in (SubsidyStandard, InstitutionProfile, DesignationCall, Designation)
    ] == counts
    assert counts == [17, 3, 1, 2]


def test_openapi_lists_the_catalog_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/catalog/occupations",
        "/api/v1/catalog/levels",
        "/api/v1/catalog/certificate-types",
        "/api/v1/catalog/standards",
        "/api/v1/catalog/standards/{standard_id}/change",
        "/api/v1/catalog/institutions",
        "/api/v1/catalog/designations",
        "/api/v1/catalog/designation-applications/{application_id}/decide",
    } <= set(paths)
