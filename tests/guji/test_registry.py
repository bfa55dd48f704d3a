"""The registry through which apps plug into the core."""

import pytest

from guji import registry


@pytest.fixture
def parts(monkeypatch):
    monkeypatch.setattr(registry, "_demo", {})
    return registry


def _part(key, **kwargs):
    return registry.DemoPart(key=key, load=dict, **kwargs)


def test_demo_parts_run_after_what_they_build_on_and_before_what_builds_on_them(parts):
    parts.register_demo(_part("grades"))
    parts.register_demo(_part("repairs", after=("census",)))
    parts.register_demo(_part("census", before=("grades",)))

    assert [p.key for p in parts.demo_parts()] == ["census", "grades", "repairs"]


def test_a_cycle_of_demo_parts_is_refused(parts):
    parts.register_demo(_part("a", after=("b",)))
    parts.register_demo(_part("b", before=("a",), after=("a",)))

    with pytest.raises(ValueError, match="cycle"):
        parts.demo_parts()


def test_the_installed_apps_register_their_demo_parts_urls_and_correction_page():
    keys = [p.key for p in registry.demo_parts()]
    assert keys[:2] == ["census", "grades"]
    assert keys.index("grades") < keys.index("protection") < keys.index("supervision")
    assert "environment" in keys
    assert ("census/", "census.urls") in registry.url_includes()
    assert ("environment/", "environment.urls") in registry.url_includes()
