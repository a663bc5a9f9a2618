from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from tests.registry.conftest import make_person

from skillbridge.certificates import selectors, services, signing
from skillbridge.certificates.models import Certificate, VerificationCheck

from .conftest import D, issue

pytestmark = pytest.mark.django_db
RELEASE = D(2026, 6, 30)
TODAY = D(2026, 11, 30)


# ---- the rule: day before / day of / day after release -------------------------------------------------


@pytest.mark.parametrize(
    "issued, counts", [(D(2026, 6, 29), True), (D(2026, 6, 30), True), (D(2026, 7, 1), False)]
)
def test_rule_boundaries(issued, counts):
    assert selectors.certified_before_release([issued], D(2020, 1, 1), RELEASE) is counts


def test_rule_ignores_certificates_from_before_the_episode():
    assert selectors.certified_before_release([D(2019, 12, 31)], D(2020, 1, 1), RELEASE) is False
    assert selectors.certified_before_release([D(2020, 1, 1)], D(2020, 1, 1), RELEASE) is True


@pytest.fixture
def released(cz):
    unit = cz.orgs["溧阳监狱"]
    people = {
        name: make_person(unit, name=name, release=RELEASE, number=f"R{i:04d}")
        for i, name in enumerate(["前一日", "当日", "后一日", "无证"], start=1)
    }
    people["待释放"] = make_person(unit, name="待释放", release=D(2026, 12, 20), number="R0100")
    people["有技能"] = make_person(unit, name="有技能", release=RELEASE, number="R0101", has_skill=True)
    for n, (name, day) in enumerate(
        [("前一日", D(2026, 6, 29)), ("当日", D(2026, 6, 30)), ("后一日", D(2026, 7, 1))], start=1
    ):
        issue(cz, people[name], number=f"S32040000000000000010{n}", issue_date=day)
    return people


def test_unit_figures_and_missing_list(cz, released):
    figures = selectors.release_figures(
        cz.user("ly_operator"),
        unit=cz.orgs["溧阳监狱"],
        date_from=D(2026, 1, 1),
        date_to=D(2026, 12, 31),
        today=TODAY,
    )
    # 有技能 is not due for training; 4 released, 2 certified by the release day.
    assert [(r.person.name, r.certified) for r in figures.released] == [
        ("前一日", True),
        ("后一日", False),
        ("当日", True),
        ("无证", False),
    ]
    assert (figures.released_count, figures.certified_count, figures.rate) == (4, 2, Decimal("0.5000"))
    assert figures.target == Decimal("0.90") and figures.meets_target is False
    assert [(r.person.name, r.days_left) for r in figures.missing_upcoming] == [("待释放", 20)]
    # A revoked certificate no longer counts.
    cert = Certificate.objects.get(person=released["当日"])
    services.certificate_revoke(actor=cz.user("cz_eval_operator"), certificate=cert, reason="撤销")
    figures = selectors.release_figures(
        cz.user("ly_operator"),
        unit=cz.orgs["溧阳监狱"],
        date_from=D(2026, 1, 1),
        date_to=D(2026, 12, 31),
        today=TODAY,
    )
    assert figures.certified_count == 1


def test_home_panel_and_page(cz, released):
    client = Client()
    client.force_login(cz.user("ly_operator"))
    home = client.get("/").content.decode()
    assert "年刑释前获证率" in home
    page = client.get("/certificates/before-release/").content.decode()
    assert "刑释前获证率" in page and "待释放" in page
    bureau = Client()
    bureau.force_login(cz.user("cz_eval_operator"))
    assert "年刑释前获证率" not in bureau.get("/").content.decode()


def test_figures_api_and_scope(cz, released):
    client = Client()
    client.force_login(cz.user("ly_operator"))
    unit = cz.orgs["溧阳监狱"].pk
    body = client.get(
        f"/api/v1/certificates/before-release?unit_id={unit}&date_from=2026-01-01&date_to=2026-12-31"
    ).json()
    assert (body["released"], body["certified_before_release"]) == (4, 2)
    assert [r["name"] for r in body["missing_released"]] == ["后一日", "无证"]
    other = Client()
    other.force_login(cz.user("cz_operator"))
    assert other.get(f"/api/v1/certificates/before-release?unit_id={unit}").status_code == 404


# ---- API ----------------------------------------------------------------------------------------------


