from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "skillbridge.assessment"
    label = "assessment"
    verbose_name = "职业技能鉴定"
