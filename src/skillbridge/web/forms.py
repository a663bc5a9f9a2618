"""Form helpers shared by every app's pages."""

from skillbridge.errors import ServiceError


def form_error(form, exc: ServiceError) -> None:
    """Show a service's refusal on the form it came from: on the field it names (else above the form), then
    each further problem it lists in `details` the same way."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    for detail in exc.details[1:]:
        form.add_error(detail.get("field") if detail.get("field") in form.fields else None, detail["message"])
