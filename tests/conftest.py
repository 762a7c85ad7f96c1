import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from rest_framework.test import APIClient

from tests import factories

# Passwords are hashed with a fast hasher in the tests: the production hasher (PBKDF2, a million
# rounds) costs most of a second per password set or checked, and users are made by the hundred. The
# production hashers stay listed after it, so a hash they made still verifies; what the tests assert of
# passwords (set, checked, changed, reset) does not depend on the algorithm.
override_settings(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher", *django_settings.PASSWORD_HASHERS]
).enable()


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests (concurrency) are skipped on SQLite, where they would prove nothing."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: set DATABASE_URL (make test does with TEST_POSTGRES_URL)"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_cache_and_mail(settings, tmp_path):
    """Each test starts with an empty cache (throttles) and outbox, and its own media folders."""
    from django.core.cache import cache

    cache.clear()
    mail.outbox = []
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def _staff(role: str, *, personal_data: bool = False):
    user = factories.UserFactory(email=f"{role}@staff.example.com")
    user.groups.add(Group.objects.get(name=role))
    if personal_data:
        user.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    return user


@pytest.fixture
def marketing_user(db):
    return _staff("marketing")


@pytest.fixture
def marketing_user_with_personal_data(db):
    return _staff("marketing", personal_data=True)


@pytest.fixture
def logistics_user(db):
    return _staff("logistics")


@pytest.fixture
def admin_user_role(db):
    return _staff("admin")


@pytest.fixture
def marketing_client(marketing_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(marketing_user)
    return client


@pytest.fixture
def logistics_client(logistics_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(logistics_user)
    return client


@pytest.fixture
def wsgi_keeps_test_connection():
    """Tests that call the WSGI application itself (the schema fuzzer) keep the test's connection.

    Its request signals would close the database connection after each call; PostgreSQL really closes
    it, and the test's transaction with it. Django's own test client disconnects them the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
