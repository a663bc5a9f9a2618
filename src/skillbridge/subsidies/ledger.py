"""The claim's money movements in the unit's special account (专账), through the funds app's services:
the finance disbursement is a receipt, the payment on to the institution a payment. Both are keyed by
(source_type="subsidies.claim", source_id=claim id), which the funds app keeps unique per account."""

from skillbridge.funds import services as funds

from .models import Claim, ClaimKind

SOURCE_TYPE = "subsidies.claim"
CATEGORY = {ClaimKind.TRAINING: "training_subsidy", ClaimKind.ASSESSMENT: "assessment_subsidy"}


def receipt(*, actor, claim: Claim):
    return funds.receipt_record(
        actor=actor,
        unit=claim.unit,
        amount=claim.disbursed_amount,
        received_on=claim.disbursed_on,
        voucher_no=claim.voucher_no,
        source_type=SOURCE_TYPE,
        source_id=claim.pk,
        note=f"{claim.get_kind_display()}拨付：{claim.claimant_name} {claim.subject_name}"[:300],
    )


def payment(*, actor, claim: Claim):
    return funds.payment_record(
        actor=actor,
        unit=claim.unit,
        payee=claim.claimant,
        amount=claim.paid_amount,
        paid_on=claim.paid_on,
        category=CATEGORY[claim.kind],
        source_type=SOURCE_TYPE,
        source_id=claim.pk,
        note=f"支付{claim.claimant_name}{claim.get_kind_display()}（{claim.subject_name}）"[:300],
    )
