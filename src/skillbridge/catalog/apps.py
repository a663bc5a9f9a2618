from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "skillbridge.catalog"
    label = "catalog"
    verbose_name = "目录与机构"

    def ready(self):
        from skillbridge.imports.registry import register

        from .importers import InstitutionsImporter, StandardsImporter

        register(StandardsImporter)
        register(InstitutionsImporter)
