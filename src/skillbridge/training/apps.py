from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "skillbridge.training"
    label = "training"
    verbose_name = "办班与培训实施"
