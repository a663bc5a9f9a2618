"""Subsidy-claim demo: for the assessed 溧阳监狱 class of the assessment demo, 常州技师学院's training-subsidy
claim (附件7/8), submitted and approved by 溧阳监狱 and 常州监狱 (now at 省监狱管理局), and the evaluation
centre's assessment-subsidy claim (附件9/10) as a draft.

Runs after the assessment demo (which provides the class and its certificates). Idempotent.
"""

from django.db import transaction

from skillbridge.accounts.models import User
from skillbridge.certificates.models import Certificate

from . import services
from .models import Claim

CHAIN = [("ly_reviewer", "经核对考勤与证书，同意。"), ("cz_reviewer", "同意，汇总上报。")]


def _user(username: str) -> User:
    return User.objects.select_related("organisation").get(username=username)


@transaction.atomic
def load_demo() -> str:
    if Claim.objects.exists():
        return "补贴申领演示数据已存在"
    certificate = (
        Certificate.objects.filter(
            training_class__isnull=False, status="valid", training_class__unit__name="溧阳监狱"
        )
        .select_related("training_class")
        .first()
    )
    if certificate is None:
        return "跳过：没有已颁发证书的培训班（请先运行鉴定演示数据）"
    training_class = certificate.training_class
    claim = services.claim_create(
        actor=_user("czjs_operator"), kind="training", training_class=training_class
    )
    claim = services.claim_submit(actor=_user("czjs_operator"), claim=claim)
    for username, opinion in CHAIN:
        claim = services.claim_review(actor=_user(username), claim=claim, action="approve", opinion=opinion)
    assessment = services.claim_create(
        actor=_user("cz_eval_operator"), kind="assessment", training_class=training_class
    )
    return (
        f"已创建补贴申领：培训补贴 {claim.accepted_count} 人 {claim.accepted_total} 元（审核中），"
        f"鉴定补贴 {assessment.accepted_count} 人（草稿）"
    )
