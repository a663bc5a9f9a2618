from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "skillbridge.subsidies"
    label = "subsidies"
    verbose_name = "补贴申领"

    def ready(self) -> None:
        from skillbridge.approvals.documents import register_document_url, register_on_approved
        from skillbridge.audit.models import ACTION_LABELS

        from .selectors import review_document_url
        from .services import claim_notice_open_on_approval

        for doc_type in ("training_claim", "assessment_claim"):
            register_document_url(doc_type, review_document_url)
            register_on_approved(doc_type, claim_notice_open_on_approval)
        ACTION_LABELS.update(
            {
                "subsidies.claim.create": "创建补贴申领",
                "subsidies.claim.recheck": "重新核查申领明细",
                "subsidies.claim.submit": "报送补贴申领",
                "subsidies.claim.withdraw": "撤回补贴申领",
                "subsidies.line.amount": "修改申领明细金额",
                "subsidies.line.decide": "审核申领明细",
                "subsidies.notice.open": "补贴申领公示开始",
                "subsidies.notice.dates": "调整公示日期",
                "subsidies.notice.close": "补贴申领公示结束",
                "subsidies.objection.record": "登记公示异议",
                "subsidies.objection.resolve": "处理公示异议",
                "subsidies.claim.disburse": "拨付补贴资金",
                "subsidies.claim.pay": "支付培训（鉴定）机构",
            }
        )
