from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "skillbridge.assessment"
    label = "assessment"
    verbose_name = "职业技能鉴定"

    def ready(self) -> None:
        from skillbridge.approvals.documents import register_document_url
        from skillbridge.audit.models import ACTION_LABELS
        from skillbridge.imports.registry import register

        from .importers import ResultsImporter
        from .selectors import review_document_url

        register(ResultsImporter)
        register_document_url("assessment_application", review_document_url)
        ACTION_LABELS.update(
            {
                "assessment.application.create": "新建鉴定申报",
                "assessment.application.update": "修改鉴定申报",
                "assessment.application.delete": "删除鉴定申报",
                "assessment.application.submit": "报送鉴定申报",
                "assessment.results.save": "录入鉴定成绩",
                "assessment.certificates.issue": "鉴定合格颁发证书",
                "catalog.occupation.route": "维护职业评价方式",
            }
        )
