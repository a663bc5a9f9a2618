"""Loaded with `-p` (pyproject addopts) before pytest-django reads the settings: test-only environment."""

import os

os.environ.setdefault("SKILLBRIDGE_SECRET_KEY", "test-only-secret-key-not-for-production-use-000000000")
os.environ.setdefault("SKILLBRIDGE_DATA_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test"))
# Serve static files from the app folders (no collectstatic manifest in tests).
os.environ.setdefault("SKILLBRIDGE_STATIC_FROM_APPS", "1")
