"""Importers by key; each domain registers its own in its AppConfig.ready()."""

from .base import Importer

IMPORTERS: dict[str, type[Importer]] = {}


def register(importer: type[Importer]) -> type[Importer]:
    IMPORTERS[importer.key] = importer
    return importer
