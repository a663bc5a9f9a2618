from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "skillbridge.approvals"
    label = "approvals"
    verbose_name = "审核流程"
