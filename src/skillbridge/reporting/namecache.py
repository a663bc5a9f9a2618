"""Display names on the dashboards (occupations, special items, levels, institutions, cities), cached per process.

They rarely change, and the dashboards show rolled-up figures up to ``services.ROLLUP_MAX_AGE`` old anyway: reading
each name once per ``MAX_AGE`` spares every dashboard its name lookups (a third of the time of a small one). Saving
or deleting an organisation or a catalogue entry in this process clears the cache (``apps.ready``); other
processes see the change within ``MAX_AGE``. Frozen reports (the live path) read the names afresh."""

import threading
from collections.abc import Callable, Iterable
from time import monotonic

MAX_AGE = 300.0  # seconds: under services.ROLLUP_MAX_AGE


class NameCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self, **_signal) -> None:
        self._names: dict[str, dict] = {}
        self._expires = monotonic() + MAX_AGE

    def get(
        self, wanted: dict[str, Iterable], read: Callable[[dict[str, list]], dict[str, dict]]
    ) -> dict[str, dict]:
        """kind → {key: name} holding (at least) the names of ``wanted`` (kind → keys) that exist; ``read`` is
        called once with the keys not cached yet (kind → sorted keys) and returns their names."""
        with self._lock:
            if monotonic() >= self._expires:
                self.clear()
            names = self._names
            missing = {kind: sorted(set(keys) - names.get(kind, {}).keys()) for kind, keys in wanted.items()}
            missing = {kind: keys for kind, keys in missing.items() if keys}
            if missing:
                for kind, found in read(missing).items():
                    names.setdefault(kind, {}).update(found)
            return {kind: names.get(kind, {}) for kind in wanted}


names = NameCache()
