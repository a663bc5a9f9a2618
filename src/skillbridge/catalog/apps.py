from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "skillbridge.catalog"
    label = "catalog"
    verbose_name = "目录与机构"
