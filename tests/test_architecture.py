"""The package's shape: layers that import one way, no import cycles, little loose at the root.

The contracts live in pyproject.toml ([tool.importlinter]) and docs/architecture.md explains them;
import-linter checks them on the source tree, imports inside functions included.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

import simbijstand

REPO = Path(__file__).resolve().parents[1]
PACKAGE = Path(simbijstand.__file__).parent
# At the root besides the sub-packages: the package's face, its entry point and its exceptions,
# and at most two other modules.
ROOT_MODULES = {"__init__.py", "__main__.py", "api.py", "errors.py"}
MORE_AT_ROOT = 2


def test_layers_and_no_cycles(capsys: pytest.CaptureFixture[str]) -> None:
    cwd = os.getcwd()
    os.chdir(REPO)  # import-linter finds the package as installed, the config here
    try:
        exit_code = lint_imports(config_filename="pyproject.toml", no_cache=True, no_logo=True)
    finally:
        os.chdir(cwd)
    report = capsys.readouterr().out
    assert exit_code == 0, report
    assert "2 kept, 0 broken" in report


def test_little_is_loose_at_the_root() -> None:
    loose = {p.name for p in PACKAGE.glob("*.py")} - ROOT_MODULES
    assert len(loose) <= MORE_AT_ROOT, sorted(loose)
