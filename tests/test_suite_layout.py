"""The suite's own rule: test modules share code through helpers and fixtures, not each other."""

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).parent


def imported_modules(source: str, package: str) -> list[str]:
    """Return the dotted names source imports, relative imports resolved from package."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.append(module)
            # `from . import test_x` imports a module by an attribute's name.
            found += [f"{module}.{alias.name}" for alias in node.names]
    return found


def is_test_module(name: str) -> bool:
    """Return whether a dotted name is one of this suite's test modules or conftests."""
    last = name.rsplit(".", 1)[-1]
    return name.split(".")[0] == "tests" and (last.startswith("test_") or last == "conftest")


def test_no_test_module_imports_another_test_module_or_a_conftest():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        package = ".".join(path.parent.relative_to(TESTS.parent).parts)
        names = imported_modules(path.read_text(encoding="utf-8"), package)
        offenders += [f"{path.relative_to(TESTS.parent)}: {n}" for n in names if is_test_module(n)]
    assert offenders == [], "share code through tests/helpers.py or conftest fixtures"


@pytest.mark.parametrize(
    ("source", "package", "caught"),
    [
        ("from tests.test_pages import edit", "tests", ["tests.test_pages"]),
        ("from .test_pages import edit", "tests", ["tests.test_pages"]),
        ("from .conftest import PASSWORD", "tests.e2e", ["tests.e2e.conftest"]),
        ("from . import test_pages", "tests", ["tests.test_pages"]),
        ("import tests.e2e.test_talk", "tests", ["tests.e2e.test_talk"]),
        ("from ..conftest import base_config", "tests.e2e", ["tests.conftest"]),
        ("from tests.helpers import edit", "tests", []),
        ("from .helpers import serve", "tests.e2e", []),
    ],
)
def test_the_rule_sees_absolute_relative_and_package_imports(source, package, caught):
    assert [n for n in imported_modules(source, package) if is_test_module(n)] == caught
