from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "skillbridge.web"
    label = "web"
    verbose_name = "界面"
