"""Reads: every list starts from the user's scope; the public notice list needs no login but masks names
and ID numbers."""

from django.db.models import QuerySet

from skillbridge.accounts.scope import get_in_scope
from skillbridge.registry.idnumbers import mask_id_number

from .models import Claim, ClaimLine, ClaimStatus


def review_document_url(case) -> str | None:
    from django.urls import reverse

    pk = Claim.objects.filter(review_id=case.pk).values_list("pk", flat=True).first()
    return reverse("subsidies:claim_detail", args=[pk]) if pk else None


def claims_for(
    user, *, kind: str = "", status: str = "", year: int | None = None, q: str = ""
) -> QuerySet[Claim]:
    qs = Claim.objects.for_user(user).select_related("unit", "claimant", "training_class", "review")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    if q:
        qs = qs.filter(claimant_name__icontains=q) | qs.filter(subject_name__icontains=q)
    return qs.order_by("-id")


def claim_get(user, pk: int) -> Claim:
    """One claim through the scope (404 + audited outside it), its status in line with its review case."""
    from .services import claim_sync

    claim = get_in_scope(Claim, user, pk=pk)
    if claim.status == ClaimStatus.IN_REVIEW and claim.review_id:
        claim = claim_sync(claim=claim)
    return Claim.objects.select_related(
        "unit", "claimant", "training_class", "review__current_stage__org"
    ).get(pk=claim.pk)


def claim_lines(claim: Claim) -> QuerySet[ClaimLine]:
    return (
        ClaimLine.objects.filter(claim=claim)
        .select_related(
            "person", "certificate", "occupation", "special_item", "level", "certificate_type", "decided_by"
        )
        .order_by("id")
    )


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧**明: the public notice never shows a full name."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


NOTICE_STATUSES = (ClaimStatus.NOTICE,)


def public_notice_claims() -> QuerySet[Claim]:
    return (
        Claim.objects.filter(status__in=NOTICE_STATUSES)
        .select_related("unit", "claimant")
        .order_by("notice_end", "id")
    )


def public_notice_rows(claim: Claim) -> list[dict]:
    rows = []
    for line in claim_lines(claim).filter(is_active=True):
        rows.append(
            {
                "name": mask_name(line.person.name),
                "id_number": mask_id_number(line.person.id_number),
                "subject": line.subject_name,
                "level": str(line.level) if line.level_id else "",
                "certificate_type": line.certificate_type.name,
                "amount": line.amount,
            }
        )
    return rows
