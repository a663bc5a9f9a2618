"""Every write of the certificates app: issue, revoke, reissue a certificate; the credit ledger.

A certificate is never deleted or edited: revocation sets its status with a reason, a reissue creates
a new record superseding the old one; each step is a `CertificateEvent` and an audit event. Credits are
append-only: a revoked (or superseded) certificate's credits are cancelled by reversing entries.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from skillbridge.accounts.models import Organisation, Role
from skillbridge.accounts.scope import UNIT_TYPES
from skillbridge.audit.services import audit_record
from skillbridge.catalog.models import CertificateType, Occupation, SkillLevel, SpecialAbilityItem
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.policy.loader import get_pack
from skillbridge.registry.models import Episode, Person

from . import codes, credits, signing
from .models import (
    Certificate,
    CertificateEvent,
    CertificateStatus,
    CreditEntry,
    CreditSource,
)
from .numbers import clean_number, number_warning

ISSUER_ROLES = (Role.OPERATOR, Role.UNIT_HEAD)
ORG_TYPE_LABELS = {"evaluation_institution": "评价机构", "training_institution": "培训机构"}


def require_issuer(actor, issuer: Organisation) -> None:
    """Certificates are issued, revoked and reissued by the issuing institution's own staff."""
    if actor is None or actor.organisation_id != issuer.pk or not actor.has_role(*ISSUER_ROLES):
        raise Forbidden(f"只有发证机构{issuer.name}的经办人可以办理证书")


