import pytest


@pytest.fixture(autouse=True)
def _english_free_defaults(settings):
    """Tests see the product as users do: Simplified Chinese first."""
    settings.LANGUAGE_CODE = "zh-hans"
