from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "skillbridge.planning"
    label = "planning"
    verbose_name = "年度计划与合作协议"

    def ready(self) -> None:
        from skillbridge.approvals.documents import register_document_url, register_stage_deadline

        from .selectors import review_document_url, stage_deadline

        for doc_type in ("annual_plan", "plan_adjustment"):
            register_document_url(doc_type, review_document_url)
        register_stage_deadline("annual_plan", stage_deadline)
