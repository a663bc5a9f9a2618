"""Where the document behind a review case lives: each app registers a URL builder for its doc types."""

from collections.abc import Callable

from .models import ReviewCase

_URL_BUILDERS: dict[str, Callable[[ReviewCase], str | None]] = {}


def register_document_url(doc_type: str, build: Callable[[ReviewCase], str | None]) -> None:
    """Called from an AppConfig.ready(): `build(case)` returns the document page's URL (or None)."""
    _URL_BUILDERS[doc_type] = build


def document_url(case: ReviewCase) -> str | None:
    build = _URL_BUILDERS.get(case.doc_type)
    return build(case) if build else None
