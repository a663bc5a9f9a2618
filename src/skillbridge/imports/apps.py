from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "skillbridge.imports"
    label = "imports"
    verbose_name = "Excel导入"
