from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "skillbridge.policy"
    label = "policy"
    verbose_name = "政策包"

    def ready(self) -> None:
        # A malformed pack must stop start-up, not surface later in the middle of a review.
        from .loader import load_all

        load_all()
