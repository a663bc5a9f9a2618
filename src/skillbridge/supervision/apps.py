from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "skillbridge.supervision"
    label = "supervision"
    verbose_name = "监督检查与信用评价"
