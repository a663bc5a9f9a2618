from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "skillbridge.registry"
    label = "registry"
    verbose_name = "实名制人员"
