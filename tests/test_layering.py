"""The layering: the core (guji) names no app; no app reaches into another app's private names.

Apps plug into the core through guji.registry (see docs/ARCHITECTURE.md). These tests read the
source with ast, so they hold for code that is never run in a test too.
"""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CORE = "guji"
# Every first-party app: a top-level package with an apps.py.
APPS = sorted(p.parent.name for p in ROOT.glob("*/apps.py"))
OTHERS = [a for a in APPS if a != CORE]
# Project configuration may list the apps: that is what it is for.
CONFIGURATION = {ROOT / "guji" / "settings.py"}


def _sources(app: str) -> list[Path]:
    return sorted(
        p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts and p.is_file()
    )


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, imported names) for each import in the file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module, [alias.name for alias in node.names]))
    return out


def _app_of(module: str) -> str:
    return module.split(".")[0]


def test_the_apps_are_found():
    assert CORE in APPS and "census" in OTHERS


def test_the_core_imports_no_other_app():
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _sources(CORE)
        for line, module, _names in _imports(path)
        if _app_of(module) in OTHERS
    ]
    assert not found


def test_the_core_names_no_other_apps_module_url_or_template():
    """No ``"census.urls"``, ``"census:holding_correction"`` or ``"census/x.html"`` in guji."""
    pattern = re.compile(rf"^({'|'.join(OTHERS)})[.:/]")
    found = []
    for path in _sources(CORE):
        if path in CONFIGURATION:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and pattern.match(text):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {text!r}")
    assert not found


def _tag_libraries(app: str) -> set[str]:
    return {p.stem for p in (ROOT / app / "templatetags").glob("*.py") if p.stem != "__init__"}


def test_core_templates_use_no_other_apps_url_names_or_tags():
    templates = ROOT / "templates"
    core = [*(templates / CORE).rglob("*.html"), *(templates / "includes").rglob("*.html")]
    core += [p for p in templates.glob("*.html")]
    assert core
    libraries = {lib for app in OTHERS for lib in _tag_libraries(app)}
    url = re.compile(rf"""{{%\s*url\s+['"]({"|".join(OTHERS)}):""")
    load = re.compile(r"{%\s*load\s+([^%]+)%}")
    include = re.compile(rf"""{{%\s*(include|extends)\s+['"]({"|".join(OTHERS)})/""")
    found = []
    for path in core:
        text = path.read_text(encoding="utf-8")
        if url.search(text) or include.search(text):
            found.append(f"{path.relative_to(ROOT)} names another app's URL or template")
        for m in load.finditer(text):
            if set(m.group(1).split()) & libraries:
                found.append(f"{path.relative_to(ROOT)} loads another app's tags: {m.group(0)}")
    assert not found


@pytest.mark.parametrize("app", APPS)
def test_no_app_imports_another_apps_private_names(app):
    found = []
    for path in _sources(app):
        for line, module, names in _imports(path):
            owner = _app_of(module)
            if owner not in APPS or owner == app:
                continue
            private = [n for n in names if n.startswith("_")]
            private += [part for part in module.split(".") if part.startswith("_")]
            if private:
                found.append(f"{path.relative_to(ROOT)}:{line} from {module}: {private}")
    assert not found
