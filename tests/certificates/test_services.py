from decimal import Decimal

import pytest

from skillbridge.audit.models import AuditEvent
from skillbridge.catalog.models import CertificateType, SkillLevel
from skillbridge.certificates import codes, services, signing
from skillbridge.certificates.models import Certificate, CertificateEvent, CreditEntry
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.policy.loader import get_pack
from skillbridge.registry.models import Person

from .conftest import ISSUE_DATE, D, issue

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        Certificate.objects.count(),
        CertificateEvent.objects.count(),
        CreditEntry.objects.count(),
        AuditEvent.objects.filter(action__startswith="certificates.").count(),
    )


def test_issue_signs_records_history_credits_and_audit(cz, trainees):
    zhao = trainees[0]
    cert = issue(cz, zhao)
    cert.refresh_from_db()
    assert (cert.status, cert.number_warning, cert.issue_date) == ("valid", "", ISSUE_DATE)
    assert codes.is_well_formed(cert.verification_code) and len(cert.verification_code) == 12
    record = signing.verify_token(signing.qr_token(cert))
    assert record["name"] == "赵*"
    assert record["type"] == "职业技能等级证书"
    assert record["number"] == "S320400000000000000001"
    assert record["issuer"] == "常州市职业技能鉴定指导中心"
    assert record["date"] == "2026-11-28"
    assert list(cert.events.values_list("action", flat=True)) == ["issued"]
    entry = CreditEntry.objects.get(certificate=cert)
    assert (entry.amount, entry.source) == (Decimal("10.00"), "certificate")
    assert entry.rule_version == f"changzhou@{get_pack('changzhou').version}"
    assert (
        AuditEvent.objects.filter(action="certificates.certificate.issue", object_id=str(cert.pk)).count()
        == 1
    )


def test_codes_differ_and_the_level_sets_the_credits(cz, trainees):
    a = issue(cz, trainees[0], number="S320400000000000000001", level=5)
    b = issue(cz, trainees[1], number="S320400000000000000002", level=4)
    assert a.verification_code != b.verification_code
    assert CreditEntry.objects.get(certificate=b).amount == Decimal("15.00")


def test_number_format_is_a_warning_not_a_block(cz, trainees):
    cert = issue(cz, trainees[0], number="JS-2026-0001")
    assert (
        cert.number_warning
        == "证书编号格式与该类证书常见格式（字母S开头，后接17–21位数字）不一致，请核对原证（不影响保存）"
    )
    assert Certificate.objects.filter(official_number="JS-2026-0001").count() == 1


def test_duplicate_number_of_the_same_type_is_a_conflict_naming_the_field(cz, trainees):
    issue(cz, trainees[0])
    before = _snapshot()
    with pytest.raises(Conflict) as caught:
        issue(cz, trainees[1])
    assert caught.value.field == "official_number"
    assert "S320400000000000000001已登记" in caught.value.message
    assert _snapshot() == before
    # The same number on another certificate type is allowed.
    other = issue(cz, trainees[1], type_code="qualification", number="S320400000000000000001")
    assert other.certificate_type_id == "qualification"


def test_only_the_issuing_institutions_operator_may_issue(cz, trainees):
    before = _snapshot()
    for username in ("ly_operator", "czjs_operator", "cz_hrss_reviewer"):
        with pytest.raises(Forbidden):
            issue(cz, trainees[0], actor=username)
    assert _snapshot() == before


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"level": None}, "level"),
        ({"number": "  "}, "official_number"),
        ({"issue_date": D(2099, 1, 1)}, "issue_date"),
        ({"unit": "常州监狱"}, "person"),  # no episode there
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(cz, trainees, overrides, field):
    before = _snapshot()
    with pytest.raises(ServiceError) as caught:
        issue(cz, trainees[0], **overrides)
    assert caught.value.field == field
    assert _snapshot() == before


def test_person_that_does_not_exist(cz, trainees):
    with pytest.raises(ServiceError) as caught:
        issue(cz, Person(pk=999999, name="无此人"))
    assert (caught.value.field, caught.value.message) == ("person", "持证人：人员不存在")


