from django.apps import AppConfig


class EmploymentConfig(AppConfig):
    name = "skillbridge.employment"
    label = "employment"
    verbose_name = "就业服务"
