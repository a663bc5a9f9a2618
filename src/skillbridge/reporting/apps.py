from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "skillbridge.reporting"
    label = "reporting"
    verbose_name = "统计与报表"
