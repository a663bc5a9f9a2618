"""Test configuration: the only place settings differ from production."""

import pytest


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is the production hasher (tested in tests/accounts); MD5 keeps fixtures fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class DemoSetUp:
    """The demo's Changzhou and Anhui organisations and accounts, by name and username."""

    def __init__(self):
        from skillbridge.accounts.models import Organisation, User
        from skillbridge.demo import load_demo

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