def test_api_issue_revoke_reissue_and_scope(cz, trainees):
    client = Client()
    client.force_login(cz.user("cz_eval_operator"))
    payload = {
        "person_id": trainees[0].pk,
        "unit_id": cz.orgs["溧阳监狱"].pk,
        "certificate_type": "skill_level",
        "issuer_id": cz.orgs["常州市职业技能鉴定指导中心"].pk,
        "issue_date": "2026-11-28",
        "official_number": "S320400000000000000001",
        "occupation_id": __import__("skillbridge.catalog.models", fromlist=["Occupation"])
        .Occupation.objects.get(code="6-31-01-03")
        .pk,
        "level": 5,
    }
    created = client.post("/api/v1/certificates/certificates", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["credits"][0]["amount"] == "10.00"
    duplicate = client.post("/api/v1/certificates/certificates", payload, content_type="application/json")
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "official_number"
    assert Certificate.objects.count() == 1
    listing = client.get("/api/v1/certificates/certificates").json()
    assert listing["count"] == 1 and listing["items"][0]["person_id_number"] == trainees[0].masked_id_number
    # Out of scope: another prison, another province, the training institution.
    for username in ("cz_operator", "ah_prison_operator", "czjs_operator"):
        other = Client()
        other.force_login(cz.user(username))
        assert other.get("/api/v1/certificates/certificates").json()["count"] == 0
        assert other.get(f"/api/v1/certificates/certificates/{pk}").status_code == 404
        assert other.get(f"/api/v1/certificates/archive/{trainees[0].pk}").status_code == 404
        response = other.post(
            f"/api/v1/certificates/certificates/{pk}/revoke", {"reason": "x"}, content_type="application/json"
        )
        assert response.status_code == 404
    assert Certificate.objects.get(pk=pk).status == "valid"
    new = client.post(
        f"/api/v1/certificates/certificates/{pk}/reissue",
        {"reason": "遗失补发"},
        content_type="application/json",
    )
    assert new.status_code == 201 and new.json()["supersedes_id"] == pk
    new_pk = new.json()["id"]
    revoked = client.post(
        f"/api/v1/certificates/certificates/{new_pk}/revoke",
        {"reason": "舞弊"},
        content_type="application/json",
    )
    assert revoked.json()["status"] == "revoked"
    again = client.post(
        f"/api/v1/certificates/certificates/{new_pk}/revoke",
        {"reason": "舞弊"},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["field"] == "status"
    archive = Client()
    archive.force_login(cz.user("ly_operator"))
    body = archive.get(f"/api/v1/certificates/archive/{trainees[0].pk}").json()
    assert [c["status"] for c in body["certificates"]] == ["superseded", "revoked"]
    assert body["credit_total"] == "0.00"


def test_api_public_verify_without_auth(cz, trainees, settings):
    cert = issue(cz, trainees[0])
    client = Client()
    ok = client.post(
        "/api/v1/certificates/verify", {"code": cert.verification_code}, content_type="application/json"
    )
    assert ok.status_code == 200
    body = ok.json()
    assert body["found"] is True and body["certificates"][0]["name"] == "赵*"
    assert body["certificates"][0]["issuer"] == "常州市职业技能鉴定指导中心"
    assert "溧阳监狱" not in ok.content.decode()
    missing = client.post(
        "/api/v1/certificates/verify", {"code": "XXXX"}, content_type="application/json"
    ).json()
    assert (missing["found"], missing["outcome"], missing["certificates"]) == (False, "not_found", [])
    settings.CERTIFICATE_VERIFY_LIMIT = (2, 600)
    limited = client.post(
        "/api/v1/certificates/verify", {"code": cert.verification_code}, content_type="application/json"
    )
    assert limited.status_code == 429 and limited.json()["certificates"] == []
    assert VerificationCheck.objects.count() == 3


# ---- offline verification command ----------------------------------------------------------------------


def test_command_verifies_a_scanned_url(cz, trainees, capsys, tmp_path):
    cert = issue(cz, trainees[0])
    url = f"https://example.org/certificates/verify/{cert.verification_code}/?p={signing.qr_token(cert)}"
    key_file = tmp_path / "public.pem"
    key_file.write_text(signing.public_key_pem())
    call_command("verify_certificate", url, "--public-key", str(key_file))
    out = capsys.readouterr().out
    assert "核验通过：签名有效" in out
    assert "持证人（已遮蔽）：赵*" in out and "证书编号：S320400000000000000001" in out
    assert "发证机构：常州市职业技能鉴定指导中心" in out


def test_command_rejects_a_tampered_payload(cz, trainees):
    cert = issue(cz, trainees[0])
    token = signing.qr_token(cert)
    record, signature = token.split(".")
    tampered = record[:-4] + ("AAAA" if record[-4:] != "AAAA" else "BBBB") + "." + signature
    for payload in (
        tampered,
        f"https://example.org/certificates/verify/{cert.verification_code}/",
        "nonsense",
    ):
        with pytest.raises(CommandError) as caught:
            call_command("verify_certificate", payload)
        assert str(caught.value).startswith("核验失败：二维码内容无效")
