"""Importers by key; each domain registers its own in its AppConfig.ready()."""

from skillbridge.errors import NotFound

from .base import Importer

IMPORTERS: dict[str, type[Importer]] = {}


def register(importer: type[Importer]) -> type[Importer]:
    IMPORTERS[importer.key] = importer
    return importer


def get_importer(key: str) -> type[Importer]:
    """The importer registered under `key`; `NotFound` (a Chinese message) if there is none."""
    try:
        return IMPORTERS[key]
    except KeyError:
        raise NotFound(f"导入类型“{key}”不存在", field="importer_key") from None
