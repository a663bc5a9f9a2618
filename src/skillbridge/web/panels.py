"""Panels that domain apps add to the home page (e.g. the certification-before-release rate).

An app registers a callable in its ``AppConfig.ready``; the callable receives the request and returns
rendered HTML, or ``None`` when it has nothing for this user. The web app thus imports no domain app.
"""

from collections.abc import Callable

from django.http import HttpRequest

_PANELS: list[Callable[[HttpRequest], str | None]] = []


def register_home_panel(render: Callable[[HttpRequest], str | None]) -> None:
    if render not in _PANELS:
        _PANELS.append(render)


def home_panels(request: HttpRequest) -> list[str]:
    return [html for render in _PANELS if (html := render(request))]
