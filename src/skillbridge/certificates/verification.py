"""Public verification (证书查验, no login): by verification code (what the QR code opens) or by name and
certificate number together.

- Anything not found — a mistyped or forged code, a name that does not match the number, a person who
  has no certificate — gets the same neutral answer, so the page cannot be used to probe whether
  someone exists.
- A signed QR payload (`p`) that does not verify, or does not belong to the code, is refused without
  showing anything of the certificate.
- Every check is logged (`VerificationCheck`: time, IP, method, the code or number asked — never the
  name); the log is also the per-IP rate limit.
- What is shown: masked name, type, occupation or item, level, issuer (the institution, never the
  prison), date and status.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import codes, signing
from .models import Certificate, CertificateStatus, VerificationCheck

NOT_FOUND = "未查到匹配的证书。请核对查验码，或同时核对持证人姓名与证书编号。"
RATE_LIMITED = "查验过于频繁，请稍后再试。"
BAD_PAYLOAD = "二维码内容无效（签名校验未通过，可能被篡改），请改用查验码或姓名加证书编号查验。"
DEFAULT_LIMIT = (20, 600)  # checks per IP per seconds


def limit() -> tuple[int, int]:
    """(checks, seconds): ``settings.CERTIFICATE_VERIFY_LIMIT`` if set, else 20 per 10 minutes."""
    return tuple(getattr(settings, "CERTIFICATE_VERIFY_LIMIT", DEFAULT_LIMIT))


@dataclass(frozen=True)
class PublicCertificate:
    """Only what the public page may show."""

    name: str
    type_name: str
    subject: str
    level: str
    issuer: str
    issue_date: object
    status: str
    status_display: str
    note: str = ""


@dataclass
class VerificationResult:
    outcome: str
    message: str = ""
    certificates: list[PublicCertificate] = field(default_factory=list)
    signature_valid: bool | None = None  # None: no QR payload was given

    @property
    def found(self) -> bool:
        return self.outcome == VerificationCheck.Outcome.FOUND


def public_view(certificate: Certificate) -> PublicCertificate:
    note = ""
    if certificate.status == CertificateStatus.SUPERSEDED:
        note = "本证书已换发新证，原证书作废"
    elif certificate.status == CertificateStatus.REVOKED:
        note = "本证书已被发证机构撤销"
    subject = ""
    if certificate.occupation_id:
        subject = certificate.occupation.name
    elif certificate.special_item_id:
        subject = certificate.special_item.name
    return PublicCertificate(
        name=signing.mask_name(certificate.person.name),
        type_name=certificate.certificate_type.name,
        subject=subject,
        level=str(certificate.level) if certificate.level_id else "",
        issuer=certificate.issuer.name,
        issue_date=certificate.issue_date,
        status=certificate.status,
        status_display=certificate.get_status_display(),
        note=note,
    )


def _queryset():
    return Certificate.objects.select_related(
        "person", "issuer", "certificate_type", "occupation", "special_item", "level"
    )


def _rate_limited(ip: str | None) -> bool:
    count, seconds = limit()
    since = timezone.now() - timedelta(seconds=seconds)
    return VerificationCheck.objects.filter(ip=ip, at__gte=since).count() >= count


def _log(*, ip, method, query, outcome, certificate=None, user_agent="") -> None:
    with transaction.atomic():
        VerificationCheck.objects.create(
            ip=ip,
            method=method,
            query=(query or "")[:80],
            outcome=outcome,
            certificate=certificate,
            user_agent=(user_agent or "")[:200],
        )


Outcome = VerificationCheck.Outcome
# What the page says for each logged outcome: a malformed query gets the same answer as one not found.
_ANSWERS = {
    Outcome.RATE_LIMITED: (Outcome.RATE_LIMITED, RATE_LIMITED),
    Outcome.MALFORMED: (Outcome.NOT_FOUND, NOT_FOUND),
    Outcome.BAD_SIGNATURE: (Outcome.BAD_SIGNATURE, BAD_PAYLOAD),
    Outcome.NOT_FOUND: (Outcome.NOT_FOUND, NOT_FOUND),
    Outcome.FOUND: (Outcome.FOUND, ""),
}


def _verify(method, query, *, well_formed, lookup, ip, user_agent) -> VerificationResult:
    """Rate limit, shape, then `lookup()` -> (certificates, signature_valid); every way out logged once."""

    def answer(outcome, found=(), signature_valid=None):
        certificate = found[0] if found else None
        _log(
            ip=ip, method=method, query=query, outcome=outcome, certificate=certificate, user_agent=user_agent
        )
        shown, message = _ANSWERS[outcome]
        return VerificationResult(shown, message, [public_view(c) for c in found], signature_valid)

    if _rate_limited(ip):
        return answer(Outcome.RATE_LIMITED)
    if not well_formed:
        return answer(Outcome.MALFORMED)
    found, signature_valid = lookup()
    if signature_valid is False:
        return answer(Outcome.BAD_SIGNATURE, signature_valid=False)
    if not found:
        return answer(Outcome.NOT_FOUND)
    return answer(Outcome.FOUND, found, signature_valid)


def verify_code(code: str, *, ip: str | None, payload: str = "", user_agent: str = "") -> VerificationResult:
    code = codes.normalise(code)

    def lookup():
        certificate = _queryset().filter(verification_code=code).first()
        found = [certificate] if certificate else []
        if not payload:
            return found, None
        try:
            record = signing.verify_token(payload)
        except signing.PayloadInvalid:
            record = None
        return found, bool(
            record
            and certificate is not None
            and record.get("code") == code
            and signing.canonical_bytes(record).decode("utf-8") == certificate.signed_record
        )

    return _verify(
        VerificationCheck.Method.CODE,
        code,
        well_formed=codes.is_well_formed(code),
        lookup=lookup,
        ip=ip,
        user_agent=user_agent,
    )


def verify_name_number(name: str, number: str, *, ip: str | None, user_agent: str = "") -> VerificationResult:
    """Both must match; the name is compared exactly (spaces trimmed) and never stored in the log."""
    name, number = (name or "").strip(), (number or "").strip()

    def lookup():
        found = _queryset().filter(official_number=number, person__name=name).order_by("-issue_date", "-id")
        return list(found), None

    return _verify(
        VerificationCheck.Method.NAME_NUMBER,
        number,
        well_formed=bool(name and number and len(number) <= 64 and len(name) <= 50),
        lookup=lookup,
        ip=ip,
        user_agent=user_agent,
    )
