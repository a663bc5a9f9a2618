from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "skillbridge.training"
    label = "training"
    verbose_name = "办班与培训实施"

    def ready(self) -> None:
        from skillbridge.approvals.documents import register_document_url, register_on_approved
        from skillbridge.imports.registry import register

        from .importers import OnlineMinutesImporter
        from .selectors import review_document_url
        from .services.applications import class_open_on_approval

        register(OnlineMinutesImporter)
        register_document_url("class_application", review_document_url)
        register_on_approved("class_application", class_open_on_approval)