def test_wrong_issuer_type(cz, trainees):
    with pytest.raises(ServiceError) as caught:
        services.certificate_issue(
            actor=cz.user("czjs_operator"),
            person=trainees[0],
            unit=cz.orgs["溧阳监狱"],
            certificate_type=CertificateType.objects.get(code="skill_level"),
            issuer=cz.orgs["常州技师学院"],
            issue_date=ISSUE_DATE,
            official_number="S320400000000000000009",
            level=SkillLevel.objects.get(code=5),
        )
    assert (caught.value.field, caught.value.message) == (
        "issuer",
        "发证机构：职业技能等级证书须由评价机构颁发",
    )


def test_revoke_reverses_credits_and_twice_is_a_conflict(cz, trainees):
    cert = issue(cz, trainees[0])
    op = cz.user("cz_eval_operator")
    with pytest.raises(ServiceError) as caught:
        services.certificate_revoke(actor=op, certificate=cert, reason=" ")
    assert caught.value.field == "reason"
    with pytest.raises(Forbidden):
        services.certificate_revoke(actor=cz.user("ly_operator"), certificate=cert, reason="冒名顶替")
    services.certificate_revoke(actor=op, certificate=cert, reason="考核舞弊，撤销证书")
    cert.refresh_from_db()
    assert (cert.status, cert.status_reason) == ("revoked", "考核舞弊，撤销证书")
    entries = list(
        CreditEntry.objects.filter(person=trainees[0]).order_by("id").values_list("source", "amount")
    )
    assert entries == [("certificate", Decimal("10.00")), ("reversal", Decimal("-10.00"))]
    reversal = CreditEntry.objects.get(source="reversal")
    assert reversal.reverses.certificate_id == cert.pk
    before = _snapshot()
    with pytest.raises(Conflict) as caught:
        services.certificate_revoke(actor=op, certificate=cert, reason="再次撤销")
    assert (caught.value.field, caught.value.message) == ("status", "证书已撤销，不能重复撤销")
    assert _snapshot() == before
    # A revoked number still blocks a new certificate with that number.
    with pytest.raises(Conflict):
        issue(cz, trainees[1])


def test_reissue_supersedes_and_moves_credits(cz, trainees):
    cert = issue(cz, trainees[0])
    op = cz.user("cz_eval_operator")
    new = services.certificate_reissue(
        actor=op, certificate=cert, reason="原证遗失补发", issue_date=D(2026, 12, 1)
    )
    cert.refresh_from_db()
    assert (cert.status, new.status, new.supersedes_id) == ("superseded", "valid", cert.pk)
    assert new.official_number == cert.official_number
    assert new.verification_code != cert.verification_code
    assert list(cert.events.values_list("action", flat=True)) == ["issued", "superseded"]
    total = sum(CreditEntry.objects.filter(person=trainees[0]).values_list("amount", flat=True))
    assert total == Decimal("10.00")
    assert CreditEntry.objects.get(certificate=new).amount == Decimal("10.00")
    with pytest.raises(Conflict):
        services.certificate_reissue(actor=op, certificate=cert, reason="再补")
    with pytest.raises(Conflict):
        services.certificate_revoke(actor=op, certificate=cert, reason="撤旧证")


def test_class_completion_posts_class_hour_credits_once(cz, completed_class):
    entries = CreditEntry.objects.filter(source="class").order_by("person__name")
    # 1000 minutes present = 22 full 课时 × 0.5
    assert sorted(entries.values_list("person__name", "amount")) == [
        ("孙三", Decimal("11.00")),
        ("赵一", Decimal("11.00")),
        ("钱二", Decimal("11.00")),
    ]
    assert {e.rule_version.split("@")[0] for e in entries} == {"changzhou"}
    services.credits_post_for_class(actor=cz.user("ly_operator"), training_class=completed_class)
    assert CreditEntry.objects.filter(source="class").count() == 3
