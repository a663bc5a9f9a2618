from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "skillbridge.planning"
    label = "planning"
    verbose_name = "年度计划与合作协议"
