import pytest

from skillbridge.catalog import services
from skillbridge.catalog.models import ApprovedOccupation, DishonestyRecord, InstitutionProfile
from skillbridge.catalog.validators import credit_code_check_char, credit_code_problem
from skillbridge.errors import Conflict, Forbidden, ServiceError

from .conftest import D, level, occ

pytestmark = pytest.mark.django_db

BANK = "1105020109000123456"


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y43", "123204004662870540", "52320402MJ5123456B", "12320400466001234T"],
)
def test_valid_credit_codes(code):
    assert credit_code_problem(code) is None


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91350100M000100Y44", "统一社会信用代码校验位不正确"),
        ("123204004662870541", "统一社会信用代码校验位不正确"),
        ("91350100M000100Y4", "统一社会信用代码须为18位，当前为17位"),
        ("91350100M000100YI3", "统一社会信用代码含有不允许的字符：I"),
        ("9135A100M000100Y43", "统一社会信用代码第3至8位须为登记管理机关行政区划码（数字）"),
    ],
)
def test_invalid_credit_codes(code, problem):
    assert credit_code_problem(code) == problem


def test_check_character_example():
    # GB 32100-2015 example: the check character of 91350100M000100Y4 is 3.
    assert credit_code_check_char("91350100M000100Y4") == "3"


def test_demo_profiles(cz):
    profile = InstitutionProfile.objects.get(organisation__name="常州技师学院")
    assert (profile.credit_code, profile.bank_account, profile.capacity) == ("123204004662870540", BANK, 3000)
    assert InstitutionProfile.objects.count() == 3


def test_profile_save_rules_and_permissions(cz):
    czjs = cz.orgs["常州技师学院"]
    with pytest.raises(ServiceError, match="校验位不正确"):
        services.institution_profile_save(
            actor=cz.user("czjs_operator"), institution=czjs, credit_code="123204004662870541"
        )
    with pytest.raises(Conflict, match="已被其他机构使用"):
        services.institution_profile_save(
            actor=cz.user("czjs_operator"), institution=czjs, credit_code="52320402MJ5123456B"
        )
    for username in ("tn_operator", "hf_hrss", "cz_justice_reviewer", "ly_operator"):
        with pytest.raises(Forbidden):
            services.institution_profile_save(actor=cz.user(username), institution=czjs, capacity=1)
    assert InstitutionProfile.objects.get(organisation=czjs).capacity == 3000
    services.institution_profile_save(actor=cz.user("czjs_operator"), institution=czjs, capacity=3500)
    services.institution_profile_save(
        actor=cz.user("cz_hrss_operator"), institution=czjs, contact_person="孙老师"
    )
    profile = InstitutionProfile.objects.get(organisation=czjs)
    assert (profile.capacity, profile.contact_person) == (3500, "孙老师")
    with pytest.raises(ServiceError, match="只有培训机构、评价机构"):
        services.institution_profile_save(actor=None, institution=cz.orgs["常州监狱"], credit_code="x")


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("czjs_operator", True),
        ("cz_hrss_operator", True),
        ("cz_justice_reviewer", True),
        ("cz_finance_reviewer", True),
        ("tn_operator", False),
        ("ly_operator", False),
        ("hf_hrss", False),
        ("js_bureau_reviewer", False),
    ],
)
def test_bank_account_only_for_the_institution_and_its_city_bureaus(client, cz, username, sees):
    czjs = cz.orgs["常州技师学院"]
    client.force_login(cz.user(username))
    page = client.get(f"/catalog/institutions/{czjs.pk}/").content.decode()
    assert "123204004662870540" in page  # the directory itself is public
    assert (BANK in page) is sees
    assert ("仅机构本身及所在市人社、司法、财政部门可见" in page) is not sees
    body = client.get(f"/api/v1/catalog/institutions/{czjs.pk}").json()
    assert body["credit_code"] == "123204004662870540"
    assert body["bank_account"] == (BANK if sees else None)
    listed = client.get("/api/v1/catalog/institutions", {"q": "技师"}).json()["items"]
    assert [(i["name"], i["bank_account"]) for i in listed] == [("常州技师学院", BANK if sees else None)]


