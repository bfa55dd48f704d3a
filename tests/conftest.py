import pytest
from django.test import override_settings

from tests.environment import standins

standins.install()  # stand-ins for environment.loggers/metrics until the parser branch lands


@pytest.fixture(autouse=True)
def _english_free_defaults(settings):
    """Tests see the product as users do: Simplified Chinese first."""
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Users are made by the hundred in tests: PBKDF2 at 0.3 s a password would dominate."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield
