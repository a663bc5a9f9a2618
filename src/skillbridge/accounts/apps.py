from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "skillbridge.accounts"
    label = "accounts"
    verbose_name = "组织与用户"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (registers checks and login audit receivers)
