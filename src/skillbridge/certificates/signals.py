"""Class-hour credits when a class is completed (training's `class_complete` saves the class with status
completed inside its own transaction; the credits and their audit events join that transaction)."""


def class_completed(sender, instance, created=False, **kwargs) -> None:
    from skillbridge.training.models import ClassStatus

    from .services import credits_post_for_class

    if created or instance.status != ClassStatus.COMPLETED or instance.completed_by_id is None:
        return
    credits_post_for_class(actor=instance.completed_by, training_class=instance)
