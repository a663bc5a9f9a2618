from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "skillbridge.supervision"
    label = "supervision"
    verbose_name = "监督检查与信用评价"

    def ready(self) -> None:
        from skillbridge.audit.models import ACTION_LABELS
        from skillbridge.subsidies.services import register_on_claim_submitted

        from .services import scan_claim_on_submit

        register_on_claim_submitted(scan_claim_on_submit)

        ACTION_LABELS.update(
            {
                "supervision.scan.request": "发起风险扫描",
                "supervision.scan.run": "完成风险扫描",
                "supervision.finding.assign": "分派风险问题",
                "supervision.finding.answer": "答复风险问题",
                "supervision.finding.return": "退回风险问题答复",
                "supervision.finding.close": "办结风险问题",
                "supervision.inspection.plan": "制定督查计划",
                "supervision.inspection.visit": "记录督查检查情况",
                "supervision.inspection.report": "报告整改情况",
                "supervision.inspection.follow_up": "督查整改复查",
                "supervision.notice.issue": "发布通报",
                "supervision.rating.compute": "评定机构信用等级",
                "supervision.rating.revoke": "依信用等级撤销定点",
            }
        )
        from skillbridge.web.panels import register_home_panel

        from .views import home_panel

        register_home_panel(home_panel)
