import json
from decimal import Decimal

import pytest

from skillbridge.audit.models import AuditEvent
from skillbridge.catalog import services
from skillbridge.catalog.models import ShortageOccupation, SubsidyStandard
from skillbridge.catalog.selectors import standard_for
from skillbridge.errors import Conflict, Forbidden, ServiceError

from .conftest import D, cert, level, occ

pytestmark = pytest.mark.django_db


def welder_l3(demo, amount="2000"):
    return services.standard_create(
        actor=demo.user("cz_hrss_operator"),
        region_code="320400",
        year=2026,
        occupation=occ("6-18-02-04"),
        level=level(3),
        certificate_type=cert("skill_level"),
        amount=amount,
    )


def test_create_then_lookup(demo):
    standard = welder_l3(demo)
    assert (standard.amount, standard.valid_from, standard.valid_to) == (
        Decimal("2000.00"),
        D(2026, 1, 1),
        None,
    )
    assert standard.maintained_by.name == "常州市人力资源和社会保障局"
    # Any region code of the city finds the city's standard (a prison in 新北区 320411).
    found = standard_for("320411", D(2026, 5, 1), occ("6-18-02-04"), 3, "skill_level")
    assert found.pk == standard.pk
    assert standard_for("320400", D(2026, 5, 1), occ("6-18-02-04"), 4, "skill_level") is None
    assert standard_for("320400", D(2027, 1, 1), occ("6-18-02-04"), 3, "skill_level") is None
    assert standard_for("340100", D(2026, 5, 1), occ("6-18-02-04"), 3, "skill_level") is None
    event = AuditEvent.objects.filter(action="catalog.standard.create").latest("id")
    assert event.object_id == str(standard.pk)


def test_change_keeps_history_and_lookup_follows_the_date(demo):
    old = welder_l3(demo)
    new = services.standard_change(
        actor=demo.user("cz_hrss_reviewer"), standard=old, amount="2200.50", effective_on=D(2026, 7, 1)
    )
    old.refresh_from_db()
    assert (old.amount, old.valid_from, old.valid_to) == (Decimal("2000.00"), D(2026, 1, 1), D(2026, 6, 30))
    assert (new.amount, new.valid_from, new.valid_to, new.previous_id) == (
        Decimal("2200.50"),
        D(2026, 7, 1),
        None,
        old.pk,
    )
    assert SubsidyStandard.objects.filter(key=old.key, region_code="320400", year=2026).count() == 2

    def amount_on(day):
        return standard_for("320400", day, occ("6-18-02-04"), level(3), cert("skill_level")).amount

    assert amount_on(D(2026, 6, 30)) == Decimal("2000.00")
    assert amount_on(D(2026, 7, 1)) == Decimal("2200.50")
    assert amount_on(D(2026, 7, 2)) == Decimal("2200.50")


def test_change_rules(demo):
    old = welder_l3(demo)
    actor = demo.user("cz_hrss_operator")
    with pytest.raises(ServiceError, match="调整生效日期须晚于原标准生效日期"):
        services.standard_change(actor=actor, standard=old, amount="1", effective_on=D(2026, 1, 1))
    with pytest.raises(ServiceError, match="生效日期须在2026年度内"):
        services.standard_change(actor=actor, standard=old, amount="1", effective_on=D(2027, 1, 1))
    with pytest.raises(ServiceError, match="金额相同"):
        services.standard_change(actor=actor, standard=old, amount="2000", effective_on=D(2026, 3, 1))
    services.standard_change(actor=actor, standard=old, amount="2100", effective_on=D(2026, 3, 1))
    with pytest.raises(Conflict, match="已被调整"):
        services.standard_change(actor=actor, standard=old, amount="2300", effective_on=D(2026, 4, 1))
    with pytest.raises(Conflict, match="已有补贴标准"):
        welder_l3(demo, amount="100")


