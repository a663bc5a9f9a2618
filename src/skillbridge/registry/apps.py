from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "skillbridge.registry"
    label = "registry"
    verbose_name = "实名制人员"

    def ready(self) -> None:
        from skillbridge.imports.registry import register

        from .importers import PeopleImporter

        register(PeopleImporter)
