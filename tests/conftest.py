"""Test configuration: the only place settings differ from production."""

import pytest


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is the production hasher (tested in tests/accounts); MD5 keeps fixtures fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_name_cache():
    # Each test starts from its own data (SQLite reuses the ids of rolled-back rows): no names from the last one.
    from skillbridge.reporting.namecache import names

    names.clear()


def _ensure_reference_catalogues():
    """Transactional tests (live server) flush the database, data migrations included: put the
    catalogue reference data (occupations, levels, certificate types, certification routes) back as the
    migrations load it."""
    from importlib import import_module

    from django.apps import apps

    from skillbridge.catalog.models import Occupation

    if not Occupation.objects.exists():
        import_module("skillbridge.catalog.migrations.0002_seed_catalogues").load(apps, None)
        import_module("skillbridge.catalog.migrations.0003_occupation_national_certificate_type").seed(
            apps, None
        )


class DemoSetUp:
    """The demo's Changzhou and Anhui organisations and accounts, by name and username."""

    def __init__(self):
        from skillbridge.accounts.models import Organisation, User
        from skillbridge.demo import load_demo

        _ensure_reference_catalogues()
        load_demo()
        # As if every demo user had already set their own password (forced change is tested apart).
        User.objects.update(must_change_password=False)
        self.orgs = {o.name: o for o in Organisation.objects.all()}
        self.users = {u.username: u for u in User.objects.select_related("organisation")}

    def user(self, username):
        # A fresh instance, so cached roles never leak between steps of a test.
        from skillbridge.accounts.models import User

        return User.objects.select_related("organisation").get(username=username)


@pytest.fixture
def demo(db):
    return DemoSetUp()
