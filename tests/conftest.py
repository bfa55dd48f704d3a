import pytest
from django.test import override_settings


@pytest.fixture(autouse=True)
def _english_free_defaults(settings):
    """Tests see the product as users do: Simplified Chinese first."""
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Users are made by the hundred in tests: PBKDF2 at 0.3 s a password would dominate."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def huey_immediate():
    """Background tasks run as soon as they are queued, as the worker would run them."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False