def test_subject_rules(demo):
    actor = demo.user("cz_hrss_operator")
    base = {"actor": actor, "region_code": "320400", "year": 2026, "amount": "100"}
    with pytest.raises(ServiceError, match="职业技能等级证书须填写等级"):
        services.standard_create(**base, occupation=occ("6-18-02-04"), certificate_type=cert("skill_level"))
    with pytest.raises(ServiceError, match="培训合格证书不分等级"):
        services.standard_create(
            **base, occupation=occ("6-18-02-04"), level=level(5), certificate_type=cert("training")
        )
    with pytest.raises(ServiceError, match="小类编码"):
        services.standard_create(
            **base, occupation=occ("6-31-01-00"), level=level(5), certificate_type=cert("skill_level")
        )
    with pytest.raises(ServiceError, match="最多保留两位小数"):
        services.standard_create(
            **{**base, "amount": "1.005"},
            occupation=occ("6-18-02-04"),
            level=level(5),
            certificate_type=cert("skill_level"),
        )


@pytest.mark.parametrize("username", ["hf_hrss", "ly_operator", "cz_justice_reviewer", "czjs_operator"])
def test_only_the_city_hrss_writes_standards(demo, username):
    old = welder_l3(demo)
    before = list(SubsidyStandard.objects.values_list("pk", "amount", "valid_to"))
    with pytest.raises(Forbidden, match="只有本市市人力资源和社会保障局可以执行此操作"):
        services.standard_change(
            actor=demo.user(username), standard=old, amount="9999", effective_on=D(2026, 8, 1)
        )
    with pytest.raises(Forbidden):
        services.standard_create(
            actor=demo.user(username),
            region_code="320400",
            year=2026,
            occupation=occ("6-18-02-04"),
            level=level(4),
            certificate_type=cert("skill_level"),
            amount="1",
        )
    assert list(SubsidyStandard.objects.values_list("pk", "amount", "valid_to")) == before


def test_hefei_hrss_cannot_write_changzhou_even_for_its_own_name(demo):
    with pytest.raises(Forbidden):
        services.shortage_add(
            actor=demo.user("hf_hrss"), region_code="320400", year=2026, occupation=occ("6-18-02-04")
        )
    # …but maintains its own city.
    services.shortage_add(
        actor=demo.user("hf_hrss"), region_code="340100", year=2026, occupation=occ("6-18-02-04")
    )
    assert list(ShortageOccupation.objects.values_list("region_code", flat=True)) == ["340100"]


def test_web_change_by_hrss_and_403_for_others(client, demo):
    old = welder_l3(demo)
    client.force_login(demo.user("ly_operator"))
    page = client.get(f"/catalog/standards/{old.pk}/").content.decode()
    assert "调整标准" not in page and "2000.00" in page
    response = client.post(f"/catalog/standards/{old.pk}/", {"amount": "1", "effective_on": "2026-08-01"})
    assert response.status_code == 403
    assert client.get("/catalog/standards/new/").status_code == 403
    assert SubsidyStandard.objects.count() == 1
    assert AuditEvent.objects.filter(outcome="denied", action="request.denied").count() == 2
    assert client.get("/catalog/standards/999999/").status_code == 404

    client.force_login(demo.user("cz_hrss_operator"))
    response = client.post(
        f"/catalog/standards/{old.pk}/",
        {"amount": "2500", "effective_on": "2026-09-01", "note": "市文件调整"},
    )
    new = SubsidyStandard.objects.get(valid_to__isnull=True)
    assert response.status_code == 302 and response["Location"] == f"/catalog/standards/{new.pk}/"
    assert (new.amount, new.valid_from, new.note) == (Decimal("2500.00"), D(2026, 9, 1), "市文件调整")
    page = client.get(f"/catalog/standards/{new.pk}/").content.decode()
    assert "2026-08-31" in page and "2000.00" in page and "2500.00" in page


def test_web_create_form_shows_service_errors(client, demo):
    client.force_login(demo.user("cz_hrss_operator"))
    response = client.post(
        "/catalog/standards/new/",
        {"year": "2026", "occupation": "6-18-02-04", "certificate_type": "skill_level", "amount": "100"},
    )
    assert response.status_code == 200
    assert "职业技能等级证书须填写等级" in response.content.decode()
    response = client.post(
        "/catalog/standards/new/",
        {"year": "2026", "occupation": "9-99-99-99", "certificate_type": "skill_level", "amount": "100"},
    )
    assert "职业编码“9-99-99-99”不在国家职业分类大典（2022）中" in response.content.decode()
    assert SubsidyStandard.objects.count() == 0


