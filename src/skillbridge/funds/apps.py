from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "skillbridge.funds"
    label = "funds"
    verbose_name = "专项资金"
