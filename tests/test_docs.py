"""The plugin author's guide documents every hook and every SDK name; the README starts right."""

import inspect
from pathlib import Path

from teleservices import hookspecs, sdk

ROOT = Path(__file__).resolve().parent.parent


def _hooks():
    return [
        name
        for name, obj in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("teleservices_")
    ]


def test_every_hookspec_has_a_docstring():
    hooks = _hooks()
    assert "teleservices_declare" in hooks
    for name in hooks:
        assert inspect.getdoc(getattr(hookspecs, name)), f"{name} has no docstring"


def test_every_hookspec_is_documented_in_the_plugin_guide():
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    missing = [name for name in _hooks() if f"### `{name}`" not in guide]
    assert missing == []


def test_every_sdk_name_is_documented():
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    missing = [name for name in sdk.__all__ if f"`{name}" not in guide]
    assert missing == []


def test_readme_starts_with_the_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:12]
    assert any("make demo" in line for line in head)
    assert any("make test" in line for line in head)