def test_api_create_change_and_filter(client, demo):
    client.force_login(demo.user("cz_hrss_operator"))
    payload = {
        "year": 2026,
        "occupation_code": "6-18-02-04",
        "level": 3,
        "certificate_type": "skill_level",
        "amount": "2000",
    }
    response = client.post("/api/v1/catalog/standards", json.dumps(payload), content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["region_code"], created["amount"], created["occupation_code"], created["level"]) == (
        "320400",
        "2000.00",
        "6-18-02-04",
        3,
    )
    change = {"amount": "2100", "effective_on": "2026-05-01"}
    response = client.post(
        f"/api/v1/catalog/standards/{created['id']}/change",
        json.dumps(change),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["previous_id"] == created["id"]
    current = client.get("/api/v1/catalog/standards", {"year": 2026}).json()
    assert [(i["amount"], i["valid_from"]) for i in current["items"]] == [("2100.00", "2026-05-01")]
    on_april = client.get("/api/v1/catalog/standards", {"on": "2026-04-30"}).json()
    assert [i["amount"] for i in on_april["items"]] == ["2000.00"]
    history = client.get(f"/api/v1/catalog/standards/{created['id']}/history").json()
    assert [(i["amount"], i["valid_to"]) for i in history] == [("2000.00", "2026-04-30"), ("2100.00", None)]


def test_api_write_forbidden_for_other_city(client, demo):
    old = welder_l3(demo)
    client.force_login(demo.user("hf_hrss"))
    response = client.post(
        f"/api/v1/catalog/standards/{old.pk}/change",
        json.dumps({"amount": "1", "effective_on": "2026-05-01"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert list(SubsidyStandard.objects.values_list("amount", "valid_to")) == [(Decimal("2000.00"), None)]
    # The API always writes for the caller's own city: Hefei's standard lands in 340100.
    payload = {
        "year": 2026,
        "occupation_code": "6-18-02-04",
        "level": 3,
        "certificate_type": "skill_level",
        "amount": "10",
    }
    response = client.post("/api/v1/catalog/standards", json.dumps(payload), content_type="application/json")
    assert response.json()["region_code"] == "340100"


def test_shortage_page(client, demo):
    client.force_login(demo.user("cz_hrss_operator"))
    response = client.post(
        "/catalog/shortage/", {"year": "2026", "occupation": "6-18-02-04", "note": "制造业紧缺"}
    )
    assert response.status_code == 302
    entry = ShortageOccupation.objects.get()
    assert (entry.region_code, entry.year, entry.occupation.code) == ("320400", 2026, "6-18-02-04")
    client.force_login(demo.user("ly_operator"))
    assert "焊工" in client.get("/catalog/shortage/").content.decode()
    assert client.post(f"/catalog/shortage/{entry.pk}/remove/").status_code == 403
    assert ShortageOccupation.objects.count() == 1


def test_special_item_and_its_standard(client, demo):
    client.force_login(demo.user("cz_hrss_operator"))
    response = client.post(
        "/catalog/items/", {"code": "CZ-ZX-01", "name": "中式面点制作", "occupation": "4-03-02-02"}
    )
    assert response.status_code == 302
    from skillbridge.catalog.models import SpecialAbilityItem

    item = SpecialAbilityItem.objects.get()
    assert (item.region_code, item.occupation.code, item.maintained_by.name) == (
        "320400",
        "4-03-02-02",
        "常州市人力资源和社会保障局",
    )
    standard = services.standard_create(
        actor=demo.user("cz_hrss_operator"),
        region_code="320400",
        year=2026,
        special_item=item,
        certificate_type=cert("special_ability"),
        amount="500",
    )
    assert standard_for("320402", D(2026, 3, 1), item, None, "special_ability").pk == standard.pk
    client.force_login(demo.user("ly_operator"))
    assert client.post("/catalog/items/", {"code": "X", "name": "X"}).status_code == 403
    assert SpecialAbilityItem.objects.count() == 1