def test_institution_list_api_without_profile(client, demo):
    client.force_login(demo.user("ly_operator"))
    body = client.get("/api/v1/catalog/institutions").json()
    assert body["count"] == 3
    assert {(i["name"], i["credit_code"]) for i in body["items"]} == {
        ("常州技师学院", None),
        ("常州市天宁区职业培训学校", None),
        ("常州市职业技能鉴定指导中心", None),
    }


def test_profile_edit_page(client, cz):
    czjs = cz.orgs["常州技师学院"]
    client.force_login(cz.user("tn_operator"))
    assert client.get(f"/catalog/institutions/{czjs.pk}/edit/").status_code == 403
    client.force_login(cz.user("czjs_operator"))
    form = client.get(f"/catalog/institutions/{czjs.pk}/edit/").content.decode()
    assert "123204004662870540" in form
    data = {f: getattr(InstitutionProfile.objects.get(organisation=czjs), f) for f in services.PROFILE_FIELDS}
    response = client.post(
        f"/catalog/institutions/{czjs.pk}/edit/", {**data, "credit_code": "123204004662870541"}
    )
    assert "统一社会信用代码校验位不正确" in response.content.decode()
    response = client.post(
        f"/catalog/institutions/{czjs.pk}/edit/", {**data, "address": "常州市武进区新地址1号"}
    )
    assert response.status_code == 302
    assert InstitutionProfile.objects.get(organisation=czjs).address == "常州市武进区新地址1号"
    assert client.get("/catalog/institutions/999999/").status_code == 404
    # A prison is not an institution: not in the directory.
    assert client.get(f"/catalog/institutions/{cz.orgs['常州监狱'].pk}/").status_code == 404


def test_approved_occupations_and_dishonesty(client, cz):
    czjs = cz.orgs["常州技师学院"]
    with pytest.raises(Forbidden):
        services.approved_occupation_set(
            actor=cz.user("czjs_operator"), institution=czjs, occupation=occ("6-31-01-03"), levels=[level(5)]
        )
    services.approved_occupation_set(
        actor=cz.user("cz_hrss_operator"),
        institution=czjs,
        occupation=occ("6-31-01-03"),
        levels=[level(5), level(4)],
    )
    services.approved_occupation_set(
        actor=cz.user("cz_hrss_operator"), institution=czjs, occupation=occ("6-31-01-03"), levels=[level(3)]
    )
    entry = ApprovedOccupation.objects.get()
    assert list(entry.levels.values_list("code", flat=True)) == [3]

    with pytest.raises(Forbidden):
        services.dishonesty_record_create(
            actor=cz.user("cz_finance_reviewer"),
            institution=czjs,
            source="x",
            recorded_on=D(2026, 1, 1),
            description="x",
        )
    client.force_login(cz.user("cz_hrss_reviewer"))
    response = client.post(
        f"/catalog/institutions/{czjs.pk}/dishonesty/new/",
        {
            "source": "市教育局处罚",
            "recorded_on": "2026-03-01",
            "until": "2026-02-01",
            "description": "虚假宣传",
        },
    )
    assert "有效期至不能早于认定日期" in response.content.decode()
    client.post(
        f"/catalog/institutions/{czjs.pk}/dishonesty/new/",
        {"source": "市教育局处罚", "recorded_on": "2026-03-01", "description": "虚假宣传"},
    )
    record = DishonestyRecord.objects.get()
    assert (record.until, record.recorded_by_org.name) == (None, "常州市人力资源和社会保障局")
    client.force_login(cz.user("ly_operator"))
    assert "虚假宣传" in client.get("/catalog/dishonesty/").content.decode()
    body = client.get(f"/api/v1/catalog/institutions/{czjs.pk}").json()
    assert body["approved_occupations"] == [
        {"occupation_code": "6-31-01-03", "occupation_name": "电工", "special_item_name": None, "levels": [3]}
    ]
    assert body["dishonesty_records"] == [
        {"source": "市教育局处罚", "recorded_on": "2026-03-01", "until": None, "description": "虚假宣传"}
    ]
