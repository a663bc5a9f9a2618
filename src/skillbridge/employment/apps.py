from django.apps import AppConfig


class EmploymentConfig(AppConfig):
    name = "skillbridge.employment"
    label = "employment"
    verbose_name = "就业服务"

    def ready(self) -> None:
        from skillbridge.audit.models import ACTION_LABELS

        ACTION_LABELS.update(
            {
                "employment.profile.create": "建立就业档案",
                "employment.profile.update": "修改就业档案",
                "employment.handover.create": "移交公共就业服务机构",
                "employment.handover.received": "接收移交人员",
                "employment.handover.in_service": "开始就业服务",
                "employment.handover.closed": "结束（撤回）移交",
                "employment.event.create": "登记就业服务活动",
                "employment.event.attendance": "登记活动参加人员",
                "employment.agreement.create": "签订个性化就业帮扶协议",
                "employment.agreement.status": "变更帮扶协议状态",
                "employment.follow_up.record": "登记就业回访",
            }
        )
