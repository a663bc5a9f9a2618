"""Reads of the assessment app; every read starts from the user's scope."""

from django.db.models import QuerySet

from skillbridge.training.models import ClassStatus, TrainingClass

from .models import AssessmentApplication, AssessmentResult, Outcome


def applications(user) -> QuerySet[AssessmentApplication]:
    return AssessmentApplication.objects.for_user(user).select_related(
        "unit",
        "examiner",
        "occupation",
        "special_item",
        "level",
        "certificate_type",
        "review",
        "training_class__application",
        "training_class__institution",
    )


def completed_classes(user) -> QuerySet[TrainingClass]:
    """Classes of the user's own unit that have ended (candidates for an assessment application)."""
    return (
        TrainingClass.objects.for_user(user)
        .filter(unit=user.organisation_id, status=ClassStatus.COMPLETED)
        .select_related("application__occupation", "application__special_item", "application__level", "unit")
        .order_by("-date_to", "-id")
    )


def stage_opinions(application: AssessmentApplication) -> list:
    """The stages of the latest submission round, in order (the 附件6 opinion boxes)."""
    if not application.review_id:
        return []
    case = application.review
    return list(case.stages.filter(round=case.round).select_related("org", "reviewer").order_by("index"))


def results(application: AssessmentApplication) -> QuerySet[AssessmentResult]:
    return application.results.select_related("person", "enrolment__episode", "certificate").order_by(
        "enrolment_id"
    )


def result_counts(application: AssessmentApplication) -> dict[str, int]:
    rows = list(application.results.values_list("outcome", "certificate_id"))
    return {
        "total": len(rows),
        "passed": sum(1 for o, _ in rows if o == Outcome.PASSED),
        "failed": sum(1 for o, _ in rows if o == Outcome.FAILED),
        "absent": sum(1 for o, _ in rows if o == Outcome.ABSENT),
        "certified": sum(1 for _, c in rows if c),
    }


def review_document_url(case) -> str | None:
    from django.urls import reverse

    pk = AssessmentApplication.objects.filter(review_id=case.pk).values_list("pk", flat=True).first()
    return reverse("assessment:application_detail", args=[pk]) if pk else None