def _fmt(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _clean_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(f"请填写{what}原因", field="reason")
    if len(reason) > 300:
        raise ServiceError(f"{what}原因不能超过300字", field="reason")
    return reason


def _validate(
    *,
    person,
    unit,
    certificate_type,
    issuer,
    issue_date,
    official_number,
    occupation,
    special_item,
    level,
    training_class,
    today: date,
) -> tuple[str, str]:
    """Field checks of a new certificate; returns (official number as printed, format warning)."""
    if not isinstance(certificate_type, CertificateType):
        raise ServiceError("证书类型：请选择证书类型", field="certificate_type")
    if not isinstance(issuer, Organisation) or issuer.org_type != certificate_type.issuer_org_type:
        label = ORG_TYPE_LABELS.get(certificate_type.issuer_org_type, certificate_type.issuer_org_type)
        raise ServiceError(f"发证机构：{certificate_type.name}须由{label}颁发", field="issuer")
    if not isinstance(unit, Organisation) or unit.org_type not in UNIT_TYPES:
        raise ServiceError("单位：须为监狱、戒毒所或社区矫正机构", field="unit")
    if not isinstance(person, Person) or not Person.objects.filter(pk=person.pk).exists():
        raise ServiceError("持证人：人员不存在", field="person")
    if not Episode.objects.filter(person=person, unit=unit).exists():
        raise ServiceError(f"持证人：{person.name}在{unit.name}没有服刑（戒毒、矫正）记录", field="person")
    if not isinstance(issue_date, date):
        raise ServiceError("发证日期：请填写日期", field="issue_date")
    if issue_date > today:
        raise ServiceError(f"发证日期不能晚于今天（{_fmt(today)}）", field="issue_date")
    if occupation is not None and not isinstance(occupation, Occupation):
        raise ServiceError("职业（工种）不存在", field="occupation")
    if occupation is not None and occupation.level != 4:
        raise ServiceError("职业（工种）：须选择职业（细类）", field="occupation")
    if special_item is not None and not isinstance(special_item, SpecialAbilityItem):
        raise ServiceError("专项职业能力不存在", field="special_item")
    if level is not None and not isinstance(level, SkillLevel):
        raise ServiceError("等级不存在", field="level")
    if occupation is not None and special_item is not None:
        raise ServiceError("职业（工种）与专项职业能力只能填写其一", field="occupation")
    if certificate_type.for_special_items and special_item is None:
        raise ServiceError(f"{certificate_type.name}须填写专项职业能力项目", field="special_item")
    if certificate_type.has_levels:
        if occupation is None:
            raise ServiceError(f"{certificate_type.name}须填写职业（工种）", field="occupation")
        if level is None:
            raise ServiceError(f"{certificate_type.name}须填写等级", field="level")
    elif level is not None:
        raise ServiceError(f"{certificate_type.name}不分等级，请不要填写等级", field="level")
    if training_class is not None:
        if training_class.unit_id != unit.pk:
            raise ServiceError("培训班不属于该单位", field="training_class")
        if not training_class.enrolments.filter(person=person).exists():
            raise ServiceError(f"{person.name}不在该培训班名单中", field="training_class")
    number = clean_number(official_number)
    if not number:
        raise ServiceError("证书编号不能为空", field="official_number")
    if len(number) > 64:
        raise ServiceError("证书编号不能超过64个字符", field="official_number")
    return number, number_warning(certificate_type.code, number)


def _check_duplicate(certificate_type: CertificateType, number: str) -> None:
    existing = (
        Certificate.objects.filter(certificate_type=certificate_type, official_number=number)
        .exclude(status=CertificateStatus.SUPERSEDED)
        .first()
    )
    if existing is not None:
        raise Conflict(
            f"证书编号：{certificate_type.name}编号{number}已登记（{existing.get_status_display()}），"
            "同一类证书的编号不能重复",
            field="official_number",
        )


def _new_code() -> str:
    while True:
        code = codes.new_code()
        if not Certificate.objects.filter(verification_code=code).exists():
            return code


def _sign(certificate: Certificate) -> None:
    record = signing.canonical_record(certificate)
    certificate.signed_record = signing.canonical_bytes(record).decode("utf-8")
    certificate.signature = signing.sign_record(record)


def _credit_post(actor, pack, earned, *, person, unit, source, why: str, **link) -> CreditEntry:
    """One ledger entry for `earned` = (amount, note) under the pack's rule version, linked to what earned it
    (`certificate=` or `enrolment=`) and audited as posted."""
    amount, note = earned
    entry = CreditEntry.objects.create(
        person=person,
        unit=unit,
        source=source,
        **link,
        amount=amount,
        rule_version=credits.rule_version(pack),
        note=f"{why}：{note}"[:300],
        created_by=actor,
    )
    audit_record(
        action="certificates.credit.post",
        actor=actor,
        obj=entry,
        changes={"person": person.pk, **{name: obj.pk for name, obj in link.items()}, "amount": amount},
    )
    return entry


def _post_certificate_credits(actor, certificate: Certificate) -> CreditEntry | None:
    pack = get_pack(certificate.unit.policy_pack)
    earned = credits.certificate_credits(
        pack,
        certificate.certificate_type_id,
        certificate.certificate_type.has_levels,
        certificate.level_id,
    )
    if earned is None:
        return None
    return _credit_post(
        actor,
        pack,
        earned,
        person=certificate.person,
        unit=certificate.unit,
        source=CreditSource.CERTIFICATE,
        why=f"取得{certificate.certificate_type.name}",
        certificate=certificate,
    )


def credit_reverse(*, actor, entry: CreditEntry, note: str) -> CreditEntry:
    """Cancel one ledger entry by a linked entry of the opposite amount (the entry itself never changes)."""
    with transaction.atomic():
        entry = CreditEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.source == CreditSource.REVERSAL:
            raise Conflict("冲销记录不能再冲销", field="entry")
        if CreditEntry.objects.filter(reverses=entry).exists():
            raise Conflict("该学分记录已冲销", field="entry")
        reversal = CreditEntry.objects.create(
            person_id=entry.person_id,
            unit_id=entry.unit_id,
            source=CreditSource.REVERSAL,
            enrolment_id=entry.enrolment_id,
            certificate_id=entry.certificate_id,
            amount=-entry.amount,
            rule_version=entry.rule_version,
            reverses=entry,
            note=(note or "")[:300],
            created_by=actor,
        )
        audit_record(
            action="certificates.credit.reverse",
            actor=actor,
            obj=reversal,
            changes={"reverses": entry.pk, "amount": reversal.amount, "note": reversal.note},
        )
        return reversal


def _reverse_certificate_credits(actor, certificate: Certificate, note: str) -> list[CreditEntry]:
    open_entries = certificate.credit_entries.filter(
        source=CreditSource.CERTIFICATE, reversed_by__isnull=True
    ).order_by("id")
    return [credit_reverse(actor=actor, entry=entry, note=note) for entry in open_entries]


def _create(
    *,
    actor,
    person,
    unit,
    certificate_type,
    issuer,
    issue_date,
    number,
    warning,
    occupation,
    special_item,
    level,
    training_class,
    supersedes=None,
) -> Certificate:
    certificate = Certificate(
        person=person,
        unit=unit,
        training_class=training_class,
        certificate_type=certificate_type,
        occupation=occupation,
        special_item=special_item,
        level=level,
        issuer=issuer,
        issue_date=issue_date,
        official_number=number,
        number_warning=warning,
        verification_code=_new_code(),
        supersedes=supersedes,
        issued_by=actor,
    )
    _sign(certificate)
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError as exc:  # a concurrent issue of the same number won the race
        raise Conflict(
            f"证书编号：{certificate_type.name}编号{number}已登记，同一类证书的编号不能重复",
            field="official_number",
        ) from exc
    return certificate


def certificate_issue(
    *,
    actor,
    person,
    unit,
    certificate_type,
    issuer,
    issue_date,
    official_number,
    occupation=None,
    special_item=None,
    level=None,
    training_class=None,
) -> Certificate:
    """Register a certificate as issued by `issuer` (an operator of that institution), sign it, post
    its credits. A number whose format looks unusual is kept with a warning in `number_warning`."""
    if not isinstance(issuer, Organisation):
        raise ServiceError("发证机构：请选择发证机构", field="issuer")
    require_issuer(actor, issuer)
    with transaction.atomic():
        number, warning = _validate(
            person=person,
            unit=unit,
            certificate_type=certificate_type,
            issuer=issuer,
            issue_date=issue_date,
            official_number=official_number,
            occupation=occupation,
            special_item=special_item,
            level=level,
            training_class=training_class,
            today=timezone.localdate(),
        )
        _check_duplicate(certificate_type, number)
        certificate = _create(
            actor=actor,
            person=person,
            unit=unit,
            certificate_type=certificate_type,
            issuer=issuer,
            issue_date=issue_date,
            number=number,
            warning=warning,
            occupation=occupation,
            special_item=special_item,
            level=level,
            training_class=training_class,
        )
        CertificateEvent.objects.create(
            certificate=certificate, action=CertificateEvent.Action.ISSUED, actor=actor
        )
        _post_certificate_credits(actor, certificate)
        audit_record(
            action="certificates.certificate.issue",
            actor=actor,
            obj=certificate,
            changes={
                "person": person.pk,
                "unit": unit.pk,
                "type": certificate_type.code,
                "official_number": number,
                "issue_date": issue_date,
                "warning": warning,
            },
        )
        return certificate


def _lock(certificate: Certificate) -> Certificate:
    return (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("person", "unit", "issuer", "certificate_type", "occupation", "special_item", "level")
        .get(pk=certificate.pk)
    )


def certificate_revoke(*, actor, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a valid certificate (it stays on record with the reason); its credits are reversed."""
    require_issuer(actor, certificate.issuer)
    with transaction.atomic():
        certificate = _lock(certificate)
        if certificate.status == CertificateStatus.REVOKED:
            raise Conflict("证书已撤销，不能重复撤销", field="status")
        if certificate.status == CertificateStatus.SUPERSEDED:
            raise Conflict("证书已被换发，请对换发后的新证书办理", field="status")
        reason = _clean_reason(reason, "撤销")
        certificate.status, certificate.status_reason = CertificateStatus.REVOKED, reason
        certificate.save(update_fields=["status", "status_reason"])
        CertificateEvent.objects.create(
            certificate=certificate, action=CertificateEvent.Action.REVOKED, reason=reason, actor=actor
        )
        _reverse_certificate_credits(actor, certificate, f"证书撤销：{reason}")
        audit_record(
            action="certificates.certificate.revoke",
            actor=actor,
            obj=certificate,
            changes={"status": CertificateStatus.REVOKED, "reason": reason},
        )
        return certificate


def certificate_reissue(
    *, actor, certificate: Certificate, reason: str, official_number=None, issue_date=None
) -> Certificate:
    """Replace a valid certificate (lost, damaged, corrected): the old record becomes superseded and a new
    one, with a new verification code and signature, supersedes it. Number and date default to the old
    number and today. The old certificate's credits move to the new one (reversal + new entry)."""
    require_issuer(actor, certificate.issuer)
    with transaction.atomic():
        old = _lock(certificate)
        if old.status == CertificateStatus.REVOKED:
            raise Conflict("证书已撤销，不能换发", field="status")
        if old.status == CertificateStatus.SUPERSEDED:
            raise Conflict("证书已被换发，请对换发后的新证书办理", field="status")
        reason = _clean_reason(reason, "换发")
        today = timezone.localdate()
        issue_date = issue_date or today
        number_given = official_number if official_number not in (None, "") else old.official_number
        old.status, old.status_reason = CertificateStatus.SUPERSEDED, reason
        old.save(update_fields=["status", "status_reason"])
        number, warning = _validate(
            person=old.person,
            unit=old.unit,
            certificate_type=old.certificate_type,
            issuer=old.issuer,
            issue_date=issue_date,
            official_number=number_given,
            occupation=old.occupation,
            special_item=old.special_item,
            level=old.level,
            training_class=old.training_class,
            today=today,
        )
        if issue_date < old.issue_date:
            raise ServiceError(f"换发日期不能早于原发证日期{_fmt(old.issue_date)}", field="issue_date")
        _check_duplicate(old.certificate_type, number)
        new = _create(
            actor=actor,
            person=old.person,
            unit=old.unit,
            certificate_type=old.certificate_type,
            issuer=old.issuer,
            issue_date=issue_date,
            number=number,
            warning=warning,
            occupation=old.occupation,
            special_item=old.special_item,
            level=old.level,
            training_class=old.training_class,
            supersedes=old,
        )
        CertificateEvent.objects.create(
            certificate=old, action=CertificateEvent.Action.SUPERSEDED, reason=reason, actor=actor
        )
        CertificateEvent.objects.create(
            certificate=new, action=CertificateEvent.Action.ISSUED, reason=f"换发：{reason}", actor=actor
        )
        _reverse_certificate_credits(actor, old, f"证书换发：{reason}")
        _post_certificate_credits(actor, new)
        audit_record(
            action="certificates.certificate.reissue",
            actor=actor,
            obj=new,
            changes={
                "supersedes": old.pk,
                "reason": reason,
                "official_number": number,
                "issue_date": issue_date,
            },
        )
        return new


def credits_post_for_class(*, actor, training_class) -> list[CreditEntry]:
    """Class-hour credits for each completed trainee of a completed class; idempotent (an enrolment
    that already has an unreversed class entry is skipped). Called when the class is completed."""
    from skillbridge.training.models import ClassStatus, EnrolmentStatus

    if training_class.status != ClassStatus.COMPLETED:
        return []
    pack = get_pack(training_class.unit.policy_pack)
    posted = []
    with transaction.atomic():
        enrolments = training_class.enrolments.filter(status=EnrolmentStatus.COMPLETED).select_related(
            "person"
        )
        for enrolment in enrolments:
            if CreditEntry.objects.filter(
                enrolment=enrolment, source=CreditSource.CLASS, reversed_by__isnull=True
            ).exists():
                continue
            earned = credits.class_credits(
                pack, enrolment.classroom_minutes, enrolment.online_credited_minutes
            )
            if earned is None:
                continue
            posted.append(
                _credit_post(
                    actor,
                    pack,
                    earned,
                    person=enrolment.person,
                    unit=training_class.unit,
                    source=CreditSource.CLASS,
                    why="培训结业",
                    enrolment=enrolment,
                )
            )
    return posted
