from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "skillbridge.funds"
    label = "funds"
    verbose_name = "专项资金"

    def ready(self) -> None:
        from skillbridge.audit.models import ACTION_LABELS
        from skillbridge.web.panels import register_home_panel

        from .views import prepayment_panel

        register_home_panel(prepayment_panel)

        ACTION_LABELS.update(
            {
                "funds.entry.receipt": "专账资金到账",
                "funds.entry.prepayment": "专账预拨资金到账",
                "funds.entry.payment": "专账支付",
                "funds.entry.advance": "专账项目制先行拨付",
                "funds.entry.refund": "专账退回/收回",
                "funds.entry.settlement": "专账年度清算",
                "funds.budget.prepare": "测算年度培训资金预算",
                "funds.budget.funds_received": "登记市财政局收到资金",
                "funds.budget.prepay": "按计划预拨培训资金",
                "funds.budget.settle": "年度培训资金清算",
            }
        )
