"""Certificates demo: 职业技能等级证书 issued by 常州市职业技能鉴定指导中心 to people of 溧阳监狱 and 常州监狱.

- For each unit, the people due for training released in the past year or to be released in the coming one
  (relative to today, as the registry demo's dates are, so the counts do not depend on the day of the
  year): about four in five of those
  already released got a certificate one to three months before release (so the home-page
  certification-before-release panel shows a realistic rate below or near the 90% target), and one in
  three of those still to be released already has one.
- Trainees who completed a class of the training demo (if any class is completed) get their certificate
  linked to that class.
- One certificate is revoked (with its credits reversed) to show the history.

Runs after the platform, catalogue, registry and training demos. Idempotent: certificate numbers are
derived from the inmate number, and a number already there is skipped.
"""

from datetime import timedelta

from django.utils import timezone

from skillbridge.accounts.models import Organisation, User
from skillbridge.catalog.models import CertificateType, Occupation, SkillLevel
from skillbridge.policy.loader import get_pack
from skillbridge.registry.models import Episode

from . import services
from .models import Certificate, CertificateStatus
from .selectors import _due_for_training

ISSUER, ACTOR = "常州市职业技能鉴定指导中心", "cz_eval_operator"
UNITS = ("溧阳监狱", "常州监狱")
OCCUPATIONS = ("6-31-01-03", "6-18-02-04")  # 电工, 焊工


def _number(episode: Episode) -> str:
    digits = "".join(ch for ch in episode.inmate_number if ch.isdigit())[-10:]
    return f"S3204{episode.unit_id % 100:02d}{timezone.localdate().year}{digits.zfill(10)}"


def load_demo(*, today=None) -> dict[str, int]:
    today = today or timezone.localdate()
    issuer = Organisation.objects.filter(name=ISSUER).first()
    actor = User.objects.select_related("organisation").filter(username=ACTOR).first()
    if issuer is None or actor is None:
        return {"issued": 0, "skipped": 0, "revoked": 0}
    cert_type = CertificateType.objects.get(code="skill_level")
    level = SkillLevel.objects.get(code=5)
    occupations = [Occupation.objects.get(code=code) for code in OCCUPATIONS]
    totals = {"issued": 0, "skipped": 0, "revoked": 0}
    first_issued = None
    for unit in Organisation.objects.filter(name__in=UNITS).order_by("name"):
        pack = get_pack(unit.policy_pack)
        episodes = [
            e
            for e in Episode.objects.filter(
                unit=unit,
                expected_release_date__gte=today - timedelta(days=365),
                expected_release_date__lte=today + timedelta(days=365),
            )
            .exclude(status="transferred")
            .select_related("person")
            .order_by("expected_release_date", "inmate_number")
            if _due_for_training(e, pack)
        ]
        for i, episode in enumerate(episodes):
            released = episode.expected_release_date <= today
            if (released and i % 5 == 4) or (not released and i % 3 != 0):
                continue  # no certificate (yet)
            number = _number(episode)
            if Certificate.objects.filter(certificate_type=cert_type, official_number=number).exists():
                totals["skipped"] += 1
                continue
            issue_date = min(episode.expected_release_date - timedelta(days=30 + 30 * (i % 3)), today)
            if issue_date < episode.term_start:
                continue
            enrolment = (
                episode.person.enrolments.filter(status="completed", training_class__unit=unit)
                .select_related("training_class")
                .first()
                if hasattr(episode.person, "enrolments")
                else None
            )
            cert = services.certificate_issue(
                actor=actor,
                person=episode.person,
                unit=unit,
                certificate_type=cert_type,
                issuer=issuer,
                issue_date=issue_date,
                official_number=number,
                occupation=occupations[i % 2],
                level=level,
                training_class=enrolment.training_class if enrolment else None,
            )
            totals["issued"] += 1
            first_issued = first_issued or cert
    if first_issued is not None and not Certificate.objects.filter(status=CertificateStatus.REVOKED).exists():
        services.certificate_revoke(
            actor=actor, certificate=first_issued, reason="演示：考核材料不实，撤销证书"
        )
        totals["revoked"] += 1
    return totals
